"""The Content Encryption Key (RFC 7516 §5.1 step 2, §5.2 step 9)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .errors import CEKLengthError

if TYPE_CHECKING:
    from .algorithms import ContentEncryption


def generate_cek(enc: ContentEncryption) -> bytes:
    """A fresh random CEK of the size ``enc`` needs."""
    return os.urandom(enc.key_size)


def check_cek_length(cek: bytes, enc: ContentEncryption) -> None:
    """Raise CEKLengthError unless ``cek`` has exactly the length ``enc`` needs."""
    if len(cek) != enc.key_size:
        raise CEKLengthError(
            f"the CEK does not fit {enc.name}",
            code="cek.length",
            expected=f"{enc.key_size} bytes ({8 * enc.key_size} bits)",
            found=f"{len(cek)} bytes",
            hint=f"{enc.name} needs a {8 * enc.key_size}-bit key.",
        )
