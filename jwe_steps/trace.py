"""Step and Trace: the record every stage leaves behind.

A stage returns (or appends) a :class:`Step`: the value it produced, a one-line meaning and the
RFC section that defines it. A :class:`Trace` is the ordered list of steps of one encryption or
decryption. Views, widgets and the CLI read values from here and never recompute them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, init=False)
class Step:
    """One intermediate value of a JWE operation.

    Attributes:
        name: a stable identifier, e.g. ``"cek"`` or ``"aad"``; ``trace[name]`` finds it.
        value: the value itself: bytes for octet sequences, str for encoded text, dict for JSON.
        meaning: one line saying what the value is.
        rfc: the section that defines it, e.g. ``"RFC 7516 §5.1 step 14"``.
        inputs: names of the earlier steps this value was computed from.
        operation: how it was computed from those inputs, in one short formula.
        detail: optional extra facts for views (e.g. a JSON member's byte range).
    """

    name: str
    value: Any
    meaning: str
    rfc: str = ""
    inputs: tuple[str, ...] = ()
    operation: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        name: str,
        value: Any,
        meaning: str,
        rfc: str = "",
        inputs: tuple[str, ...] = (),
        operation: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        # The dataclass's own __init__ for a frozen class sets each field through
        # object.__setattr__; one __dict__ update halves the cost of a step, and a JWE round
        # trip records about 25 of them. The instance stays frozen: setattr still raises.
        self.__dict__.update(
            name=name,
            value=value,
            meaning=meaning,
            rfc=rfc,
            inputs=inputs,
            operation=operation,
            detail={} if detail is None else detail,
        )

    @property
    def size(self) -> int | None:
        """Length in bytes (or characters, for text), when the value has one."""
        if isinstance(self.value, bytes | bytearray | memoryview | str):
            return len(self.value)
        return None

    def __str__(self) -> str:
        from .view.text import step_text

        return step_text(self)

    def _repr_html_(self) -> str:
        from .view.html import steps_table

        return steps_table([self], title=None)


@dataclass
class Trace:
    """The ordered steps of one JWE operation. ``trace["cek"]`` returns a step's value."""

    operation: str
    steps: list[Step] = field(default_factory=list)

    def record(self, step: Step) -> Step:
        """Append ``step`` and return it (so a stage can record and use a value in one line)."""
        self.steps.append(step)
        return step

    def add(self, name: str, value: T, meaning: str, rfc: str = "", **extra: Any) -> T:
        """Record a step built from the arguments and return its value (typed as given)."""
        self.steps.append(Step(name, value, meaning, rfc, **extra))
        return value

    def step(self, name: str) -> Step:
        """The last step recorded under ``name``."""
        for candidate in reversed(self.steps):
            if candidate.name == name:
                return candidate
        known = ", ".join(dict.fromkeys(s.name for s in self.steps))
        raise KeyError(f"no step named {name!r} in this trace; it has: {known}")

    def __getitem__(self, name: str) -> Any:
        return self.step(name).value

    def __contains__(self, name: object) -> bool:
        return any(s.name == name for s in self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def names(self) -> list[str]:
        """Step names in order, without repeats."""
        return list(dict.fromkeys(s.name for s in self.steps))

    def __str__(self) -> str:
        from .view.text import trace_text

        return trace_text(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.operation}: {len(self.steps)} steps>"

    def _repr_html_(self) -> str:
        from .view.html import steps_table

        return steps_table(self.steps, title=self.title())

    def title(self) -> str:
        return self.operation


@dataclass(repr=False)
class EncryptTrace(Trace):
    """What :func:`jwe_steps.encrypt` did, step by step; ``.token`` is the result."""

    operation: str = "encrypt"
    token: Any = None  # str for compact; dict for the JSON serializations
    header: dict[str, Any] = field(default_factory=dict)

    def title(self) -> str:
        return f"JWE encryption: {self.header.get('alg')} + {self.header.get('enc')}"


@dataclass(repr=False)
class DecryptTrace(Trace):
    """What :func:`jwe_steps.decrypt` did, step by step; ``.plaintext`` is the result."""

    operation: str = "decrypt"
    plaintext: bytes = b""
    header: dict[str, Any] = field(default_factory=dict)

    def title(self) -> str:
        return f"JWE decryption: {self.header.get('alg')} + {self.header.get('enc')}"
