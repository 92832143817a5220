"""Formatting helpers shared by the text and HTML renderers."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any

from ..strict_json import json_safe

PREVIEW_BYTES = 24


SHOWN_DEPTH = 32  # levels of nesting a view shows (a real header has two or three)
SHOWN_ITEMS = 100  # members of an object, items of an array
SHOWN_CHARS = 4096  # characters of a string
SHOWN_VALUES = 20_000  # values in all: a Python value that holds itself twice stops here


def shown(value: Any) -> Any:
    """A JSON-ready copy of ``value`` bounded for display, whatever it holds.

    A dict token given in Python, or a header decrypt accepted, may nest hundreds or thousands
    of levels deep, hold a million members, a 12 MiB string, an integer of 5000 digits (whose
    decimal text Python refuses) or bytes. A view shows SHOWN_DEPTH levels, SHOWN_ITEMS members
    or items of each object or array and SHOWN_CHARS characters of each string, and says what
    it left out; leaves JSON cannot carry are described (:func:`jwe_steps.strict_json.json_safe`).
    """
    budget = [SHOWN_VALUES]

    def copy(item: Any, depth: int) -> Any:
        budget[0] -= 1
        if isinstance(item, str):
            if len(item) > SHOWN_CHARS:
                item = f"{item[:SHOWN_CHARS]}… (+{len(item) - SHOWN_CHARS} chars)"
            return json_safe(item)
        if not isinstance(item, Mapping | list | tuple):
            return json_safe(item)
        if depth >= SHOWN_DEPTH:
            return f"… (nested more than {SHOWN_DEPTH} levels deep)"
        if budget[0] < 0:
            return f"… (more than {SHOWN_VALUES} values in all)"
        left = len(item) - SHOWN_ITEMS
        if isinstance(item, Mapping):
            members = {
                brief(name, SHOWN_CHARS): copy(member, depth + 1)
                for name, member in itertools.islice(item.items(), SHOWN_ITEMS)
            }
            if left > 0:
                members["…"] = f"{left} more members"
            return members
        items = [copy(entry, depth + 1) for entry in item[:SHOWN_ITEMS]]
        return [*items, f"… ({left} more items)"] if left > 0 else items

    return copy(value, 0)


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON text for display (:func:`shown`: bounded, and never raising);
    compact unless ``indent`` is given."""
    separators = (",", ":") if indent is None else None
    return json.dumps(shown(value), indent=indent, separators=separators, ensure_ascii=False)


def brief(value: Any, limit: int) -> str:
    """At most ``limit`` characters of any value, for a label or a message (never raising)."""
    if isinstance(value, str):
        return json_safe(value[:limit])  # type: ignore[no-any-return]
    return str(shown(value))[:limit]


def describe_size(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return f"{len(value)} B"
    if isinstance(value, str):
        return f"{len(value)} chars"
    return ""


def preview(value: Any, limit: int = PREVIEW_BYTES) -> str:
    """A short, deterministic rendering of a step value."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value[:limit])
        text = data.hex(" ")
        if len(value) > limit:
            text += f" … (+{len(value) - limit} B)"
        return text
    if isinstance(value, str):
        if len(value) > 2 * limit + 8:
            return f"{value[: 2 * limit]}… (+{len(value) - 2 * limit} chars)"
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        digits = f"{value:x}"
        head = digits if len(digits) <= 2 * limit else f"{digits[: 2 * limit]}…"
        return f"0x{head} ({value.bit_length()}-bit integer)"
    if isinstance(value, dict | list):
        text = json_text(value)
        if len(text) > 4 * limit:
            return text[: 4 * limit] + "…"
        return text
    return repr(value)
