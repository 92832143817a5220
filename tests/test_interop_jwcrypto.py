"""jwcrypto reads our tokens and we read jwcrypto's: RSA-OAEP(-256) with AES-GCM."""

from __future__ import annotations

import json

import pytest
from jwcrypto import jwe as jw_jwe
from jwcrypto import jwk as jw_jwk

import jwe_steps

PAIRS = [
    (alg, enc) for alg in ("RSA-OAEP", "RSA-OAEP-256") for enc in ("A128GCM", "A192GCM", "A256GCM")
]


@pytest.fixture(scope="module")
def jw_key(rsa_key):
    return jw_jwk.JWK(**rsa_key.to_jwk(private=True))


@pytest.mark.parametrize(("alg", "enc"), PAIRS)
def test_jwcrypto_decrypts_our_tokens(rsa_key, jw_key, alg, enc):
    plaintext = "interop ✓ " + alg + enc
    token = jwe_steps.encrypt(plaintext, rsa_key.public_key(), alg=alg, enc=enc).token
    received = jw_jwe.JWE()
    received.deserialize(token, key=jw_key)
    assert received.payload == plaintext.encode()


@pytest.mark.parametrize(("alg", "enc"), PAIRS)
def test_we_decrypt_jwcrypto_tokens(rsa_key, alg, enc):
    public = jw_jwk.JWK(**rsa_key.public_key().to_jwk())
    sent = jw_jwe.JWE(b"from jwcrypto", protected=json.dumps({"alg": alg, "enc": enc, "kid": "k1"}))
    sent.add_recipient(public)
    trace = jwe_steps.decrypt(sent.serialize(compact=True), rsa_key)
    assert trace.plaintext == b"from jwcrypto"
    assert trace.header["kid"] == "k1"


def test_jwcrypto_keys_load_as_pem_and_jwk(rsa_key):
    exported = jw_jwk.JWK(**rsa_key.to_jwk(private=True))
    from_pem = jwe_steps.load_key(exported.export_to_pem(private_key=True, password=None))
    from_json = jwe_steps.load_key(exported.export(private_key=True))
    assert from_pem.thumbprint() == from_json.thumbprint() == rsa_key.thumbprint()
    assert rsa_key.thumbprint() == exported.thumbprint()
