"""The same views for a terminal (the CLI): text, with ANSI colour only when writing to a TTY.

Colour follows the palette (nearest xterm-256 colour) and is never the only cue: every part
is also labelled. ``NO_COLOR`` (https://no-color.org) and ``TERM=dumb`` turn colour off.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from ..verification import verifications_of
from .anatomy import anatomy_text, token_anatomy
from .bytes import annotate, render_text
from .flow import data_flow
from .format import describe_size, preview
from .palette import part
from .source import as_trace

RESET = "\x1b[0m"


def use_color(stream: IO[str] | None = None) -> bool:
    """True when ``stream`` (default stdout) is a TTY and neither NO_COLOR nor TERM=dumb is set."""
    stream = stream if stream is not None else sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def painter(enabled: bool) -> Any:
    """``paint(name, text)``: ``text`` in part ``name``'s colour when enabled, else unchanged."""

    def paint(name: str, text: str) -> str:
        if not enabled:
            return text
        return f"\x1b[38;5;{part(name).ansi}m{text}{RESET}"

    return paint


def _enabled(stream: IO[str] | None, color: bool | None) -> bool:
    return use_color(stream) if color is None else color


def anatomy_terminal(
    source: Any, *, stream: IO[str] | None = None, color: bool | None = None
) -> str:
    """The token with its parts coloured (on a TTY), then the labelled table of parts."""
    paint = painter(_enabled(stream, color))
    anatomy = token_anatomy(source)
    token = ".".join(paint(item.name, item.encoded) for item in anatomy.parts)
    return f"{token}\n\n{anatomy_text(anatomy, paint=paint)}"


def trace_terminal(source: Any, *, stream: IO[str] | None = None, color: bool | None = None) -> str:
    """Every step: name (coloured), size, value preview, meaning, RFC section, verification."""
    paint = painter(_enabled(stream, color))
    trace = as_trace(source)
    if trace is None:
        raise TypeError("trace_terminal needs a Trace or an Explanation")
    lines = [trace.title()]
    for number, step in enumerate(trace.steps, 1):
        size = describe_size(step.value)
        head = paint(step.name, step.name) + (f" ({size})" if size else "")
        lines.append(f"{number:>2}. {head}: {preview(step.value)}")
        lines.append(f"    {step.meaning}")
        if step.inputs or step.operation:
            lines.append(f"    {', '.join(step.inputs) or '-'} -> {step.operation or '?'}")
        if step.rfc:
            lines.append(f"    [{step.rfc}]")
        for result in verifications_of(trace, step):
            label = {"verified": "VERIFIED", "given": "GIVEN", "differs": "MISMATCH"}
            lines.append(f"    {label[result.status]}: {result}")
    error = getattr(source, "error", None)
    if error is not None:
        lines.append(paint("protected_header", f"REJECTED at stage '{error.stage}'") + f": {error}")
    return "\n".join(lines)


def bytes_terminal(
    source: Any,
    name: str,
    *,
    fmt: str = "hex",
    stream: IO[str] | None = None,
    color: bool | None = None,
) -> str:
    """One value's bytes, one line per named field, the value's label coloured on a TTY."""
    paint = painter(_enabled(stream, color))
    text = render_text(annotate(source, name), fmt)  # type: ignore[arg-type]
    first, _, rest = text.partition("\n")
    painted: str = paint(name, first)
    return painted + ("\n" + rest if rest else "")


def flow_terminal(source: Any) -> str:
    """The data flow as text: layers, then edges."""
    return str(data_flow(source))


def print_view(text: str, stream: IO[str] | None = None) -> None:
    """Write ``text`` and a newline to ``stream`` (default stdout)."""
    (stream if stream is not None else sys.stdout).write(text + "\n")


__all__ = [
    "anatomy_terminal",
    "bytes_terminal",
    "flow_terminal",
    "painter",
    "print_view",
    "trace_terminal",
    "use_color",
]
