"""Exercises for notebooks/03_cek_and_rsa_oaep.ipynb."""

from __future__ import annotations

from typing import Any

from .. import encrypt
from ..errors import JWEError
from ..examples import RFC7516_A1
from ..from_scratch import oaep
from . import Exercise, equals


def _cek_length(enc: str) -> int:
    """The length of the CEK the pipeline draws for ``enc``."""
    trace = encrypt(b"x", RFC7516_A1.demo_key().public_key(), alg="RSA-OAEP-256", enc=enc)
    return len(trace["cek"])


def _ps_length() -> int:
    """PS as the from-scratch OAEP builds it for a 16-byte message (seed fixed: not shown)."""
    key = RFC7516_A1.demo_key().public_key()
    return len(oaep.encrypt(key, bytes(16), "SHA-256", seed=bytes(32))["PS"])


def _fits(length: int) -> bool:
    try:
        oaep.encrypt(RFC7516_A1.demo_key().public_key(), bytes(length), "SHA-1", seed=bytes(20))
    except JWEError:
        return False
    return True


def _longest_message(answer: Any) -> str | None:
    if not isinstance(answer, int) or isinstance(answer, bool):
        return f"Expected an int, got a {type(answer).__name__}."
    if answer < 0 or not _fits(answer):
        return "A message that long does not fit: the encryption refuses it."
    if _fits(answer + 1):
        return "That fits, but a message one byte longer fits too: go higher."
    return None


q1 = Exercise(
    1,
    "How many bytes long is the CEK for enc = A128CBC-HS256? (an int)",
    equals(lambda: _cek_length("A128CBC-HS256")),
    "RFC 7518 §5.2.3: AES_128_CBC_HMAC_SHA_256 takes one key for HMAC and one for AES-128.",
    "answer = 16 + 16  # MAC_KEY (16 bytes) followed by ENC_KEY (16 bytes)",
)

q2 = Exercise(
    2,
    "With the RFC 7516 A.1 demo key and RSA-OAEP-256, how many zero bytes of padding (PS) does "
    "OAEP add to a 16-byte CEK? (an int)",
    equals(_ps_length),
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
