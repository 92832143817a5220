"""Checked exercises for the notebooks, in the style of a learning checker.

Each notebook imports its questions (``from jwe_steps.exercises.start_here import q1``) and the
learner calls ``q1.check(answer)``, ``q1.hint()`` or ``q1.solution()``. A checker compares the
answer with a value computed independently (a published vector or ``cryptography`` itself),
never with a stored literal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NOT_ANSWERED = "Not answered yet: replace the ... with your answer and run the cell again."


@dataclass(frozen=True)
class Exercise:
    """One question: a checker that explains what is wrong, a hint, and a worked solution.

    ``checker(answer)`` returns None when the answer is right, else a sentence saying what is
    wrong (without giving the answer away).
    """

    number: int
    question: str
    checker: Callable[[Any], str | None]
    hint_text: str
    solution_code: str

    def verdict(self, answer: Any) -> str | None:
        """None when ``answer`` is right, else what is wrong."""
        if answer is Ellipsis or answer is None:
            return NOT_ANSWERED
        try:
            return self.checker(answer)
        except Exception as error:  # a learner's odd answer must not crash the check
            return f"That answer could not be checked ({type(error).__name__}: {error})."

    def is_correct(self, answer: Any) -> bool:
        return self.verdict(answer) is None

    def check(self, answer: Any) -> None:
        problem = self.verdict(answer)
        if problem is None:
            print(f"Question {self.number}: correct.")
        else:
            print(f"Question {self.number}: not yet. {problem}")

    def hint(self) -> None:
        print(f"Hint for question {self.number}: {self.hint_text}")

    def solution(self) -> None:
        print(f"Solution to question {self.number}:\n{self.solution_code}")

    def solve(self) -> Any:
        """Run the worked solution and return its answer (tests use this)."""
        namespace: dict[str, Any] = {}
        exec(self.solution_code, namespace)  # noqa: S102 - our own, fixed solution text
        return namespace["answer"]


def equals(
    expected: Callable[[], Any], describe: Callable[[Any], str] | None = None
) -> Callable[[Any], str | None]:
    """A checker: the answer must equal ``expected()`` (computed when checked)."""

    def checker(answer: Any) -> str | None:
        want = expected()
        if type(answer) is not type(want) and not (
            isinstance(answer, bytes | bytearray) and isinstance(want, bytes)
        ):
            return f"Expected a {type(want).__name__}, got a {type(answer).__name__}."
        if answer == want:
            return None
        if describe is not None:
            return describe(answer)
        if isinstance(want, bytes | str) and len(answer) != len(want):
            return f"Right type, but {len(answer)} long where the answer is {len(want)} long."
        return "Right type, wrong value."

    return checker
