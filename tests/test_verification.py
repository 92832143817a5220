"""Verification owns proof: it stores results on the Trace, names each witness and its kind, and
never calls a value "verified" when its witness is an injected input or the same code path."""

from __future__ import annotations

import ast
import json
import pathlib

import pytest

import jwe_steps
from jwe_steps.examples import RFC7516_A1
from jwe_steps.verification import Verification, cross_check, overall, verifications_of, verify

PACKAGE = pathlib.Path(jwe_steps.__file__).parent


def _a1(engine: str = "cryptography"):
    return jwe_steps.encrypt(
        RFC7516_A1.plaintext,
        RFC7516_A1.demo_key().public_key(),
        alg=RFC7516_A1.alg,
        enc=RFC7516_A1.enc,
        cek=RFC7516_A1.cek,
        iv=RFC7516_A1.iv,
        engine=engine,
    )


@pytest.mark.parametrize(
    ("kind", "equal", "status"),
    [
        ("vector", True, "verified"),
        ("independent", True, "verified"),
        ("given", True, "given"),
        ("vector", False, "differs"),
        ("independent", False, "differs"),
        ("given", False, "differs"),
    ],
)
def test_status_follows_the_witness_kind_and_the_comparison(kind, equal, status):
    trace = _a1()
    expected = RFC7516_A1.tag if equal else bytes(16)
    result = verify(trace, "tag", expected, "a witness", kind=kind)
    assert result.status == status and result.kind == kind and result.source == "a witness"
    assert bool(result) is equal


def test_the_default_kind_is_given():
    result = verify(_a1(), "cek", RFC7516_A1.cek, "the CEK injected above")
    assert result.kind == "given" and result.status == "given"


def test_results_are_stored_on_the_trace_and_steps_are_left_alone():
    trace = _a1()
    before = list(trace.steps)
    first = verify(trace, "tag", RFC7516_A1.tag, "RFC 7516 A.1.6", kind="vector")
    second = verify(trace, "tag", RFC7516_A1.tag, "echo", kind="given")
    assert all(a is b for a, b in zip(trace.steps, before, strict=True))
    assert verifications_of(trace, trace.step("tag")) == (first, second)
    assert verifications_of(trace, trace.step("iv")) == ()
    assert overall((first, second)) == "verified" and overall((second,)) == "given"
    assert overall(()) is None


def test_an_explanation_is_verified_through_its_trace():
    explanation = jwe_steps.explain(RFC7516_A1.token, RFC7516_A1.demo_key())
    result = verify(explanation, "plaintext", RFC7516_A1.plaintext, "RFC 7516 A.1", "vector")
    assert result.status == "verified"
    assert verifications_of(explanation.trace, explanation.trace.step("plaintext")) == (result,)


def test_an_unknown_step_is_a_key_error_naming_the_known_ones():
    with pytest.raises(KeyError, match=r"it has: .*cek"):
        verify(_a1(), "no_such_step", b"", "nothing")


@pytest.mark.parametrize("engine", ["cryptography", "from_scratch"])
def test_cross_check_uses_the_other_engine_as_its_witness(engine):
    trace = _a1(engine)
    results = cross_check(trace)
    by_name = {result.name: result for result in results}
    assert set(by_name) == {"aad", "ciphertext", "tag"}
    assert all(result.status == "verified" for result in results)
    assert all(result.kind == "independent" for result in results)
    other = "from-scratch" if engine == "cryptography" else "cryptography"
    assert other in by_name["tag"].source


@pytest.mark.parametrize("enc", ["A128CBC-HS256", "A256CBC-HS512", "A192GCM"])
@pytest.mark.parametrize("engine", ["cryptography", "from_scratch"])
def test_cross_check_covers_cbc_hmac_and_key_wrap(enc, engine):
    key = jwe_steps.generate_key("oct", size=128)
    trace = jwe_steps.encrypt(b"forty bytes of content, more than 2 blocks", key, alg="A128KW",
                              enc=enc, engine=engine)  # fmt: skip
    results = cross_check(trace, key)
    assert {r.name for r in results} == {"aad", "ciphertext", "tag", "encrypted_key"}
    assert all(r.status == "verified" for r in results), [str(r) for r in results]


def test_cross_check_reports_a_difference():
    trace = _a1()
    forged = jwe_steps.trace.Step("tag", bytes(16), "a forged tag")
    trace.record(forged)  # the last "tag" step is the one checked
    results = {r.name: r for r in cross_check(trace)}
    assert results["tag"].status == "differs" and len(results["tag"].differing) == 16


def test_the_model_imports_nothing_from_the_views():
    for name in ("trace.py", "verification.py"):
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("view"), (name, node.module)
                assert "view" not in [alias.name for alias in node.names], name
            if isinstance(node, ast.Import):
                assert not any("view" in alias.name for alias in node.names), name


def _view_modules() -> list[pathlib.Path]:
    widgets = PACKAGE / "widgets"
    found = [*(PACKAGE / "view").glob("*.py"), *widgets.glob("*.py")]
    return found + ([PACKAGE / "widgets.py"] if (PACKAGE / "widgets.py").exists() else [])


CRYPTO_MODULES = ("cryptography", "hashlib", "hmac", "from_scratch", "jwe_steps.from_scratch")


def test_views_and_widgets_do_not_mutate_traces_or_compute_crypto():
    offenders = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
                if any(n.split(".")[0] in CRYPTO_MODULES or "from_scratch" in n for n in names):
                    offenders.append((path.name, "imports", module))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in CRYPTO_MODULES:
                        offenders.append((path.name, "imports", alias.name))
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript) and "steps" in ast.unparse(target.value):
                        offenders.append((path.name, "writes", ast.unparse(target)))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                call = ast.unparse(node.func)
                mutators = ("steps.append", "steps.insert", ".record", ".add")
                if call.endswith(mutators) and ("trace" in call or "explanation" in call):
                    offenders.append((path.name, "calls", call))
    assert offenders == []


def test_verification_is_a_frozen_record():
    result = Verification("tag", "RFC 7516 A.1.6", "vector", True)
    with pytest.raises(AttributeError):
        result.equal = False  # type: ignore[misc]
    assert "verified against RFC 7516 A.1.6" in str(result)


def test_the_aad_witness_is_the_tokens_text_not_the_step_the_aad_was_made_from(monkeypatch):
    # An AAD made from a differently encoded header (padded base64) while the token carries the
    # unpadded text: the witness, cut from the token itself, must catch it.
    import base64

    from jwe_steps import encryption

    def padded_aad(encoded_protected_header, encoded_aad=None):
        raw = base64.urlsafe_b64decode(encoded_protected_header + "==")
        return base64.urlsafe_b64encode(raw)

    monkeypatch.setattr(encryption, "compute_aad", padded_aad)
    trace = _a1()
    assert trace["aad"] != RFC7516_A1.aad  # the defect took effect
    results = {r.name: r for r in cross_check(trace)}
    assert results["aad"].status == "differs"


def test_the_aad_witness_matches_the_published_aad():
    results = {r.name: r for r in cross_check(_a1())}
    assert results["aad"].status == "verified"
    assert _a1()["aad"] == RFC7516_A1.aad


@pytest.mark.parametrize("serialization", ["flattened", "general"])
@pytest.mark.parametrize("aad", [None, b"extra authenticated data"])
def test_the_aad_of_a_json_token_is_checked_against_its_own_members(serialization, aad):
    key = jwe_steps.generate_key("oct", size=128)
    sent = jwe_steps.encrypt(b"x", key, alg="A128KW", enc="A128GCM", serialization=serialization,
                             aad=aad)  # fmt: skip
    received = jwe_steps.decrypt(json.dumps(sent.token), key)  # as JSON text
    for trace in (sent, received, jwe_steps.explain(sent.token, key).trace):
        results = {r.name: r for r in cross_check(trace)}
        assert results["aad"].status == "verified"
        assert ("aad member" in results["aad"].source) == (aad is not None)


def test_a_json_aad_made_from_other_text_differs(monkeypatch):
    from jwe_steps import encryption

    monkeypatch.setattr(encryption, "compute_aad", lambda header, encoded_aad=None: b"other")
    key = jwe_steps.generate_key("oct", size=128)
    trace = jwe_steps.encrypt(b"x", key, alg="A128KW", enc="A128GCM", serialization="flattened",
                              aad=b"a")  # fmt: skip
    assert {r.name: r for r in cross_check(trace)}["aad"].status == "differs"
