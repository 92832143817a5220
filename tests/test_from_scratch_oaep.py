"""From-scratch RSAES-OAEP: Wycheproof, RFC 7516 A.1, agreement with cryptography."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps import load_key
from jwe_steps.errors import InputError, InvalidKeyError, KeyManagementError
from jwe_steps.examples import RFC7516_A1 as A1
from jwe_steps.from_scratch import oaep

HASH_CLASSES = {
    "SHA-1": hashes.SHA1,
    "SHA-256": hashes.SHA256,
    "SHA-384": hashes.SHA384,
    "SHA-512": hashes.SHA512,
}


def library_padding(hash_name: str, label: bytes) -> padding.OAEP:
    cls = HASH_CLASSES[hash_name]
    return padding.OAEP(mgf=padding.MGF1(cls()), algorithm=cls(), label=label or None)


# ------------------------------------------------------------------ RFC 7516 Appendix A.1

# The RFC's key (a published example key: a DEMO key, never use it for anything real), its CEK
# (§A.1.2) and encrypted key (§A.1.3, RSA-OAEP, i.e. SHA-1), from the package's transcription.
RFC7516_A1_KEY = A1.demo_key_jwk
RFC7516_A1_CEK = A1.cek
RFC7516_A1_ENCRYPTED_KEY = A1.encrypted_key


@pytest.fixture(scope="module")
def rfc_key():
    return load_key(RFC7516_A1_KEY)


def test_rfc7516_a1_encrypted_key_reproduced_with_a_fixed_seed(rfc_key) -> None:
    # Decrypting the published encrypted key recovers the CEK, and on the way the seed the
    # RFC's authors drew. Encrypting the CEK again with that seed gives the RFC's bytes exactly.
    opened = oaep.decrypt(rfc_key, RFC7516_A1_ENCRYPTED_KEY, hash="SHA-1")
    assert opened.message == RFC7516_A1_CEK
    seed = opened["seed"]
    assert len(seed) == 20

    sealed = oaep.encrypt(rfc_key.public_key(), RFC7516_A1_CEK, hash="SHA-1", seed=seed)
    assert sealed.ciphertext == RFC7516_A1_ENCRYPTED_KEY
    assert sealed["EM"] == opened["EM"] and sealed["DB"] == opened["DB"]
    assert sealed["m"] == opened["m"] and sealed["c"] == opened["c"]
    # ... and the real library decrypts it to the CEK.
    library = rfc_key.material.decrypt(sealed.ciphertext, library_padding("SHA-1", b""))
    assert library == RFC7516_A1_CEK


def test_the_recorded_values_fit_together(rfc_key) -> None:
    seed = bytes(range(32))
    result = oaep.encrypt(rfc_key, b"sixteen byte key", hash="SHA-256", seed=seed)
    k, h_len = 256, 32
    assert result["lHash"] == bytes.fromhex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )  # SHA-256 of the empty label
    assert result["PS"] == bytes(k - 16 - 2 * h_len - 2)
    assert result["DB"] == result["lHash"] + result["PS"] + b"\x01" + b"sixteen byte key"
    assert result["seed"] == seed
    assert result["dbMask"] == oaep.mgf1(seed, k - h_len - 1, "SHA-256")
    assert result["EM"] == b"\x00" + result["maskedSeed"] + result["maskedDB"]
    numbers = rfc_key.material.public_key().public_numbers()
    assert result["c"] == pow(result["m"], numbers.e, numbers.n)
    assert result.ciphertext == result["c"].to_bytes(k, "big")


def test_fixed_seed_is_reproducible_and_random_seed_is_not(rfc_key) -> None:
    seed = os.urandom(32)
    first = oaep.encrypt(rfc_key, b"cek", seed=seed).ciphertext
    assert oaep.encrypt(rfc_key, b"cek", seed=seed).ciphertext == first
    assert oaep.encrypt(rfc_key, b"cek").ciphertext != oaep.encrypt(rfc_key, b"cek").ciphertext


def test_key_forms(rfc_key) -> None:
    jwk_public = {k: RFC7516_A1_KEY[k] for k in ("kty", "n", "e")}
    pem = rfc_key.to_pem()
    for public in (jwk_public, pem, rfc_key.material.public_key(), rfc_key.public_key()):
        ciphertext = oaep.encrypt(public, b"hello", hash="SHA-1").ciphertext
        for private in (RFC7516_A1_KEY, rfc_key.material, rfc_key):
            assert oaep.decrypt(private, ciphertext, hash="SHA-1").message == b"hello"


# ------------------------------------------------------------------ Wycheproof


@pytest.mark.parametrize(
    ("filename", "hash_name"),
    [
        ("rsa_oaep_2048_sha256_mgf1sha256_test.json", "SHA-256"),
        ("rsa_oaep_2048_sha1_mgf1sha1_test.json", "SHA-1"),
    ],
)
def test_wycheproof_rsa_oaep(wycheproof, filename: str, hash_name: str) -> None:
    data = wycheproof(filename)
    messages: set[str] = set()
    checked = 0
    for group in data["testGroups"]:
        assert group["sha"] == group["mgfSha"] == hash_name
        key = load_key(group["privateKeyPem"].encode())
        for case in group["tests"]:
            ct, label, msg = (bytes.fromhex(case[n]) for n in ("ct", "label", "msg"))
            if case["result"] == "valid":
                assert oaep.decrypt(key, ct, hash_name, label).message == msg, case["tcId"]
            elif case["result"] == "invalid":
                with pytest.raises(KeyManagementError) as caught:
                    oaep.decrypt(key, ct, hash_name, label)
                    pytest.fail(f"tcId {case['tcId']} was accepted")
                messages.add(str(caught.value))
            else:
                try:
                    oaep.decrypt(key, ct, hash_name, label)
                except KeyManagementError as error:
                    messages.add(str(error))
            checked += 1
    assert checked > 30
    assert len(messages) == 1, "every padding failure must give one and the same error"


def test_every_failure_is_the_same_error(rsa_key) -> None:
    ciphertext = oaep.encrypt(rsa_key, b"k" * 16).ciphertext
    n = rsa_key.material.public_key().public_numbers().n
    bad = [
        ciphertext[:-1],  # wrong length
        n.to_bytes(256, "big"),  # c >= n
        bytes([ciphertext[0] ^ 1]) + ciphertext[1:],  # garbage after RSA
    ]
    messages = set()
    for candidate in bad:
        with pytest.raises(KeyManagementError) as caught:
            oaep.decrypt(rsa_key, candidate)
        messages.add(str(caught.value))
    with pytest.raises(KeyManagementError) as caught:  # right padding, wrong label
        oaep.decrypt(rsa_key, ciphertext, label=b"other")
    messages.add(str(caught.value))
    with pytest.raises(KeyManagementError) as caught:  # wrong hash
        oaep.decrypt(rsa_key, ciphertext, hash="SHA-1")
    messages.add(str(caught.value))
    assert len(messages) == 1


def test_bad_arguments(rsa_key) -> None:
    with pytest.raises(InputError):
        oaep.encrypt(rsa_key, b"x" * 191)  # k - 2·32 - 2 = 190 bytes at most
    assert len(oaep.encrypt(rsa_key, b"x" * 190).ciphertext) == 256
    with pytest.raises(InputError):
        oaep.encrypt(rsa_key, b"x", seed=bytes(20))
    with pytest.raises(InputError):
        oaep.encrypt(rsa_key, b"x", hash="MD5")
    with pytest.raises(InvalidKeyError):
        oaep.decrypt(rsa_key.public_key(), bytes(256))


# ------------------------------------------------------------------ agreement with cryptography


@settings(max_examples=12, deadline=None)
@given(
    hash_name=st.sampled_from(sorted(HASH_CLASSES)),
    message=st.binary(max_size=62),
    label=st.binary(max_size=20),
)
def test_agrees_with_cryptography(rsa_key, hash_name: str, message: bytes, label: bytes) -> None:
    scheme = library_padding(hash_name, label)
    ours = oaep.encrypt(rsa_key.public_key(), message, hash_name, label).ciphertext
    assert rsa_key.material.decrypt(ours, scheme) == message
    theirs = rsa_key.material.public_key().encrypt(message, scheme)
    assert oaep.decrypt(rsa_key, theirs, hash_name, label).message == message
