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

from ..display import brief
from .findings import MAX_TEXT_HYPOTHESIS, Finding, Messages, say

_SERIALIZE = (
    "Serialize the header with a JSON library: Python json.dumps(header).encode('utf-8'), "
    "Java Jackson ObjectMapper.writeValueAsBytes, Node Buffer.from(JSON.stringify(header)), "
    "Go json.Marshal."
)

MESSAGES: Messages = {
    "header.json:bom": (
        "The header JSON starts with a UTF-8 byte order mark (EF BB BF), which JSON does not "
        "allow (RFC 8259 §8.1).",
        "Encode the header as UTF-8 without a BOM (Python 'utf-8', not 'utf-8-sig'; .NET "
        "new UTF8Encoding(false)).",
    ),
    "header.json:latin1": (
        "The header is JSON in a legacy 8-bit encoding (Latin-1/Windows-1252), not UTF-8.",
        "Encode the header JSON as UTF-8 (RFC 7516 §5.1 step 12: UTF8(JWE Protected Header)): "
        "Java getBytes(StandardCharsets.UTF_8), not getBytes() with the platform default; .NET "
        "Encoding.UTF8, not Encoding.Default.",
    ),
    "header.json:not_utf8": ("The header is not UTF-8 text.", _SERIALIZE),
    "header.json:python": (
        "The header is a Python dict literal (single quotes, or True/None), written with str() "
        "or repr() instead of a JSON serializer.",
        _SERIALIZE,
    ),
    "header.json:trailing_comma": (
        "The header JSON has a trailing comma, which JSON does not allow.",
        _SERIALIZE,
    ),
    "header.json": ("The header is not valid JSON: {error} at character {position}.", _SERIALIZE),
    "header.json:deep": ("The header JSON nests too deeply.", _SERIALIZE),
    "header.json:number": (
        "The header JSON holds a number of thousands of digits, too large to read.",
        "Send numbers of a sensible size: no header member of RFC 7516 or 7518 needs more than "
        "a few digits. " + _SERIALIZE,
    ),
    "header.json:duplicate": (
        "The header repeats the member {name!r}; JWE requires each name once (RFC 7516 §4), "
        "and parsers disagree about which copy wins.",
        "Build the header as one object and serialize it once; do not concatenate JSON text.",
    ),
    "header.json:twice": (
        "The header was JSON-encoded twice: the part holds a JSON string whose content is the "
        "header object.",
        "Serialize the header object once (json.dumps(header), JSON.stringify(header)), not a "
        "string holding it.",
    ),
    "header.json:not_object": ("The header is a JSON {kind}, not an object.", _SERIALIZE),
    "header.json:nan": ("The header contains NaN, which JSON does not allow.", _SERIALIZE),
    "header.epk_string": (
        "The header's 'epk' is a JSON string that holds the ephemeral JWK ({{'kty': {kty!r}, "
        "...}} as text), where RFC 7518 §4.6.1.1 makes it a JSON object. Crypt::JWT writes it "
        "so; strict recipients refuse it.",
        "Put the ephemeral public JWK into the header as an object (header['epk'] = jwk), not "
        "its serialization (json.dumps(jwk), JSON.stringify(jwk), encode_json).",
    ),
}


def _found(key: str, **facts: Any) -> list[Finding]:
    return [say(MESSAGES, key, **facts)]


def _not_utf8(raw: bytes) -> list[Finding]:
    if len(raw) <= MAX_TEXT_HYPOTHESIS:
        try:
            json.loads(raw.decode("cp1252"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            pass
        else:
            return _found("header.json:latin1")
    return _found("header.json:not_utf8")


def _not_json(text: str, error: json.JSONDecodeError) -> list[Finding]:
    literal = None
    if len(text) <= MAX_TEXT_HYPOTHESIS:  # ast costs ~500 bytes of memory per input byte
        try:
            literal = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            literal = None
    pythonic = "'" in text or re.search(r"\b(True|False|None)\b", text) is not None
    if isinstance(literal, dict) and pythonic:
        return _found("header.json:python")
    if re.search(r",\s*[}\]]", text):
        return _found("header.json:trailing_comma")
    return _found("header.json", error=error.msg, position=error.pos)


def _json_string_holding_an_object(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > MAX_TEXT_HYPOTHESIS:
        return False
    try:
        return isinstance(json.loads(value), dict)
    except (ValueError, RecursionError):
        return False


def header_json_findings(raw: bytes) -> list[Finding]:
    """Why the protected header is not a JSON object (empty when its JSON is fine)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _found("header.json:bom")
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
    except ValueError:  # an integer of more than 4300 digits (sys.int_info.default_max_str_digits)
        return _found("header.json:number")
    except RecursionError:
        return _found("header.json:deep")
    if duplicates:
        return _found("header.json:duplicate", name=duplicates[0][:40])
    if _json_string_holding_an_object(value):
        return _found("header.json:twice")
    if not isinstance(value, dict):
        return _found("header.json:not_object", kind=type(value).__name__)
    if any(isinstance(v, float) and v != v for v in value.values()):  # NaN
        return _found("header.json:nan")
    return []


def epk_option(header: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    """The header with an ``epk`` sent as a JSON string read as the object it holds.

    Crypt::JWT (Perl) and hand-written senders put the ephemeral JWK in the header as text:
    ``"epk": "{\\"kty\\":\\"EC\\",...}"``. RFC 7518 §4.6.1.1 makes it a JSON object.
    """
    epk = header.get("epk")
    if not isinstance(epk, str) or not _json_string_holding_an_object(epk):
        return dict(header), ()
    value = json.loads(epk)
    found = say(MESSAGES, "header.epk_string", kty=brief(value.get("kty"), 10))
    return {**header, "epk": value}, (found,)
