"""From-scratch AES_CBC_HMAC_SHA2: RFC 7518 Appendix B, RFC 7516 A.3, agreement with cryptography."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps.b64 import b64url_decode
from jwe_steps.errors import CEKLengthError, DecryptionFailedError, IVLengthError, TagLengthError
from jwe_steps.examples.rfc7516_json import RFC7516_A3 as A3
from jwe_steps.examples.rfc7518 import APPENDIX_B, CBCHMACTestCase
from jwe_steps.from_scratch import aes_kw, cbc_hmac


@pytest.mark.parametrize("case", APPENDIX_B, ids=[c.source for c in APPENDIX_B])
def test_rfc7518_appendix_b(case: CBCHMACTestCase) -> None:
    key_len = len(case.key)  # K = 00 01 02 ... in every test case
    result = cbc_hmac.encrypt(case.key, case.iv, case.plaintext, case.aad)
    assert result["MAC_KEY"] == case.mac_key == bytes(range(key_len // 2))
    assert result["ENC_KEY"] == case.enc_key == bytes(range(key_len // 2, key_len))
    assert result["AL"] == case.al  # 42 bytes = 336 bits
    assert result["hmac_input"] == case.aad + case.iv + case.ciphertext + result["AL"]
    assert result["padded_plaintext"][len(case.plaintext) :] == bytes([16]) * 16  # P: 128 bytes
    assert result.ciphertext == case.ciphertext
    assert result.tag == case.tag
    assert result["M"][: key_len // 2] == result.tag
    opened = cbc_hmac.decrypt(case.key, case.iv, result.ciphertext, case.aad, result.tag)
    assert opened.plaintext == case.plaintext


def test_rfc7516_a3_token_opened_with_key_wrap_and_cbc_hmac() -> None:
    # RFC 7516 Appendix A.3: A128KW + A128CBC-HS256, "Live long and prosper."
    kek = b64url_decode(A3.demo_key_jwk["k"])
    assert aes_kw.unwrap(kek, A3.encrypted_key).key == A3.cek
    assert aes_kw.wrap(kek, A3.cek).wrapped == A3.encrypted_key
    opened = cbc_hmac.decrypt(A3.cek, A3.iv, A3.ciphertext, A3.aad, A3.tag)
    assert opened.plaintext == A3.plaintext == b"Live long and prosper."
    sealed = cbc_hmac.encrypt(A3.cek, A3.iv, A3.plaintext, A3.aad)
    assert (sealed.ciphertext, sealed.tag) == (A3.ciphertext, A3.tag)


def reference(key: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    half = len(key) // 2
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    e = Cipher(algorithms.AES(key[half:]), modes.CBC(iv)).encryptor().update(padded)
    digest = {16: hashlib.sha256, 24: hashlib.sha384, 32: hashlib.sha512}[half]
    mac = hmac.new(key[:half], aad + iv + e + (8 * len(aad)).to_bytes(8, "big"), digest)
    return e, mac.digest()[:half]


@settings(max_examples=40, deadline=None)
@given(
    key=st.sampled_from([32, 48, 64]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
    iv=st.binary(min_size=16, max_size=16),
    plaintext=st.binary(max_size=100),
    aad=st.binary(max_size=60),
)
def test_agrees_with_cryptography(key: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> None:
    result = cbc_hmac.encrypt(key, iv, plaintext, aad)
    assert (result.ciphertext, result.tag) == reference(key, iv, plaintext, aad)
    assert cbc_hmac.decrypt(key, iv, result.ciphertext, aad, result.tag).plaintext == plaintext


def test_tampering_fails_before_decrypting() -> None:
    key, iv = os.urandom(32), os.urandom(16)
    result = cbc_hmac.encrypt(key, iv, b"secret message", b"aad")
    for ciphertext, aad, tag in [
        (result.ciphertext, b"aad!", result.tag),
        (bytes([result.ciphertext[0] ^ 1]) + result.ciphertext[1:], b"aad", result.tag),
        (result.ciphertext, b"aad", bytes(16)),
        (result.ciphertext[:-1], b"aad", result.tag),
    ]:
        steps: list = []
        with pytest.raises(DecryptionFailedError) as caught:
            cbc_hmac.decrypt(key, iv, ciphertext, aad, tag, steps=steps)
        assert not any(s.name.startswith("cbc_output") for s in steps)
        assert "secret" not in str(caught.value)


def test_valid_tag_with_bad_padding_is_rejected_alike() -> None:
    # A sender that MACs a ciphertext whose last block does not unpad (built by hand here).
    key, iv = os.urandom(32), os.urandom(16)
    e = Cipher(algorithms.AES(key[16:]), modes.CBC(iv)).encryptor().update(bytes(16))
    tag = hmac.new(key[:16], b"" + iv + e + bytes(8), hashlib.sha256).digest()[:16]
    with pytest.raises(DecryptionFailedError):
        cbc_hmac.decrypt(key, iv, e, b"", tag)


@pytest.mark.parametrize(
    ("key", "iv", "tag", "error"),
    [
        (bytes(16), bytes(16), bytes(16), CEKLengthError),
        (bytes(32), bytes(12), bytes(16), IVLengthError),
        (bytes(32), bytes(16), bytes(32), TagLengthError),
    ],
)
def test_bad_sizes(key: bytes, iv: bytes, tag: bytes, error: type) -> None:
    with pytest.raises(error):
        cbc_hmac.decrypt(key, iv, bytes(16), b"", tag)
