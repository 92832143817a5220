"""AES-GCM from scratch (NIST SP 800-38D), every intermediate value recorded.

Built on nothing but the AES block cipher E(K, ·) (see :mod:`.aes_block`) and Python integers:

    H       = E(K, 0¹²⁸)                                   the hash subkey        §7.1 step 1
    J0      = IV ‖ 0³¹ ‖ 1   (96-bit IV)                   the pre-counter block  §7.1 step 2
            = GHASH_H(IV ‖ 0ˢ⁺⁶⁴ ‖ [len(IV)]₆₄)  (other IV lengths)
    CB[i]   = inc32ⁱ(J0)                                   counter blocks         §6.5
    C[i]    = P[i] ⊕ E(K, CB[i])                           GCTR                   §7.1 step 3
    Y[i]    = (Y[i-1] ⊕ X[i]) • H,  Y[0] = 0               GHASH                  §6.4
              over X = A ‖ 0ᵛ ‖ C ‖ 0ᵘ ‖ [len(A)]₆₄ ‖ [len(C)]₆₄                  §7.1 steps 4-5
    S       = Y[m]
    T       = E(K, J0) ⊕ S                                 the tag                §7.1 step 6

The multiplication • in GF(2¹²⁸) is the hot spot. It is linear in its left operand, so for a
fixed H we precompute, once per key, what each byte value at each of the 16 byte positions
contributes (16 tables of 256 entries); a product is then 16 lookups and XORs.

This is a teaching implementation: Python integers are not constant-time. Use the default
engine (``cryptography``) for real data.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ..errors import (
    CEKLengthError,
    DecryptionFailedError,
    InputError,
    IVLengthError,
    TagLengthError,
)
from ..trace import Step
from ._common import Computation, Recorder, require_bytes, require_length
from .aes_block import AES_KEY_SIZES, BLOCK_SIZE, AESBlock

SPEC = "NIST SP 800-38D"
TAG_SIZE = 16
# §5.2.1.1: len(P) ≤ 2³⁹ - 256 bits; len(A) ≤ 2⁶⁴ - 1 bits.
MAX_PLAINTEXT_BYTES = (2**39 - 256) // 8

# The reduction constant: x¹²⁸ = x⁷ + x² + x + 1, written in GCM's reflected bit order (§6.3).
R = 0xE1 << 120
MASK32 = 0xFFFFFFFF


# ----------------------------------------------------------------- GF(2^128), §6.3


def gf_mult(x: int, y: int) -> int:
    """X • Y in GF(2¹²⁸), bit by bit, exactly as Algorithm 1 of SP 800-38D §6.3.

    Blocks are integers read big-endian; GCM numbers bits from the left, so bit 0 of a block
    (the coefficient of x⁰) is the integer's most significant bit. Slow but obvious: the tables
    below must agree with it, and tests check that they do.
    """
    z, v = 0, y
    for i in range(127, -1, -1):  # x₀ (leftmost bit) first
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ R if v & 1 else v >> 1  # V • x: shift right, reduce if a bit fell off
    return z


class GHashKey:
    """Multiplication by a fixed H, table-driven: 16 tables of 256 precomputed multiples of H."""

    __slots__ = ("h", "tables")

    def __init__(self, h: int) -> None:
        self.h = h
        # basis[j] = H • x^j for j = 0..127 (x^j is the block with only bit j set).
        basis = [0] * 128
        v = h
        for j in range(128):
            basis[j] = v
            v = (v >> 1) ^ R if v & 1 else v >> 1
        tables: list[list[int]] = []
        for position in range(16):  # byte 0 holds bits 0..7, its 0x80 is bit 0
            table = [0] * 256
            for byte in range(1, 256):
                low = byte & -byte  # the lowest set bit of the byte value
                bit = 8 * position + 7 - (low.bit_length() - 1)
                table[byte] = table[byte ^ low] ^ basis[bit]
            tables.append(table)
        self.tables = tables

    def times_h(self, x: int) -> int:
        """X • H."""
        t = self.tables
        b = x.to_bytes(16, "big")
        return (
            t[0][b[0]]
            ^ t[1][b[1]]
            ^ t[2][b[2]]
            ^ t[3][b[3]]
            ^ t[4][b[4]]
            ^ t[5][b[5]]
            ^ t[6][b[6]]
            ^ t[7][b[7]]
            ^ t[8][b[8]]
            ^ t[9][b[9]]
            ^ t[10][b[10]]
            ^ t[11][b[11]]
            ^ t[12][b[12]]
            ^ t[13][b[13]]
            ^ t[14][b[14]]
            ^ t[15][b[15]]
        )


# ----------------------------------------------------------------- results


@dataclass
class GCMEncryption(Computation):
    """``gcm.encrypt`` result: ``.ciphertext``, ``.tag`` and ``.steps``."""

    ciphertext: bytes = b""
    tag: bytes = b""


@dataclass
class GCMDecryption(Computation):
    """``gcm.decrypt`` result: ``.plaintext`` and ``.steps``."""

    plaintext: bytes = b""


# ----------------------------------------------------------------- the stages


def _blocks(data: bytes) -> list[bytes]:
    """``data`` cut into 16-byte blocks; the last one may be shorter."""
    return [data[i : i + BLOCK_SIZE] for i in range(0, len(data), BLOCK_SIZE)]


def _check_inputs(
    key: object, iv: object, data: object, aad: object, what: str
) -> tuple[bytes, ...]:
    key_b = require_bytes(key, "the AES-GCM key")
    iv_b = require_bytes(iv, "the AES-GCM IV")
    data_b = require_bytes(data, f"the AES-GCM {what}")
    aad_b = require_bytes(aad, "the AES-GCM additional authenticated data")
    require_length(key_b, AES_KEY_SIZES, "the AES-GCM key", CEKLengthError)
    if not iv_b:
        raise IVLengthError(
            "the AES-GCM IV is empty",
            code="iv.length",
            expected="at least 1 byte; 12 bytes (96 bits) for JWE",
            found="0 bytes",
        )
    if len(data_b) > MAX_PLAINTEXT_BYTES:
        raise InputError(
            f"the AES-GCM {what} is longer than GCM allows",
            code="input.too_long",
            expected=f"at most {MAX_PLAINTEXT_BYTES} bytes (SP 800-38D §5.2.1.1)",
            found=f"{len(data_b)} bytes",
        )
    return key_b, iv_b, data_b, aad_b


def _hash_subkey(aes: AESBlock, rec: Recorder) -> GHashKey:
    # §7.1 step 1: the hash subkey.
    h = rec.add(
        "H",
        aes.encrypt(bytes(16)),
        "the GHASH subkey: the AES encryption of the all-zero block",
        f"{SPEC} §7.1 step 1",
        operation="E(K, 0¹²⁸)",
    )
    return GHashKey(int.from_bytes(h, "big"))


def _pre_counter_block(iv: bytes, ghash_key: GHashKey, rec: Recorder) -> bytes:
    # §7.1 step 2: J0 from the IV.
    if len(iv) == 12:
        return rec.add(
            "J0",
            iv + b"\x00\x00\x00\x01",
            "the pre-counter block: the 96-bit IV followed by the 32-bit counter 1",
            f"{SPEC} §7.1 step 2",
            inputs=("iv",),
            operation="IV ‖ 0³¹ ‖ 1",
        )
    # Any other length: J0 = GHASH_H(IV ‖ 0^(s+64) ‖ [len(IV)]₆₄), s pads IV to whole blocks.
    padded = iv + bytes(-len(iv) % BLOCK_SIZE) + bytes(8) + (8 * len(iv)).to_bytes(8, "big")
    y = 0
    for block in _blocks(padded):
        y = ghash_key.times_h(y ^ int.from_bytes(block, "big"))
    return rec.add(
        "J0",
        y.to_bytes(16, "big"),
        f"the pre-counter block: GHASH of the {8 * len(iv)}-bit IV, zero padding and its length",
        f"{SPEC} §7.1 step 2",
        inputs=("iv", "H"),
        operation="GHASH_H(IV ‖ 0^(s+64) ‖ [len(IV)]₆₄)",
    )


def _gctr(aes: AESBlock, j0: bytes, data: bytes, rec: Recorder, *, decrypting: bool) -> bytes:
    """GCTR_K(inc32(J0), data), §6.5, recording each counter block, keystream block and output."""
    prefix, counter0 = j0[:12], int.from_bytes(j0[12:], "big")
    source, output = ("ciphertext", "plaintext") if decrypting else ("plaintext", "ciphertext")
    out = bytearray()
    encrypt, add = aes.encrypt, rec.add
    spec = f"{SPEC} §6.5"
    for i, block in enumerate(_blocks(data), 1):
        # CB[i] = inc32^i(J0): only the rightmost 32 bits count, modulo 2³².
        cb = add(
            f"counter_block[{i}]",
            prefix + ((counter0 + i) & MASK32).to_bytes(4, "big"),
            f"counter block {i}: J0 with its last 32 bits incremented {i} time(s)",
            spec,
            inputs=("J0",),
            operation=f"inc32^{i}(J0)",
            detail={"index": i},
        )
        keystream = add(
            f"keystream[{i}]",
            encrypt(cb),
            f"keystream block {i}: the AES encryption of counter block {i}",
            spec,
            inputs=(f"counter_block[{i}]",),
            operation=f"E(K, counter_block[{i}])",
            detail={"index": i},
        )
        n = len(block)
        mixed = (int.from_bytes(block, "big") ^ int.from_bytes(keystream[:n], "big")).to_bytes(
            n, "big"
        )
        add(
            f"{output}_block[{i}]",
            mixed,
            f"{output} block {i}: {source} block {i} XOR keystream block {i}"
            + (f" (its first {n} bytes)" if n < BLOCK_SIZE else ""),
            spec,
            inputs=(f"keystream[{i}]",),
            operation=f"{source}_block[{i}] ⊕ MSB_{8 * n}(keystream[{i}])",
            detail={"index": i, "offset": (i - 1) * BLOCK_SIZE},
        )
        out += mixed
    return bytes(out)


def _ghash(ghash_key: GHashKey, aad: bytes, ciphertext: bytes, rec: Recorder) -> bytes:
    """S = GHASH_H(A ‖ 0ᵛ ‖ C ‖ 0ᵘ ‖ [len(A)]₆₄ ‖ [len(C)]₆₄), §7.1 steps 4-5."""
    lengths = rec.add(
        "length_block",
        (8 * len(aad)).to_bytes(8, "big") + (8 * len(ciphertext)).to_bytes(8, "big"),
        "the last GHASH block: the bit lengths of the AAD and of the ciphertext, 64 bits each",
        f"{SPEC} §7.1 step 5",
        inputs=("aad", "ciphertext"),
        operation="[len(A)]₆₄ ‖ [len(C)]₆₄",
    )
    sources: list[tuple[str, bytes]] = []
    sources += [(f"AAD block {k}", b) for k, b in enumerate(_blocks(aad), 1)]
    sources += [(f"ciphertext block {k}", b) for k, b in enumerate(_blocks(ciphertext), 1)]
    sources.append(("the length block", lengths))
    times_h, add = ghash_key.times_h, rec.add
    spec = f"{SPEC} §6.4"
    y = 0
    for i, (origin, block) in enumerate(sources, 1):
        x = block + bytes(BLOCK_SIZE - len(block))  # 0ᵛ / 0ᵘ: pad the last partial block
        y = times_h(y ^ int.from_bytes(x, "big"))
        add(
            f"ghash[{i}]",
            y.to_bytes(16, "big"),
            f"GHASH accumulator after block {i} ({origin}"
            + (", zero-padded" if len(block) < BLOCK_SIZE else "")
            + ")",
            spec,
            inputs=(f"ghash[{i - 1}]" if i > 1 else "0¹²⁸", "H"),
            operation=f"(ghash[{i - 1}] ⊕ X[{i}]) • H" if i > 1 else "X[1] • H",
            detail={"index": i, "input_block": x, "from": origin},
        )
    return rec.add(
        "S",
        y.to_bytes(16, "big"),
        f"S: the final GHASH value over {len(sources)} blocks",
        f"{SPEC} §7.1 step 5",
        inputs=(f"ghash[{len(sources)}]",),
        operation="GHASH_H(A ‖ 0ᵛ ‖ C ‖ 0ᵘ ‖ [len(A)]₆₄ ‖ [len(C)]₆₄)",
    )


def _tag(aes: AESBlock, j0: bytes, s: bytes, rec: Recorder, name: str) -> bytes:
    # §7.1 step 6: T = MSB_t(GCTR_K(J0, S)) = E(K, J0) ⊕ S for a 128-bit tag.
    mask = rec.add(
        "tag_mask",
        aes.encrypt(j0),
        "E(K, J0): the keystream block that encrypts S into the tag",
        f"{SPEC} §7.1 step 6",
        inputs=("J0",),
        operation="E(K, J0)",
    )
    return rec.add(
        name,
        (int.from_bytes(mask, "big") ^ int.from_bytes(s, "big")).to_bytes(16, "big"),
        "the 128-bit authentication tag" if name == "tag" else "the tag these inputs must carry",
        f"{SPEC} §7.1 step 6",
        inputs=("tag_mask", "S"),
        operation="E(K, J0) ⊕ S",
    )


# ----------------------------------------------------------------- public API


def encrypt(
    key: bytes,
    iv: bytes,
    plaintext: bytes,
    aad: bytes = b"",
    *,
    steps: list[Step] | None = None,
) -> GCMEncryption:
    """GCM-AE_K(IV, P, A) (SP 800-38D §7.1) with a 128-bit tag, every value recorded.

    ``steps``: a list to record into (default: a new one), returned as ``.steps``.
    """
    key, iv, plaintext, aad = _check_inputs(key, iv, plaintext, aad, "plaintext")
    rec = Recorder(steps)
    aes = AESBlock(key, what="the AES-GCM key")
    ghash_key = _hash_subkey(aes, rec)
    j0 = _pre_counter_block(iv, ghash_key, rec)
    ciphertext = _gctr(aes, j0, plaintext, rec, decrypting=False)
    s = _ghash(ghash_key, aad, ciphertext, rec)
    tag = _tag(aes, j0, s, rec, "tag")
    return GCMEncryption(steps=rec.steps, ciphertext=ciphertext, tag=tag)


def decrypt(
    key: bytes,
    iv: bytes,
    ciphertext: bytes,
    aad: bytes,
    tag: bytes,
    *,
    steps: list[Step] | None = None,
) -> GCMDecryption:
    """GCM-AD_K(IV, C, A, T) (SP 800-38D §7.2): check the tag first, then decrypt.

    The expected tag is computed in full and compared in constant time
    (:func:`hmac.compare_digest`); a mismatch raises :class:`DecryptionFailedError` before any
    plaintext is produced.
    """
    key, iv, ciphertext, aad = _check_inputs(key, iv, ciphertext, aad, "ciphertext")
    tag = require_bytes(tag, "the AES-GCM tag")
    require_length(tag, (TAG_SIZE,), "the AES-GCM tag", TagLengthError)
    rec = Recorder(steps)
    aes = AESBlock(key, what="the AES-GCM key")
    ghash_key = _hash_subkey(aes, rec)
    j0 = _pre_counter_block(iv, ghash_key, rec)
    s = _ghash(ghash_key, aad, ciphertext, rec)
    expected = _tag(aes, j0, s, rec, "expected_tag")
    # §7.2 step 8: T' = T? Compare in constant time, whatever the inputs.
    valid = hmac.compare_digest(expected, tag)
    rec.add(
        "tag_check",
        valid,
        "the received tag equals the expected tag (compared in constant time)",
        f"{SPEC} §7.2 step 8",
        inputs=("expected_tag", "tag"),
        operation="compare_digest(expected_tag, tag)",
    )
    if not valid:
        raise DecryptionFailedError(
            "AES-GCM authentication failed",
            code="decryption.failed",
            expected="a tag that verifies under the key, IV and AAD",
            found="a tag that does not",
            hint="Wrong key, or the AAD, IV, ciphertext or tag was altered.",
        )
    plaintext = _gctr(aes, j0, ciphertext, rec, decrypting=True)
    return GCMDecryption(steps=rec.steps, plaintext=plaintext)


__all__ = ["GCMDecryption", "GCMEncryption", "GHashKey", "decrypt", "encrypt", "gf_mult"]
