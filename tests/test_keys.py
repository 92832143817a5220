"""load_key / generate_key / thumbprints."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import jwe_steps
from jwe_steps import JWEError, Stage
from jwe_steps.examples.rfc7638 import RFC7638_JWK, RFC7638_THUMBPRINT
from jwe_steps.keys import KeySet


def test_rfc_7638_thumbprint_example():
    # RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
    jwk = RFC7638_JWK
    assert jwe_steps.load_key(jwk).thumbprint() == RFC7638_THUMBPRINT


def test_every_input_form_loads_the_same_key(rsa_key):
    forms = [
        rsa_key,
        rsa_key.to_jwk(private=True),
        json.dumps(rsa_key.to_jwk(private=True)),
        rsa_key.to_pem(private=True),
        rsa_key.to_pem(private=True).decode(),
        rsa_key.material,
    ]
    thumbprints = {jwe_steps.load_key(form).thumbprint() for form in forms}
    assert thumbprints == {rsa_key.thumbprint()}
    assert jwe_steps.load_key(rsa_key.to_pem()).is_private is False


def test_private_jwk_without_crt_members_still_loads(rsa_key):
    jwk = rsa_key.to_jwk(private=True)
    minimal = {name: jwk[name] for name in ("kty", "n", "e", "d")}
    assert (
        jwe_steps.load_key(minimal).material.private_numbers() == rsa_key.material.private_numbers()
    )


def test_demo_keys_are_labelled(rsa_key):
    assert rsa_key.demo and rsa_key.kid.startswith("demo-")
    assert repr(rsa_key).startswith("<DEMO RSA 2048-bit private key")
    assert jwe_steps.generate_key("RSA", kid="mine").kid == "demo-mine"
    assert jwe_steps.load_key(rsa_key.to_jwk()).demo


@pytest.mark.parametrize(
    ("material", "fragment"),
    [
        ({"kty": "RSA", "n": "AQAB"}, "lacks the 'e' member"),
        ({"kty": "RSA", "n": "AQAB=", "e": "AQAB"}, "not strict base64url"),
        ({"kty": "XYZ"}, "unknown JWK key type"),
        ({"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"}, "unsupported EC curve"),
        ({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, "wrong length"),
        ("not json or pem", "neither PEM nor JSON"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "could not be loaded"),
        ({"keys": []}, "key set"),
        (3.14, "unsupported key material"),
    ],
)
def test_bad_key_material_names_the_problem(material, fragment):
    with pytest.raises(JWEError) as caught:
        jwe_steps.load_key(material)
    assert caught.value.stage == Stage.KEY
    assert fragment in str(caught.value)


def test_inconsistent_private_key_is_refused(rsa_key):
    jwk = rsa_key.to_jwk(private=True)
    other = jwe_steps.generate_key("RSA").to_jwk(private=True)
    jwk["d"] = other["d"]
    with pytest.raises(JWEError, match="inconsistent"):
        jwe_steps.load_key(jwk)


def test_key_sets_select_by_kid(rsa_key):
    other = jwe_steps.generate_key("RSA")
    keys = jwe_steps.load_key_set({"keys": [rsa_key.to_jwk(), other.to_jwk()]})
    assert isinstance(keys, KeySet)
    assert keys.select(other.kid).thumbprint() == other.thumbprint()
    with pytest.raises(JWEError, match="no kid"):
        keys.select(None)


def test_small_rsa_is_refused_in_every_form():
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    wrapped = jwe_steps.Key("RSA", small)
    for form in (small, small.public_key(), wrapped.to_pem(private=True), wrapped.to_jwk()):
        with pytest.raises(JWEError, match="too small"):
            jwe_steps.load_key(form)


@pytest.mark.parametrize(
    ("kty", "crv"),
    [("EC", "P-256"), ("EC", "P-384"), ("EC", "P-521"), ("OKP", "X25519"), ("OKP", "X448")],
)
def test_generated_curve_keys_round_trip_through_jwk(kty, crv):
    key = jwe_steps.generate_key(kty, crv=crv)
    again = jwe_steps.load_key(key.to_jwk(private=True))
    assert again.thumbprint() == key.thumbprint() and again.curve == crv and again.is_private
    assert jwe_steps.load_key(key.to_jwk()).is_private is False
