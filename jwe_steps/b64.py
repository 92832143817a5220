"""Strict base64url (RFC 4648 §5 without padding, as RFC 7515 §2 requires).

One token, one meaning: a part is accepted only in its canonical form. That rules out
``=`` padding, the standard alphabet's ``+`` and ``/``, whitespace, and trailing bits that are
not zero (``"AB"`` and ``"AC"`` would otherwise decode to the same byte).
"""

from __future__ import annotations

import binascii
import io

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


# A part longer than this many characters (a multiple of 4) is decoded piece by piece into one
# growing buffer: a 64 MiB token then never holds its ASCII copy, its translated copy and a
# padded copy at once, only one piece of each, and the decoded bytes are not copied again.
_PIECE = 1 << 18


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
    return _decode_range(text, 0, len(text), part)


def b64url_decode_slice(text: str, start: int, end: int, *, part: str = "value") -> bytes:
    """``b64url_decode(text[start:end])``, without first copying that slice out of ``text``.

    A compact token's ciphertext is decoded where it lies in the token; error positions count
    from ``start``.
    """
    if not text.isascii():  # O(1) for str; only then may the range hold a foreign character
        return b64url_decode(text[start:end], part=part)
    return _decode_range(text, start, end, part)


def _decode_range(text: str, start: int, end: int, part: str) -> bytes:
    """Check ``text[start:end]`` is canonical base64url, then decode it."""
    padding_at = text.find("=", start, end)
    if padding_at >= 0:
        raise Base64urlError(
            f"{part} carries '=' padding",
            expected="unpadded base64url (RFC 7515 §2)",
            found=f"'=' at character {padding_at - start}",
            hint="Strip the trailing '=' characters on the sending side.",
        )
    standard = [i for i in (text.find("+", start, end), text.find("/", start, end)) if i >= 0]
    if standard:
        position = min(standard)
        raise Base64urlError(
            f"{part} uses the standard base64 alphabet",
            expected="base64url, with '-' and '_'",
            found=f"{text[position]!r} at character {position - start}",
            hint="Encode with base64url (RFC 4648 §5), not standard base64.",
        )
    length = end - start
    remainder = length % 4
    if remainder == 1:
        raise Base64urlError(
            f"{part} has an impossible length",
            expected="a length that is not 1 more than a multiple of 4",
            found=f"{length} characters",
            hint="A character was lost or added; check the part was copied whole.",
        )
    if remainder and text[end - 1] in _VALUE:
        unused_bits_mask = 0x0F if remainder == 2 else 0x03
        if _VALUE[text[end - 1]] & unused_bits_mask:
            raise Base64urlError(
                f"{part} is not canonical base64url",
                expected="the unused low bits of the last character to be zero",
                found=f"last character {text[end - 1]!r}",
                hint="Re-encode the bytes; a canonical encoder never sets those bits.",
            )
    whole = start == 0 and end == len(text)
    if length <= _PIECE:
        return _decode_piece(text if whole else text[start:end], 0, part)
    output = io.BytesIO()
    for piece_start in range(start, end, _PIECE):
        piece = text[piece_start : min(piece_start + _PIECE, end)]
        output.write(_decode_piece(piece, piece_start - start, part))
    return output.getvalue()  # the buffer itself, not a copy


def _decode_piece(piece: str, offset: int, part: str) -> bytes:
    """Decode one piece whose checks are done; ``offset`` places it in the part for errors."""
    try:
        raw = piece.encode("ascii")
    except UnicodeEncodeError:
        raw = None  # reported below with its position
    if raw is not None:
        try:
            return binascii.a2b_base64(
                raw.translate(_URL_TO_STD) + b"=" * (-len(raw) % 4), strict_mode=True
            )
        except binascii.Error:
            pass
    bad = _first_bad_character(piece)
    found = f"{bad[1]!r} at character {bad[0] + offset}" if bad else "malformed input"
    raise Base64urlError(
        f"{part} has a character outside the base64url alphabet",
        expected="only A-Z a-z 0-9 - _",
        found=found,
    )
