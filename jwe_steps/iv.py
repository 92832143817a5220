"""The Initialization Vector (RFC 7516 §5.1 step 9, RFC 7518 §5.2.2 / §5.3)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .errors import IVLengthError

if TYPE_CHECKING:
    from .algorithms import ContentEncryption


def generate_iv(enc: ContentEncryption) -> bytes:
    """A fresh random IV of the size ``enc`` needs (96 bits for AES-GCM)."""
    return os.urandom(enc.iv_size)


def check_iv_length(iv: bytes, enc: ContentEncryption) -> None:
    """Raise IVLengthError unless ``iv`` has exactly the length ``enc`` uses."""
    if len(iv) != enc.iv_size:
        raise IVLengthError(
            f"the IV does not fit {enc.name}",
            code="iv.length",
            expected=f"{enc.iv_size} bytes ({8 * enc.iv_size} bits)",
            found=f"{len(iv)} bytes",
        )
