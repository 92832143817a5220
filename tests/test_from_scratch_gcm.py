"""From-scratch AES-GCM: NIST/Wycheproof vectors, agreement with cryptography, every step."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps.errors import (
    CEKLengthError,
    DecryptionFailedError,
    InputError,
    IVLengthError,
    JWEError,
    TagLengthError,
)
from jwe_steps.from_scratch import gcm

# ------------------------------------------------------------------ GF(2^128)

ONE = 1 << 127  # the block 80 00 … 00: the field element 1 in GCM's bit order


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**128 - 1), st.integers(0, 2**128 - 1))
def test_table_multiplication_matches_the_bitwise_algorithm(x: int, h: int) -> None:
    assert gcm.GHashKey(h).times_h(x) == gcm.gf_mult(x, h)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**128 - 1), st.integers(0, 2**128 - 1), st.integers(0, 2**128 - 1))
def test_field_laws(x: int, y: int, z: int) -> None:
    assert gcm.gf_mult(x, y) == gcm.gf_mult(y, x)
    assert gcm.gf_mult(x, ONE) == x
    assert gcm.gf_mult(x ^ y, z) == gcm.gf_mult(x, z) ^ gcm.gf_mult(y, z)


# ------------------------------------------------------------------ published vectors

# The GCM specification's (McGrew & Viega) test cases 2 and 3, as used by NIST.
TC2 = {
    "key": "00000000000000000000000000000000",
    "iv": "000000000000000000000000",
    "pt": "00000000000000000000000000000000",
    "H": "66e94bd4ef8a2c3b884cfa59ca342b2e",
    "ct": "0388dace60b6a392f328c2b971b2fe78",
    "tag": "ab6e47d42cec13bdf53a67b21257bddf",
}
TC3 = {
    "key": "feffe9928665731c6d6a8f9467308308",
    "iv": "cafebabefacedbaddecaf888",
    "pt": "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
    "H": "b83b533708bf535d0aa6e52980d53b78",
    "ct": "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
    "tag": "4d5c2af327cd64a62cf35abd2ba6fab4",
}


@pytest.mark.parametrize("case", [TC2, TC3], ids=["test case 2", "test case 3"])
def test_gcm_specification_vectors(case: dict[str, str]) -> None:
    key, iv, pt = (bytes.fromhex(case[n]) for n in ("key", "iv", "pt"))
    result = gcm.encrypt(key, iv, pt, b"")
    assert result["H"] == bytes.fromhex(case["H"])
    assert result["J0"] == iv + b"\x00\x00\x00\x01"
    assert result.ciphertext == bytes.fromhex(case["ct"])
    assert result.tag == bytes.fromhex(case["tag"])
    assert gcm.decrypt(key, iv, result.ciphertext, b"", result.tag).plaintext == pt


def test_wycheproof_aes_gcm(wycheproof) -> None:
    data = wycheproof("aes_gcm_test.json")
    checked = 0
    for group in data["testGroups"]:
        if group["tagSize"] != 128:
            continue
        for case in group["tests"]:
            key, iv, aad, msg, ct, tag = (
                bytes.fromhex(case[n]) for n in ("key", "iv", "aad", "msg", "ct", "tag")
            )
            label = f"tcId {case['tcId']} ({group['ivSize']}-bit IV)"
            if case["result"] == "valid":
                result = gcm.encrypt(key, iv, msg, aad)
                assert (result.ciphertext, result.tag) == (ct, tag), label
                assert gcm.decrypt(key, iv, ct, aad, tag).plaintext == msg, label
            elif case["result"] == "invalid":
                with pytest.raises(JWEError):
                    gcm.decrypt(key, iv, ct, aad, tag)
                    pytest.fail(f"{label} was accepted")
            checked += 1
    # Every 96-bit-IV group is required; the other IV lengths are run too.
    assert checked >= 200


# ------------------------------------------------------------------ agreement with cryptography


@settings(max_examples=40, deadline=None)
@given(
    key=st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
    iv=st.one_of(st.binary(min_size=12, max_size=12), st.binary(min_size=8, max_size=40)),
    plaintext=st.binary(max_size=200),
    aad=st.binary(max_size=70),
)
def test_agrees_with_cryptography(key: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> None:
    sealed = AESGCM(key).encrypt(iv, plaintext, aad)
    result = gcm.encrypt(key, iv, plaintext, aad)
    assert result.ciphertext + result.tag == sealed
    assert gcm.decrypt(key, iv, sealed[:-16], aad, sealed[-16:]).plaintext == plaintext


def test_counter_wraps_modulo_2_to_the_32() -> None:
    key, plaintext = os.urandom(16), os.urandom(64)
    iv = bytes.fromhex("00112233445566778899aabbccddeeff")  # J0 from GHASH: any low 32 bits
    result = gcm.encrypt(key, iv, plaintext)
    assert result.ciphertext + result.tag == AESGCM(key).encrypt(iv, plaintext, None)


# ------------------------------------------------------------------ the steps themselves


def test_steps_name_every_block() -> None:
    key, iv = os.urandom(32), os.urandom(12)
    plaintext, aad = os.urandom(40), os.urandom(20)  # 3 plaintext blocks, 2 AAD blocks
    result = gcm.encrypt(key, iv, plaintext, aad)
    names = result.names()
    for i in (1, 2, 3):
        assert f"counter_block[{i}]" in names and f"keystream[{i}]" in names
    assert "counter_block[4]" not in names
    # GHASH runs over 2 AAD blocks, 3 ciphertext blocks and the length block.
    assert [n for n in names if n.startswith("ghash[")] == [f"ghash[{i}]" for i in range(1, 7)]
    assert result["counter_block[1]"] == iv + b"\x00\x00\x00\x02"
    assert result["counter_block[3]"] == iv + b"\x00\x00\x00\x04"
    assert result["length_block"] == (160).to_bytes(8, "big") + (320).to_bytes(8, "big")
    assert result["S"] == result["ghash[6]"]
    assert result.step("ghash[6]").detail["from"] == "the length block"
    # Each recorded value is what it claims to be, checked with the real AES.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    aes = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    assert result["H"] == aes.update(bytes(16))
    assert result["keystream[2]"] == aes.update(result["counter_block[2]"])
    assert result["tag"] == bytes(
        a ^ b for a, b in zip(aes.update(result["J0"]), result["S"], strict=True)
    )
    block3 = bytes(a ^ b for a, b in zip(plaintext[32:], result["keystream[3]"], strict=False))
    assert result["ciphertext_block[3]"] == block3 == result.ciphertext[32:]


def test_wrong_tag_raises_after_computing_it_and_releases_no_plaintext() -> None:
    key, iv = os.urandom(16), os.urandom(12)
    result = gcm.encrypt(key, iv, b"attack at dawn", b"hdr")
    bad = bytes([result.tag[0] ^ 1]) + result.tag[1:]
    steps: list = []
    with pytest.raises(DecryptionFailedError) as caught:
        gcm.decrypt(key, iv, result.ciphertext, b"hdr", bad, steps=steps)
    names = [s.name for s in steps]
    assert "expected_tag" in names and steps[-1].name == "tag_check" and steps[-1].value is False
    assert not any(n.startswith("plaintext_block") for n in names)
    assert "attack" not in str(caught.value)


@pytest.mark.parametrize(
    ("key", "iv", "tag", "error"),
    [
        (bytes(15), bytes(12), bytes(16), CEKLengthError),
        (bytes(16), b"", bytes(16), IVLengthError),
        (bytes(16), bytes(12), bytes(12), TagLengthError),
        ("not bytes", bytes(12), bytes(16), InputError),
    ],
)
def test_bad_sizes_raise_the_matching_error(key, iv, tag, error) -> None:
    with pytest.raises(error):
        gcm.decrypt(key, iv, b"", b"", tag)
