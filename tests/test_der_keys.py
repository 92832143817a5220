"""DER key bytes are the key they encode, never a raw secret (found by a fuzzing pass).

``load_key(der)`` read a DER public key as a 2352-bit oct key, so a caller who allowed HS256
and passed the partner's public key as DER (a common way to store one) accepted an HS256
token "signed" with those public bytes: the classic algorithm-confusion forgery of RFC 8725
§2.1. Bytes that are one whole DER key or certificate now load as that key.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

import jwe_steps
from jwe_steps import jws
from jwe_steps.b64 import b64url_encode

DER = serialization.Encoding.DER


@pytest.fixture(scope="module")
def rsa_key():
    return jwe_steps.generate_key("RSA")  # a DEMO key


def _spki(key) -> bytes:
    return key.material.public_key().public_bytes(
        DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _certificate(rsa_key) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DEMO partner")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(rsa_key.material.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(rsa_key.material, hashes.SHA256())
    )
    return certificate.public_bytes(DER)


def test_an_hs256_token_signed_with_the_public_der_is_refused(rsa_key):
    der = _spki(rsa_key)
    header = b64url_encode(json.dumps({"alg": "HS256"}).encode())
    payload = b64url_encode(b'{"admin":true}')
    signing_input = f"{header}.{payload}".encode()
    forged = f"{header}.{payload}.{b64url_encode(hmac.digest(der, signing_input, hashlib.sha256))}"
    with pytest.raises(jwe_steps.JWEError) as caught:
        jws.verify(forged, der, algorithms=["RS256", "HS256"])
    assert caught.value.code == "jws.key_type"


@pytest.mark.parametrize(
    "encode",
    [
        _spki,
        lambda key: key.material.public_key().public_bytes(DER, serialization.PublicFormat.PKCS1),
        _certificate,
    ],
    ids=["SubjectPublicKeyInfo", "PKCS#1 public", "X.509 certificate"],
)
def test_der_public_material_loads_as_the_public_key(rsa_key, encode):
    loaded = jwe_steps.load_key(encode(rsa_key))
    assert loaded.kty == "RSA" and not loaded.is_private
    assert loaded.thumbprint() == rsa_key.public_key().thumbprint()


def test_a_der_private_key_decrypts(rsa_key):
    der = rsa_key.material.private_bytes(
        DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    token = jwe_steps.encrypt(b"hi", rsa_key.public_key(), alg="RSA-OAEP-256", enc="A256GCM")
    assert jwe_steps.decrypt(token.token, der).plaintext == b"hi"


def test_a_password_protected_der_key_and_an_unusable_type_are_named(rsa_key):
    encrypted = rsa_key.material.private_bytes(
        DER, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"DEMO")
    )
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    ed_der = ed.public_bytes(DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    codes = []
    for material in (encrypted, ed_der):
        with pytest.raises(jwe_steps.JWEError) as caught:
            jwe_steps.load_key(material)
        codes.append(caught.value.code)
    assert codes == ["key.format", "key.unsupported"]


@pytest.mark.parametrize("raw", [b"\x30" + bytes(31), b"\x30\x03\x02\x01\x01" + bytes(27)])
def test_raw_keys_that_start_like_der_are_still_raw(raw):
    key = jwe_steps.load_key(raw)
    assert key.kty == "oct" and key.size_bits == 256
