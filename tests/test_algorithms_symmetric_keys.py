"""Symmetric keys and passwords: raw bytes are accepted by one unambiguous rule (PEM, else a
JSON object, else raw key material), and a JWK's ``alg`` binds it to one algorithm."""

from __future__ import annotations

import json
import os

import pytest
from conftest import raises_code

import jwe_steps
from jwe_steps import JWEError, Stage
from jwe_steps.b64 import b64url_encode


def test_raw_bytes_are_a_symmetric_key():
    secret = os.urandom(16)
    key = jwe_steps.load_key(secret)
    assert key.kty == "oct" and key.material == secret and key.is_private
    assert jwe_steps.load_key(bytearray(secret)).material == secret
    assert jwe_steps.load_key_set(secret).keys[0].material == secret


def test_json_object_bytes_and_pem_bytes_keep_their_meaning(rsa_key):
    jwk = {"kty": "oct", "k": b64url_encode(b"0123456789abcdef"), "kid": "j"}
    assert jwe_steps.load_key(json.dumps(jwk).encode()).kid == "j"
    assert jwe_steps.load_key(rsa_key.to_pem(private=True)).kty == "RSA"
    # JSON that is not an object (a number, a string) is not a JWK: raw bytes.
    assert jwe_steps.load_key(b"12345678").material == b"12345678"
    assert jwe_steps.load_key(b'"password"').material == b'"password"'


def test_a_str_is_never_a_raw_key_and_empty_bytes_are_refused():
    with pytest.raises(JWEError) as caught:
        jwe_steps.load_key("correct horse battery staple")
    assert caught.value.stage == Stage.KEY
    with raises_code("key.format"):
        jwe_steps.load_key(b"")


def test_a_password_is_bytes_for_pbes2():
    password = "pässwörd".encode()
    token = jwe_steps.encrypt(
        b"pw", password, alg="PBES2-HS256+A128KW", enc="A128GCM", header={"p2c": 1000}
    ).token
    assert jwe_steps.decrypt(token, password).plaintext == b"pw"
    as_jwk = {"kty": "oct", "k": b64url_encode(password)}
    assert jwe_steps.decrypt(token, as_jwk).plaintext == b"pw"


@pytest.mark.parametrize(
    ("bound_to", "used_for"),
    [("A128GCMKW", "A128KW"), ("A128KW", "A128GCMKW"), ("A128KW", "dir"), ("A128GCM", "A128KW")],
)
def test_a_jwk_alg_binds_the_key_both_ways(bound_to, used_for):
    secret = os.urandom(16)
    jwk = {"kty": "oct", "k": b64url_encode(secret), "alg": bound_to}
    with pytest.raises(JWEError) as caught:
        jwe_steps.encrypt(b"x", jwk, alg=used_for, enc="A128GCM")
    assert caught.value.stage == Stage.KEY
    token = jwe_steps.encrypt(b"x", secret, alg=used_for, enc="A128GCM").token
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, jwk)
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.alg_binding"
    assert caught.value.expected == f"a token with alg '{bound_to}'"


def test_a_symmetric_key_cannot_serve_an_asymmetric_alg_and_vice_versa(rsa_key):
    with pytest.raises(JWEError) as caught:
        jwe_steps.encrypt(b"x", os.urandom(16), alg="RSA-OAEP", enc="A128GCM")
    assert caught.value.stage == Stage.KEY
    with pytest.raises(JWEError) as caught:
        jwe_steps.encrypt(b"x", rsa_key.public_key(), alg="A128KW", enc="A128GCM")
    assert caught.value.stage == Stage.KEY
