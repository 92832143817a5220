"""Strict base64url (RFC 4648 §5 without padding, as RFC 7515 §2 requires).

One token, one meaning: a part is accepted only in its canonical form. That rules out
``=`` padding, the standard alphabet's ``+`` and ``/``, whitespace, and trailing bits that are
not zero (``"AB"`` and ``"AC"`` would otherwise decode to the same byte).
"""

from __future__ import annotations

import binascii

from .errors import Base64urlError

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_URL_TO_STD = bytes.maketrans(b"-_", b"+/")
_STD_TO_URL = bytes.maketrans(b"+/", b"-_")


def b64url_encode(data: bytes | bytearray | memoryview) -> str:
    """BASE64URL(data): base64url with the trailing ``=`` removed."""
    # One expression, so each large intermediate is freed as soon as the next exists.
    return binascii.b2a_base64(data, newline=False).translate(_STD_TO_URL).rstrip(b"=").decode()


def _first_bad_character(text: str) -> tuple[int, str] | None:
    for position, char in enumerate(text):
        if char not in _VALUE:
            return position, char
    return None


def b64url_decode(text: str | bytes, *, part: str = "value") -> bytes:
    """Decode strict base64url, naming ``part`` in any error.

    Raises:
        Base64urlError: padding, a character outside ``A-Z a-z 0-9 - _``, an impossible
            length, or non-zero trailing bits.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError:
            raise Base64urlError(
                f"{part} is not ASCII",
                expected="only the characters A-Z a-z 0-9 - _",
                found="a non-ASCII byte",
            ) from None
    if not isinstance(text, str):
        raise Base64urlError(f"{part} must be a string", expected="str", found=type(text).__name__)
    if "=" in text:
        raise Base64urlError(
            f"{part} carries '=' padding",
            expected="unpadded base64url (RFC 7515 §2)",
            found=f"'=' at character {text.index('=')}",
            hint="Strip the trailing '=' characters on the sending side.",
        )
    if "+" in text or "/" in text:
        position = min(i for i in (text.find("+"), text.find("/")) if i >= 0)
        raise Base64urlError(
            f"{part} uses the standard base64 alphabet",
            expected="base64url, with '-' and '_'",
            found=f"{text[position]!r} at character {position}",
            hint="Encode with base64url (RFC 4648 §5), not standard base64.",
        )
    remainder = len(text) % 4
    if remainder == 1:
        raise Base64urlError(
            f"{part} has an impossible length",
            expected="a length that is not 1 more than a multiple of 4",
            found=f"{len(text)} characters",
            hint="A character was lost or added; check the part was copied whole.",
        )
    if remainder and text[-1] in _VALUE:
        unused_bits_mask = 0x0F if remainder == 2 else 0x03
        if _VALUE[text[-1]] & unused_bits_mask:
            raise Base64urlError(
                f"{part} is not canonical base64url",
                expected="the unused low bits of the last character to be zero",
                found=f"last character {text[-1]!r}",
                hint="Re-encode the bytes; a canonical encoder never sets those bits.",
            )
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raw = b""  # reported below with its position
    if not raw and text:
        bad = _first_bad_character(text)
        assert bad is not None
        raise Base64urlError(
            f"{part} has a character outside the base64url alphabet",
            expected="only A-Z a-z 0-9 - _",
            found=f"{bad[1]!r} at character {bad[0]}",
        )
    padded = raw.translate(_URL_TO_STD) + b"=" * (-len(raw) % 4)
    try:
        return binascii.a2b_base64(padded, strict_mode=True)
    except binascii.Error:
        bad = _first_bad_character(text)
        found = f"{bad[1]!r} at character {bad[0]}" if bad else "malformed input"
        raise Base64urlError(
            f"{part} has a character outside the base64url alphabet",
            expected="only A-Z a-z 0-9 - _",
            found=found,
        ) from None
