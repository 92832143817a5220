"""The integrator's journey through `jwe-steps explain` and `inspect`: an edited header is named,
and a JSON serialization (which a compact-only recipient refuses) is flagged though it decrypts.

Tokens are built with pyca/cryptography directly, as a peer would build them; the tests assert
codes (and, for the JSON serialization, that the conversion the finding promises really works).
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import jwe_steps
from jwe_steps import explain
from jwe_steps.cli import main
from jwe_steps.diagnose import FINDING_CODES
from jwe_steps.inspection import inspect_token

RECIPIENT = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # a DEMO key
JWK = {**jwe_steps.load_key(RECIPIENT).to_jwk(private=True), "kid": "demo-me"}
KEY = jwe_steps.load_key(JWK)
PLAINTEXT = b'{"demo":"journey"}'
HEADER = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "demo-me"}
OAEP_256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def encoded(header: dict[str, Any]) -> str:
    return b64u(json.dumps(header, separators=(",", ":")).encode("utf-8"))


def peer_token(header: dict[str, Any] = HEADER) -> str:
    """A correct RSA-OAEP-256 + A256GCM compact token, as a peer builds it."""
    protected = encoded(header)
    cek, iv = os.urandom(32), os.urandom(12)
    sealed = AESGCM(cek).encrypt(iv, PLAINTEXT, protected.encode("ascii"))
    parts = (RECIPIENT.public_key().encrypt(cek, OAEP_256), iv, sealed[:-16], sealed[-16:])
    return ".".join([protected, *(b64u(p) for p in parts)])


def with_header(token: str, **changes: Any) -> str:
    """The token with its protected header decoded, changed and re-encoded (the AAD no longer
    matches)."""
    first, rest = token.split(".", 1)
    header = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    return encoded({**header, **changes}) + "." + rest


def codes(report: jwe_steps.Explanation) -> list[str]:
    assert all(f.code in FINDING_CODES for f in report.diagnosis)
    return [f.code for f in report.diagnosis]


def flattened(**kwargs: Any) -> dict[str, Any]:
    made = jwe_steps.encrypt(
        PLAINTEXT, KEY.public_key(), alg="RSA-OAEP-256", enc="A256GCM", **kwargs
    ).token
    assert isinstance(made, dict)
    return made


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "me.jwk"
    path.write_text(json.dumps(JWK), encoding="utf-8")
    return path


# ---------------------------------------------------------------- 1. an edited header is named


def test_a_kid_changed_after_encryption_is_named_beside_the_tag_mismatch() -> None:
    """The key opens the CEK, so a kid naming another key is evidence the header was edited."""
    report = explain(with_header(peer_token(), kid="changed"), KEY)
    assert not report.ok and report.failed_stage == "content_decryption"
    assert codes(report) == ["kid.mismatch", "tag.mismatch"]


def test_the_cli_names_the_changed_kid(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    token = with_header(peer_token(), kid="changed")
    status, out = run_cli(
        ["explain", "--key", str(key_file), "--format", "json"], token, monkeypatch, capsys
    )
    assert status == 1
    assert [d["code"] for d in json.loads(out)["diagnosis"]] == ["kid.mismatch", "tag.mismatch"]


def test_the_unexplained_tag_mismatch_names_the_protected_header() -> None:
    """An added member leaves alg, enc and kid alone: only tag.mismatch, naming the header
    among what may have been altered (the one place this file reads a message)."""
    report = explain(with_header(peer_token(), x_added=1), KEY)
    assert codes(report) == ["tag.mismatch"]
    assert "protected header" in report.diagnosis[0].message


def test_a_changed_alg_or_enc_is_reported_with_what_the_key_proves() -> None:
    token = peer_token()
    assert codes(explain(with_header(token, alg="RSA-OAEP"), KEY)) == [
        "oaep.hash_mismatch",
        "tag.mismatch",
    ]
    assert codes(explain(with_header(token, enc="A128GCM"), KEY)) == ["cek.length"]


def test_a_kid_that_differs_is_still_harmless_when_the_token_decrypts() -> None:
    report = explain(peer_token({**HEADER, "kid": "someone-else"}), KEY)
    assert report.ok and report.diagnosis == []


def test_a_key_set_names_the_changed_kid_too() -> None:
    report = explain(with_header(peer_token(), kid="changed"), {"keys": [JWK]})
    assert codes(report) == ["kid.mismatch", "tag.mismatch"]


def test_a_token_for_another_key_is_still_a_key_mismatch() -> None:
    """The key fails: the kid finding keeps saying another key was used, not an edit."""
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_jwk = {**jwe_steps.load_key(other).to_jwk(private=True), "kid": "demo-other"}
    assert codes(explain(peer_token(), other_jwk)) == ["kid.mismatch", "key.mismatch"]


# ---------------------------------------------------------------- 2. the JSON serialization


def test_a_flattened_token_decrypts_with_a_json_serialization_note() -> None:
    report = explain(json.dumps(flattened(serialization="flattened")), KEY)
    assert report.ok and report.trace.plaintext == PLAINTEXT
    assert codes(report) == ["format.json_serialization"]
    assert report.diagnosis[0].stage == "serialization"


def test_the_cli_exits_0_and_shows_the_note(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    token = json.dumps(flattened(serialization="flattened"))
    status, out = run_cli(
        ["explain", "--key", str(key_file), "--format", "json"], token, monkeypatch, capsys
    )
    report = json.loads(out)
    assert status == 0 and report["ok"] is True
    assert [d["code"] for d in report["diagnosis"]] == ["format.json_serialization"]
    status, out = run_cli(["explain", "--key", str(key_file)], token, monkeypatch, capsys)
    assert status == 0 and "[format.json_serialization]" in out


@pytest.mark.parametrize(
    "kwargs, converts",
    [
        ({"serialization": "flattened"}, True),
        ({"serialization": "general"}, True),
        ({"serialization": "flattened", "aad": b"order 42"}, False),
        ({"serialization": "flattened", "unprotected": {"cty": "demo"}}, False),
    ],
    ids=["flattened", "general", "aad", "unprotected"],
)
def test_the_compact_form_the_note_promises_exists_only_when_it_says(
    kwargs: dict[str, Any], converts: bool
) -> None:
    """A JSON token of one recipient with nothing outside the protected header converts to
    compact as it is; leaving out an 'aad' breaks the tag, and leaving out unprotected members
    loses them (moving them into the protected header would change the AAD)."""
    from jwe_steps.inspection.serializations import compact_conversion

    token = flattened(**kwargs)
    assert codes(explain(token, KEY)) == ["format.json_serialization"]
    _, blockers = compact_conversion(token)
    assert (blockers == []) is converts
    entry = token["recipients"][0] if "recipients" in token else token
    members = (token["protected"], entry.get("encrypted_key", ""))
    compact = ".".join([*members, token["iv"], token["ciphertext"], token["tag"]])
    as_sent = jwe_steps.decrypt(token, KEY)
    try:
        received = jwe_steps.decrypt(compact, KEY)
    except jwe_steps.JWEError:
        faithful = False
    else:
        faithful = (received.plaintext, received.header) == (as_sent.plaintext, as_sent.header)
    assert faithful is converts


def test_a_json_token_that_fails_keeps_its_diagnosis_alone() -> None:
    """Notes about the form come only once the token decrypts: the failure is named first."""
    token = flattened(serialization="flattened")
    token["protected"] = with_header(token["protected"] + ".x", kid="changed").split(".")[0]
    assert codes(explain(token, KEY)) == ["kid.mismatch", "tag.mismatch"]


def test_inspect_warns_of_the_json_serialization_and_stays_well_formed(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    token = json.dumps(flattened(serialization="general"))
    result = inspect_token(token)
    assert result.well_formed
    assert [(f.code, f.severity) for f in result.findings] == [
        ("format.json_serialization", "warning")
    ]
    status, out = run_cli(["inspect", "--format", "json"], token, monkeypatch, capsys)
    assert status == 0 and json.loads(out)["well_formed"] is True


def test_inspect_does_not_call_a_json_tokens_final_newline_a_problem() -> None:
    """Whitespace around JSON is JSON's own: decrypt() reads it, so inspect does not flag it."""
    token = json.dumps(flattened(serialization="flattened")) + "\n"
    assert jwe_steps.decrypt(token, KEY).plaintext == PLAINTEXT
    assert inspect_token(token).codes == ["format.json_serialization"]


# ---------------------------------------------------------------- the trailing newline, told true


def test_what_inspect_says_of_a_final_newline_holds(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """`jwe-steps decrypt` reads past it; decrypt() refuses it; `jwe-steps explain` reports it."""
    token = peer_token() + "\n"
    assert [(f.code, f.severity) for f in inspect_token(token).findings] == [
        ("format.whitespace", "warning")
    ]
    with pytest.raises(jwe_steps.JWEError) as refused:
        jwe_steps.decrypt(token, KEY)
    assert refused.value.code == "format.whitespace"
    status, out = run_cli(
        ["explain", "--key", str(key_file), "--format", "json"], token, monkeypatch, capsys
    )
    assert status == 1 and json.loads(out)["diagnosis"][0]["code"] == "format.whitespace"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(token.encode("utf-8"))))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO()))
    assert main(["decrypt", "--key", str(key_file)]) == 0
