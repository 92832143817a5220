"""Untrusted values made safe to show: bounded copies for views and short texts for messages.

A token given as a Python dict, or a header decrypt accepted, may nest thousands of levels
deep, hold a million members, a 12 MiB string, an integer of 5000 digits (whose decimal text
Python refuses), bytes, or a list that holds itself. Views (:mod:`jwe_steps.view`), the
inspection, explain's findings and error messages all show such values through these, so
none of them recurses without bound or raises while describing a value.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from .strict_json import json_kind, json_safe

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


def brief(value: Any, limit: int) -> str:
    """At most ``limit`` characters of any value, for a label or a message (never raising)."""
    if isinstance(value, str):
        return json_safe(value[:limit])  # type: ignore[no-any-return]
    return str(shown(value))[:limit]


def name_or_kind(value: Any, limit: int) -> str:
    """A value where a name belongs (``kty``, ``crv``), for a message: the name, cut short and
    quoted, or, when it is no string, only its JSON type (never its repr)."""
    return repr(value[:limit]) if isinstance(value, str) else json_kind(value)
