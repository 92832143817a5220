"""From-scratch AES_CBC_HMAC_SHA2: RFC 7518 Appendix B, RFC 7516 A.3, agreement with cryptography."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps.errors import CEKLengthError, DecryptionFailedError, IVLengthError, TagLengthError
from jwe_steps.from_scratch import aes_kw, cbc_hmac


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", "").replace("\n", ""))


def b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# RFC 7518 Appendix B: the same P, IV and A for all three test cases.
P = (
    b"A cipher system must not be required to be secret, and it must be able to fall "
    b"into the hands of the enemy without inconvenience"
)
IV = h("1a f3 8c 2d c2 b9 6f fd d8 66 94 09 23 41 bc 04")
A = b"The second principle of Auguste Kerckhoffs"
APPENDIX_B = {
    "B.1 A128CBC-HS256": (
        32,
        """c8 0e df a3 2d df 39 d5 ef 00 c0 b4 68 83 42 79 a2 e4 6a 1b 80 49 f7 92 f7 6b fe 54 b9 03 a9 c9
        a9 4a c9 b4 7a d2 65 5c 5f 10 f9 ae f7 14 27 e2 fc 6f 9b 3f 39 9a 22 14 89 f1 63 62 c7 03 23 36
        09 d4 5a c6 98 64 e3 32 1c f8 29 35 ac 40 96 c8 6e 13 33 14 c5 40 19 e8 ca 79 80 df a4 b9 cf 1b
        38 4c 48 6f 3a 54 c5 10 78 15 8e e5 d7 9d e5 9f bd 34 d8 48 b3 d6 95 50 a6 76 46 34 44 27 ad e5
        4b 88 51 ff b5 98 f7 f8 00 74 b9 47 3c 82 e2 db""",
        "65 2c 3f a3 6b 0a 7c 5b 32 19 fa b3 a3 0b c1 c4",
    ),
    "B.2 A192CBC-HS384": (
        48,
        """ea 65 da 6b 59 e6 1e db 41 9b e6 2d 19 71 2a e5 d3 03 ee b5 00 52 d0 df d6 69 7f 77 22 4c 8e db
        00 0d 27 9b dc 14 c1 07 26 54 bd 30 94 42 30 c6 57 be d4 ca 0c 9f 4a 84 66 f2 2b 22 6d 17 46 21
        4b f8 cf c2 40 0a dd 9f 51 26 e4 79 66 3f c9 0b 3b ed 78 7a 2f 0f fc bf 39 04 be 2a 64 1d 5c 21
        05 bf e5 91 ba e2 3b 1d 74 49 e5 32 ee f6 0a 9a c8 bb 6c 6b 01 d3 5d 49 78 7b cd 57 ef 48 49 27
        f2 80 ad c9 1a c0 c4 e7 9c 7b 11 ef c6 00 54 e3""",
        "84 90 ac 0e 58 94 9b fe 51 87 5d 73 3f 93 ac 20 75 16 80 39 cc c7 33 d7",
    ),
    "B.3 A256CBC-HS512": (
        64,
        """4a ff aa ad b7 8c 31 c5 da 4b 1b 59 0d 10 ff bd 3d d8 d5 d3 02 42 35 26 91 2d a0 37 ec bc c7 bd
        82 2c 30 1d d6 7c 37 3b cc b5 84 ad 3e 92 79 c2 e6 d1 2a 13 74 b7 7f 07 75 53 df 82 94 10 44 6b
        36 eb d9 70 66 29 6a e6 42 7e a7 5c 2e 08 46 a1 1a 09 cc f5 37 0d c8 0b fe cb ad 28 c7 3f 09 b3
        a3 b7 5e 66 2a 25 94 41 0a e4 96 b2 e2 e6 60 9e 31 e6 e0 2c c8 37 f0 53 d2 1f 37 ff 4f 51 95 0b
        be 26 38 d0 9d d7 a4 93 09 30 80 6d 07 03 b1 f6""",
        "4d d3 b4 c0 88 a7 f4 5c 21 68 39 64 5b 20 12 bf 2e 62 69 a8 c5 6a 81 6d bc 1b 26 77 61 95 5b c5",
    ),
}


@pytest.mark.parametrize("case", sorted(APPENDIX_B))
def test_rfc7518_appendix_b(case: str) -> None:
    key_len, e_hex, t_hex = APPENDIX_B[case]
    key = bytes(range(key_len))  # K = 00 01 02 … in every test case
    result = cbc_hmac.encrypt(key, IV, P, A)
    assert result["MAC_KEY"] == bytes(range(key_len // 2))
    assert result["ENC_KEY"] == bytes(range(key_len // 2, key_len))
    assert result["AL"] == h("00 00 00 00 00 00 01 50")  # 42 bytes = 336 bits
    assert result["hmac_input"] == A + IV + h(e_hex) + result["AL"]
    assert result["padded_plaintext"][len(P) :] == bytes([16]) * 16  # P is 128 bytes
    assert result.ciphertext == h(e_hex)
    assert result.tag == h(t_hex)
    assert result["M"][: key_len // 2] == result.tag
    assert cbc_hmac.decrypt(key, IV, result.ciphertext, A, result.tag).plaintext == P


def test_rfc7516_a3_token_opened_with_key_wrap_and_cbc_hmac() -> None:
    # RFC 7516 Appendix A.3: A128KW + A128CBC-HS256, "Live long and prosper."
    kek = b64("GawgguFyGrWKav7AX4VKUg")
    protected = "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0"
    encrypted_key = b64("6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ")
    iv = b64("AxY8DCtDaGlsbGljb3RoZQ")
    ciphertext = b64("KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY")
    tag = b64("U0m_YmjN04DJvceFICbCVQ")
    cek = bytes(
        [4, 211, 31, 197, 84, 157, 252, 254, 11, 100, 157, 250, 63, 170, 106, 206,
         107, 124, 212, 45, 111, 107, 9, 219, 200, 177, 0, 240, 143, 156, 44, 207]
    )  # fmt: skip
    assert aes_kw.unwrap(kek, encrypted_key).key == cek
    assert aes_kw.wrap(kek, cek).wrapped == encrypted_key
    opened = cbc_hmac.decrypt(cek, iv, ciphertext, protected.encode("ascii"), tag)
    assert opened.plaintext == b"Live long and prosper."
    sealed = cbc_hmac.encrypt(cek, iv, b"Live long and prosper.", protected.encode("ascii"))
    assert (sealed.ciphertext, sealed.tag) == (ciphertext, tag)


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
