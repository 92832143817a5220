"""Where the views get their values: a Trace, an Explanation (its trace), or a bare token.

Nothing here computes cryptography. A token's parts are read from the trace when the trace
recorded them; a bare token (or the parts a failed decryption never reached) is split on '.'
and base64url-decoded, which is parsing, not crypto.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..b64 import b64url_decode
from ..errors import JWEError, SerializationError
from ..trace import Trace
from .format import brief
from .palette import TOKEN_PARTS

MAX_PARTS = 10  # parts of a compact token shown (a JWE has 5); a token with more is refused

# The names of the five parts in the JSON serializations (RFC 7516 §7.2.1).
JSON_MEMBERS: dict[str, str] = {
    "protected_header": "protected",
    "encrypted_key": "encrypted_key",
    "iv": "iv",
    "ciphertext": "ciphertext",
    "tag": "tag",
}


@dataclass(frozen=True)
class TokenPart:
    """One part of a token: its text as sent and the bytes it encodes (None if not base64url)."""

    name: str
    encoded: str
    data: bytes | None
    problem: str | None = None  # why ``data`` is None

    @property
    def chars(self) -> int:
        return len(self.encoded)

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)


def as_trace(source: Any) -> Trace | None:
    """The Trace behind ``source`` (a Trace, or anything with a ``.trace``), else None."""
    if isinstance(source, Trace):
        return source
    inner = getattr(source, "trace", None)
    return inner if isinstance(inner, Trace) else None


def token_of(source: Any) -> Any:
    """The token a source shows: ``trace.token``, the trace's "token" step, or the source itself."""
    trace = as_trace(source)
    if trace is None:
        return source
    token = getattr(trace, "token", None)
    if token is None and "token" in trace:
        token = trace["token"]
    return token


def _decode(name: str, text: str) -> TokenPart:
    try:
        return TokenPart(name, text, b64url_decode(text, part=name))
    except JWEError as error:
        return TokenPart(name, text, None, problem=error.message)


def _member_text(value: Any) -> str:
    """A JSON token's member as text: a string as it is, anything else (a dict token may hold
    any value, nested deep or an integer of thousands of digits) as a short description."""
    return value if isinstance(value, str) else brief(value, 200)


def _compact_texts(token: str) -> list[str]:
    """The '.'-separated parts of a compact token; more than MAX_PARTS is a SerializationError
    (format.segments), so a token of a million dots is counted, never split into a million."""
    texts = token.split(".", MAX_PARTS)
    if len(texts) > MAX_PARTS:
        raise SerializationError(
            "a compact JWE has five parts separated by '.'",
            code="format.segments",
            expected="5 parts: header.encrypted_key.iv.ciphertext.tag",
            found=f"{token.count('.') + 1} parts, too many to show",
        )
    return texts


def split_token(source: Any) -> tuple[str, tuple[TokenPart, ...]]:
    """``(serialization, parts)`` for a compact token or a flattened/general JSON one.

    Values the trace recorded are used as they are; only parts it lacks are decoded here. A
    compact token of more than MAX_PARTS parts raises SerializationError (format.segments).
    """
    trace = as_trace(source)
    token = token_of(source)
    if isinstance(token, bytes | bytearray):
        token = bytes(token).decode("ascii", "replace")
    if isinstance(token, str) and token.lstrip().startswith("{"):
        with contextlib.suppress(ValueError, RecursionError):
            token = json.loads(token)
    serialization = "compact"
    if isinstance(token, Mapping):
        serialization = "general" if "recipients" in token else "flattened"
        recipient = token
        recipients = token.get("recipients")
        if isinstance(recipients, list) and recipients and isinstance(recipients[0], Mapping):
            recipient = recipients[0]
        texts = [
            _member_text(token.get("protected", "")),
            _member_text(recipient.get("encrypted_key", "")),
            _member_text(token.get("iv", "")),
            _member_text(token.get("ciphertext", "")),
            _member_text(token.get("tag", "")),
        ]
    elif isinstance(token, str):
        texts = _compact_texts(token)
    else:
        raise TypeError(
            f"no token to show: expected a Trace, an Explanation or a token, got {token!r}"
        )
    parts = []
    for index, text in enumerate(texts):
        name = TOKEN_PARTS[index] if index < len(TOKEN_PARTS) else f"extra_part_{index + 1}"
        recorded = trace is not None and name in trace and isinstance(trace[name], bytes)
        if recorded and index < len(TOKEN_PARTS):
            assert trace is not None
            parts.append(TokenPart(name, text, trace[name]))
        else:
            parts.append(_decode(name, text))
    return serialization, tuple(parts)


def header_of(source: Any) -> dict[str, Any]:
    """The JOSE header: the one the trace parsed, else parsed from the protected header bytes."""
    trace = as_trace(source)
    recorded = getattr(trace, "header", None)
    if isinstance(recorded, dict) and recorded:
        return recorded
    raw: Any = None
    if trace is not None and "protected_header" in trace:
        raw = trace["protected_header"]
    else:
        try:
            _, parts = split_token(source)
            raw = parts[0].data
        except (TypeError, JWEError):
            raw = None
    protected: dict[str, Any] = {}
    if isinstance(raw, bytes) and raw:
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict):
            protected = parsed
    return {**_unprotected_members(token_of(source)), **protected}


def _unprotected_members(token: Any) -> dict[str, Any]:
    """The shared and (first) per-recipient unprotected headers of a JSON-serialized token."""
    if isinstance(token, str) and token.lstrip().startswith("{"):
        try:
            token = json.loads(token)
        except (ValueError, RecursionError):
            return {}
    if not isinstance(token, Mapping):
        return {}
    members: dict[str, Any] = {}
    shared = token.get("unprotected")
    if isinstance(shared, Mapping):
        members.update(shared)
    recipient: Any = token
    recipients = token.get("recipients")
    if isinstance(recipients, list) and recipients:
        recipient = recipients[0]
    if isinstance(recipient, Mapping) and isinstance(recipient.get("header"), Mapping):
        members.update(recipient["header"])
    return members


def value_of(source: Any, name: str) -> Any:
    """A recorded value, or None when the trace has no step of that name."""
    trace = as_trace(source)
    if trace is not None and name in trace:
        return trace[name]
    return None
