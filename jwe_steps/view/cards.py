"""Step cards: inputs → operation → outputs for one step, with the RFC section that defines it
and a badge naming the witness it was checked against.

A card reads everything from the Step and its Trace: the value, the inputs, and the checks
:mod:`jwe_steps.verification` stored on the trace. It computes nothing and changes nothing.
The badge says "verified" only when the witness is a published vector or an independent
computation; a value checked only against an injected input (or the same code) is "given";
a mismatch is an alarm, whatever the witness.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

from ..strict_json import json_safe
from ..trace import Step, Trace
from ..verification import Verification, differing_bytes, overall, verifications_of, verify
from .bytes import annotate, render_html
from .format import describe_size, json_text
from .palette import BAD_COLOR, FOREGROUND, MONO, MUTED, OK_COLOR, RULE, chip_style, part, swatch
from .source import as_trace

GIVEN_COLOR = MUTED  # a "given" badge is grey and dashed: shown, not proven


def verification_of(step: Step, trace: Any = None) -> Verification | None:
    """The decisive check of ``step`` in ``trace``: a mismatch first, then a proof, then an echo
    (None when it was never checked)."""
    results = verifications_of(trace, step) if trace is not None else ()
    if not results:
        return None
    order = {"differs": 0, "verified": 1, "given": 2}
    return min(results, key=lambda result: order[result.status])


# ---------------------------------------------------------------- HTML

_CARD = (
    "border:1px solid {rule};border-left:6px solid {color};border-radius:6px;padding:0.5em 0.8em;"
    "margin:0.5em 0;color:{fg};max-width:60em"
)


_BADGE = (
    "font-size:0.8em;font-weight:600;color:{color};border:{width} {line} {color};"
    "border-radius:1em;padding:0 0.6em;white-space:nowrap;margin-left:0.3em"
)
_MARKS = {"verified": "✓", "given": "○", "differs": "✗ ALARM:"}


def _witness_text(result: Verification) -> str:
    if result.status == "verified":
        return f"verified against {result.source} ({result.kind})"
    if result.status == "given":
        return f"given: {result.source} (not an independent check)"
    text = f"differs from {result.source} ({result.kind})"
    if result.differing:
        count = len(result.differing)
        text += f" at {count} byte{'s' if count != 1 else ''}"
    return text


def _one_badge(result: Verification) -> str:
    status = result.status
    color = {"verified": OK_COLOR, "given": GIVEN_COLOR, "differs": BAD_COLOR}[status]
    width, line = ("1.5px", "dashed") if status == "given" else ("1.5px", "solid")
    style = _BADGE.format(color=color, width=width, line=line)
    if status == "differs":
        style += f";background:{BAD_COLOR};color:white;border-color:{BAD_COLOR}"
    return (
        f'<span class="jwe-badge jwe-badge-{status}" data-status="{status}" '
        f'data-witness="{escape(result.source)}" data-witness-kind="{result.kind}" '
        f'style="{style}">{_MARKS[status]} {escape(_witness_text(result))}</span>'
    )


def _badge(results: tuple[Verification, ...]) -> str:
    """Every witness of a step; ``data-verified`` on the first says the overall outcome:
    "true" (proven), "given" (shown, not proven), "false" (differs) or "none" (not checked)."""
    status = overall(results)
    if status is None:
        return (
            f'<span class="jwe-badge" data-verified="none" data-status="none" '
            f'style="font-size:0.8em;color:{MUTED};border:1px dashed {RULE};border-radius:1em;'
            'padding:0 0.6em">not independently checked</span>'
        )
    flag = {"verified": "true", "given": "given", "differs": "false"}[status]
    badges = "".join(_one_badge(result) for result in results)
    return f'<span class="jwe-badges" data-verified="{flag}" data-status="{status}">{badges}</span>'


def _value_html(trace: Trace | None, step: Step, highlight: Iterable[int] = ()) -> str:
    value = step.value
    if isinstance(value, bytes | bytearray):
        item = annotate(trace if trace is not None else Trace("view"), step.name, data=bytes(value),
                        highlight=highlight)  # fmt: skip
        return render_html(item, "hex", legend=True)
    if isinstance(value, dict | list):
        text = json_text(value, indent=2)
        return (
            f'<pre style="font-family:{MONO};font-size:0.85em;margin:0.2em 0;background:none;'
            f'color:{FOREGROUND};white-space:pre-wrap;word-break:break-all">{escape(text)}</pre>'
        )
    text = str(json_safe(value)) if isinstance(value, int) else str(value)
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
    results = verifications_of(trace, step) if trace is not None else ()
    result = verification_of(step, trace)
    size = describe_size(step.value)
    heading = (
        f'<div style="display:flex;flex-wrap:wrap;gap:0.6em;align-items:baseline">'
        f'<span style="font-weight:700">{swatch(step.name)} '
        + (f"{number}. " if number is not None else "")
        + f"{escape(step.name)}</span>"
        f'<span style="color:{MUTED};font-size:0.85em">{escape(size)}</span>'
        f'<span style="color:{MUTED};font-size:0.85em;flex:1">{escape(step.rfc)}</span>'
        f"{_badge(results)}</div>"
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
        expected = result.expected
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
    status = overall(results) or "none"
    style = _CARD.format(rule=RULE, color=drawn.color, fg=FOREGROUND)
    if status == "differs":  # an alarm: the whole card says so, not only its badge
        style += f";border-color:{BAD_COLOR};outline:2px solid {BAD_COLOR}"
    return (
        f'<div class="jwe-steps-view jwe-card" data-step="{escape(step.name)}" '
        f'data-status="{status}" style="{style}">'
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
            results = verifications_of(self.trace, step)
            badge = "".join(f"  [{result}]" for result in results)
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
