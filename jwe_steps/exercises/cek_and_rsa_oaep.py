"""Exercises for notebooks/03_cek_and_rsa_oaep.ipynb.

q1 reads the CEK length of A128CBC-HS256 off ``cryptography``'s AES-128 and SHA-256 sizes
(RFC 7518 §5.2.3: MAC_KEY then ENC_KEY). q2 encrypts a 16-byte message with ``cryptography``'s
OAEP, undoes the RSA with Python integers and the masks with an MGF1 written here on
``hashlib``, and counts PS in what it finds. q3 asks ``cryptography``'s OAEP whether a message
of the answer's length, and one of a byte more, can be encrypted. None uses jwe_steps' own OAEP.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import algorithms

from ..examples import RFC7516_A1
from . import Exercise, equals, rsa_private_key


def _demo_private_key() -> rsa.RSAPrivateKey:
    """The RFC 7516 A.1 demo key, built by cryptography from the published JWK (a DEMO key)."""
    return rsa_private_key(RFC7516_A1.demo_key_jwk)


def _mgf1_sha256(seed: bytes, length: int) -> bytes:
    """MGF1 with SHA-256 (RFC 8017 B.2.1), written on hashlib."""
    output = b"".join(
        hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        for counter in range(-(-length // 32))
    )
    return output[:length]


def _ps_length_found() -> int:
    """PS as cryptography's RSA-OAEP-256 really lays it out for a fresh 16-byte message."""
    private = _demo_private_key()
    numbers = private.private_numbers()
    k = (private.key_size + 7) // 8
    scheme = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    c = int.from_bytes(private.public_key().encrypt(os.urandom(16), scheme), "big")
    em = pow(c, numbers.d, numbers.public_numbers.n).to_bytes(k, "big")
    masked_seed, masked_db = em[1:33], em[33:]
    seed = bytes(a ^ b for a, b in zip(masked_seed, _mgf1_sha256(masked_db, 32), strict=True))
    db = bytes(a ^ b for a, b in zip(masked_db, _mgf1_sha256(seed, len(masked_db)), strict=True))
    after_lhash = db[32:]
    return after_lhash.index(b"\x01")  # PS is the run of zero bytes before the 0x01


def _fits(length: int) -> bool:
    """Does cryptography's RSA-OAEP (SHA-1) encrypt a message this long to the demo key?"""
    sha1 = hashes.SHA1()  # noqa: S303 - RSA-OAEP is OAEP with SHA-1 (RFC 7518 §4.3)
    scheme = padding.OAEP(mgf=padding.MGF1(sha1), algorithm=sha1, label=None)
    try:
        _demo_private_key().public_key().encrypt(bytes(length), scheme)
    except ValueError:
        return False
    return True


def _longest_message(answer: Any) -> str | None:
    if not isinstance(answer, int) or isinstance(answer, bool):
        return f"Expected an int, got a {type(answer).__name__}."
    if answer >= 0 and _fits(answer) and not _fits(answer + 1):
        return None
    return "That is not the longest message RSA-OAEP can take: work it out from DB's layout."


q1 = Exercise(
    1,
    "How many bytes long is the CEK for enc = A128CBC-HS256? (an int)",
    equals(lambda: hashes.SHA256.digest_size // 2 + algorithms.AES128.key_size // 8),
    "RFC 7518 §5.2.3: AES_128_CBC_HMAC_SHA_256 takes one key for HMAC and one for AES-128.",
    "answer = 16 + 16  # MAC_KEY (16 bytes) followed by ENC_KEY (16 bytes)",
)

q2 = Exercise(
    2,
    "With the RFC 7516 A.1 demo key and RSA-OAEP-256, how many zero bytes of padding (PS) does "
    "OAEP add to a 16-byte CEK? (an int)",
    equals(_ps_length_found),
    "RFC 8017 §7.1.1 step 2b: PS is k - mLen - 2·hLen - 2 bytes; k = 256, hLen = 32 for SHA-256.",
    "k, h_len, m_len = 256, 32, 16\nanswer = k - m_len - 2 * h_len - 2",
)

q3 = Exercise(
    3,
    "What is the longest message, in bytes, that RSA-OAEP (SHA-1) can encrypt with a 2048-bit "
    "key? (an int)",
    _longest_message,
    "DB must hold lHash, the 01 byte and the message in k - hLen - 1 bytes; hLen is 20 for SHA-1.",
    "k, h_len = 256, 20\nanswer = k - 2 * h_len - 2",
)

EXERCISES = [q1, q2, q3]
