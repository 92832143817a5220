"""The Concat KDF of NIST SP 800-56A §5.8.1, as JWA uses it for ECDH-ES (RFC 7518 §4.6.2).

    OtherInfo = AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo
    DerivedKey = first keydatalen bits of  H(1 || Z || OtherInfo) || H(2 || Z || OtherInfo) ...

with H = SHA-256, each of AlgorithmID, PartyUInfo and PartyVInfo prefixed by its length as a
32-bit big-endian integer, and SuppPubInfo the key length in bits as a 32-bit big-endian integer.
"""

from __future__ import annotations

import hashlib
import struct


def length_prefixed(data: bytes) -> bytes:
    """Datalen || Data: a 32-bit big-endian length, then the octets (RFC 7518 §4.6.2)."""
    return struct.pack(">I", len(data)) + data


def other_info(algorithm_id: str, apu: bytes, apv: bytes, key_bits: int) -> bytes:
    """AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo (SuppPrivInfo is empty)."""
    return (
        length_prefixed(algorithm_id.encode("ascii"))
        + length_prefixed(apu)
        + length_prefixed(apv)
        + struct.pack(">I", key_bits)
    )


def concat_kdf(shared_secret: bytes, info: bytes, key_bytes: int) -> bytes:
    """NIST SP 800-56A §5.8.1 single-step KDF with SHA-256."""
    output = b""
    counter = 1
    while len(output) < key_bytes:
        output += hashlib.sha256(struct.pack(">I", counter) + shared_secret + info).digest()
        counter += 1
    return output[:key_bytes]
