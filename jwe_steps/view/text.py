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


def explanation_text(explanation: Any, *, color: bool = False) -> str:
    """The CLI's text report for :class:`jwe_steps.Explanation`.

    Every step, then the verdict, then each diagnosis with its fix. With ``color=True`` (the CLI
    passes it on a TTY) step names take their part's colour from the palette, and the verdict
    and codes are green or vermillion; every coloured item is labelled in words as well.
    """
    from .terminal import painter

    paint = painter(color)
    steps = []
    for number, step in enumerate(explanation.steps, 1):
        first, _, rest = step_text(step).partition(":")
        steps.append(f"{number:>2}. {paint(step.name, first)}:{rest}")
    lines = ["\n".join(steps)] if steps else []
    if explanation.ok:
        # The palette gives the IV bluish green and the header vermillion: its OK and BAD colours.
        lines.append(paint("iv", "OK: the token decrypts."))
        return "\n".join(lines)
    verdict = f"FAILED at stage '{explanation.failed_stage}'"
    lines.append(f"{paint('protected_header', verdict)}: {explanation.error}")
    if explanation.diagnosis:
        count = len(explanation.diagnosis)
        lines.append(f"Diagnosis ({count} finding{'s' if count != 1 else ''}):")
    else:
        lines.append("Diagnosis: no hypothesis tested with your key explains this failure.")
    for finding in explanation.diagnosis:
        code = paint("protected_header", f"[{finding.code}]")
        lines.append(f"  {code} {finding.message}\n      fix: {finding.fix}")
    return "\n".join(lines)
