"""Every notebook exercise: its worked solution passes its checker, and wrong answers fail."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import jwe_steps.exercises as exercises_package
from jwe_steps.exercises import NOT_ANSWERED, Exercise


def all_exercises() -> list[tuple[str, Exercise]]:
    found = []
    for module_info in pkgutil.iter_modules(exercises_package.__path__):
        module = importlib.import_module(f"jwe_steps.exercises.{module_info.name}")
        for exercise in getattr(module, "EXERCISES", []):
            found.append((f"{module_info.name}.q{exercise.number}", exercise))
    return found


EXERCISES = all_exercises()


def test_every_notebook_module_has_exercises():
    assert len(EXERCISES) >= 3


@pytest.mark.parametrize(("name", "exercise"), EXERCISES, ids=[n for n, _ in EXERCISES])
def test_solution_passes_and_wrong_answers_fail(name, exercise, capsys):
    answer = exercise.solve()
    assert exercise.verdict(answer) is None, name
    exercise.check(answer)
    assert "correct" in capsys.readouterr().out
    assert exercise.verdict(...) == NOT_ANSWERED
    wrong = {
        int: answer + 1 if isinstance(answer, int) else None,
        bytes: b"\x00" + bytes(answer) if isinstance(answer, bytes) else None,
    }
    for candidate in (wrong.get(type(answer)), "not the answer", 3.5):
        if candidate is not None and candidate != answer:
            assert exercise.verdict(candidate) is not None, (name, candidate)
    exercise.hint()
    exercise.solution()
    shown = capsys.readouterr().out
    assert f"Hint for question {exercise.number}" in shown and "answer" in shown
