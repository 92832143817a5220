"""Exercises for notebooks/08_algorithm_zoo.ipynb.

q1 takes SHA-384's digest size from ``cryptography``; q2, q3 and q4 build AL, the Concat KDF
OtherInfo and the PBES2 salt field by field with ``struct`` and ``base64`` from RFC 7518 §5.2.2.1,
§4.6.2 and §4.8.1.1. No checker uses jwe_steps' own KDF or CBC-HMAC code.
"""

from __future__ import annotations

import base64
import struct

from cryptography.hazmat.primitives import hashes

from . import Exercise, equals

Q4_P2S = "c2FsdHNhbHQ"


def _q3_expected() -> bytes:
    """OtherInfo for ECDH-ES+A256KW, no apu/apv, built field by field from RFC 7518 §4.6.2."""
    algorithm_id = b"ECDH-ES+A256KW"
    return (
        struct.pack(">I", len(algorithm_id))
        + algorithm_id
        + struct.pack(">I", 0)  # PartyUInfo: an empty apu still has its length
        + struct.pack(">I", 0)  # PartyVInfo
        + struct.pack(">I", 256)  # SuppPubInfo: the A256KW key length in bits
    )


def _q3_mistake(answer: bytes) -> str:
    answer = bytes(answer)
    if b"A256GCM" in answer or b"A128GCM" in answer:
        return "With key wrapping, AlgorithmID is the alg value, not enc."
    if answer.endswith(struct.pack(">I", 32)):
        return "SuppPubInfo is the key length in bits, not bytes."
    if len(answer) == len(_q3_expected()) - 8:
        return "Empty PartyUInfo and PartyVInfo still carry their 4-byte lengths."
    return "Right type, wrong value."


def _q4_expected() -> bytes:
    return b"PBES2-HS512+A256KW" + b"\x00" + base64.urlsafe_b64decode(Q4_P2S + "=")


def _q4_mistake(answer: bytes) -> str:
    answer = bytes(answer)
    if answer.endswith(Q4_P2S.encode("ascii")):
        return "p2s is base64url in the header: decode it before appending."
    if b"\x00" not in answer:
        return "The algorithm name and the salt are separated by one zero byte."
    return "Right type, wrong value."


q1 = Exercise(
    1,
    "For A192CBC-HS384, how many bytes long is the authentication tag? (an int)",
    equals(lambda: hashes.SHA384.digest_size // 2),
    "T is the HMAC output truncated to half. How long is a SHA-384 digest, in bytes?",
    "answer = 384 // 8 // 2",
)

q2 = Exercise(
    2,
    "Compute AL for an AAD of 100 bytes: the 8 bytes at the end of the HMAC input. (bytes)",
    equals(
        lambda: (100 * 8).to_bytes(8, "big"),
        lambda answer: (
            "AL counts bits, not bytes."
            if bytes(answer) == (100).to_bytes(8, "big")
            else "It is a 64-bit big-endian integer, most significant byte first."
        ),
    ),
    "RFC 7518 §5.2.2.1 step 4: the number of bits in the AAD, as a 64-bit big-endian integer.",
    "answer = (100 * 8).to_bytes(8, 'big')",
)

q3 = Exercise(
    3,
    "Build the Concat KDF OtherInfo for ECDH-ES+A256KW with no apu and no apv. (bytes)",
    equals(_q3_expected, _q3_mistake),
    "Four fields: len32(AlgorithmID) || AlgorithmID, len32(apu) || apu, len32(apv) || apv, and "
    "the derived key's length in bits as 32 bits. With key wrapping, AlgorithmID is the alg.",
    "name = b'ECDH-ES+A256KW'\n"
    "answer = (len(name).to_bytes(4, 'big') + name + (0).to_bytes(4, 'big')\n"
    "          + (0).to_bytes(4, 'big') + (256).to_bytes(4, 'big'))",
)

q4 = Exercise(
    4,
    f"Compute the PBKDF2 salt for PBES2-HS512+A256KW with p2s {Q4_P2S!r}. (bytes)",
    equals(_q4_expected, _q4_mistake),
    "RFC 7518 §4.8.1.1: UTF8(alg) || 0x00 || the decoded p2s.",
    "import base64\n"
    "p2s = base64.urlsafe_b64decode('c2FsdHNhbHQ' + '=')\n"
    "answer = b'PBES2-HS512+A256KW' + b'\\x00' + p2s",
)

EXERCISES = [q1, q2, q3, q4]
