"""What a caller passes is checked before any work: a header the sender must not emit, a
plaintext that is not octets or text, an allow-list or limits of the wrong type, a PBES2 count
no recipient accepts. Each is refused with its code, never with an exception from deep inside
(json, the UTF-8 codec, cryptography's Rust code)."""

from __future__ import annotations

import json

import joserfc.jwe
import joserfc.jwk
import pytest

import jwe_steps
from jwe_steps import nested, strict_json
from jwe_steps.algorithms.pbes2 import MAX_P2C_SENT, MIN_P2C
from jwe_steps.errors import InputError, JWEError


@pytest.fixture(scope="module")
def oct_key() -> jwe_steps.Key:
    return jwe_steps.generate_key("oct", size=128)  # DEMO key


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def _code(call) -> str:
    with pytest.raises(JWEError) as caught:
        call()
    return caught.value.code


@pytest.mark.parametrize(
    "header",
    [
        {"kid": 5},  # RFC 7516 §4.1.6: a string
        {"typ": ["JWT"]},
        {"cty": 1},
        {"jku": 1},
        {"x5c": "MIIB"},  # an array of strings
        {"x5c": []},
        {"note": "lone \ud800"},  # UTF-8 cannot carry it
        {"\ud800": 1},
        {"note": b"bytes"},  # not a JSON value
        {"note": float("nan")},
        {"note": _nested(5000)},  # nesting json cannot write
        {1: "a name that is not a str"},
    ],
)
def test_encrypt_refuses_a_header_it_must_not_emit(oct_key, header):
    assert _code(lambda: jwe_steps.encrypt(b"x", oct_key, alg="A128KW", enc="A128GCM",
                                           header=header)) == "input.header"  # fmt: skip


@pytest.mark.parametrize("argument", ["unprotected", "recipient_header"])
def test_the_unprotected_headers_are_checked_alike(oct_key, argument):
    call = lambda: jwe_steps.encrypt(  # noqa: E731
        b"x", oct_key, alg="A128KW", enc="A128GCM", serialization="flattened",
        **{argument: {"kid": ["k"]}},
    )  # fmt: skip
    assert _code(call) == "input.header"


def test_a_plaintext_str_must_be_text(oct_key):
    call = lambda: jwe_steps.encrypt("a \ud800", oct_key, alg="A128KW", enc="A128GCM")  # noqa: E731
    assert _code(call) == "input.plaintext"


@pytest.mark.parametrize("p2c", [MIN_P2C - 1, MAX_P2C_SENT + 1, 2**31, 2**64, 10**30])
def test_encrypt_runs_pbes2_only_for_counts_a_recipient_could_accept(p2c):
    password = jwe_steps.Key.password(b"correct horse battery staple")  # DEMO password
    call = lambda: jwe_steps.encrypt(  # noqa: E731
        b"x", password, alg="PBES2-HS256+A128KW", enc="A128GCM", header={"p2c": p2c}
    )
    assert _code(call) == "input.p2c"


def test_an_empty_aad_is_no_aad_member(oct_key):
    # RFC 7516 §7.2.1: "aad" MUST be absent when the JWE AAD is empty (joserfc refuses "").
    token = jwe_steps.encrypt(
        b"hi", oct_key, alg="A128KW", enc="A128GCM", serialization="flattened", aad=b""
    ).token
    assert "aad" not in token
    assert jwe_steps.decrypt(token, oct_key).plaintext == b"hi"
    peer_key = joserfc.jwk.import_key(oct_key.to_jwk(private=True))
    opened = joserfc.jwe.decrypt_json(token, peer_key, algorithms=["A128KW", "A128GCM"])
    assert opened.plaintext == b"hi"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"algorithms": 5}, "input.allow_list"),
        ({"algorithms": [["dir"]]}, "input.allow_list"),
        ({"algorithms": ["A128KW", None]}, "input.allow_list"),
        ({"limits": "16 MiB"}, "input.type"),
    ],
)
def test_decrypt_and_explain_refuse_arguments_of_the_wrong_type(oct_key, arguments, code):
    token = jwe_steps.encrypt(b"x", oct_key, alg="A128KW", enc="A128GCM").token
    assert _code(lambda: jwe_steps.decrypt(token, oct_key, **arguments)) == code
    assert _code(lambda: jwe_steps.explain(token, oct_key, **arguments)) == code


@pytest.mark.parametrize("value", [10**400, -(10**400), float("inf"), True, "1700000000"])
def test_a_claim_date_must_be_a_number_a_date_can_be(value):
    claims = {"exp": value}
    call = lambda: nested.validate_claims(claims, audience=None, required=())  # noqa: E731
    assert _code(call) == "claims.type"


def test_claims_must_be_an_object():
    assert _code(lambda: nested.validate_claims([1], audience=None)) == "claims.invalid"


def test_an_explain_report_of_any_dict_token_can_be_printed_and_exported(oct_key):
    flattened = jwe_steps.encrypt(
        b"x", oct_key, alg="A128KW", enc="A128GCM", serialization="flattened"
    ).token
    looped: list = []
    looped.append(looped)
    for token in (
        flattened | {(1, 2): "a name that is not a str"},
        flattened | {"protected": b"bytes"},
        flattened | {"aad": b"bytes"},
        flattened | {"note": looped},
        flattened | {"note": "lone \ud800", "n": float("nan"), "big": 10**5000},
        10**5000,
    ):
        report = jwe_steps.explain(token, oct_key)
        for shown in (report.to_json(), str(report), report._repr_html_(),
                      report.redacted().to_json()):  # fmt: skip
            shown.encode("utf-8")  # strict: no lone surrogate either
        json.loads(report.to_json())


def test_json_safe_keeps_json_and_describes_the_rest():
    document = {"a": [1, 2.5, None, True, "text", {"b": "c"}]}
    assert strict_json.json_safe(document) == document
    looped: list = []
    looped.append(looped)
    shown = json.dumps(strict_json.json_safe({"x": looped, 1: b"ab", "n": 10**5000}))
    assert "<2 bytes>" in shown and "bits>" in shown and "nested too deeply" in shown


def test_the_surrogate_walk_ends_on_a_value_that_contains_itself():
    looped: list = []
    looped.append(looped)
    looped.append({"k": looped, "s": "fine"})
    with pytest.raises(JWEError):  # terminates, and still finds what is there
        strict_json.check_text([*looped, "\ud800"], error=InputError, subject="x")
    strict_json.check_text(looped, error=InputError, subject="x")


@pytest.mark.parametrize(
    "extra",
    [
        {"note": "lone \ud800"},
        {"n": float("nan")},
        {"b": b"bytes"},
        {"deep": _nested(5000)},
        {1: 2},
    ],
)
def test_sign_then_encrypt_refuses_claims_json_cannot_carry(oct_key, extra):
    signer = jwe_steps.jws.generate_signing_key("ES256")
    claims = nested.fresh_claims(issuer="me", audience="you") | extra
    call = lambda: nested.sign_then_encrypt(  # noqa: E731
        claims, signing_key=signer, signing_alg="ES256", encryption_key=oct_key, alg="A128KW",
        enc="A128GCM",
    )  # fmt: skip
    assert _code(call) == "claims.invalid"
