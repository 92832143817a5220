"""Strict JSON reading shared by the header, the JSON serializations and JWK/JWKS loading.

RFC 7516 lets a parser reject duplicate member names, and RFC 8259 has no NaN or Infinity;
refusing both keeps one token to one meaning. Two more things Python's ``json`` accepts are
refused here, because they break whatever reads the value next:

- an escaped lone surrogate (``"\\ud800"``): not a Unicode character, so it cannot be encoded
  back to UTF-8 (``explain``, a server's log line or response would fail on it);
- a number that overflows to infinity (``1e400``): ``json`` turns it into ``inf``, which
  ``json.dumps`` then writes as ``Infinity``, which is not JSON.

Every failure becomes the caller's JWEError subclass, naming what was being read, with a stable
code: a header keeps the codes the practice server already answers with (``header.json``,
``header.duplicate_member``); anything else gets the ``json.*`` code of what went wrong.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import HeaderError, JWEError

# Where each kind of JOSE document requires its member names to be unique.
_UNIQUE_NAMES_RULE = {
    "HeaderError": "RFC 7516 §4",
    "ClaimsError": "RFC 7519 §4",
    "InvalidKeyError": "RFC 7517 §4",
}

# What went wrong -> its code, for errors other than HeaderError.
_JSON_CODES = {
    "syntax": "json.invalid",
    "duplicate": "json.duplicate_member",
    "number": "json.number",
    "surrogate": "json.surrogate",
    "depth": "json.depth",
}
# A header names every JSON problem header.json except a repeated member (as the server does).
_HEADER_CODES = {kind: "header.json" for kind in _JSON_CODES} | {
    "duplicate": "header.duplicate_member"
}

_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refusal(Exception):
    """Raised inside the decoder hooks; turned into the caller's error with its context."""

    def __init__(self, kind: str, what: str, found: str) -> None:
        super().__init__(what)
        self.kind, self.what, self.found = kind, what, found


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # one C loop; a repeated name leaves the dict shorter than the list
    if len(result) == len(pairs):
        return result
    seen: set[str] = set()
    for name, _ in pairs:  # which name came twice (the first to repeat)
        if name in seen:
            raise _Refusal("duplicate", "repeats a member name", f"{_shown(name)} twice")
        seen.add(name)
    raise AssertionError("unreachable: a shorter dict means a repeated name")  # pragma: no cover


def _reject_constant(name: str) -> Any:
    raise _Refusal("number", "contains a non-JSON number", name)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Refusal(
            "number", "contains a non-JSON number", f"{text[:40]} (too large: it reads as infinity)"
        )
    return value


def _shown(name: str) -> str:
    """A member name for a message: shortened, with any lone surrogate escaped."""
    return ascii(name[:40])


# json.loads with options builds a new decoder on every call; this one is built once.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_reject_duplicates,
    parse_constant=_reject_constant,
    parse_float=_finite_float,
)


def _has_surrogate(value: Any) -> bool:
    """True when a string anywhere in ``value`` (a member name too) holds a lone surrogate.
    Each container is walked once, so a Python value that contains itself ends the walk."""
    pending, walked = [value], set()
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict | list | tuple) and id(item) not in walked:
            walked.add(id(item))
            if isinstance(item, dict):
                pending.extend(item)
                pending.extend(item.values())
            else:
                pending.extend(item)
    return False


_SHOWN_DEPTH = 64  # deeper than any JOSE document; a value that contains itself stops here
_SHOWN_INT_BITS = 4096  # a larger int is shown by its size (its decimal text is refused)
_SHOWN_VALUES = 100_000  # values copied in all (a JWE's members number dozens)


def json_safe(value: Any) -> Any:
    """A copy of ``value`` that ``json.dumps(..., ensure_ascii=False)`` can always write and
    UTF-8 can always encode: for recording what a caller passed (a token given as a dict may
    hold anything). JSON values stay as they are; anything else is described in a string. The
    copy is bounded: at most :data:`_SHOWN_DEPTH` levels and :data:`_SHOWN_VALUES` values (a
    list that holds itself twice would otherwise double at every level)."""
    return _safe_copy(value, 0, [_SHOWN_VALUES])


def _member_name(name: Any) -> str:
    """A dict key as a JSON member name: a str as it is, a small number or None as written,
    anything else by its type (repr of a huge int cannot even be made)."""
    if isinstance(name, str):
        return name
    if (
        name is None
        or isinstance(name, float)
        or (isinstance(name, int) and name.bit_length() <= 64)
    ):
        return repr(name)
    return f"<{type(name).__name__}>"


def _safe_copy(value: Any, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        return "<more values than are shown>"
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > _SHOWN_INT_BITS:
            return f"<an integer of {value.bit_length()} bits>"
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return (
            value
            if not _SURROGATE.search(value)
            else value.encode("utf-8", "backslashreplace").decode("utf-8")
        )
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    if depth >= _SHOWN_DEPTH:
        return "<nested too deeply>"
    if isinstance(value, dict):
        return {
            _safe_copy(_member_name(name), depth, budget):
            _safe_copy(item, depth + 1, budget)
            for name, item in value.items()
        }  # fmt: skip
    if isinstance(value, list | tuple):
        return [_safe_copy(item, depth + 1, budget) for item in value]
    return f"<{type(value).__name__}>"


WRITE_ERRORS = (TypeError, ValueError, RecursionError)
"""What ``json.JSONEncoder(..., allow_nan=False).encode(value).encode("utf-8")`` raises for a
value JSON cannot carry: bytes or another type, NaN, a lone surrogate, nesting past the
recursion limit."""


def unwritable(error: BaseException) -> str:
    """What a :data:`WRITE_ERRORS` error says of the value, in a few words (never the value)."""
    if isinstance(error, UnicodeEncodeError):
        return "a lone surrogate in a string"
    if isinstance(error, RecursionError):
        return "nesting too deep"
    if isinstance(error, ValueError):
        reason = str(error)
        if reason.startswith("Circular reference"):
            return "a value that contains itself"
        if "digits" in reason:  # int to text stops at sys.get_int_max_str_digits()
            return "an integer too large to write"
        return "NaN or an infinity"
    return "a value of a type JSON does not have"


def json_kind(value: Any) -> str:
    """What JSON would call ``value``, with its article: "a string", "an array", "null"...
    For error messages about a member of the wrong type (the value itself is not shown)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"


_SURROGATE_FOUND = "a \\uD800-\\uDFFF escape that is not half of a pair (not a character)"


def _check_unicode(text: str, value: Any) -> None:
    # A surrogate can only reach a decoded string as a \u escape or as itself in the text;
    # most documents have neither, and skip the walk. (A one-character search is a memchr; the
    # two-character one is ~100x slower on a long text, so it only runs when a backslash is there.)
    if ("\\" in text and "\\u" in text and _has_surrogate(value)) or (
        not text.isascii() and _SURROGATE.search(text)
    ):
        raise _Refusal(
            "surrogate", "is not valid JSON: it holds a lone surrogate", _SURROGATE_FOUND
        )


def check_text(value: Any, *, error: type[JWEError], subject: str) -> None:
    """Refuse a lone surrogate in any string of an already-parsed ``value`` (a JWK dict that
    came from elsewhere), with ``error`` and the code ``json.surrogate``."""
    if _has_surrogate(value):
        raise error(
            f"{subject} holds a lone surrogate",
            code="json.surrogate",
            expected="strings of Unicode characters (RFC 8259 §8.2)",
            found=_SURROGATE_FOUND,
        )


def loads(
    text: str,
    *,
    error: type[JWEError],
    subject: str,
    expected: str,
) -> Any:
    """Parse ``text`` strictly; any problem raises ``error`` about ``subject`` (e.g. "the
    protected header"), saying what was ``expected`` of the document as a whole.

    The error's code says what went wrong (see the module docstring); a :class:`HeaderError`
    carries ``header.json`` or ``header.duplicate_member``.
    """
    codes = _HEADER_CODES if issubclass(error, HeaderError) else _JSON_CODES
    try:
        if text.startswith("\ufeff"):  # json.loads checks this; the bare decoder does not
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _DECODER.decode(text)
        _check_unicode(text, value)
        return value
    except _Refusal as refusal:
        expectation = "JSON (RFC 8259)"
        if refusal.kind == "duplicate":
            rule = _UNIQUE_NAMES_RULE.get(error.__name__, "RFC 7515 §4")
            expectation = f"each member name once ({rule})"
        elif refusal.kind == "surrogate":
            expectation = "JSON text of Unicode characters (RFC 8259 §8.2)"
        raise error(
            f"{subject} {refusal.what}",
            code=codes[refusal.kind],
            expected=expectation,
            found=refusal.found,
        ) from None
    except json.JSONDecodeError as decode_error:
        raise error(
            f"{subject} is not valid JSON",
            code=codes["syntax"],
            expected=expected,
            found=f"{decode_error.msg} at character {decode_error.pos}",
        ) from None
    except ValueError:
        # e.g. an integer of more than 4300 digits (sys.int_info.default_max_str_digits)
        raise error(
            f"{subject} holds a number too large to read",
            code=codes["number"],
            expected="JSON numbers of reasonable size",
            found="a number with thousands of digits",
        ) from None
    except RecursionError:
        raise error(
            f"{subject} nests too deeply",
            code=codes["depth"],
            expected=expected,
            found="deep nesting",
        ) from None
