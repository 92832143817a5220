"""From-scratch AES Key Wrap: RFC 3394 §4, Wycheproof, agreement with cryptography."""

from __future__ import annotations

import contextlib

import pytest
from cryptography.hazmat.primitives.keywrap import aes_key_wrap
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps.errors import CEKLengthError, InvalidKeyError, JWEError, KeyManagementError
from jwe_steps.from_scratch import aes_kw

KEK = bytes.fromhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
DATA = bytes.fromhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")

# RFC 3394 §4.1-§4.6: (KEK bytes, key data bytes, ciphertext).
RFC3394 = [
    (16, 16, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"),
    (24, 16, "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"),
    (32, 16, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"),
    (24, 24, "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2"),
    (32, 24, "A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1"),
    (32, 32, "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"),
]


@pytest.mark.parametrize(
    ("kek_len", "key_len", "expected"), RFC3394, ids=[f"§4.{i}" for i in range(1, 7)]
)
def test_rfc3394_section_4(kek_len: int, key_len: int, expected: str) -> None:
    kek, key = KEK[:kek_len], DATA[:key_len]
    result = aes_kw.wrap(kek, key)
    assert result.wrapped == bytes.fromhex(expected)
    n = key_len // 8
    # The registers at the last step are the output.
    assert result[f"A[{6 * n}]"] + result[f"R[{6 * n}]"] == result.wrapped
    back = aes_kw.unwrap(kek, result.wrapped)
    assert back.key == key
    assert back["A[0]"] == aes_kw.DEFAULT_IV and back["integrity_check"] is True


def test_every_register_value_checks_out_against_aes() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    kek, key = KEK[:16], DATA[:24]
    result = aes_kw.wrap(kek, key)
    aes = Cipher(algorithms.AES(kek), modes.ECB()).encryptor()
    a, r = aes_kw.DEFAULT_IV, [key[0:8], key[8:16], key[16:24]]
    for j in range(6):
        for i in range(1, 4):
            t = 3 * j + i
            b = aes.update(a + r[i - 1])
            assert result[f"B[{t}]"] == b
            a, r[i - 1] = (int.from_bytes(b[:8], "big") ^ t).to_bytes(8, "big"), b[8:]
            assert result[f"A[{t}]"] == a
            assert result[f"R[{t}]"] == b"".join(r)
            assert result.step(f"A[{t}]").detail == {"t": t, "j": j, "i": i}
    assert result["A[18]"] + result["R[18]"] == result.wrapped


def test_wycheproof_aes_wrap(wycheproof) -> None:
    data = wycheproof("aes_wrap_test.json")
    checked = 0
    for group in data["testGroups"]:
        for case in group["tests"]:
            kek, msg, ct = (bytes.fromhex(case[n]) for n in ("key", "msg", "ct"))
            label = f"tcId {case['tcId']}"
            if case["result"] == "valid":
                assert aes_kw.unwrap(kek, ct).key == msg, label
                assert aes_kw.wrap(kek, msg).wrapped == ct, label
            elif case["result"] == "invalid":
                with pytest.raises(JWEError):
                    aes_kw.unwrap(kek, ct)
                    pytest.fail(f"{label} was accepted")
            else:  # "acceptable" (e.g. 8-byte keys): either way, but only a JWEError
                with contextlib.suppress(JWEError):
                    aes_kw.unwrap(kek, ct)
            checked += 1
    assert checked > 100


@settings(max_examples=40, deadline=None)
@given(
    kek=st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
    blocks=st.integers(2, 8),
    data=st.data(),
)
def test_agrees_with_cryptography(kek: bytes, blocks: int, data) -> None:
    key = data.draw(st.binary(min_size=8 * blocks, max_size=8 * blocks))
    wrapped = aes_key_wrap(kek, key)
    assert aes_kw.wrap(kek, key).wrapped == wrapped
    assert aes_kw.unwrap(kek, wrapped).key == key


def test_tampering_and_bad_sizes() -> None:
    wrapped = aes_kw.wrap(KEK[:16], DATA[:16]).wrapped
    steps: list = []
    with pytest.raises(KeyManagementError):
        aes_kw.unwrap(KEK[:16], wrapped[:-1] + bytes([wrapped[-1] ^ 1]), steps=steps)
    assert steps[-1].name == "integrity_check" and steps[-1].value is False
    with pytest.raises(KeyManagementError):
        aes_kw.unwrap(KEK[:16], wrapped[:16])
    with pytest.raises(InvalidKeyError):
        aes_kw.wrap(KEK[:15], DATA[:16])
    with pytest.raises(CEKLengthError):
        aes_kw.wrap(KEK[:16], DATA[:12])
