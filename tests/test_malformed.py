"""Malformed tokens of every kind: each raises JWEError naming the right stage."""

from __future__ import annotations

import json

import pytest

import jwe_steps
from jwe_steps import JWEError, Stage
from jwe_steps.b64 import b64url_decode, b64url_encode


@pytest.fixture(scope="module")
def parts(rsa_key):
    token = jwe_steps.encrypt(
        b"hello", rsa_key.public_key(), alg="RSA-OAEP-256", enc="A256GCM"
    ).token
    return token.split(".")


def _header(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return b64url_encode(raw)


def _with(parts, index, value):
    changed = list(parts)
    changed[index] = value
    return ".".join(changed)


CASES = {
    "empty string": (lambda p: "", Stage.SERIALIZATION),
    "two parts": (lambda p: "a.b", Stage.SERIALIZATION),
    "three parts (a JWS)": (lambda p: ".".join(p[:3]), Stage.SERIALIZATION),
    "six parts": (lambda p: ".".join([*p, "AA"]), Stage.SERIALIZATION),
    "trailing newline": (lambda p: ".".join(p) + "\n", Stage.SERIALIZATION),
    "empty header part": (lambda p: _with(p, 0, ""), Stage.SERIALIZATION),
    "not a string": (lambda p: 12345, Stage.SERIALIZATION),
    "None": (lambda p: None, Stage.SERIALIZATION),
    "non-ASCII bytes": (lambda p: b"\xff" + ".".join(p).encode(), Stage.SERIALIZATION),
    "padded IV": (lambda p: _with(p, 2, p[2] + "=="), Stage.BASE64URL),
    "standard-alphabet ciphertext": (lambda p: _with(p, 3, "ab+/"), Stage.BASE64URL),
    "space inside the tag": (lambda p: _with(p, 4, p[4][:5] + " " + p[4][5:]), Stage.BASE64URL),
    "non-canonical tag": (lambda p: _with(p, 4, "AB"), Stage.BASE64URL),
    "header is not JSON": (lambda p: _with(p, 0, _header(b"not json")), Stage.HEADER),
    "header is a JSON array": (lambda p: _with(p, 0, _header(["alg"])), Stage.HEADER),
    "header is not UTF-8": (lambda p: _with(p, 0, _header(b'{"alg":"\xff"}')), Stage.HEADER),
    "header repeats a member": (
        lambda p: _with(p, 0, _header(b'{"alg":"RSA-OAEP-256","alg":"dir","enc":"A256GCM"}')),
        Stage.HEADER,
    ),
    "header without enc": (lambda p: _with(p, 0, _header({"alg": "RSA-OAEP-256"})), Stage.HEADER),
    "alg is a number": (lambda p: _with(p, 0, _header({"alg": 1, "enc": "A256GCM"})), Stage.HEADER),
    "header with NaN": (
        lambda p: _with(p, 0, _header(b'{"alg":"RSA-OAEP-256","enc":"A256GCM","x":NaN}')),
        Stage.HEADER,
    ),
    "alg none": (
        lambda p: _with(p, 0, _header({"alg": "none", "enc": "A256GCM"})),
        Stage.ALGORITHM,
    ),
    "unknown enc": (
        lambda p: _with(p, 0, _header({"alg": "RSA-OAEP-256", "enc": "A256CTR"})),
        Stage.ALGORITHM,
    ),
    "unknown critical extension": (
        lambda p: _with(
            p, 0, _header({"alg": "RSA-OAEP-256", "enc": "A256GCM", "crit": ["exp"], "exp": 1})
        ),
        Stage.HEADER,
    ),
    "crit lists a registered name": (
        lambda p: _with(p, 0, _header({"alg": "RSA-OAEP-256", "enc": "A256GCM", "crit": ["alg"]})),
        Stage.HEADER,
    ),
    "kid is a number": (  # RFC 7516 §4.1.6: a string; read as "no kid" it could pick a key
        lambda p: _with(p, 0, _header({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": 5})),
        Stage.HEADER,
    ),
    "x5c is not an array": (
        lambda p: _with(p, 0, _header({"alg": "RSA-OAEP-256", "enc": "A256GCM", "x5c": "MII"})),
        Stage.HEADER,
    ),
    "unknown zip": (
        lambda p: _with(p, 0, _header({"alg": "RSA-OAEP-256", "enc": "A256GCM", "zip": "LZ4"})),
        Stage.HEADER,
    ),
    "16-byte IV": (lambda p: _with(p, 2, b64url_encode(bytes(16))), Stage.IV),
    "empty tag": (lambda p: _with(p, 4, ""), Stage.TAG),
    "truncated tag": (lambda p: _with(p, 4, b64url_encode(b64url_decode(p[4])[:15])), Stage.TAG),
    "encrypted key too short": (
        lambda p: _with(p, 1, b64url_encode(bytes(32))),
        Stage.CONTENT_DECRYPTION,
    ),
    "encrypted key altered": (
        lambda p: _with(
            p, 1, b64url_encode(bytes([b64url_decode(p[1])[0] ^ 1]) + b64url_decode(p[1])[1:])
        ),
        Stage.CONTENT_DECRYPTION,
    ),
    "ciphertext altered": (
        lambda p: _with(
            p, 3, b64url_encode(bytes([b64url_decode(p[3])[0] ^ 0x80]) + b64url_decode(p[3])[1:])
        ),
        Stage.CONTENT_DECRYPTION,
    ),
    "IV altered": (lambda p: _with(p, 2, b64url_encode(bytes(12))), Stage.CONTENT_DECRYPTION),
    "header re-serialized with a space": (
        lambda p: _with(p, 0, _header(json.loads(b64url_decode(p[0])))),  # json.dumps adds spaces
        Stage.CONTENT_DECRYPTION,
    ),
    "ciphertext and tag swapped": (
        lambda p: ".".join([p[0], p[1], p[2], p[4], p[3]]),
        Stage.TAG,  # the 5-byte ciphertext now sits where a 16-byte tag belongs
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_token_fails_at_the_named_stage(case, parts, rsa_key):
    build, stage = CASES[case]
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(build(parts), rsa_key)
    assert caught.value.stage == stage, str(caught.value)
    message = str(caught.value)
    assert message.startswith(f"[{stage}]")
    assert "hello" not in message


def test_the_key_must_fit_the_algorithm(parts, rsa_key):
    token = ".".join(parts)
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, {"kty": "oct", "k": b64url_encode(bytes(32))})
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.type"
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, rsa_key.public_key())
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.not_private"


def test_a_key_set_picks_by_kid_and_names_a_missing_kid(parts, rsa_key):
    token = ".".join(parts)
    other = jwe_steps.generate_key("RSA")
    jwks = {"keys": [other.to_jwk(private=True), rsa_key.to_jwk(private=True)]}
    assert jwe_steps.decrypt(token, jwks).plaintext == b"hello"
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, {"keys": [other.to_jwk(private=True)]})
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.kid_unknown"
    assert caught.value.found == repr(rsa_key.kid)
