"""Plain-text rendering of steps and traces (for ``str()``, the CLI and logs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .format import describe_size, preview

if TYPE_CHECKING:
    from ..trace import Step, Trace


def step_text(step: Step) -> str:
    size = describe_size(step.value)
    head = f"{step.name}" + (f" ({size})" if size else "")
    lines = [f"{head}: {preview(step.value)}", f"    {step.meaning}"]
    if step.operation:
        lines.append(f"    = {step.operation}")
    if step.rfc:
        lines.append(f"    [{step.rfc}]")
    return "\n".join(lines)


def steps_text(steps: Iterable[Step]) -> str:
    return "\n".join(f"{i:>2}. {step_text(s)}" for i, s in enumerate(steps, 1))


def trace_text(trace: Trace) -> str:
    return f"{trace.title()}\n{steps_text(trace.steps)}"


def explanation_text(explanation: Any) -> str:
    """The CLI's text report for :class:`jwe_steps.explain.Explanation`."""
    lines = [steps_text(explanation.steps)]
    if explanation.ok:
        lines.append("OK: the token decrypts.")
    else:
        lines.append(f"FAILED at stage '{explanation.failed_stage}': {explanation.error}")
    for finding in explanation.diagnosis:
        lines.append(f"  [{finding.code}] {finding.message}\n      fix: {finding.fix}")
    return "\n".join(lines)
