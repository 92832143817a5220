"""Strict JSON reading shared by the header and the JSON serializations.

RFC 7516 lets a parser reject duplicate member names, and RFC 8259 has no NaN or Infinity;
refusing both keeps one token to one meaning. Every failure becomes the caller's JWEError
subclass, naming what was being read.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import JWEError


class _Refusal(Exception):
    """Raised inside the decoder hooks; turned into the caller's error with its context."""

    def __init__(self, what: str, found: str) -> None:
        super().__init__(what)
        self.what, self.found = what, found


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _Refusal("repeats a member name", f"{name[:40]!r} twice")
        result[name] = value
    return result


def _reject_constant(name: str) -> Any:
    raise _Refusal("contains a non-JSON number", name)


# json.loads with options builds a new decoder on every call; this one is built once.
_DECODER = json.JSONDecoder(object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)


def loads(text: str, *, error: type[JWEError], subject: str, expected: str) -> Any:
    """Parse ``text`` strictly; any problem raises ``error`` about ``subject`` (e.g. "the
    protected header"), saying what was ``expected`` of the document as a whole."""
    try:
        if text.startswith("\ufeff"):  # json.loads checks this; the bare decoder does not
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except _Refusal as refusal:
        expectation = "each member name once (RFC 7516 §4)"
        if refusal.what != "repeats a member name":
            expectation = "JSON (RFC 8259)"
        raise error(
            f"{subject} {refusal.what}", expected=expectation, found=refusal.found
        ) from None
    except json.JSONDecodeError as decode_error:
        raise error(
            f"{subject} is not valid JSON",
            expected=expected,
            found=f"{decode_error.msg} at character {decode_error.pos}",
        ) from None
    except ValueError:
        # e.g. an integer of more than 4300 digits (sys.int_info.default_max_str_digits)
        raise error(
            f"{subject} holds a number too large to read",
            expected="JSON numbers of reasonable size",
            found="a number with thousands of digits",
        ) from None
    except RecursionError:
        raise error(
            f"{subject} nests too deeply", expected=expected, found="deep nesting"
        ) from None
