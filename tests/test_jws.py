"""Compact JWS (RFC 7515): the published examples, every stage, hostile input, and two peers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps import jws
from jwe_steps.b64 import b64url_decode, b64url_encode
from jwe_steps.errors import CODES, JWEError
from jwe_steps.examples import rfc7515
from jwe_steps.keys import Key, KeySet, load_key

SIGNING_ALGS = sorted(jws.ALGORITHMS)


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    """One DEMO signing key per JWS alg (RSA keys shared by RS* and PS* would break `alg`)."""
    return {alg: jws.generate_signing_key(alg) for alg in SIGNING_ALGS}


def _public(key: Key) -> Key:
    return key if key.kty == "oct" else key.public_key()


def _code(excinfo: pytest.ExceptionInfo[JWEError]) -> str:
    assert excinfo.value.code in CODES
    return excinfo.value.code


# ---------------------------------------------------------------- published examples


@pytest.mark.parametrize("example", rfc7515.PUBLISHED_JWS, ids=lambda e: e.source)
def test_published_examples_verify(example: rfc7515.PublishedJWS) -> None:
    key = load_key(example.key_jwk)
    checked = jws.verify(example.compact, _public(key), algorithms={example.alg})
    _, payload, signature = example.parts
    assert checked.payload == b64url_decode(payload)
    assert checked["signature"] == b64url_decode(signature)
    assert checked.header["alg"] == example.alg


@pytest.mark.parametrize(
    "example",
    [e for e in rfc7515.PUBLISHED_JWS if e.deterministic and e is not rfc7515.RFC7515_A1],
    ids=lambda e: e.source,
)
def test_deterministic_examples_are_reproduced_byte_for_byte(
    example: rfc7515.PublishedJWS,
) -> None:
    header_part, payload_part, _ = example.parts
    header = json.loads(b64url_decode(header_part))
    key = load_key(example.key_jwk)
    made = jws.sign(
        b64url_decode(payload_part),
        key,
        alg=example.alg,
        header={k: v for k, v in header.items() if k != "alg"},
    )
    assert made["encoded_header"] == header_part
    assert made.token == example.compact


def test_rfc7515_a1_hmac_is_the_published_one_over_its_own_signing_input() -> None:
    # A.1's header has a CR LF inside, so it cannot come out of a JSON serializer; the HMAC over
    # the published signing input is checked with hmac/hashlib, which share no code with jws.
    header_part, payload_part, signature_part = rfc7515.RFC7515_A1.parts
    secret = b64url_decode(rfc7515.RFC7515_A1.key_jwk["k"])
    mac = hmac.new(secret, f"{header_part}.{payload_part}".encode(), hashlib.sha256).digest()
    assert b64url_encode(mac) == signature_part


def test_verification_needs_hmac_named_explicitly() -> None:
    key = load_key(rfc7515.RFC7520_4_4.key_jwk)
    with pytest.raises(JWEError) as caught:
        jws.verify(rfc7515.RFC7520_4_4.compact, key)
    assert _code(caught) == "jws.algorithm_not_allowed"


# ---------------------------------------------------------------- every stage, checked apart


@pytest.mark.parametrize("alg", SIGNING_ALGS)
def test_round_trip_and_stages(alg: str, keys: dict[str, Key]) -> None:
    key = keys[alg]
    signed = jws.sign(b'{"hello":"world"}', key, alg=alg, header={"typ": "JWT"})
    encoded_header, encoded_payload, encoded_signature = signed.token.split(".")
    assert json.loads(base64.urlsafe_b64decode(encoded_header + "==")) == {
        "alg": alg,
        "typ": "JWT",
        "kid": key.kid,
    }
    assert signed["signing_input"] == f"{encoded_header}.{encoded_payload}".encode()
    assert b64url_encode(signed["signature"]) == encoded_signature
    checked = jws.verify(signed.token, _public(key), algorithms={alg}, typ="JWT")
    assert checked.payload == b'{"hello":"world"}'
    assert checked["signature_valid"] is True


@pytest.mark.parametrize("alg", SIGNING_ALGS)
def test_the_token_as_bytes_and_as_text_say_the_same(alg: str, keys: dict[str, Key]) -> None:
    signed = jws.sign(b"a payload", keys[alg], alg=alg)
    assert signed.token_bytes == signed.token.encode("ascii")
    assert signed["token"] == signed.token  # the step and the attribute agree
    assert jws.SignTrace(token="h.p.s").token_bytes == b"h.p.s"


@pytest.mark.parametrize("alg", SIGNING_ALGS)
def test_a_token_given_as_bytes_verifies_as_its_text_does(alg: str, keys: dict[str, Key]) -> None:
    signed = jws.sign(b'{"n":1}', keys[alg], alg=alg)
    encoded_header, encoded_payload, _ = signed.token.split(".")
    for given_token in (signed.token, signed.token.encode("ascii")):
        checked = jws.verify(given_token, _public(keys[alg]), algorithms={alg})
        assert checked.payload == b'{"n":1}'
        signing_input = checked["signing_input"]
        assert type(signing_input) is bytes
        assert signing_input == f"{encoded_header}.{encoded_payload}".encode("ascii")
    other_payload = b64url_encode(b'{"n":2}').encode("ascii")
    tampered = signed.token_bytes.replace(encoded_payload.encode("ascii"), other_payload)
    with pytest.raises(JWEError) as caught:
        jws.verify(tampered, _public(keys[alg]), algorithms={alg})
    assert _code(caught) == "jws.signature_invalid"


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512"])
def test_ecdsa_signature_is_raw_r_s_checked_by_cryptography_itself(
    alg: str, keys: dict[str, Key]
) -> None:
    key = keys[alg]
    signed = jws.sign(b"payload", key, alg=alg)
    size = {"ES256": 32, "ES384": 48, "ES512": 66}[alg]
    raw = signed["signature"]
    assert len(raw) == 2 * size
    assert signed["signature_der"][0] == 0x30  # what cryptography returned: DER
    hash_algorithm = {"ES256": hashes.SHA256(), "ES384": hashes.SHA384(), "ES512": hashes.SHA512()}
    der = encode_dss_signature(int.from_bytes(raw[:size]), int.from_bytes(raw[size:]))
    key.material.public_key().verify(der, signed["signing_input"], ec.ECDSA(hash_algorithm[alg]))


def test_pss_signature_checked_by_cryptography_itself(keys: dict[str, Key]) -> None:
    signed = jws.sign(b"payload", keys["PS256"], alg="PS256")
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    keys["PS256"].material.public_key().verify(
        signed["signature"], signed["signing_input"], pss, hashes.SHA256()
    )


def test_digest_step_is_the_hash_of_the_signing_input(keys: dict[str, Key]) -> None:
    signed = jws.sign(b"x", keys["RS384"], alg="RS384")
    assert signed["digest"] == hashlib.sha384(signed["signing_input"]).digest()


# ---------------------------------------------------------------- refusals, by code


def _tamper(token: str, index: int) -> str:
    parts = token.split(".")
    raw = bytearray(b64url_decode(parts[index]))
    raw[len(raw) // 2] ^= 1
    parts[index] = b64url_encode(bytes(raw))
    return ".".join(parts)


@pytest.mark.parametrize("alg", SIGNING_ALGS)
@pytest.mark.parametrize("part", [1, 2])
def test_tampered_payload_or_signature_is_signature_invalid(
    alg: str, part: int, keys: dict[str, Key]
) -> None:
    token = jws.sign(b"a payload of some length", keys[alg], alg=alg).token
    with pytest.raises(JWEError) as caught:
        jws.verify(_tamper(token, part), _public(keys[alg]), algorithms={alg})
    assert _code(caught) == "jws.signature_invalid"


def test_wrong_key_is_signature_invalid(keys: dict[str, Key]) -> None:
    token = jws.sign(b"x", keys["PS256"], alg="PS256").token
    other = jws.generate_signing_key("PS256")
    with pytest.raises(JWEError) as caught:
        jws.verify(token, other.public_key(), algorithms={"PS256"})
    assert _code(caught) == "jws.signature_invalid"


def test_none_is_never_accepted() -> None:
    header = b64url_encode(b'{"alg":"none"}')
    token = f"{header}.{b64url_encode(b'x')}."
    key = jws.generate_signing_key("ES256").public_key()
    with pytest.raises(JWEError) as caught:
        jws.verify(token, key, algorithms={"ES256"})
    assert _code(caught) == "jws.algorithm_unknown"
    with pytest.raises(JWEError) as caught:  # nor can an allow-list name it
        jws.verify(token, key, algorithms={"none"})
    assert _code(caught) == "input.allow_list"


def test_algorithm_confusion_public_key_as_hmac_secret_is_refused(keys: dict[str, Key]) -> None:
    public = keys["RS256"].public_key()
    secret = public.to_pem()
    header = b64url_encode(b'{"alg":"HS256"}')
    body = b64url_encode(b"forged")
    mac = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(JWEError) as caught:
        jws.verify(f"{header}.{body}.{b64url_encode(mac)}", public, algorithms={"HS256", "RS256"})
    assert _code(caught) == "jws.key_type"


def test_der_signature_where_raw_is_needed_is_named(keys: dict[str, Key]) -> None:
    signed = jws.sign(b"x", keys["ES256"], alg="ES256")
    header, payload, _ = signed.token.split(".")
    token = f"{header}.{payload}.{b64url_encode(signed['signature_der'])}"
    with pytest.raises(JWEError) as caught:
        jws.verify(token, keys["ES256"].public_key(), algorithms={"ES256"})
    assert _code(caught) == "jws.signature_length"


def test_encryption_key_cannot_sign_or_verify() -> None:
    from jwe_steps import generate_key

    enc_key = generate_key("RSA")  # use: "enc"
    with pytest.raises(JWEError) as caught:
        jws.sign(b"x", enc_key, alg="PS256")
    assert _code(caught) == "jws.key_use"


def test_key_bound_to_another_alg_is_refused(keys: dict[str, Key]) -> None:
    with pytest.raises(JWEError) as caught:
        jws.sign(b"x", keys["PS256"], alg="RS256")
    assert _code(caught) == "jws.key_use"


def test_wrong_curve_is_refused(keys: dict[str, Key]) -> None:
    p256 = Key("EC", keys["ES256"].material, use="sig")
    with pytest.raises(JWEError) as caught:
        jws.sign(b"x", p256, alg="ES384")
    assert _code(caught) == "jws.key_type"


def test_public_key_cannot_sign(keys: dict[str, Key]) -> None:
    with pytest.raises(JWEError) as caught:
        jws.sign(b"x", keys["ES256"].public_key(), alg="ES256")
    assert _code(caught) == "jws.key_type"


def test_typ_is_checked_when_asked(keys: dict[str, Key]) -> None:
    token = jws.sign(b"{}", keys["ES256"], alg="ES256", header={"typ": "at+jwt"}).token
    with pytest.raises(JWEError) as caught:
        jws.verify(token, keys["ES256"].public_key(), algorithms={"ES256"}, typ="JWT")
    assert _code(caught) == "jws.typ"
    same = jws.sign(b"{}", keys["ES256"], alg="ES256", header={"typ": "application/JWT"}).token
    assert jws.verify(same, keys["ES256"].public_key(), algorithms={"ES256"}, typ="JWT")


def test_crit_and_unencoded_payload_are_refused(keys: dict[str, Key]) -> None:
    for extra, code in (
        ({"crit": ["exp"], "exp": 1}, "jws.crit"),
        ({"b64": False}, "jws.unencoded_payload"),
    ):
        # Made by hand: jws.sign refuses to write these (next test); the header is refused
        # before the signature is looked at, so any signature of the right size will do.
        header = b64url_encode(json.dumps({"alg": "ES256", **extra}).encode())
        token = f"{header}.{b64url_encode(b'x')}.{'A' * 86}"
        with pytest.raises(JWEError) as caught:
            jws.verify(token, keys["ES256"].public_key(), algorithms={"ES256"})
        assert _code(caught) == code


@pytest.mark.parametrize(
    "header",
    [
        {"crit": ["exp"], "exp": 1},  # no extension is implemented: a verifier must refuse it
        {"crit": []},  # RFC 7515 §4.1.11: never an empty list
        {"b64": False},  # RFC 7797 is not implemented: the payload is always base64url
        {"kid": 5},  # RFC 7515 §4.1.4: a string
        {"typ": ["JWT"]},  # §4.1.9
        {"cty": 1},  # §4.1.10
        {"x5c": "MIIB"},  # §4.1.6: an array
        {"note": "\ud800"},  # a lone surrogate: not text UTF-8 can carry
        {"note": b"bytes"},  # not a JSON value
        {1: "a name that is not a str"},
    ],
)
def test_sign_refuses_a_header_no_verifier_should_accept(keys: dict[str, Key], header) -> None:
    with pytest.raises(JWEError) as caught:
        jws.sign(b"x", keys["ES256"], alg="ES256", header=header)
    assert _code(caught) == "input.header"


@pytest.mark.parametrize("payload", [5, None, ["x"], "lone \ud800 surrogate"])
def test_sign_refuses_a_payload_that_is_not_octets_or_text(keys: dict[str, Key], payload) -> None:
    with pytest.raises(JWEError) as caught:
        jws.sign(payload, keys["ES256"], alg="ES256")
    assert _code(caught) == "input.plaintext"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"algorithms": 5}, "input.allow_list"),
        ({"algorithms": [None]}, "input.allow_list"),
        ({"algorithms": [["ES256"]]}, "input.allow_list"),
        ({"typ": 5}, "input.type"),
        ({"limits": "16 MiB"}, "input.type"),
    ],
)
def test_verify_refuses_arguments_of_the_wrong_type(keys: dict[str, Key], arguments, code) -> None:
    token = jws.sign(b"x", keys["ES256"], alg="ES256").token
    with pytest.raises(JWEError) as caught:
        jws.verify(token, keys["ES256"].public_key(), **arguments)
    assert _code(caught) == code


def test_verify_reads_a_single_name_as_a_one_name_allow_list(keys: dict[str, Key]) -> None:
    token = jws.sign(b"x", keys["ES256"], alg="ES256").token
    assert jws.verify(token, keys["ES256"].public_key(), algorithms="ES256").payload == b"x"
    with pytest.raises(JWEError) as caught:  # not the set of its characters
        jws.verify(token, keys["ES256"].public_key(), algorithms="PS256")
    assert _code(caught) == "jws.algorithm_not_allowed"


def test_key_set_picks_by_kid_and_names_the_known_kids(keys: dict[str, Key]) -> None:
    key_set = KeySet((keys["ES256"].public_key(), keys["PS256"].public_key()))
    token = jws.sign(b"x", keys["PS256"], alg="PS256").token
    assert jws.verify(token, key_set, algorithms={"PS256"}).payload == b"x"
    stranger = jws.sign(b"x", jws.generate_signing_key("PS256", kid="demo-stranger"), alg="PS256")
    with pytest.raises(JWEError) as caught:
        jws.verify(stranger.token, key_set, algorithms={"PS256"})
    assert _code(caught) == "jws.kid_unknown"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("a.b", "jws.format"),
        ("a.b.c.d.e", "jws.format"),
        ("eyJhbGciOiJFUzI1NiJ9.eA.AA\n", "format.whitespace"),
        ("e30.eA.AA", "jws.algorithm_unknown"),  # {} : no alg
        ("W10.eA.AA", "jws.header"),  # [] : not an object
        ("eyJhbGciOiJFUzI1NiIsImFsZyI6IkVTMjU2In0.eA.AA", "header.duplicate_member"),
    ],
)
def test_malformed_tokens_get_their_code(token: str, code: str, keys: dict[str, Key]) -> None:
    with pytest.raises(JWEError) as caught:
        jws.verify(token, keys["ES256"].public_key(), algorithms={"ES256"})
    assert caught.value.code == code or (
        code == "header.duplicate_member" and caught.value.code.startswith("header.")
    )


_FUZZ_KEY = jws.generate_signing_key("ES256").public_key()
_PIECES = st.sampled_from(["eyJhbGciOiJFUzI1NiJ9", "e30", "", "AA", "eA", "_-", "=", "\u00e9", "."])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.lists(_PIECES, max_size=8).map(".".join)))
def test_no_input_reaches_a_traceback(data: bytes | str) -> None:
    try:
        jws.verify(data, _FUZZ_KEY, algorithms={"ES256"})
    except JWEError as error:
        assert error.code in CODES


# ---------------------------------------------------------------- peers: jwcrypto and joserfc


INTEROP_ALGS = ["RS256", "PS256", "PS384", "ES256", "ES384", "ES512", "HS256"]


def _jwk(key: Key, *, private: bool) -> dict[str, Any]:
    return {k: v for k, v in key.to_jwk(private=private).items() if k not in ("use", "alg")}


@pytest.mark.parametrize("alg", INTEROP_ALGS)
def test_jwcrypto_verifies_ours_and_we_verify_jwcryptos(alg: str, keys: dict[str, Key]) -> None:
    from jwcrypto import jwk as jwcrypto_jwk
    from jwcrypto import jws as jwcrypto_jws

    key = keys[alg]
    theirs_key = jwcrypto_jwk.JWK(**_jwk(key, private=True))
    ours = jws.sign(b"from jwe-steps", key, alg=alg).token
    reader = jwcrypto_jws.JWS()
    reader.deserialize(ours)
    reader.verify(theirs_key, alg=alg)
    assert reader.payload == b"from jwe-steps"

    writer = jwcrypto_jws.JWS(b"from jwcrypto")
    writer.add_signature(theirs_key, alg=alg, protected={"alg": alg})
    assert jws.verify(writer.serialize(compact=True), _public(key), algorithms={alg}).payload == (
        b"from jwcrypto"
    )


@pytest.mark.parametrize("alg", INTEROP_ALGS)
def test_joserfc_verifies_ours_and_we_verify_joserfcs(alg: str, keys: dict[str, Key]) -> None:
    from joserfc import jws as joserfc_jws
    from joserfc.jwk import import_key

    key = keys[alg]
    theirs_key = import_key(_jwk(key, private=True))
    ours = jws.sign(b"from jwe-steps", key, alg=alg).token
    assert joserfc_jws.deserialize_compact(ours, theirs_key, algorithms=[alg]).payload == (
        b"from jwe-steps"
    )
    theirs = joserfc_jws.serialize_compact(
        {"alg": alg}, b"from joserfc", theirs_key, algorithms=[alg]
    )
    assert jws.verify(theirs, _public(key), algorithms={alg}).payload == b"from joserfc"


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "ES512", "HS256"])
def test_panva_jose_verifies_ours_and_we_verify_its(alg: str, keys: dict[str, Key]) -> None:
    from test_interop_jose_js import b64, run_peer

    key = keys[alg]
    secret = {"secret_b64": b64(key.material)} if key.kty == "oct" else None
    private = secret or {"jwk": _jwk(key, private=True)}
    public = secret or {"jwk": _jwk(key, private=False)}
    ours = jws.sign(b"from jwe-steps", key, alg=alg).token
    verified, signed = run_peer(
        [
            {"op": "verify", "alg": alg, "token": ours, **public},
            {"op": "sign", "alg": alg, "payload_b64": b64(b"from jose"), **private},
        ]
    )
    assert "error" not in verified, verified
    assert base64.b64decode(verified["payload_b64"]) == b"from jwe-steps"
    assert "error" not in signed, signed
    assert jws.verify(signed["token"], _public(key), algorithms={alg}).payload == b"from jose"


def test_a_demo_signing_key_says_so_in_its_kid() -> None:
    assert jws.generate_signing_key("ES256").kid.startswith("demo-sig-")
    assert jws.generate_signing_key("ES256", kid="mine").kid == "demo-mine"
    assert jws.generate_signing_key("ES256", kid="demo-mine").kid == "demo-mine"
    assert jws.generate_signing_key("ES256").demo
