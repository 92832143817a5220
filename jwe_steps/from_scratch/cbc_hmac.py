"""AES_CBC_HMAC_SHA2 from scratch (RFC 7518 §5.2.2), every intermediate value recorded.

Built on the AES block cipher (see :mod:`.aes_block`) and :mod:`hmac`. Encryption, §5.2.2.1:

    MAC_KEY = K[:len/2],  ENC_KEY = K[len/2:]                 step 1
    P'      = P ‖ PKCS#7 padding                              step 2
    E[i]    = E(ENC_KEY, P'[i] ⊕ E[i-1]),  E[0] = IV          step 3 (CBC)
    AL      = [bit length of A]₆₄                             step 4
    M       = HMAC-SHA-2(MAC_KEY, A ‖ IV ‖ E ‖ AL)            step 5
    T       = M[:T_LEN]                                       step 6

Decryption (§5.2.2.2) recomputes T first and compares it in constant time; only then does it
decrypt and strip the padding. Any failure is one :class:`DecryptionFailedError`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import CEKLengthError, DecryptionFailedError, IVLengthError, TagLengthError
from ..trace import Step
from ._common import Computation, Recorder, require_bytes, require_length, xor
from .aes_block import BLOCK_SIZE, AESBlock

SPEC = "RFC 7518 §5.2.2"

# Key length in bytes -> (name, hash, tag length in bytes), RFC 7518 §5.2.3-§5.2.5.
VARIANTS: dict[int, tuple[str, str, Callable[..., Any], int]] = {
    32: ("A128CBC-HS256", "SHA-256", hashlib.sha256, 16),
    48: ("A192CBC-HS384", "SHA-384", hashlib.sha384, 24),
    64: ("A256CBC-HS512", "SHA-512", hashlib.sha512, 32),
}


@dataclass
class CBCHMACEncryption(Computation):
    """``cbc_hmac.encrypt`` result: ``.ciphertext``, ``.tag`` and ``.steps``."""

    ciphertext: bytes = b""
    tag: bytes = b""


@dataclass
class CBCHMACDecryption(Computation):
    """``cbc_hmac.decrypt`` result: ``.plaintext`` and ``.steps``."""

    plaintext: bytes = b""


def _split_key(
    key: bytes, iv: bytes, rec: Recorder
) -> tuple[str, Callable[..., Any], int, bytes, bytes]:
    require_length(
        key,
        tuple(VARIANTS),
        "the AES_CBC_HMAC_SHA2 key",
        CEKLengthError,
        hint="A128CBC-HS256 needs 32 bytes, A192CBC-HS384 48, A256CBC-HS512 64.",
    )
    require_length(iv, (BLOCK_SIZE,), "the AES-CBC IV", IVLengthError)
    name, hash_name, hash_function, tag_len = VARIANTS[len(key)]
    half = len(key) // 2
    rec.add(
        "parameters",
        {"enc": name, "hash": hash_name, "key_bytes": len(key), "T_LEN": tag_len},
        f"{name}: AES-{4 * len(key)} in CBC mode, HMAC-{hash_name}, a {tag_len}-byte tag",
        "RFC 7518 §5.2.3-§5.2.5",
    )
    # Step 1: the two halves of K.
    mac_key = rec.add(
        "MAC_KEY",
        key[:half],
        f"the HMAC-{hash_name} key: the first {half} bytes of K",
        f"{SPEC}.1 step 1",
        inputs=("key",),
        operation=f"K[0:{half}]",
    )
    enc_key = rec.add(
        "ENC_KEY",
        key[half:],
        f"the AES-{8 * half} key: the last {half} bytes of K",
        f"{SPEC}.1 step 1",
        inputs=("key",),
        operation=f"K[{half}:{len(key)}]",
    )
    return hash_name, hash_function, tag_len, mac_key, enc_key


def _tag(
    hash_name: str,
    hash_function: Callable[..., Any],
    tag_len: int,
    mac_key: bytes,
    aad: bytes,
    iv: bytes,
    ciphertext: bytes,
    rec: Recorder,
    step: str,
    name: str,
) -> bytes:
    al = rec.add(
        "AL",
        (8 * len(aad)).to_bytes(8, "big"),
        f"AL: the AAD's length in bits ({8 * len(aad)}) as a 64-bit big-endian integer",
        f"{SPEC}.1 step 4",
        inputs=("aad",),
        operation="[8·len(A)]₆₄",
    )
    a_end, iv_end = len(aad), len(aad) + len(iv)
    e_end = iv_end + len(ciphertext)
    ranges = {
        "A": [0, a_end],
        "IV": [a_end, iv_end],
        "E": [iv_end, e_end],
        "AL": [e_end, e_end + 8],
    }
    mac_input = rec.add(
        "hmac_input",
        aad + iv + ciphertext + al,
        "the HMAC input: AAD, IV, ciphertext and AL concatenated",
        f"{SPEC}.1 step 5",
        inputs=("aad", "iv", "E", "AL"),
        operation="A ‖ IV ‖ E ‖ AL",
        detail={"ranges": ranges},
    )
    m = rec.add(
        "M",
        hmac.new(mac_key, mac_input, hash_function).digest(),
        f"the full HMAC-{hash_name} output",
        f"{SPEC}.1 step 5",
        inputs=("MAC_KEY", "hmac_input"),
        operation=f"HMAC-{hash_name}(MAC_KEY, hmac_input)",
    )
    return rec.add(
        name,
        m[:tag_len],
        f"the authentication tag: the first {tag_len} bytes of M (T_LEN)",
        f"{SPEC}.1 step {step}",
        inputs=("M",),
        operation=f"M[0:{tag_len}]",
    )


def encrypt(
    key: bytes, iv: bytes, plaintext: bytes, aad: bytes = b"", *, steps: list[Step] | None = None
) -> CBCHMACEncryption:
    """AES_CBC_HMAC_SHA2 encryption (RFC 7518 §5.2.2.1); the key length picks the variant."""
    key = require_bytes(key, "the AES_CBC_HMAC_SHA2 key")
    iv = require_bytes(iv, "the AES-CBC IV")
    plaintext = require_bytes(plaintext, "the plaintext")
    aad = require_bytes(aad, "the additional authenticated data")
    rec = Recorder(steps)
    hash_name, hash_function, tag_len, mac_key, enc_key = _split_key(key, iv, rec)
    aes = AESBlock(enc_key, what="ENC_KEY")

    # Step 2: PKCS #7 padding to a whole number of 16-byte blocks (always at least one byte).
    pad = BLOCK_SIZE - len(plaintext) % BLOCK_SIZE
    padded = rec.add(
        "padded_plaintext",
        plaintext + bytes([pad]) * pad,
        f"the plaintext with PKCS #7 padding: {pad} byte(s) of value {pad}",
        f"{SPEC}.1 step 2",
        inputs=("plaintext",),
        operation=f"P ‖ ({pad:02x} repeated {pad} times)",
        detail={"padding": pad},
    )
    # Step 3: CBC, block by block.
    previous = iv
    out = bytearray()
    for i in range(1, len(padded) // BLOCK_SIZE + 1):
        block = padded[(i - 1) * BLOCK_SIZE : i * BLOCK_SIZE]
        mixed = rec.add(
            f"cbc_input[{i}]",
            xor(block, previous),
            f"block {i} of the padded plaintext XOR the previous ciphertext block"
            + (" (the IV)" if i == 1 else ""),
            f"{SPEC}.1 step 3",
            inputs=("padded_plaintext", "iv" if i == 1 else f"cbc_block[{i - 1}]"),
            operation=f"P'[{i}] ⊕ " + ("IV" if i == 1 else f"E[{i - 1}]"),
            detail={"index": i},
        )
        previous = rec.add(
            f"cbc_block[{i}]",
            aes.encrypt(mixed),
            f"ciphertext block {i}",
            f"{SPEC}.1 step 3",
            inputs=(f"cbc_input[{i}]", "ENC_KEY"),
            operation=f"E(ENC_KEY, cbc_input[{i}])",
            detail={"index": i},
        )
        out += previous
    ciphertext = rec.add(
        "E",
        bytes(out),
        "the ciphertext E: all CBC blocks",
        f"{SPEC}.1 step 3",
        inputs=("padded_plaintext", "ENC_KEY", "iv"),
        operation="AES-CBC(ENC_KEY, IV, P')",
    )
    tag = _tag(hash_name, hash_function, tag_len, mac_key, aad, iv, ciphertext, rec, "6", "tag")
    return CBCHMACEncryption(steps=rec.steps, ciphertext=ciphertext, tag=tag)


def _failure() -> DecryptionFailedError:
    return DecryptionFailedError(
        "AES_CBC_HMAC_SHA2 authentication failed",
        code="decryption.failed",
        expected="a tag that verifies under MAC_KEY over AAD, IV, ciphertext and AL",
        found="a tag that does not",
        hint="Wrong key, or the AAD, IV, ciphertext or tag was altered.",
    )


def decrypt(
    key: bytes,
    iv: bytes,
    ciphertext: bytes,
    aad: bytes,
    tag: bytes,
    *,
    steps: list[Step] | None = None,
) -> CBCHMACDecryption:
    """AES_CBC_HMAC_SHA2 decryption (RFC 7518 §5.2.2.2): tag first, then CBC, then padding."""
    key = require_bytes(key, "the AES_CBC_HMAC_SHA2 key")
    iv = require_bytes(iv, "the AES-CBC IV")
    ciphertext = require_bytes(ciphertext, "the ciphertext")
    aad = require_bytes(aad, "the additional authenticated data")
    tag = require_bytes(tag, "the authentication tag")
    rec = Recorder(steps)
    hash_name, hash_function, tag_len, mac_key, enc_key = _split_key(key, iv, rec)
    require_length(tag, (tag_len,), "the authentication tag", TagLengthError)
    aes = AESBlock(enc_key, what="ENC_KEY")
    rec.add("E", ciphertext, "the ciphertext E as received", f"{SPEC}.2")

    # §5.2.2.2 steps 1-3: the expected tag, compared in constant time, before decrypting.
    expected = _tag(
        hash_name, hash_function, tag_len, mac_key, aad, iv, ciphertext, rec, "6", "expected_tag"
    )
    valid = hmac.compare_digest(expected, tag)
    rec.add(
        "tag_check",
        valid,
        "the received tag equals the expected tag (constant time)",
        f"{SPEC}.2 step 3",
        inputs=("expected_tag", "tag"),
        operation="compare_digest(expected_tag, tag)",
    )
    if not valid or not ciphertext or len(ciphertext) % BLOCK_SIZE:
        raise _failure()

    # §5.2.2.2 step 4: CBC decryption, block by block.
    previous = iv
    out = bytearray()
    for i in range(1, len(ciphertext) // BLOCK_SIZE + 1):
        block = ciphertext[(i - 1) * BLOCK_SIZE : i * BLOCK_SIZE]
        decrypted = rec.add(
            f"cbc_output[{i}]",
            aes.decrypt(block),
            f"ciphertext block {i} decrypted with ENC_KEY",
            f"{SPEC}.2 step 4",
            inputs=("E", "ENC_KEY"),
            operation=f"D(ENC_KEY, E[{i}])",
            detail={"index": i},
        )
        out += rec.add(
            f"plaintext_block[{i}]",
            xor(decrypted, previous),
            f"padded plaintext block {i}: XOR the previous ciphertext block"
            + (" (the IV)" if i == 1 else ""),
            f"{SPEC}.2 step 4",
            inputs=(f"cbc_output[{i}]",),
            operation=f"cbc_output[{i}] ⊕ " + ("IV" if i == 1 else f"E[{i - 1}]"),
            detail={"index": i},
        )
        previous = block
    padded = rec.add(
        "padded_plaintext", bytes(out), "the decrypted, still padded plaintext", f"{SPEC}.2 step 4"
    )
    pad = padded[-1]
    if not 1 <= pad <= BLOCK_SIZE or padded[-pad:] != bytes([pad]) * pad:
        raise _failure()
    plaintext = rec.add(
        "plaintext",
        padded[:-pad],
        f"the plaintext: {pad} padding byte(s) removed",
        f"{SPEC}.2 step 4",
        inputs=("padded_plaintext",),
        operation="strip PKCS #7 padding",
    )
    return CBCHMACDecryption(steps=rec.steps, plaintext=plaintext)


__all__ = ["VARIANTS", "CBCHMACDecryption", "CBCHMACEncryption", "decrypt", "encrypt"]
