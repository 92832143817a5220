"""A JWK's x5c, x5t and x5t#S256 (RFC 7517 §4.7-§4.9): the certificate must hold the JWK's own
key, and the thumbprints must be its first certificate's. The certificates here are made with
``cryptography``'s X.509 builder, which shares no code with the check."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from conftest import raises_code
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.x509.oid import NameOID

import jwe_steps
from jwe_steps.keys.x5c import MAX_CHAIN_LENGTH


def _certificate(subject_key, issuer_key, name="DEMO certificate (jwe-steps tests)"):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(subject_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    algorithm = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm).public_bytes(serialization.Encoding.DER)


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@pytest.fixture(scope="module")
def rsa_certificate(rsa_key):
    return _certificate(rsa_key.material.public_key(), rsa_key.material)


def test_a_jwk_with_its_own_certificate_and_thumbprints_loads(rsa_key, rsa_certificate):
    other = ec.generate_private_key(ec.SECP256R1())
    chain = [_b64(rsa_certificate), _b64(_certificate(other.public_key(), other))]
    for private in (False, True):
        jwk = dict(
            rsa_key.to_jwk(private=private),
            x5c=chain,
            x5t=_b64url(hashlib.sha1(rsa_certificate).digest()),
            **{"x5t#S256": _b64url(hashlib.sha256(rsa_certificate).digest())},
        )
        loaded = jwe_steps.load_key(jwk)
        assert loaded.thumbprint() == rsa_key.thumbprint()


def test_ec_and_x25519_keys_are_compared_with_their_certificates():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_jwk = jwe_steps.load_key(ec_key).to_jwk(private=True)
    ec_der = _certificate(ec_key.public_key(), ec_key)
    assert jwe_steps.load_key(dict(ec_jwk, x5c=[_b64(ec_der)])).kty == "EC"
    signer = ed25519.Ed25519PrivateKey.generate()  # an X25519 key cannot sign its own certificate
    agreement = x25519.X25519PrivateKey.generate()
    x_jwk = jwe_steps.load_key(agreement).to_jwk(private=True)
    x_der = _certificate(agreement.public_key(), signer)
    assert jwe_steps.load_key(dict(x_jwk, x5c=[_b64(x_der)])).kty == "OKP"
    with raises_code("key.x5c_mismatch"):
        jwe_steps.load_key(dict(x_jwk, x5c=[_b64(_certificate(signer.public_key(), signer))]))
    with raises_code("key.x5c_mismatch"):
        jwe_steps.load_key(dict(ec_jwk, x5c=[_b64(x_der)]))


def test_a_certificate_for_another_key_is_refused(rsa_key):
    other = jwe_steps.generate_key("RSA", size=2048).material
    wrong = _certificate(other.public_key(), other)
    for private in (False, True):
        with raises_code("key.x5c_mismatch"):
            jwe_steps.load_key(dict(rsa_key.to_jwk(private=private), x5c=[_b64(wrong)]))


@pytest.mark.parametrize("name, digest", [("x5t", hashlib.sha1), ("x5t#S256", hashlib.sha256)])
def test_a_thumbprint_of_another_certificate_is_refused(rsa_key, rsa_certificate, name, digest):
    jwk = dict(rsa_key.to_jwk(), x5c=[_b64(rsa_certificate)])
    jwk[name] = _b64url(digest(rsa_certificate + b"x").digest())
    with raises_code("key.x5c_mismatch"):
        jwe_steps.load_key(jwk)
    jwk[name] = _b64url(digest(rsa_certificate).digest())
    assert jwe_steps.load_key(jwk).kty == "RSA"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("MIIB", id="a string, not an array"),
        pytest.param([], id="empty"),
        pytest.param([7], id="a number"),
        pytest.param(["not base64!"], id="not base64"),
        pytest.param(["-_-_"], id="base64url, not base64"),
        pytest.param(["AAAA"], id="not a certificate"),
        pytest.param(["é"], id="not ASCII"),
    ],
)
def test_a_malformed_chain_is_refused(rsa_key, value):
    with raises_code("key.x5c"):
        jwe_steps.load_key(dict(rsa_key.to_jwk(), x5c=value))


def test_a_chain_is_bounded_and_every_entry_is_read(rsa_key, rsa_certificate):
    own = _b64(rsa_certificate)
    with raises_code("key.x5c"):
        jwe_steps.load_key(dict(rsa_key.to_jwk(), x5c=[own] * (MAX_CHAIN_LENGTH + 1)))
    assert jwe_steps.load_key(dict(rsa_key.to_jwk(), x5c=[own] * MAX_CHAIN_LENGTH))
    with raises_code("key.x5c"):
        jwe_steps.load_key(dict(rsa_key.to_jwk(), x5c=[own, "AAAA"]))


def test_a_symmetric_key_has_no_certificate(rsa_certificate):
    with raises_code("key.x5c"):
        jwe_steps.load_key({"kty": "oct", "k": _b64url(bytes(32)), "x5c": [_b64(rsa_certificate)]})


@pytest.mark.parametrize("value", ["AAAA", 7, "not base64url!"])
def test_a_thumbprint_of_the_wrong_shape_is_refused_even_without_x5c(rsa_key, value):
    with raises_code("key.member"):
        jwe_steps.load_key(dict(rsa_key.to_jwk(), x5t=value))


def test_a_key_set_skips_an_entry_whose_certificate_is_another_keys(rsa_key, rsa_certificate):
    other = jwe_steps.generate_key("RSA", size=2048)
    mixed = dict(other.public_key().to_jwk(), kid="mixed", x5c=[_b64(rsa_certificate)])
    keys = jwe_steps.load_key_set({"keys": [mixed, rsa_key.public_key().to_jwk()]})
    assert keys.kids == (rsa_key.kid,)
    assert [(entry.kid, entry.code) for entry in keys.skipped] == [("mixed", "key.x5c_mismatch")]
    with raises_code("key.kid_skipped"):
        keys.select("mixed")
