"""Exercises for notebooks/04_iv_and_aes_gcm.ipynb."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..examples import RFC7516_A1
from ..from_scratch import gcm
from . import Exercise, equals

# A deliberately broken sender for question 3: one fixed demo CEK and IV for two messages.
_DEMO_CEK = bytes(range(32))  # a DEMO key, for this exercise only
_REUSED_IV = bytes(12)
_KNOWN = b'{"to":"alice","amount":"250.00"}'
_SECRET = b'{"to":"mallet","amount":"9999"}'


def intercepted() -> tuple[bytes, bytes, bytes]:
    """(known first plaintext, first ciphertext, second ciphertext), both under one CEK and IV."""
    aesgcm = AESGCM(_DEMO_CEK)
    c1 = aesgcm.encrypt(_REUSED_IV, _KNOWN, None)[:-16]
    c2 = aesgcm.encrypt(_REUSED_IV, _SECRET, None)[:-16]
    return _KNOWN, c1, c2


def _ghash_blocks() -> int:
    steps = gcm.encrypt(RFC7516_A1.cek, RFC7516_A1.iv, RFC7516_A1.plaintext, RFC7516_A1.aad).steps
    return sum(1 for step in steps if step.name.startswith("ghash["))


def _j0() -> bytes:
    value: bytes = gcm.encrypt(RFC7516_A1.cek, RFC7516_A1.iv, b"", b"")["J0"]
    return value


def _second_plaintext() -> bytes:
    # The key holder's answer: decrypt the second ciphertext with the CEK.
    _, _, c2 = intercepted()
    sealed = AESGCM(_DEMO_CEK).encrypt(_REUSED_IV, _SECRET, None)
    return AESGCM(_DEMO_CEK).decrypt(_REUSED_IV, c2 + sealed[-16:], None)


q1 = Exercise(
    1,
    "How many blocks does GHASH process for RFC 7516 A.1 (AAD, ciphertext and the length "
    "block)? (an int)",
    equals(_ghash_blocks),
    "Count 16-byte blocks, rounding partial blocks up: the AAD is 46 bytes, the ciphertext 63; "
    "then add the length block.",
    "import math\nfrom jwe_steps.examples import RFC7516_A1\n"
    "answer = math.ceil(len(RFC7516_A1.aad) / 16) + math.ceil(len(RFC7516_A1.ciphertext) / 16) + 1",
)

q2 = Exercise(
    2,
    "What is J0, the pre-counter block, for RFC 7516 A.1's IV? (bytes)",
    equals(_j0),
    "SP 800-38D §7.1 step 2: for a 96-bit IV, J0 is the IV followed by a 32-bit counter set to 1.",
    "from jwe_steps.examples import RFC7516_A1\nanswer = RFC7516_A1.iv + (1).to_bytes(4, 'big')",
)

q3 = Exercise(
    3,
    "intercepted() gives a known plaintext and two ciphertexts sealed with the same CEK and IV. "
    "Recover the second plaintext. (bytes)",
    equals(_second_plaintext),
    "c1 XOR c2 = p1 XOR p2, because the keystream cancels. XOR in p1 once more.",
    "from jwe_steps.exercises.iv_and_aes_gcm import intercepted\n"
    "known, c1, c2 = intercepted()\n"
    "answer = bytes(a ^ b ^ c for a, b, c in zip(c1, c2, known))",
)

EXERCISES = [q1, q2, q3]
