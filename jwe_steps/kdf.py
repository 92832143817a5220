"""The Concat KDF of NIST SP 800-56A §5.8.1, as JWA uses it for ECDH-ES (RFC 7518 §4.6.2).

    OtherInfo = AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo
    DerivedKey = first keydatalen bits of  H(1 || Z || OtherInfo) || H(2 || Z || OtherInfo) ...

with H = SHA-256, each of AlgorithmID, PartyUInfo and PartyVInfo prefixed by its length as a
32-bit big-endian integer, and SuppPubInfo the key length in bits as a 32-bit big-endian integer.
"""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives import hashes


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
    """NIST SP 800-56A §5.8.1 single-step KDF with SHA-256.

    The hash is ``cryptography``'s, the OpenSSL every other step of a request runs on:
    ``hashlib``'s, another copy of OpenSSL in the same process, made a whole ECDH-ES round
    trip 4-6% slower in ``benchmarks/`` (its code evicts the other's from the caches)."""
    if key_bytes <= _SHA256.digest_size:  # every JWA key but A256CBC-HS512's: one block
        digest = hashes.Hash(_SHA256)
        digest.update(_FIRST_COUNTER + shared_secret + info)
        return digest.finalize()[:key_bytes]
    output = b""
    counter = 1
    while len(output) < key_bytes:
        digest = hashes.Hash(_SHA256)
        digest.update(b"".join((struct.pack(">I", counter), shared_secret, info)))
        output += digest.finalize()
        counter += 1
    return output[:key_bytes]


_SHA256 = hashes.SHA256()  # an algorithm's name and sizes: no state, shared by every hash
_FIRST_COUNTER = struct.pack(">I", 1)
