"""The Concat KDF of ECDH-ES from scratch (RFC 7518 §4.6.2, NIST SP 800-56A §5.8.1).

    AlgorithmID = [len]₃₂ ‖ alg     the enc name (ECDH-ES) or the alg name (ECDH-ES+AxxxKW)
    PartyUInfo  = [len]₃₂ ‖ apu     the decoded "apu" header member (may be empty)
    PartyVInfo  = [len]₃₂ ‖ apv     the decoded "apv" header member (may be empty)
    SuppPubInfo = [keydatalen]₃₂    the key length in bits
    SuppPrivInfo = empty
    OtherInfo   = AlgorithmID ‖ PartyUInfo ‖ PartyVInfo ‖ SuppPubInfo ‖ SuppPrivInfo
    K(i)        = SHA-256([i]₃₂ ‖ Z ‖ OtherInfo)   for i = 1 … ⌈keydatalen / 256⌉
    DerivedKey  = the first keydatalen bits of K(1) ‖ K(2) ‖ …

Built on hashlib only. Z is the ECDH shared secret (the x-coordinate, or the X25519/X448 output).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..errors import InputError
from ..trace import Step
from ._common import Computation, Recorder, require_bytes

SPEC = "RFC 7518 §4.6.2"
NIST = "NIST SP 800-56A §5.8.1"
HASH_BITS = 256


@dataclass
class ConcatKDF(Computation):
    """``concat_kdf.derive`` result: ``.key`` and ``.steps``."""

    key: bytes = b""


def _length_prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def other_info(algorithm: str, key_bits: int, apu: bytes = b"", apv: bytes = b"") -> bytes:
    """OtherInfo for ``algorithm`` (no steps recorded)."""
    return (
        _length_prefixed(algorithm.encode("utf-8"))
        + _length_prefixed(apu)
        + _length_prefixed(apv)
        + key_bits.to_bytes(4, "big")
    )


def _other_info(algorithm: str, apu: bytes, apv: bytes, key_bits: int, rec: Recorder) -> bytes:
    """RFC 7518 §4.6.2: each OtherInfo field, length-prefixed, and their concatenation."""
    alg = algorithm.encode("utf-8")
    algorithm_id = rec.add(
        "AlgorithmID",
        _length_prefixed(alg),
        f"the algorithm: a 32-bit big-endian length ({len(alg)}) then the bytes of {algorithm!r}",
        f"{SPEC}.1",
        operation="[len(alg)]₃₂ ‖ UTF8(alg)",
    )
    party_u = rec.add(
        "PartyUInfo",
        _length_prefixed(apu),
        f"the producer's info: a 32-bit length ({len(apu)}) then the decoded apu",
        f"{SPEC}.2",
        inputs=("apu",),
        operation="[len(apu)]₃₂ ‖ apu",
    )
    party_v = rec.add(
        "PartyVInfo",
        _length_prefixed(apv),
        f"the recipient's info: a 32-bit length ({len(apv)}) then the decoded apv",
        f"{SPEC}.3",
        inputs=("apv",),
        operation="[len(apv)]₃₂ ‖ apv",
    )
    supp_pub = rec.add(
        "SuppPubInfo",
        key_bits.to_bytes(4, "big"),
        f"keydatalen: the derived key's length in bits ({key_bits}), 32-bit big-endian",
        f"{SPEC}.4",
        operation="[keydatalen]₃₂",
    )
    supp_priv = rec.add("SuppPrivInfo", b"", "SuppPrivInfo: empty in JWE", f"{SPEC}.5")
    info = rec.add(
        "OtherInfo",
        algorithm_id + party_u + party_v + supp_pub + supp_priv,
        "OtherInfo: the five fields concatenated",
        f"{NIST}",
        inputs=("AlgorithmID", "PartyUInfo", "PartyVInfo", "SuppPubInfo", "SuppPrivInfo"),
        operation="AlgorithmID ‖ PartyUInfo ‖ PartyVInfo ‖ SuppPubInfo ‖ SuppPrivInfo",
    )
    return info


def _derive_key(z: bytes, info: bytes, key_bits: int, rec: Recorder) -> bytes:
    """NIST SP 800-56A §5.8.1: one SHA-256 round per 256 bits, the output truncated."""
    rounds = -(-key_bits // HASH_BITS)
    output = b""
    for i in range(1, rounds + 1):
        output += rec.add(
            f"K[{i}]",
            hashlib.sha256(i.to_bytes(4, "big") + z + info).digest(),
            f"round {i} of {rounds}: SHA-256 of the counter {i}, Z and OtherInfo",
            NIST,
            inputs=("Z", "OtherInfo"),
            operation=f"SHA-256([{i}]₃₂ ‖ Z ‖ OtherInfo)",
            detail={"index": i},
        )
    key = rec.add(
        "DerivedKey",
        output[: key_bits // 8],
        f"the derived key: the first {key_bits} bits of the hash output",
        NIST,
        inputs=tuple(f"K[{i}]" for i in range(1, rounds + 1)),
        operation=f"(K[1] ‖ … ‖ K[{rounds}])[0:{key_bits // 8}]",
    )
    return key


def derive(
    z: bytes,
    algorithm: str,
    key_bits: int,
    apu: bytes = b"",
    apv: bytes = b"",
    *,
    steps: list[Step] | None = None,
) -> ConcatKDF:
    """Derive ``key_bits`` bits from the shared secret ``z`` (RFC 7518 §4.6.2).

    Args:
        z: the ECDH shared secret Z.
        algorithm: the AlgorithmID string: ``enc`` for ECDH-ES, ``alg`` for ECDH-ES+AxxxKW.
        key_bits: keydatalen, a positive multiple of 8.
        apu, apv: PartyUInfo / PartyVInfo, already base64url-decoded.
    """
    z = require_bytes(z, "the shared secret Z")
    apu = require_bytes(apu, "apu (PartyUInfo)")
    apv = require_bytes(apv, "apv (PartyVInfo)")
    if not isinstance(algorithm, str):
        raise InputError(
            "the AlgorithmID must be a str", code="input.type", found=type(algorithm).__name__
        )
    if not isinstance(key_bits, int) or key_bits <= 0 or key_bits % 8:
        raise InputError(
            "keydatalen must be a positive number of whole bytes, in bits",
            code="input.key_bits",
            expected="e.g. 128, 192 or 256",
            found=repr(key_bits),
        )
    rec = Recorder(steps)
    info = _other_info(algorithm, apu, apv, key_bits, rec)
    key = _derive_key(z, info, key_bits, rec)
    return ConcatKDF(steps=rec.steps, key=key)


__all__ = ["ConcatKDF", "derive", "other_info"]
