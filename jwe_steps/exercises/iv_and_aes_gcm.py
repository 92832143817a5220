"""Exercises for notebooks/04_iv_and_aes_gcm.ipynb.

q1 builds GHASH's input (SP 800-38D §7.1 step 5) from RFC 7516 A.1's published AAD and
ciphertext and counts its blocks. q2 does not compare J0 with a stored value: it runs
``cryptography``'s AES in counter mode from the answer's inc32 and checks that this gives A.1's
published ciphertext. q3's second message and CEK are drawn fresh each session and live only in
a closure; its checker seals the answer under them with ``cryptography``'s AES-GCM and compares
with the intercepted ciphertext. No checker uses jwe_steps' teaching GCM.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..examples import RFC7516_A1
from . import Exercise, equals


def _ghash_input_blocks(aad: bytes, ciphertext: bytes) -> int:
    """Blocks in A || 0^v || C || 0^u || [len(A)]64 || [len(C)]64 (SP 800-38D §7.1 step 5)."""
    padded = aad + bytes(-len(aad) % 16) + ciphertext + bytes(-len(ciphertext) % 16)
    lengths = (8 * len(aad)).to_bytes(8, "big") + (8 * len(ciphertext)).to_bytes(8, "big")
    return len(padded + lengths) // 16


def _check_j0(answer: Any) -> str | None:
    if not isinstance(answer, bytes | bytearray):
        return f"Expected bytes, got a {type(answer).__name__}."
    if len(answer) != 16:
        return "J0 is exactly one AES block."
    # GCM encrypts with the counter blocks inc32(J0), inc32(inc32(J0)), ... (SP 800-38D §7.1).
    counter = (int.from_bytes(answer[12:], "big") + 1) % 2**32
    first = bytes(answer[:12]) + counter.to_bytes(4, "big")
    encryptor = Cipher(algorithms.AES(RFC7516_A1.cek), modes.CTR(first)).encryptor()
    produced = encryptor.update(RFC7516_A1.plaintext) + encryptor.finalize()
    if produced == RFC7516_A1.ciphertext:
        return None
    return "Counting from that J0, AES-CTR does not give A.1's ciphertext."


def _nonce_reuse_session() -> tuple[Callable[[], tuple[bytes, bytes, bytes]], Exercise]:
    """A deliberately broken sender for question 3: one CEK and IV for two messages.

    The CEK and the second message are drawn here, once per session, and stay in this closure.
    """
    cek = AESGCM.generate_key(bit_length=256)  # a throwaway DEMO key, for this exercise only
    reused_iv = os.urandom(12)
    known = b'{"to":"alice","amount":"250.00"}'
    amount = 1000 + secrets.randbelow(9000)
    hidden = b'{"to":"mallet","amount":"%d"}' % amount
    c1 = AESGCM(cek).encrypt(reused_iv, known, None)[:-16]
    c2 = AESGCM(cek).encrypt(reused_iv, hidden, None)[:-16]

    def intercepted() -> tuple[bytes, bytes, bytes]:
        """(known first plaintext, first ciphertext, second ciphertext), under one CEK and IV."""
        return known, c1, c2

    def check(answer: Any) -> str | None:
        if not isinstance(answer, bytes | bytearray):
            return f"Expected bytes, got a {type(answer).__name__}."
        if AESGCM(cek).encrypt(reused_iv, bytes(answer), None)[:-16] == c2:
            return None
        return "Sealed with that CEK and IV, your plaintext does not give the second ciphertext."

    question = Exercise(
        3,
        "intercepted() gives a known plaintext and two ciphertexts sealed with the same CEK and "
        "IV. Recover the second plaintext. (bytes)",
        check,
        "c1 XOR c2 = p1 XOR p2, because the keystream cancels. XOR in p1 once more.",
        "from jwe_steps.exercises.iv_and_aes_gcm import intercepted\n"
        "known, c1, c2 = intercepted()\n"
        "answer = bytes(a ^ b ^ c for a, b, c in zip(c1, c2, known))",
    )
    return intercepted, question


q1 = Exercise(
    1,
    "How many blocks does GHASH process for RFC 7516 A.1 (AAD, ciphertext and the length "
    "block)? (an int)",
    equals(lambda: _ghash_input_blocks(RFC7516_A1.aad, RFC7516_A1.ciphertext)),
    "Count 16-byte blocks, rounding partial blocks up: the AAD is 46 bytes, the ciphertext 63; "
    "then add the length block.",
    "import math\nfrom jwe_steps.examples import RFC7516_A1\n"
    "answer = math.ceil(len(RFC7516_A1.aad) / 16) + math.ceil(len(RFC7516_A1.ciphertext) / 16) + 1",
)

q2 = Exercise(
    2,
    "What is J0, the pre-counter block, for RFC 7516 A.1's IV? (bytes)",
    _check_j0,
    "SP 800-38D §7.1 step 2: for a 96-bit IV, J0 is the IV followed by a 32-bit counter set to 1.",
    "from jwe_steps.examples import RFC7516_A1\nanswer = RFC7516_A1.iv + (1).to_bytes(4, 'big')",
)

intercepted, q3 = _nonce_reuse_session()

EXERCISES = [q1, q2, q3]
