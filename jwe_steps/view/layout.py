"""What each part of a JWE must look like for its ``alg`` and ``enc``, read from the registry.

The sizes come from the registered algorithms (``iv_size``, ``tag_size``, ``key_size``,
``block_size``, ``encrypted_key_kind`` and ``encrypted_key_size()``, ``header_params`` and
``header_param_sizes``), never from their names. A part whose length does not fit its algorithms
is not explained by any field: :func:`part_problem` says why, and the annotated-bytes view leaves
its bytes unlabelled so that :func:`jwe_steps.view.unexplained_bytes` reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import algorithms as registry
from ..algorithms import ContentEncryption, KeyManagement
from ..b64 import b64url_decode
from ..errors import JWEError
from .format import brief

RSA_MIN_BYTES = 256  # RFC 7518 §4.2, §4.3: "A key of size 2048 bits or larger MUST be used"
RSA_MAX_BYTES = 2048  # a 16384-bit modulus; nothing larger is a key anyone uses


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
        return None, f"'{member}' {brief(name, 40)!r} is not a registered algorithm"
    return table[name], ""


def algorithms_of(header: Mapping[str, Any]) -> Algorithms:
    alg, alg_problem = _lookup(registry.KEY_MANAGEMENT, header, "alg")
    enc, enc_problem = _lookup(registry.CONTENT_ENCRYPTION, header, "enc")
    return Algorithms(alg, enc, alg_problem, enc_problem)


def member_problems(header: Mapping[str, Any]) -> list[str]:
    """Header members the alg needs (its ``header_params``) that are missing, or whose decoded
    length differs from its ``header_param_sizes``."""
    alg = algorithms_of(header).alg
    if alg is None:
        return []
    problems = [
        f"{alg.name} needs the header member '{member}'"
        for member in alg.header_params
        if member not in header
    ]
    for member, size in alg.header_param_sizes.items():
        value = header.get(member)
        if isinstance(value, str):
            try:
                length = len(b64url_decode(value, part=member))
            except JWEError:
                length = -1
            if length != size:
                problems.append(f"{alg.name}: header '{member}' must be {size} bytes")
    return problems


def _encrypted_key_problem(size: int, found: Algorithms, modulus_bytes: int | None) -> str | None:
    alg, enc = found.alg, found.enc
    if alg is None:
        return found.alg_problem
    if alg.encrypted_key_kind == "empty":
        return None if size == 0 else f"{alg.name} sends no encrypted key, but it has {size} bytes"
    if alg.encrypted_key_kind == "rsa_ciphertext":
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
    wanted = alg.encrypted_key_size(enc.key_size)
    if wanted is not None and size != wanted:
        return f"{alg.name} with {enc.name}: expected {wanted} bytes, found {size}"
    return None


def _ciphertext_problem(size: int, enc: ContentEncryption, content_size: int | None) -> str | None:
    block = enc.block_size
    if enc.family == "aes_cbc_hmac":  # PKCS #7 padding: whole blocks, at least one
        if size == 0 or size % block:
            return f"{enc.name}: the ciphertext is whole {block}-byte blocks, found {size} bytes"
        if content_size is not None and size != block * (content_size // block + 1):
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
