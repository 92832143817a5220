"""Exercises for notebooks/04_iv_and_aes_gcm.ipynb.

q1 and q2 ask for *functions*, run on inputs drawn when the check runs (the notebook works
both out for A.1 alone). q1's checker builds GHASH's input (SP 800-38D §7.1 step 5) from real
bytes of each length and counts its blocks. q2's does not compare J0 with a computed value: for
A.1's CEK and IV and for fresh ones, it runs ``cryptography``'s AES in counter mode from the
returned J0's inc32 and checks that this gives the keystream ``cryptography``'s AES-GCM
encrypts with under that key and IV. q3's second message and CEK are drawn fresh each session
and live only in a closure; its checker seals the answer under them with ``cryptography``'s
AES-GCM and compares with the intercepted ciphertext. No checker uses jwe_steps' teaching GCM.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..examples import RFC7516_A1
from . import Exercise, runs_on

KEYSTREAM_BYTES = 48  # three counter blocks


def _ghash_input_blocks(aad: bytes, ciphertext: bytes) -> int:
    """Blocks in A || 0^v || C || 0^u || [len(A)]64 || [len(C)]64 (SP 800-38D §7.1 step 5)."""
    padded = aad + bytes(-len(aad) % 16) + ciphertext + bytes(-len(ciphertext) % 16)
    lengths = (8 * len(aad)).to_bytes(8, "big") + (8 * len(ciphertext)).to_bytes(8, "big")
    return len(padded + lengths) // 16


def _ghash_cases() -> list[tuple[tuple[int, int], int]]:
    """((AAD length, ciphertext length), blocks): edge lengths and fresh random ones."""
    lengths = [(0, 0), (16, 0), (0, 1), (15, 17), (32, 48)]
    lengths += [(secrets.randbelow(200), secrets.randbelow(2000)) for _ in range(3)]
    return [((a, c), _ghash_input_blocks(os.urandom(a), os.urandom(c))) for a, c in lengths]


def _j0_cases() -> list[tuple[bytes, tuple[bytes, bytes]]]:
    """(IV, (CEK, the keystream AES-GCM encrypts with under that CEK and IV)): A.1's, and
    fresh random ones. AES-GCM sealing zero bytes gives its keystream as the ciphertext."""
    pairs = [(RFC7516_A1.cek, RFC7516_A1.iv)]
    pairs += [(AESGCM.generate_key(bit_length=256), os.urandom(12)) for _ in range(3)]
    zeros = bytes(KEYSTREAM_BYTES)
    return [(iv, (cek, AESGCM(cek).encrypt(iv, zeros, None)[:-16])) for cek, iv in pairs]


def _counts_like_gcm(j0: bytes, expected: tuple[bytes, bytes]) -> bool:
    """Does AES in counter mode, counting from inc32(J0), give AES-GCM's keystream?

    GCM encrypts with the counter blocks inc32(J0), inc32(inc32(J0)), ... (SP 800-38D §7.1),
    so this pins all 16 bytes of J0."""
    cek, keystream = expected
    if len(j0) != 16:
        return False
    counter = (int.from_bytes(j0[12:], "big") + 1) % 2**32
    encryptor = Cipher(
        algorithms.AES(cek), modes.CTR(j0[:12] + counter.to_bytes(4, "big"))
    ).encryptor()
    return bool(encryptor.update(bytes(KEYSTREAM_BYTES)) + encryptor.finalize() == keystream)


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
    "Write ghash_blocks(aad_length, ciphertext_length): how many 16-byte blocks GHASH "
    "processes for an AAD and a ciphertext of these lengths in bytes (AAD, ciphertext and the "
    "length block). The checker runs it on lengths it draws. (a function)",
    runs_on(_ghash_cases, lambda lengths: f"lengths {lengths}", int, spread=True),
    "Each of the AAD and the ciphertext is zero-padded to whole blocks (an empty one takes "
    "none); then comes one length block.",
    "def ghash_blocks(aad_length, ciphertext_length):\n"
    "    return -(-aad_length // 16) + -(-ciphertext_length // 16) + 1\n"
    "answer = ghash_blocks",
)

q2 = Exercise(
    2,
    "Write j0(iv): J0, the pre-counter block, for a 96-bit IV. The checker runs it on A.1's IV "
    "and on fresh ones, and counts from what it returns with AES. (a function)",
    runs_on(_j0_cases, lambda iv: "an IV", bytes, agrees=_counts_like_gcm),
    "SP 800-38D §7.1 step 2: for a 96-bit IV, J0 is the IV followed by a 32-bit counter set to 1.",
    "def j0(iv):\n    return iv + (1).to_bytes(4, 'big')\nanswer = j0",
)

intercepted, q3 = _nonce_reuse_session()

EXERCISES = [q1, q2, q3]
