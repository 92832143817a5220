"""PBES2 key derivation from scratch (RFC 7518 §4.8, RFC 8018 §5.2 PBKDF2).

    Salt        = UTF8(alg) ‖ 0x00 ‖ p2s         the salt input, RFC 7518 §4.8.1.1
    U₁          = HMAC(P, Salt ‖ [i]₃₂)          PBKDF2, RFC 8018 §5.2 step 3
    Uⱼ          = HMAC(P, Uⱼ₋₁)                  for j = 2 … p2c
    T[i]        = U₁ ⊕ U₂ ⊕ … ⊕ U_p2c
    DK          = (T[1] ‖ T[2] ‖ …)[0:dkLen]      the AES Key Wrap key

Built on :mod:`hmac` and Python integers. Every iteration is computed, but only U₁ and the last
U of each block are recorded (p2c may be hundreds of thousands).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from ..errors import AlgorithmError, HeaderError, InputError
from ..trace import Step
from ._common import Computation, Recorder, require_bytes

SPEC = "RFC 7518 §4.8.1.1"
PBKDF2 = "RFC 8018 §5.2"

# alg -> (hash name, derived key length in bytes), RFC 7518 §4.8.
VARIANTS = {
    "PBES2-HS256+A128KW": ("sha256", 16),
    "PBES2-HS384+A192KW": ("sha384", 24),
    "PBES2-HS512+A256KW": ("sha512", 32),
}


@dataclass
class PBES2Derivation(Computation):
    """``pbes2.derive`` result: ``.key`` (the AES Key Wrap key), ``.salt`` and ``.steps``."""

    key: bytes = b""
    salt: bytes = b""


def salt_input(alg: str, p2s: bytes) -> bytes:
    """The PBKDF2 salt: UTF8(alg) ‖ 0x00 ‖ p2s (RFC 7518 §4.8.1.1)."""
    return alg.encode("utf-8") + b"\x00" + p2s


def _block(
    prf: Any, salt: bytes, i: int, p2c: int, h_len: int, hash_name: str, rec: Recorder
) -> bytes:
    """RFC 8018 §5.2 step 3: T[i], the XOR of the p2c chained HMACs of block i."""
    u_mac = prf.copy()
    u_mac.update(salt + i.to_bytes(4, "big"))
    u = u_mac.digest()
    rec.add(
        f"U[{i}][1]",
        u,
        f"block {i}, iteration 1: HMAC-{hash_name.upper()} of the salt and the block index",
        PBKDF2,
        inputs=("password", "salt"),
        operation=f"HMAC(P, salt ‖ [{i}]₃₂)",
    )
    t = int.from_bytes(u, "big")
    for _ in range(2, p2c + 1):
        u_mac = prf.copy()
        u_mac.update(u)
        u = u_mac.digest()
        t ^= int.from_bytes(u, "big")
    if p2c > 1:
        rec.add(
            f"U[{i}][{p2c}]",
            u,
            f"block {i}, iteration {p2c}: the last of the chained HMACs",
            PBKDF2,
            operation=f"HMAC(P, U[{i}][{p2c - 1}])",
        )
    return rec.add(
        f"T[{i}]",
        t.to_bytes(h_len, "big"),
        f"block {i}: the XOR of all {p2c} iterations",
        PBKDF2,
        operation=f"U[{i}][1] ⊕ … ⊕ U[{i}][{p2c}]",
    )


def derive(
    password: bytes | str,
    alg: str,
    p2s: bytes,
    p2c: int,
    *,
    steps: list[Step] | None = None,
) -> PBES2Derivation:
    """The key-encryption key of a PBES2 ``alg`` from the password, ``p2s`` and ``p2c``."""
    if alg not in VARIANTS:
        raise AlgorithmError(
            "not a PBES2 algorithm",
            code="algorithm.family",
            expected="one of " + ", ".join(VARIANTS),
            found=repr(alg)[:40],
        )
    secret = password.encode("utf-8") if isinstance(password, str) else password
    secret = require_bytes(secret, "the PBES2 password")
    p2s = require_bytes(p2s, "p2s (the PBES2 salt input)")
    if len(p2s) < 8:
        raise HeaderError(
            "the PBES2 salt input 'p2s' is too short",
            code="header.p2s",
            expected="at least 8 bytes (RFC 7518 §4.8.1.1)",
            found=f"{len(p2s)} bytes",
        )
    if not isinstance(p2c, int) or isinstance(p2c, bool) or p2c < 1:
        raise InputError(
            "p2c must be a positive int",
            code="header.p2c",
            expected="e.g. 600000",
            found=repr(p2c)[:40],
        )
    hash_name, dk_len = VARIANTS[alg]
    rec = Recorder(steps)
    rec.add("p2s", p2s, "the salt input from the header", SPEC)
    salt = rec.add(
        "salt",
        salt_input(alg, p2s),
        f"the PBKDF2 salt: the algorithm name {alg!r}, a zero byte, then p2s",
        SPEC,
        inputs=("p2s",),
        operation="UTF8(alg) ‖ 0x00 ‖ p2s",
    )
    # HMAC with the password as key: the keyed inner/outer states are set up once.
    prf = hmac.new(secret, digestmod=hash_name)
    h_len = prf.digest_size
    blocks = -(-dk_len // h_len)
    out = b"".join(_block(prf, salt, i, p2c, h_len, hash_name, rec) for i in range(1, blocks + 1))
    key = rec.add(
        "derived_key",
        out[:dk_len],
        f"the {8 * dk_len}-bit AES Key Wrap key derived from the password",
        "RFC 7518 §4.8",
        inputs=tuple(f"T[{i}]" for i in range(1, blocks + 1)),
        operation=f"PBKDF2-HMAC-{hash_name.upper()}(P, salt, p2c={p2c}, dkLen={dk_len})",
    )
    return PBES2Derivation(steps=rec.steps, key=key, salt=salt)


def reference(password: bytes, alg: str, p2s: bytes, p2c: int) -> bytes:
    """The same key from :func:`hashlib.pbkdf2_hmac`, for comparison."""
    hash_name, dk_len = VARIANTS[alg]
    return hashlib.pbkdf2_hmac(hash_name, password, salt_input(alg, p2s), p2c, dk_len)


__all__ = ["VARIANTS", "PBES2Derivation", "derive", "reference", "salt_input"]
