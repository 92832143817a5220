"""From-scratch AES Key Wrap: RFC 3394 §4, Wycheproof, agreement with cryptography."""

from __future__ import annotations

import contextlib

import pytest
from cryptography.hazmat.primitives.keywrap import aes_key_wrap
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps.errors import CEKLengthError, InvalidKeyError, JWEError, KeyManagementError
from jwe_steps.examples.rfc3394 import DEFAULT_IV, RFC3394_VECTORS, KeyWrapVector
from jwe_steps.from_scratch import aes_kw

# RFC 3394 §4: every test takes prefixes of one 256-bit KEK and one 256-bit key data (§4.6 uses
# both whole). The tests below that need arbitrary inputs take them from the same bytes.
KEK, DATA = RFC3394_VECTORS[-1].kek, RFC3394_VECTORS[-1].key_data


@pytest.mark.parametrize(
    "vector", RFC3394_VECTORS, ids=[v.source.removeprefix("RFC 3394 ") for v in RFC3394_VECTORS]
)
def test_rfc3394_section_4(vector: KeyWrapVector) -> None:
    result = aes_kw.wrap(vector.kek, vector.key_data)
    assert result.wrapped == vector.ciphertext
    n = len(vector.key_data) // 8
    # The registers at the last step are the output.
    assert result[f"A[{6 * n}]"] + result[f"R[{6 * n}]"] == result.wrapped
    back = aes_kw.unwrap(vector.kek, result.wrapped)
    assert back.key == vector.key_data
    assert back["A[0]"] == aes_kw.DEFAULT_IV == DEFAULT_IV  # RFC 3394 §2.2.3.1
    assert back["integrity_check"] is True


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
