"""AES Key Wrap from scratch (RFC 3394 §2.2), the A and R registers recorded at every step.

Wrapping (§2.2.1, the "index based" form), for n 64-bit blocks P[1..n] of key data:

    A = IV = A6A6A6A6A6A6A6A6,  R[i] = P[i]
    for j = 0..5, for i = 1..n, with t = n·j + i:
        B    = E(KEK, A ‖ R[i])
        A    = MSB₆₄(B) ⊕ t
        R[i] = LSB₆₄(B)
    C = A ‖ R[1] ‖ … ‖ R[n]

Unwrapping (§2.2.2) runs the same 6n steps backwards with D(KEK, ·) and accepts the result only
if A comes back to the IV (§2.2.3, compared in constant time). Built on the AES block cipher
alone (see :mod:`.aes_block`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ..errors import CEKLengthError, KeyManagementError
from ..trace import Step
from ._common import Computation, Recorder, require_bytes
from .aes_block import AESBlock

SPEC = "RFC 3394"
DEFAULT_IV = bytes.fromhex("A6A6A6A6A6A6A6A6")  # §2.2.3.1


@dataclass
class KeyWrap(Computation):
    """``aes_kw.wrap`` result: ``.wrapped`` (8 bytes longer than the key) and ``.steps``."""

    wrapped: bytes = b""


@dataclass
class KeyUnwrap(Computation):
    """``aes_kw.unwrap`` result: the recovered ``.key`` and ``.steps``."""

    key: bytes = b""


def _xor_t(a: bytes, t: int) -> bytes:
    return (int.from_bytes(a, "big") ^ t).to_bytes(8, "big")


def _wrap_step(
    aes: AESBlock, a: bytes, r: list[bytes], n: int, j: int, i: int, rec: Recorder
) -> bytes:
    """RFC 3394 §2.2.1 step 2 for one (j, i): B, then A and R[i] from it (``r`` in place)."""
    t = n * j + i
    b = aes.encrypt(a + r[i])
    a = _xor_t(b[:8], t)
    r[i] = b[8:]
    rec.add(
        f"B[{t}]",
        b,
        f"step t={t} (j={j}, i={i}): AES of register A and R[{i}]",
        f"{SPEC} §2.2.1 step 2",
        inputs=(f"A[{t - 1}]", f"R[{t - 1}]"),
        operation=f"E(KEK, A ‖ R[{i}])",
        detail={"t": t, "j": j, "i": i},
    )
    rec.add(
        f"A[{t}]",
        a,
        f"register A after step t={t}: the high half of B, XOR t",
        f"{SPEC} §2.2.1 step 2",
        inputs=(f"B[{t}]",),
        operation=f"MSB₆₄(B) ⊕ {t}",
        detail={"t": t, "j": j, "i": i},
    )
    rec.add(
        f"R[{t}]",
        b"".join(r[1:]),
        f"registers R[1..{n}] after step t={t}: R[{i}] is now the low half of B",
        f"{SPEC} §2.2.1 step 2",
        inputs=(f"B[{t}]",),
        operation=f"R[{i}] = LSB₆₄(B)",
        detail={"t": t, "j": j, "i": i, "changed": i},
    )
    return a


def wrap(kek: bytes, key: bytes, *, steps: list[Step] | None = None) -> KeyWrap:
    """W(KEK, key) of RFC 3394 §2.2.1.

    Args:
        kek: the key-encryption key, 16, 24 or 32 bytes.
        key: the key data to wrap (the CEK), a multiple of 8 bytes and at least 16.
    """
    kek = require_bytes(kek, "the key-encryption key")
    key = require_bytes(key, "the key to wrap")
    aes = AESBlock(kek, what="the AES key-encryption key")
    if len(key) % 8 or len(key) < 16:
        raise CEKLengthError(
            "AES Key Wrap cannot wrap a key of this length",
            code="cek.length",
            expected="a multiple of 8 bytes, at least 16 (RFC 3394 §2)",
            found=f"{len(key)} bytes",
        )
    rec = Recorder(steps)
    n = len(key) // 8
    # §2.2.1 step 1: initialize variables.
    a = rec.add(
        "A[0]",
        DEFAULT_IV,
        "register A starts as the default IV",
        f"{SPEC} §2.2.3.1",
        operation="A6A6A6A6A6A6A6A6",
    )
    r = [b""] + [key[8 * i : 8 * i + 8] for i in range(n)]  # R[1..n]; R[0] unused
    rec.add(
        "R[0]",
        b"".join(r[1:]),
        f"registers R[1..{n}] start as the {n} 64-bit blocks of the key",
        f"{SPEC} §2.2.1 step 1",
        inputs=("key",),
        operation="R[i] = P[i]",
        detail={"blocks": [r[i] for i in range(1, n + 1)]},
    )
    # §2.2.1 step 2: calculate intermediate values.
    for j in range(6):
        for i in range(1, n + 1):
            a = _wrap_step(aes, a, r, n, j, i, rec)
    # §2.2.1 step 3: output the results.
    wrapped = rec.add(
        "wrapped",
        a + b"".join(r[1:]),
        f"the wrapped key: register A, then R[1..{n}] ({8 * (n + 1)} bytes)",
        f"{SPEC} §2.2.1 step 3",
        inputs=(f"A[{6 * n}]", f"R[{6 * n}]"),
        operation="C[0] = A, C[i] = R[i]",
    )
    return KeyWrap(steps=rec.steps, wrapped=wrapped)


def _unwrap_error() -> KeyManagementError:
    return KeyManagementError(
        "AES key unwrap failed",
        code="key_management.failed",
        expected="a wrapped key made with this key-encryption key",
        found="an integrity check value that does not match",
        hint="Wrong key-encryption key, or the encrypted key was altered.",
    )


def _unwrap_step(
    aes: AESBlock, a: bytes, r: list[bytes], n: int, j: int, i: int, rec: Recorder
) -> bytes:
    """RFC 3394 §2.2.2 step 2 for one (j, i): B, then A and R[i] from it (``r`` in place)."""
    t = n * j + i
    b = aes.decrypt(_xor_t(a, t) + r[i])
    a = b[:8]
    r[i] = b[8:]
    rec.add(
        f"B[{t}]",
        b,
        f"step t={t} (j={j}, i={i}): AES⁻¹ of (A XOR t) and R[{i}]",
        f"{SPEC} §2.2.2 step 2",
        inputs=(f"A[{t}]", f"R[{t}]"),
        operation=f"D(KEK, (A ⊕ {t}) ‖ R[{i}])",
        detail={"t": t, "j": j, "i": i},
    )
    rec.add(
        f"A[{t - 1}]",
        a,
        f"register A before step t={t}: the high half of B",
        f"{SPEC} §2.2.2 step 2",
        inputs=(f"B[{t}]",),
        operation="MSB₆₄(B)",
        detail={"t": t, "j": j, "i": i},
    )
    rec.add(
        f"R[{t - 1}]",
        b"".join(r[1:]),
        f"registers R[1..{n}] before step t={t}: R[{i}] is the low half of B",
        f"{SPEC} §2.2.2 step 2",
        inputs=(f"B[{t}]",),
        operation=f"R[{i}] = LSB₆₄(B)",
        detail={"t": t, "j": j, "i": i, "changed": i},
    )
    return a


def unwrap(kek: bytes, wrapped: bytes, *, steps: list[Step] | None = None) -> KeyUnwrap:
    """W⁻¹(KEK, wrapped) of RFC 3394 §2.2.2 with the integrity check of §2.2.3.

    Raises :class:`KeyManagementError` for a wrapped key of the wrong length or one whose
    integrity check fails.
    """
    kek = require_bytes(kek, "the key-encryption key")
    wrapped = require_bytes(wrapped, "the wrapped key")
    aes = AESBlock(kek, what="the AES key-encryption key")
    if len(wrapped) % 8 or len(wrapped) < 24:
        raise KeyManagementError(
            "the AES-wrapped key has the wrong length",
            code="key_management.encrypted_key_length",
            expected="a multiple of 8 bytes, at least 24 (RFC 3394 §2.2.2)",
            found=f"{len(wrapped)} bytes",
            hint="The encrypted key part may be truncated, or it was not made by AES Key Wrap.",
        )
    rec = Recorder(steps)
    n = len(wrapped) // 8 - 1
    top = 6 * n
    # §2.2.2 step 1: initialize variables.
    a = rec.add(
        f"A[{top}]",
        wrapped[:8],
        "register A starts as C[0]",
        f"{SPEC} §2.2.2 step 1",
        inputs=("wrapped",),
        operation="A = C[0]",
    )
    r = [b""] + [wrapped[8 * i : 8 * i + 8] for i in range(1, n + 1)]
    rec.add(
        f"R[{top}]",
        b"".join(r[1:]),
        f"registers R[1..{n}] start as C[1..{n}]",
        f"{SPEC} §2.2.2 step 1",
        inputs=("wrapped",),
        operation="R[i] = C[i]",
    )
    # §2.2.2 step 2: compute intermediate values, t counting down.
    for j in range(5, -1, -1):
        for i in range(n, 0, -1):
            a = _unwrap_step(aes, a, r, n, j, i, rec)
    # §2.2.2 step 3 with §2.2.3: A must have come back to the IV.
    valid = hmac.compare_digest(a, DEFAULT_IV)
    rec.add(
        "integrity_check",
        valid,
        "register A came back to the default IV A6A6A6A6A6A6A6A6",
        f"{SPEC} §2.2.3",
        inputs=("A[0]",),
        operation="compare_digest(A, IV)",
    )
    if not valid:
        raise _unwrap_error()
    key = rec.add(
        "key",
        b"".join(r[1:]),
        f"the unwrapped key: R[1..{n}] ({8 * n} bytes)",
        f"{SPEC} §2.2.2 step 3",
        inputs=("R[0]",),
        operation="P[i] = R[i]",
    )
    return KeyUnwrap(steps=rec.steps, key=key)


__all__ = ["DEFAULT_IV", "KeyUnwrap", "KeyWrap", "unwrap", "wrap"]
