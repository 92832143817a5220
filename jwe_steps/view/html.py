"""HTML rendering of steps and traces for Jupyter (inline CSS only, no network assets)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

from .format import describe_size, preview

if TYPE_CHECKING:
    from ..trace import Step, Trace

_TABLE_STYLE = "border-collapse:collapse;font-size:0.9em;text-align:left"
_CELL_STYLE = (
    "border:1px solid rgba(128,128,128,0.4);padding:2px 6px;vertical-align:top;text-align:left"
)
_VALUE_STYLE = _CELL_STYLE + ";font-family:monospace;word-break:break-all;max-width:36em"


def steps_table(steps: Iterable[Step], title: str | None) -> str:
    rows = []
    for number, step in enumerate(steps, 1):
        formula = f"<br><small>= {escape(step.operation)}</small>" if step.operation else ""
        rows.append(
            "<tr>"
            f'<td style="{_CELL_STYLE}">{number}</td>'
            f'<td style="{_CELL_STYLE}"><b>{escape(step.name)}</b></td>'
            f'<td style="{_VALUE_STYLE}">{escape(preview(step.value))}</td>'
            f'<td style="{_CELL_STYLE}">{escape(describe_size(step.value))}</td>'
            f'<td style="{_CELL_STYLE}">{escape(step.meaning)}{formula}</td>'
            f'<td style="{_CELL_STYLE}">{escape(step.rfc)}</td>'
            "</tr>"
        )
    caption = f"<caption><b>{escape(title)}</b></caption>" if title else ""
    head = "".join(
        f'<th style="{_CELL_STYLE}">{h}</th>'
        for h in ("#", "step", "value", "size", "meaning", "defined in")
    )
    return (
        f'<table class="jwe-steps" style="{_TABLE_STYLE}">{caption}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def step_html(step: Step) -> str:
    return steps_table([step], title=None)


def trace_html(trace: Trace) -> str:
    return steps_table(trace.steps, title=trace.title())


def register_renderers() -> None:
    """Give :class:`~jwe_steps.trace.Step` and :class:`~jwe_steps.trace.Trace` their HTML form."""
    from ..trace import register_renderer

    register_renderer("step_html", step_html)
    register_renderer("trace_html", trace_html)
