"""Tampering, as an operation on the model: change one bit (or one part) of a compact token,
then ask the pipeline which stage rejects it.

These are the operations behind :class:`jwe_steps.widgets.TamperLab` and the tamper-lab
exercises; they make new tokens and call :func:`jwe_steps.explain`, and draw nothing.

    >>> tampered = flip_bit(token, "ciphertext", 0, 0)
    >>> explain(tampered, key).failed_stage
    'content_decryption'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .b64 import b64url_decode, b64url_encode

if TYPE_CHECKING:
    from .keys import Key

# The five parts of a compact JWE, in order (RFC 7516 §7.1), and how to name them in a message.
PARTS = ("protected_header", "encrypted_key", "iv", "ciphertext", "tag")
LABELS = {
    "protected_header": "protected header",
    "encrypted_key": "encrypted key",
    "iv": "IV",
    "ciphertext": "ciphertext",
    "tag": "authentication tag",
}


def _index(part_name: str) -> int:
    if part_name not in PARTS:
        raise ValueError(f"a compact JWE has the parts {', '.join(PARTS)}; not {part_name!r}")
    return PARTS.index(part_name)


def flip_bit(token: str, part_name: str, byte: int, bit: int) -> str:
    """``token`` (compact) with bit ``bit`` (0 = least significant) of byte ``byte`` of part
    ``part_name`` flipped, the part re-encoded as canonical base64url."""
    parts = token.split(".")
    index = _index(part_name)
    data = bytearray(b64url_decode(parts[index], part=part_name))
    if not 0 <= byte < len(data):
        raise ValueError(f"the {LABELS[part_name]} has {len(data)} bytes; byte {byte} is not one")
    if not 0 <= bit < 8:
        raise ValueError(f"a byte has bits 0-7; bit {bit} is not one")
    data[byte] ^= 1 << bit
    parts[index] = b64url_encode(bytes(data))
    return ".".join(parts)


def replace_part(token: str, part_name: str, text: str) -> str:
    """``token`` (compact) with part ``part_name`` replaced by ``text`` as typed."""
    parts = token.split(".")
    parts[_index(part_name)] = text
    return ".".join(parts)


def first_bit_flips(
    token: str, key: Key, *, algorithms: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """For each part: the stage that rejects ``token`` when bit 0 of the part's first byte flips
    ("accepted" if it still decrypts, "nothing to flip (empty part)" for an empty part)."""
    from .explanation import explain

    allowed: Any = list(algorithms) if algorithms is not None else None
    rows = []
    for name, text in zip(PARTS, token.split("."), strict=False):
        if not b64url_decode(text, part=name):
            rows.append((name, "nothing to flip (empty part)"))
            continue
        result = explain(flip_bit(token, name, 0, 0), key, algorithms=allowed)
        rows.append((name, "accepted" if result.ok else str(result.failed_stage)))
    return rows


__all__ = ["LABELS", "PARTS", "first_bit_flips", "flip_bit", "replace_part"]
