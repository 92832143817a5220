"""Formatting helpers shared by the text and HTML renderers."""

from __future__ import annotations

import json
from typing import Any

from ..display import brief, shown

__all__ = ["PREVIEW_BYTES", "brief", "describe_size", "json_text", "preview", "shown"]

PREVIEW_BYTES = 24


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON text for display (:func:`shown`: bounded, and never raising);
    compact unless ``indent`` is given."""
    separators = (",", ":") if indent is None else None
    return json.dumps(shown(value), indent=indent, separators=separators, ensure_ascii=False)


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
