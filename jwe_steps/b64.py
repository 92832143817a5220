"""Strict base64url (RFC 4648 §5 without padding, as RFC 7515 §2 requires).

One token, one meaning: a part is accepted only in its canonical form. That rules out
``=`` padding, the standard alphabet's ``+`` and ``/``, whitespace, and trailing bits that are
not zero (``"AB"`` and ``"AC"`` would otherwise decode to the same byte).
"""

from __future__ import annotations

import binascii
import io
import re
from collections.abc import Iterator
from typing import NoReturn

from .errors import Base64urlError

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
# Decoding maps '-' and '_' to the standard alphabet's '+' and '/', and '+', '/' and '=' to
# '*', which the strict decoder refuses: one pass both translates and catches those three (the
# checks in _refuse then say which character it was, and where).
_URL_TO_STD = bytes.maketrans(b"-_+/=", b"+/***")
_STD_TO_URL = bytes.maketrans(b"+/", b"-_")
_FOREIGN = re.compile(r"[^A-Za-z0-9_-]")
_PADDING = (b"", b"===", b"==", b"=")  # by length % 4; "===" makes length 4n+1 fail as it must
_SPARE_BITS = (0, 0, 0x0F, 0x03)  # by length % 4: the low bits the last character must not set


# Longer input is encoded piece by piece (a multiple of 3 bytes, so only the last piece pads):
# the encoded bytes and their translated copy then exist one piece at a time, not whole.
_ENCODE_PIECE = 3 << 16


def b64url_encode(data: bytes | bytearray | memoryview) -> str:
    """BASE64URL(data): base64url with the trailing ``=`` removed."""
    if len(data) <= _ENCODE_PIECE:
        # One expression, so each intermediate is freed as soon as the next exists; the
        # translation also drops the padding, where rstrip would make one more copy.
        return binascii.b2a_base64(data, newline=False).translate(_STD_TO_URL, b"=").decode()
    return "".join([piece.decode() for piece in b64url_encode_pieces(data)])


def b64url_join(first: str, *parts: bytes) -> str:
    """``first`` and BASE64URL of each of ``parts``, joined by ``.``: a compact token from its
    encoded header and its other parts, in one call (what :func:`b64url_encode` does for
    each part, inline for the parts that fit in one piece)."""
    texts = [first]
    for part in parts:
        if len(part) > _ENCODE_PIECE:
            texts.append(b64url_encode(part))
        else:  # one expression, as in b64url_encode: each intermediate freed once used
            texts.append(
                binascii.b2a_base64(part, newline=False).translate(_STD_TO_URL, b"=").decode()
            )
    return ".".join(texts)


def b64url_encode_pieces(data: bytes | bytearray | memoryview) -> Iterator[bytes]:
    """BASE64URL(data) as ASCII bytes, in pieces of at most 256 KiB that join to the whole:
    a caller that puts the encoding inside a larger text (a JWS signing input) joins the
    pieces straight into it, so the encoding never exists whole on its own."""
    if len(data) <= _ENCODE_PIECE:
        yield binascii.b2a_base64(data, newline=False).translate(_STD_TO_URL, b"=")
        return
    view = memoryview(data).cast("B")
    for start in range(0, len(view), _ENCODE_PIECE):
        # One expression, so the untranslated piece is freed before the next is made; only
        # the last piece has padding.
        yield binascii.b2a_base64(view[start : start + _ENCODE_PIECE], newline=False).translate(
            _STD_TO_URL, b"="
        )


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
                code="base64url.character",
                expected="only the characters A-Z a-z 0-9 - _",
                found="a non-ASCII byte",
            ) from None
    if not isinstance(text, str):
        raise Base64urlError(
            f"{part} must be a string",
            code="base64url.type",
            expected="str",
            found=type(text).__name__,
        )
    if text.isascii():  # the usual case: b64url_decode_slice's one-piece path
        return b64url_decode_slice(text, 0, len(text), part=part)
    return _decode_range(text, 0, len(text), part)


def b64url_decode_slice(text: str, start: int, end: int, *, part: str = "value") -> bytes:
    """``b64url_decode(text[start:end])``, without first copying that slice out of ``text``.

    A compact token's ciphertext is decoded where it lies in the token; error positions count
    from ``start``.
    """
    if not text.isascii():  # O(1) for str; only then may the range hold a foreign character
        return b64url_decode(text[start:end], part=part)
    length = end - start
    if length <= _PIECE and not (length and _VALUE.get(text[end - 1], 0) & _SPARE_BITS[length % 4]):
        # A token's small parts (header, key, IV, tag): _decode_range's one-piece case, inline.
        try:
            return binascii.a2b_base64(
                text[start:end].encode("ascii").translate(_URL_TO_STD) + _PADDING[length % 4],
                strict_mode=True,
            )
        except binascii.Error:
            _refuse(text, start, end, part)
    return _decode_range(text, start, end, part)


def b64url_decode_quiet(text: str) -> bytes:
    """What :func:`b64url_decode` returns for ``text``; where it raises, this raises a bare
    ValueError (binascii.Error, UnicodeEncodeError), naming nothing. For the fast paths, which
    hand any input they cannot read to the general path, and that names the problem: four
    lines for a token's part, where b64url_decode's checks and its error's words are many."""
    length = len(text)
    if _VALUE.get(text[-1:], 0) & _SPARE_BITS[length & 3]:
        raise ValueError("non-zero trailing bits")
    return binascii.a2b_base64(
        text.encode("ascii").translate(_URL_TO_STD) + _PADDING[length & 3], strict_mode=True
    )


def _decode_range(text: str, start: int, end: int, part: str) -> bytes:
    """Decode ``text[start:end]``, or raise the Base64urlError that says what is wrong."""
    length = end - start
    if length and _VALUE.get(text[end - 1], 0) & _SPARE_BITS[length % 4]:
        _refuse(text, start, end, part)
    if length <= _PIECE:
        piece = text if start == 0 and end == len(text) else text[start:end]
        decoded = _decode_piece(piece, _PADDING[length % 4])
        if decoded is None:
            _refuse(text, start, end, part)
        return decoded
    output = io.BytesIO()
    for piece_start in range(start, end, _PIECE):
        piece_end = min(piece_start + _PIECE, end)
        decoded = _decode_piece(
            text[piece_start:piece_end], _PADDING[length % 4] if piece_end == end else b""
        )
        if decoded is None:
            _refuse(text, start, end, part)
        output.write(decoded)
    return output.getvalue()  # the buffer itself, not a copy


def decoded_length(characters: int) -> int:
    """How many bytes ``characters`` characters of unpadded base64url decode to."""
    return characters * 3 // 4


def b64url_decode_pieces(
    text: str, start: int, end: int, *, part: str = "value", piece: int = _PIECE
) -> Iterator[bytes]:
    """``b64url_decode(text[start:end])`` as consecutive pieces of at most ``piece * 3 // 4``
    bytes, each decoded when it is asked for: a streaming cipher can consume a large part
    without its bytes ever existing whole. Exactly as strict as :func:`b64url_decode`; an
    error is raised when the piece that holds the problem is reached (the length and the last
    character are checked before the first piece)."""
    if piece % 4:
        raise ValueError("a piece must be a multiple of 4 characters")
    length = end - start
    if length % 4 == 1 or (length and _VALUE.get(text[end - 1], 0) & _SPARE_BITS[length % 4]):
        _refuse(text, start, end, part)
    for piece_start in range(start, end, piece):
        piece_end = min(piece_start + piece, end)
        decoded = _decode_piece(
            text[piece_start:piece_end], _PADDING[length % 4] if piece_end == end else b""
        )
        if decoded is None:
            _refuse(text, start, end, part)
        yield decoded


def _decode_piece(piece: str, padding: bytes) -> bytes | None:
    """The bytes of ``piece``, or None when it is not base64url."""
    try:
        return binascii.a2b_base64(
            piece.encode("ascii").translate(_URL_TO_STD) + padding, strict_mode=True
        )
    except (UnicodeEncodeError, binascii.Error):
        return None


def _refuse(text: str, start: int, end: int, part: str) -> NoReturn:
    """Raise the error that names the first problem of ``text[start:end]``, which did not
    decode: padding, the standard alphabet, the length, trailing bits, a foreign character."""
    padding_at = text.find("=", start, end)
    if padding_at >= 0:
        raise Base64urlError(
            f"{part} carries '=' padding",
            code="base64url.padding",
            expected="unpadded base64url (RFC 7515 §2)",
            found=f"'=' at character {padding_at - start}",
            hint="Strip the trailing '=' characters on the sending side.",
        )
    standard = [i for i in (text.find("+", start, end), text.find("/", start, end)) if i >= 0]
    if standard:
        position = min(standard)
        raise Base64urlError(
            f"{part} uses the standard base64 alphabet",
            code="base64url.alphabet",
            expected="base64url, with '-' and '_'",
            found=f"{text[position]!r} at character {position - start}",
            hint="Encode with base64url (RFC 4648 §5), not standard base64.",
        )
    length = end - start
    if length % 4 == 1:
        raise Base64urlError(
            f"{part} has an impossible length",
            code="base64url.length",
            expected="a length that is not 1 more than a multiple of 4",
            found=f"{length} character{'' if length == 1 else 's'}",
            hint="A character was lost or added; check the part was copied whole.",
        )
    if length and _VALUE.get(text[end - 1], 0) & _SPARE_BITS[length % 4]:
        raise Base64urlError(
            f"{part} is not canonical base64url",
            code="base64url.noncanonical",
            expected="the unused low bits of the last character to be zero",
            found=f"last character {text[end - 1]!r}",
            hint="Re-encode the bytes; a canonical encoder never sets those bits.",
        )
    foreign = _FOREIGN.search(text, start, end)
    raise Base64urlError(
        f"{part} has a character outside the base64url alphabet",
        code="base64url.character",
        expected="only A-Z a-z 0-9 - _",
        found="malformed input"
        if foreign is None
        else f"{foreign.group()!r} at character {foreign.start() - start}",
    )
