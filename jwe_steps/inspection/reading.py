"""Reading the input: as text, unwrapped (whitespace, quotes), each part as strict base64url,
and the protected header as strict JSON."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from .. import strict_json
from ..errors import HeaderError
from .model import _Builder

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_NOT_BASE64URL = re.compile(r"[^A-Za-z0-9_-]")
_WHITESPACE = re.compile(r"\s")


# ---------------------------------------------------------------- the input as text


def _as_text(token: Any, out: _Builder) -> str | None:
    if isinstance(token, bytes | bytearray | memoryview):
        raw = bytes(token)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            out.find(
                "format.not_utf8",
                "error",
                f"the input is not text: byte 0x{raw[error.start]:02x} at offset {error.start} "
                "is not UTF-8",
                "A JWE is ASCII text; check it was not saved as binary or in another encoding.",
            )
            return raw.decode("utf-8", "replace")
        return text
    if isinstance(token, str):
        return token
    out.find("format.type", "error", f"a token is text, not {type(token).__name__}")
    return None


def _unwrap(text: str, out: _Builder) -> str:
    """Strip what surrounds a token (whitespace, JSON quotes), reporting each; inner whitespace
    is reported and removed so the rest can still be read. Whitespace around a JSON
    serialization is JSON's own, and decrypt() reads it: nothing to report."""
    stripped = text.strip()
    if stripped != text and not stripped.startswith("{"):
        trailing = text[len(text.rstrip()) :]
        if text.lstrip() == text and trailing in ("\n", "\r\n"):
            # A file's or echo's final line break: `jwe-steps decrypt` reads it as the end of
            # the line, but decrypt() and a server receive it as part of the token, and
            # `jwe-steps explain` reads stdin as a server does.
            ending = "CRLF" if trailing == "\r\n" else "LF"
            out.find(
                "format.whitespace",
                "warning",
                f"the token ends with a line break ({ending}): `jwe-steps decrypt` reads past "
                "it, but decrypt() and a server refuse it as part of the token, and `jwe-steps "
                "explain` reports it as they would (RFC 7516 §7.1)",
                "Send the token without it: echo -n, printf '%s', or .strip().",
            )
        else:
            out.find(
                "format.whitespace",
                "error",
                "the token has whitespace before or after it, which is not part of a JWE "
                "(RFC 7516 §7.1)",
                "Strip it before sending: .strip(); a server refuses it (format.whitespace).",
            )
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        try:
            unquoted = json.loads(stripped)
        except ValueError:
            unquoted = stripped[1:-1]
        if not isinstance(unquoted, str):
            unquoted = stripped[1:-1]
        out.find(
            "format.quoted",
            "error",
            "the token is wrapped in double quotes: it was copied as a JSON string",
            "Send the string's value, not its JSON encoding: parse the JSON it came in, or "
            "drop the surrounding quotes.",
        )
        stripped = unquoted.strip()
    if not stripped.startswith("{") and _WHITESPACE.search(stripped):
        out.find(
            "format.whitespace",
            "error",
            "the token has whitespace inside it (a line-wrapped copy?); read here without it",
            "Remove every space and line break from the token.",
        )
        stripped = _WHITESPACE.sub("", stripped)
    return stripped


# ---------------------------------------------------------------- base64url, one part


def _base64url(name: str, text: str, out: _Builder) -> int | None:
    """The decoded length of one part, reporting each way it is not strict base64url.

    Lengths are computed, not decoded, so a 16 MiB ciphertext costs one regular-expression scan.
    """
    body = text
    if body.endswith("="):
        body = body.rstrip("=")
        out.find(
            "base64url.padding",
            "error",
            f"the {name} ends with '=' padding, which base64url in JOSE omits (RFC 7515 §2)",
            "Encode without padding (strip the trailing '=').",
        )
    if "+" in body or "/" in body:
        out.find(
            "base64url.alphabet",
            "error",
            f"the {name} uses the standard base64 alphabet ('+' or '/'), not base64url",
            "Encode with the URL-safe alphabet ('-' and '_'), e.g. base64.urlsafe_b64encode.",
        )
        body = body.replace("+", "-").replace("/", "_")
    if not _BASE64URL.fullmatch(body):
        bad = _NOT_BASE64URL.search(body)
        where = f"{bad.group()!r} at character {bad.start()}" if bad else "a character"
        code = "base64url.character"
        out.find(code, "error", f"the {name} holds {where}, outside the base64url alphabet")
        return None
    if len(body) % 4 == 1:
        out.find(
            "base64url.length",
            "error",
            f"the {name} has {len(body)} characters, a length no base64 text has (4n+1)",
            "A character was lost or added: check the part was copied whole.",
        )
        return None
    if body and len(body) % 4:
        value = _B64_VALUES[body[-1]]
        unused = 0x0F if len(body) % 4 == 2 else 0x03
        if value & unused:
            out.find(
                "base64url.noncanonical",
                "error",
                f"the {name}'s last character has non-zero unused bits (not canonical base64url)",
                "Re-encode the bytes; the last character was altered.",
            )
    return len(body) * 3 // 4


_B64_VALUES = {
    char: index
    for index, char in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}


def _decode(text: str) -> bytes | None:
    """Lenient decoding (any padding, either alphabet) for the header, once findings are made."""
    body = text.rstrip("=").replace("+", "-").replace("/", "_")
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None


# ---------------------------------------------------------------- the protected header


def _header(encoded: str, out: _Builder) -> dict[str, Any] | None:
    if not encoded:
        out.find("format.empty_header", "error", "the protected header part is empty")
        return None
    raw = _decode(encoded)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        out.find(
            "header.utf8",
            "error",
            f"the protected header is not UTF-8 (an invalid byte at offset {error.start})",
        )
        return None
    try:
        value = strict_json.loads(
            text, error=HeaderError, subject="the protected header", expected="a JSON object"
        )
    except HeaderError as error:
        out.find(error.code, "error", str(error))
        return None
    if not isinstance(value, dict):
        out.find(
            "header.json",
            "error",
            f"the protected header is a JSON {type(value).__name__}, not an object",
        )
        return None
    return value
