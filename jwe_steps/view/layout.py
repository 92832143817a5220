"""What each part of a JWE must look like for its ``alg`` and ``enc``, read from the registry.

The sizes come from the registered algorithms (``iv_size``, ``tag_size``, ``key_size``,
``family``, ``mode``), never from their names. A part whose length does not fit its algorithms
is not explained by any field: :func:`part_problem` says why, and the annotated-bytes view leaves
its bytes unlabelled so that :func:`jwe_steps.view.unexplained_bytes` reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import algorithms as registry
from ..algorithms import ContentEncryption, KeyManagement, Mode
from ..b64 import b64url_decode
from ..errors import JWEError

AES_BLOCK = 16  # bytes: the CBC ciphertext is whole blocks, AES Key Wrap adds one 64-bit block
KEY_WRAP_OVERHEAD = 8  # RFC 3394 §2.2.1: the wrapped key is the key plus the 64-bit check value
RSA_MIN_BYTES = 256  # RFC 7518 §4.2, §4.3: "A key of size 2048 bits or larger MUST be used"
RSA_MAX_BYTES = 2048  # a 16384-bit modulus; nothing larger is a key anyone uses
GCM_KW_IV, GCM_KW_TAG = 12, 16  # RFC 7518 §4.7.1.1, §4.7.1.2: the header's "iv" and "tag"

# The header parameters each key-management family needs (RFC 7518 §4.6.1, §4.7.1, §4.8.1).
REQUIRED_MEMBERS: dict[str, tuple[str, ...]] = {
    "aes_gcm_kw": ("iv", "tag"),
    "pbes2": ("p2s", "p2c"),
    "ecdh_es": ("epk",),
}
DIRECT_MODES = frozenset({Mode.DIRECT_ENCRYPTION, Mode.DIRECT_KEY_AGREEMENT})
WRAPPING_MODES = frozenset({Mode.KEY_WRAPPING, Mode.KEY_AGREEMENT_WITH_KEY_WRAPPING})


@dataclass(frozen=True)
class Algorithms:
    """The registered ``alg`` and ``enc`` a header names (None, with the reason, when not)."""

    alg: KeyManagement | None
    enc: ContentEncryption | None
    alg_problem: str = ""
    enc_problem: str = ""


def _lookup(table: Mapping[str, Any], header: Mapping[str, Any], member: str) -> tuple[Any, str]:
    if member not in header:
        return None, f"the header has no '{member}' member"
    name = header[member]
    if not isinstance(name, str) or name not in table:
        return None, f"'{member}' {str(name)[:40]!r} is not a registered algorithm"
    return table[name], ""


def algorithms_of(header: Mapping[str, Any]) -> Algorithms:
    alg, alg_problem = _lookup(registry.KEY_MANAGEMENT, header, "alg")
    enc, enc_problem = _lookup(registry.CONTENT_ENCRYPTION, header, "enc")
    return Algorithms(alg, enc, alg_problem, enc_problem)


def member_problems(header: Mapping[str, Any]) -> list[str]:
    """Header members the alg needs that are missing or of the wrong size."""
    found = algorithms_of(header)
    if found.alg is None:
        return []
    problems = []
    for member in REQUIRED_MEMBERS.get(found.alg.family, ()):
        if member not in header:
            problems.append(f"{found.alg.name} needs the header member '{member}'")
    if found.alg.family == "aes_gcm_kw":
        for member, size in (("iv", GCM_KW_IV), ("tag", GCM_KW_TAG)):
            value = header.get(member)
            if isinstance(value, str):
                try:
                    length = len(b64url_decode(value, part=member))
                except JWEError:
                    length = -1
                if length != size:
                    problems.append(f"{found.alg.name}: header '{member}' must be {size} bytes")
    return problems


def _encrypted_key_problem(size: int, found: Algorithms, modulus_bytes: int | None) -> str | None:
    alg, enc = found.alg, found.enc
    if alg is None:
        return found.alg_problem
    if alg.mode in DIRECT_MODES:
        return None if size == 0 else f"{alg.name} sends no encrypted key, but it has {size} bytes"
    if alg.mode is Mode.KEY_ENCRYPTION:
        if modulus_bytes is not None and size != modulus_bytes:
            return f"{alg.name}: expected {modulus_bytes} bytes (the modulus), found {size}"
        if not RSA_MIN_BYTES <= size <= RSA_MAX_BYTES:
            return (
                f"{alg.name}: an RSA ciphertext is as long as the modulus, at least "
                f"{RSA_MIN_BYTES} bytes (2048 bits); found {size}"
            )
        return None
    if enc is None:
        return f"the CEK size is unknown: {found.enc_problem}"
    if alg.family == "aes_gcm_kw":
        wanted = enc.key_size  # GCM is a stream cipher: the encrypted CEK is as long as the CEK
    elif alg.mode in WRAPPING_MODES:
        wanted = enc.key_size + KEY_WRAP_OVERHEAD
    else:
        return None
    if size != wanted:
        return f"{alg.name} with {enc.name}: expected {wanted} bytes, found {size}"
    return None


def _ciphertext_problem(size: int, enc: ContentEncryption, content_size: int | None) -> str | None:
    if enc.family == "aes_cbc_hmac":
        if size == 0 or size % AES_BLOCK:
            return f"{enc.name}: the ciphertext is whole 16-byte blocks, found {size} bytes"
        if content_size is not None and size != AES_BLOCK * (content_size // AES_BLOCK + 1):
            return f"{enc.name}: {content_size} content bytes pad to a different length than {size}"
        return None
    if content_size is not None and size != content_size:
        return f"{enc.name}: the ciphertext is as long as the content ({content_size}), not {size}"
    return None


def part_problem(
    name: str,
    size: int,
    header: Mapping[str, Any],
    *,
    content_size: int | None = None,
    modulus_bytes: int | None = None,
) -> str | None:
    """Why part ``name`` of ``size`` bytes does not fit the header's alg and enc (None if it does).

    ``content_size`` (the plaintext, or compressed plaintext, length) and ``modulus_bytes`` (the
    RSA key's) tighten the check when the trace recorded them.
    """
    found = algorithms_of(header)
    if name == "encrypted_key":
        return _encrypted_key_problem(size, found, modulus_bytes)
    if name not in {"iv", "ciphertext", "tag"}:
        return None
    enc = found.enc
    if enc is None:
        return found.enc_problem
    if name == "iv" and size != enc.iv_size:
        return f"{enc.name}: expected a {enc.iv_size}-byte IV, found {size} bytes"
    if name == "tag" and size != enc.tag_size:
        return f"{enc.name}: expected a {enc.tag_size}-byte tag, found {size} bytes"
    if name == "ciphertext":
        return _ciphertext_problem(size, enc, content_size)
    return None


__all__ = [
    "Algorithms",
    "algorithms_of",
    "member_problems",
    "part_problem",
]
