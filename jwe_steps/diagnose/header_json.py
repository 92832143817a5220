"""The protected header's JSON, and header members sent in the wrong JSON type (RFC 7516 §4).

Every re-reading of the header text (as a Python literal, as Latin-1) is tried only on a
header of at most MAX_TEXT_HYPOTHESIS bytes: a real header is a few hundred bytes, and an
attacker's megabyte of non-JSON must not cost seconds of parsing.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from typing import Any

from .findings import MAX_TEXT_HYPOTHESIS, Finding, finding

_SERIALIZE = (
    "Serialize the header with a JSON library: Python json.dumps(header).encode('utf-8'), "
    "Java Jackson ObjectMapper.writeValueAsBytes, Node Buffer.from(JSON.stringify(header)), "
    "Go json.Marshal."
)


def _found(message: str, fix: str = _SERIALIZE) -> list[Finding]:
    return [finding("header.json", message, fix)]


def _not_utf8(raw: bytes) -> list[Finding]:
    if len(raw) <= MAX_TEXT_HYPOTHESIS:
        try:
            json.loads(raw.decode("cp1252"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            pass
        else:
            return _found(
                "The header is JSON in a legacy 8-bit encoding (Latin-1/Windows-1252), not UTF-8.",
                "Encode the header JSON as UTF-8 (RFC 7516 §5.1 step 12: UTF8(JWE Protected "
                "Header)): Java getBytes(StandardCharsets.UTF_8), not getBytes() with the "
                "platform default; .NET Encoding.UTF8, not Encoding.Default.",
            )
    return _found("The header is not UTF-8 text.")


def _not_json(text: str, error: json.JSONDecodeError) -> list[Finding]:
    literal = None
    if len(text) <= MAX_TEXT_HYPOTHESIS:  # ast costs ~500 bytes of memory per input byte
        try:
            literal = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            literal = None
    pythonic = "'" in text or re.search(r"\b(True|False|None)\b", text) is not None
    if isinstance(literal, dict) and pythonic:
        return _found(
            "The header is a Python dict literal (single quotes, or True/None), written with "
            "str() or repr() instead of a JSON serializer."
        )
    if re.search(r",\s*[}\]]", text):
        return _found("The header JSON has a trailing comma, which JSON does not allow.")
    return _found(f"The header is not valid JSON: {error.msg} at character {error.pos}.")


def header_json_findings(raw: bytes) -> list[Finding]:
    """Why the protected header is not a JSON object (empty when its JSON is fine)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _found(
            "The header JSON starts with a UTF-8 byte order mark (EF BB BF), which JSON does not "
            "allow (RFC 8259 §8.1).",
            "Encode the header as UTF-8 without a BOM (Python 'utf-8', not 'utf-8-sig'; .NET "
            "new UTF8Encoding(false)).",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _not_utf8(raw)
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for name, value in items:
            if name in seen:
                duplicates.append(name)
            seen[name] = value
        return seen

    try:
        value = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        return _not_json(text, error)
    except RecursionError:
        return _found("The header JSON nests too deeply.")
    if duplicates:
        return _found(
            f"The header repeats the member {duplicates[0][:40]!r}; JWE requires each name once "
            "(RFC 7516 §4), and parsers disagree about which copy wins.",
            "Build the header as one object and serialize it once; do not concatenate JSON text.",
        )
    if isinstance(value, str) and len(value) <= MAX_TEXT_HYPOTHESIS:
        try:
            inner = json.loads(value)
        except (ValueError, RecursionError):
            inner = None
        if isinstance(inner, dict):
            return _found(
                "The header was JSON-encoded twice: the part holds a JSON string whose content "
                "is the header object.",
                "Serialize the header object once (json.dumps(header), JSON.stringify(header)), "
                "not a string holding it.",
            )
    if not isinstance(value, dict):
        return _found(f"The header is a JSON {type(value).__name__}, not an object.")
    if any(isinstance(v, float) and v != v for v in value.values()):  # NaN
        return _found("The header contains NaN, which JSON does not allow.")
    return []


def epk_option(header: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    """The header with an ``epk`` sent as a JSON string read as the object it holds.

    Crypt::JWT (Perl) and hand-written senders put the ephemeral JWK in the header as text:
    ``"epk": "{\\"kty\\":\\"EC\\",...}"``. RFC 7518 §4.6.1.1 makes it a JSON object.
    """
    epk = header.get("epk")
    if not isinstance(epk, str) or len(epk) > MAX_TEXT_HYPOTHESIS:
        return dict(header), ()
    try:
        value = json.loads(epk)
    except (ValueError, RecursionError):
        return dict(header), ()
    if not isinstance(value, dict):
        return dict(header), ()
    found = finding(
        "header.epk_string",
        "The header's 'epk' is a JSON string that holds the ephemeral JWK "
        f"({{'kty': {str(value.get('kty'))[:10]!r}, ...}} as text), where RFC 7518 §4.6.1.1 "
        "makes it a JSON object. Crypt::JWT writes it so; strict recipients refuse it.",
        "Put the ephemeral public JWK into the header as an object (header['epk'] = jwk), not "
        "its serialization (json.dumps(jwk), JSON.stringify(jwk), encode_json).",
    )
    return {**header, "epk": value}, (found,)
