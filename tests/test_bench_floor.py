"""The benchmarks' floor (benchmarks/floor.py) must be a real JWE, or the ratios mean nothing:
its tokens decrypt with jwe_steps and jwe_steps' tokens decrypt with it, on both sides of the
size where AES-GCM switches to the streaming interface."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import floor

import jwe_steps

PAIRS = {
    ("RSA-OAEP-256", "A256GCM", "RSA"): (floor.floor_encrypt, floor.floor_decrypt),
    ("RSA-OAEP-256", "A128CBC-HS256", "RSA"): (floor.floor_encrypt_cbc, floor.floor_decrypt_cbc),
    ("ECDH-ES+A256KW", "A256GCM", "EC"): (floor.floor_encrypt_ecdh, floor.floor_decrypt_ecdh),
}


@pytest.fixture(scope="module")
def demo_keys():
    return {kty: jwe_steps.generate_key(kty) for kty in ("RSA", "EC")}  # DEMO keys


@pytest.mark.parametrize(("alg", "enc", "kty"), list(PAIRS))
@pytest.mark.parametrize("size", [0, 1000, floor.STREAMING_FROM + 5])
def test_the_floor_speaks_jwe_both_ways(demo_keys, alg, enc, kty, size):
    seal, open_ = PAIRS[(alg, enc, kty)]
    key = demo_keys[kty]
    plaintext = os.urandom(size)
    theirs = seal(plaintext, key.public_key().material)
    received = jwe_steps.decrypt(theirs, key)
    assert received.plaintext == plaintext
    assert (received.header["alg"], received.header["enc"]) == (alg, enc)
    ours = jwe_steps.encrypt(plaintext, key.public_key(), alg=alg, enc=enc).token
    assert open_(ours, key.material) == plaintext


@pytest.mark.parametrize("size", [10, floor.STREAMING_FROM + 5])
def test_the_nested_floor_speaks_the_signed_then_encrypted_request_both_ways(demo_keys, size):
    from jwe_steps import nested

    key = demo_keys["RSA"]
    signing = jwe_steps.load_key(
        {**jwe_steps.generate_key("RSA", alg="PS256").to_jwk(private=True), "use": "sig"}
    )  # a DEMO signing key
    claims = nested.fresh_claims(issuer="https://c.example", audience="https://a.example",
                                 data="x" * size)  # fmt: skip
    theirs = floor.floor_sign_then_encrypt(claims, signing.material, key.public_key().material)
    opened = nested.decrypt_then_verify(
        theirs, decryption_key=key, verification_keys=signing.public_key(),
        issuer="https://c.example", audience="https://a.example", signing_algorithms={"PS256"},
    )  # fmt: skip
    assert opened.claims == claims and opened.jws.header["alg"] == "PS256"
    ours = nested.sign_then_encrypt(
        claims, signing_key=signing, signing_alg="PS256", encryption_key=key.public_key()
    ).token
    assert (
        floor.floor_decrypt_then_verify(ours, key.material, signing.public_key().material) == claims
    )
    other = jwe_steps.generate_key("RSA")  # a DEMO key: not the signer
    with pytest.raises(InvalidSignature):  # the floor really verifies
        floor.floor_decrypt_then_verify(ours, key.material, other.public_key().material)
