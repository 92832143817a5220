"""The benchmarks' floor (benchmarks/floor.py) must be a real JWE, or the ratios mean nothing:
its tokens decrypt with jwe_steps and jwe_steps' tokens decrypt with it, on both sides of the
size where AES-GCM switches to the streaming interface."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

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
