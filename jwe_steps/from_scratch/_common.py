"""What every from-scratch implementation shares: a step recorder, a result base, input checks.

Each teaching implementation records its intermediate values as :class:`jwe_steps.trace.Step`
records, so the view layer renders them exactly like the pipeline's own steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import InputError, JWEError
from ..trace import Step

T = TypeVar("T")


class Recorder:
    """Collects steps into a list (the caller's, when one is given, so that a computation that
    raises half-way still leaves the steps it got through)."""

    __slots__ = ("steps",)

    def __init__(self, sink: list[Step] | None = None) -> None:
        self.steps: list[Step] = sink if sink is not None else []

    def add(self, name: str, value: T, meaning: str, spec: str = "", **extra: Any) -> T:
        """Record one step and return its value."""
        self.steps.append(Step(name, value, meaning, spec, **extra))
        return value


@dataclass
class Computation:
    """The base of every from-scratch result: the steps, and lookup by step name."""

    steps: list[Step] = field(default_factory=list, repr=False)

    def step(self, name: str) -> Step:
        """The last step called ``name``."""
        for candidate in reversed(self.steps):
            if candidate.name == name:
                return candidate
        raise KeyError(f"no step named {name!r}; this computation has {len(self.steps)} steps")

    def __getitem__(self, name: str) -> Any:
        return self.step(name).value

    def __contains__(self, name: object) -> bool:
        return any(s.name == name for s in self.steps)

    def names(self) -> list[str]:
        """Step names in order, without repeats."""
        return list(dict.fromkeys(s.name for s in self.steps))

    def _repr_html_(self) -> str:
        from ..view.html import steps_table

        return steps_table(self.steps, title=type(self).__name__)


def require_bytes(value: object, what: str) -> bytes:
    """``value`` as bytes, or InputError naming ``what``."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise InputError(
        f"{what} must be bytes",
        code="input.type",
        expected="bytes",
        found=type(value).__name__,
    )


def require_length(
    value: bytes,
    allowed: tuple[int, ...],
    what: str,
    error: type[JWEError],
    hint: str | None = None,
    code: str | None = None,
) -> None:
    """Raise ``error`` unless ``len(value)`` is one of ``allowed`` (byte lengths)."""
    if len(value) not in allowed:
        sizes = " or ".join(f"{n} bytes ({8 * n} bits)" for n in allowed)
        raise error(
            f"{what} has the wrong length",
            code=code,
            expected=sizes,
            found=f"{len(value)} bytes",
            hint=hint,
        )


def xor(a: bytes, b: bytes) -> bytes:
    """Bytewise XOR of two equally long byte strings."""
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")
