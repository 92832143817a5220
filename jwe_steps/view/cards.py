"""Step cards: inputs → operation → outputs for one step, with the RFC section that defines it
and a badge saying whether the value was checked against an independent computation.

A card reads everything from the Step (and its Trace, to show the inputs). The check itself is
recorded by :func:`verify`, which compares a recorded value with one given to it — a published
test vector, or the output of the from-scratch engine — and computes no cryptography.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from html import escape
from typing import Any

from ..trace import Step, Trace
from .bytes import annotate, render_html
from .format import describe_size
from .palette import BAD_COLOR, FOREGROUND, MONO, MUTED, OK_COLOR, RULE, chip_style, part, swatch
from .source import as_trace


@dataclass(frozen=True)
class Verification:
    """The outcome of comparing a recorded value with an independently obtained one."""

    name: str
    source: str
    equal: bool
    differing: tuple[int, ...]  # byte offsets where the two differ (bytes values only)

    def __bool__(self) -> bool:
        return self.equal

    def __str__(self) -> str:
        if self.equal:
            return f"{self.name}: verified against {self.source}"
        where = f" at {len(self.differing)} byte offsets" if self.differing else ""
        return f"{self.name}: DIFFERS from {self.source}{where}"


def differing_bytes(actual: bytes, expected: bytes) -> tuple[int, ...]:
    """Offsets where ``actual`` and ``expected`` differ; a length difference counts from the end
    of the shorter one."""
    return tuple(
        offset
        for offset in range(max(len(actual), len(expected)))
        if actual[offset : offset + 1] != expected[offset : offset + 1]
    )


def _compare(actual: Any, expected: Any) -> tuple[bool, tuple[int, ...]]:
    if isinstance(actual, bytes | bytearray) and isinstance(expected, bytes | bytearray):
        differing = differing_bytes(bytes(actual), bytes(expected))
        return not differing, differing
    return actual == expected, ()


def verify(trace: Trace, name: str, expected: Any, source: str) -> Verification:
    """Compare step ``name`` of ``trace`` with ``expected`` and record the result for its card.

    ``source`` names where ``expected`` came from, e.g. ``"RFC 7516 A.1.4"`` or
    ``"from-scratch GCM"``. The step is replaced by a copy whose ``detail`` carries
    ``verified_by``, ``expected`` and ``verified``; the value itself is untouched.

    >>> verify(trace, "tag", bytes.fromhex("..."), "RFC 7516 A.1.6")
    """
    for index in range(len(trace.steps) - 1, -1, -1):
        step = trace.steps[index]
        if step.name == name:
            equal, differing = _compare(step.value, expected)
            detail = {**step.detail, "verified_by": source, "expected": expected, "verified": equal}
            trace.steps[index] = replace(step, detail=detail)
            return Verification(name, source, equal, differing)
    raise KeyError(f"no step named {name!r} in this trace; it has: {', '.join(trace.names())}")


def verification_of(step: Step) -> Verification | None:
    """What the step's ``detail`` says about its verification (None when it was not checked)."""
    source = step.detail.get("verified_by")
    if not source:
        return None
    if "expected" in step.detail:
        equal, differing = _compare(step.value, step.detail["expected"])
    else:
        equal, differing = bool(step.detail.get("verified", True)), ()
    return Verification(step.name, str(source), equal, differing)


# ---------------------------------------------------------------- HTML

_CARD = (
    "border:1px solid {rule};border-left:6px solid {color};border-radius:6px;padding:0.5em 0.8em;"
    "margin:0.5em 0;color:{fg};max-width:60em"
)


def _badge(result: Verification | None) -> str:
    if result is None:
        return (
            f'<span class="jwe-badge" data-verified="none" style="font-size:0.8em;color:{MUTED};'
            f"border:1px dashed {RULE};border-radius:1em;"
            'padding:0 0.6em">not independently checked</span>'
        )
    color, mark, text = (
        (OK_COLOR, "✓", f"verified against {result.source}")
        if result.equal
        else (BAD_COLOR, "✗", f"differs from {result.source}")
    )
    if not result.equal and result.differing:
        text += f" at {len(result.differing)} byte{'s' if len(result.differing) != 1 else ''}"
    return (
        f'<span class="jwe-badge" data-verified="{str(result.equal).lower()}" '
        f'style="font-size:0.8em;font-weight:600;color:{color};border:1.5px solid {color};'
        f'border-radius:1em;padding:0 0.6em;white-space:nowrap">{mark} {escape(text)}</span>'
    )


def _value_html(trace: Trace | None, step: Step, highlight: Iterable[int] = ()) -> str:
    value = step.value
    if isinstance(value, bytes | bytearray):
        item = annotate(trace if trace is not None else Trace("view"), step.name, data=bytes(value),
                        highlight=highlight)  # fmt: skip
        return render_html(item, "hex", legend=True)
    if isinstance(value, dict | list):
        text = json.dumps(value, indent=2, ensure_ascii=False)
        return (
            f'<pre style="font-family:{MONO};font-size:0.85em;margin:0.2em 0;background:none;'
            f'color:{FOREGROUND};white-space:pre-wrap;word-break:break-all">{escape(text)}</pre>'
        )
    text = str(value)
    if len(text) > 1200:
        text = text[:1200] + f"… (+{len(text) - 1200} chars)"
    return (
        f'<div style="font-family:{MONO};font-size:0.85em;word-break:break-all;'
        f'{chip_style(step.name, alpha=0.12)};padding:0.1em 0.3em">{escape(text)}</div>'
    )


def _input_chip(trace: Trace | None, name: str) -> str:
    size = ""
    if trace is not None and name in trace:
        size = describe_size(trace[name])
    label = escape(name) + (f' <span style="color:{MUTED}">{size}</span>' if size else "")
    return (
        f'<span class="jwe-input" style="{chip_style(name)};'
        "padding:0.05em 0.4em;margin-right:0.3em;"
        f'font-family:{MONO};font-size:0.85em;white-space:nowrap">{label}</span>'
    )


def step_card_html(step: Step, trace: Trace | None = None, *, number: int | None = None) -> str:
    """One step as a card: name, size and RFC section; inputs → operation → output; badge."""
    drawn = part(step.name)
    result = verification_of(step)
    size = describe_size(step.value)
    heading = (
        f'<div style="display:flex;flex-wrap:wrap;gap:0.6em;align-items:baseline">'
        f'<span style="font-weight:700">{swatch(step.name)} '
        + (f"{number}. " if number is not None else "")
        + f"{escape(step.name)}</span>"
        f'<span style="color:{MUTED};font-size:0.85em">{escape(size)}</span>'
        f'<span style="color:{MUTED};font-size:0.85em;flex:1">{escape(step.rfc)}</span>'
        f"{_badge(result)}</div>"
    )
    meaning = f'<div style="margin:0.2em 0 0.3em 0">{escape(step.meaning)}</div>'
    flow = ""
    if step.inputs or step.operation:
        inputs = "".join(_input_chip(trace, name) for name in step.inputs) or (
            f'<span style="color:{MUTED}">—</span>'
        )
        operation = (
            f'<code style="font-family:{MONO};font-size:0.85em;background:none;color:{FOREGROUND}">'
            f"{escape(step.operation)}</code>"
            if step.operation
            else ""
        )
        arrow = f'<span style="color:{MUTED};padding:0 0.4em">→</span>'
        flow = (
            f'<div class="jwe-card-flow" style="margin:0.2em 0;font-size:0.9em">'
            f'<span style="color:{MUTED};font-size:0.85em">inputs</span> {inputs}{arrow}'
            f'<span style="color:{MUTED};font-size:0.85em">operation</span> {operation}{arrow}'
            f'<span style="color:{MUTED};font-size:0.85em">'
            f"output</span> {_input_chip(trace, step.name)}"
            "</div>"
        )
    differing: tuple[int, ...] = result.differing if result is not None else ()
    output = _value_html(trace, step, differing)
    comparison = ""
    if result is not None and not result.equal:
        expected = step.detail.get("expected")
        shown = expected.hex(" ") if isinstance(expected, bytes) else repr(expected)
        if len(shown) > 600:
            shown = shown[:600] + "…"
        offsets = ", ".join(str(i) for i in differing[:16]) + (" …" if len(differing) > 16 else "")
        comparison = (
            f'<div style="color:{BAD_COLOR};font-size:0.85em;margin-top:0.3em">'
            f"Differing bytes (outlined above): offsets {escape(offsets)}.<br>"
            f"Expected from {escape(result.source)}:</div>"
            f'<div style="font-family:{MONO};font-size:0.85em;'
            f'word-break:break-all">{escape(shown)}</div>'
        )
    style = _CARD.format(rule=RULE, color=drawn.color, fg=FOREGROUND)
    return (
        f'<div class="jwe-steps-view jwe-card" data-step="{escape(step.name)}" style="{style}">'
        f"{heading}{meaning}{flow}{output}{comparison}</div>"
    )


def failure_card_html(error: Any) -> str:
    """The stage where processing stopped, and the error's expected / found / hint."""
    rows = []
    for label in ("expected", "found", "hint"):
        value = getattr(error, label, None)
        if value:
            rows.append(f"<div><b>{label}:</b> {escape(str(value))}</div>")
    stage = escape(str(getattr(error, "stage", "?")))
    message = escape(str(getattr(error, "message", error)))
    style = _CARD.format(rule=RULE, color=BAD_COLOR, fg=FOREGROUND)
    return (
        f'<div class="jwe-steps-view jwe-card jwe-failure" data-stage="{stage}" style="{style}">'
        f'<div style="font-weight:700;color:{BAD_COLOR}">✗ rejected at stage “{stage}”</div>'
        f'<div style="margin:0.2em 0">{message}</div>{"".join(rows)}</div>'
    )


@dataclass(frozen=True)
class Cards:
    """Step cards for a trace (or an Explanation, which adds a failure card when it failed)."""

    trace: Trace
    names: tuple[str, ...] | None = None
    error: Any = None

    def steps(self) -> list[Step]:
        if self.names is None:
            return list(self.trace.steps)
        return [self.trace.step(name) for name in self.names]

    def html(self) -> str:
        cards = [
            step_card_html(step, self.trace, number=number)
            for number, step in enumerate(self.steps(), 1)
        ]
        if self.error is not None:
            cards.append(failure_card_html(self.error))
        title = escape(self.trace.title())
        return (
            f'<div class="jwe-steps-view jwe-cards"><div style="font-weight:600">{title}</div>'
            f"{''.join(cards)}</div>"
        )

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        names = ", ".join(step.name for step in self.steps())
        failed = f", rejected at {self.error.stage}" if self.error is not None else ""
        return f"<Cards {self.trace.title()}: {names}{failed}>"

    def __str__(self) -> str:
        from .text import step_text

        lines = []
        for number, step in enumerate(self.steps(), 1):
            result = verification_of(step)
            badge = f"  [{result}]" if result is not None else ""
            lines.append(f"{number:>2}. {step_text(step)}{badge}")
        if self.error is not None:
            lines.append(f"REJECTED at stage '{self.error.stage}': {self.error}")
        return "\n".join(lines)


def step_cards(source: Any, names: Iterable[str] | None = None) -> Cards:
    """Cards for every step of a Trace or Explanation (or only ``names``, in that order).

    >>> step_cards(trace)                       # all steps
    >>> step_cards(trace, ["cek", "iv", "tag"])
    """
    trace = as_trace(source)
    if trace is None:
        raise TypeError("step_cards needs a Trace or an Explanation")
    return Cards(trace, tuple(names) if names is not None else None, getattr(source, "error", None))


def step_card(source: Any, name: str) -> Cards:
    """The card of one step (by name) of a Trace or Explanation."""
    return step_cards(source, [name])


__all__ = [
    "Cards",
    "Verification",
    "differing_bytes",
    "failure_card_html",
    "step_card",
    "step_card_html",
    "step_cards",
    "verification_of",
    "verify",
]
