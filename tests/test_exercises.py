"""Every notebook exercise needs the work: its worked solution passes, wrong answers fail, the
answer cannot be imported, feedback gives away neither the answer nor its length nor a
direction, repairs and rewrites must start from the given token, and checkers that say they
use independent computations do not call jwe_steps' pipeline or teaching code."""

from __future__ import annotations

import ast
import base64
import importlib
import inspect
import json
import pkgutil
import re
from types import ModuleType
from typing import Any

import pytest

import jwe_steps
import jwe_steps.exercises as exercises_package
from jwe_steps.examples import RFC7516_A1
from jwe_steps.examples.rfc7516_json import RFC7516_A5
from jwe_steps.exercises import NOT_ANSWERED, Exercise


def exercise_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"jwe_steps.exercises.{info.name}")
        for info in pkgutil.iter_modules(exercises_package.__path__)
    ]


MODULES = exercise_modules()


def all_exercises() -> list[tuple[str, ModuleType, Exercise]]:
    return [
        (f"{module.__name__.rsplit('.', 1)[1]}.q{exercise.number}", module, exercise)
        for module in MODULES
        for exercise in getattr(module, "EXERCISES", [])
    ]


def _param(name: str, module: ModuleType, exercise: Exercise) -> Any:
    return pytest.param(name, module, exercise, id=name)


EXERCISES = all_exercises()
IDS = [name for name, _, _ in EXERCISES]
PARAMS = [_param(*row) for row in EXERCISES]

# Modules whose questions ask how jwe_steps itself behaves ("at which stage is it rejected?"):
# only running jwe_steps can answer those, and their docstrings say so.
RUNS_JWE_STEPS = {
    "payload_and_protected_header",
    "decrypting_and_verifying",
    "tamper_lab",
    "an_api_that_speaks_jwe",
}


def wrong_answers(answer: Any) -> list[Any]:
    """Wrong answers of the answer's own type: shorter, longer, same length but different."""
    if isinstance(answer, bool):
        return [not answer]
    if isinstance(answer, int):
        return [answer - 1, answer + 1, 0, answer * 2 + 3]
    if isinstance(answer, bytes):
        flipped = bytes([answer[0] ^ 1]) + answer[1:] if answer else b"\x00"
        return [b"", answer[:-1], answer + b"\x00", flipped, b"\x00" * len(answer)]
    if isinstance(answer, str):
        flipped = ("B" if answer[:1] != "B" else "C") + answer[1:]
        return ["", answer[:-1], answer + "A", flipped]
    if isinstance(answer, dict):
        return [{}, {**answer, "extra": 1}]
    return []


def test_every_notebook_module_has_exercises():
    assert len(EXERCISES) >= 30
    assert {module.__name__.rsplit(".", 1)[1] for _, module, _ in EXERCISES} >= {
        "start_here",
        "payload_and_protected_header",
        "keys",
        "cek_and_rsa_oaep",
        "iv_and_aes_gcm",
        "assembling_and_parsing",
        "decrypting_and_verifying",
        "tamper_lab",
        "algorithm_zoo",
        "debugging_broken_tokens",
    }


@pytest.mark.parametrize(("name", "module", "exercise"), EXERCISES, ids=IDS)
def test_solution_passes_and_wrong_answers_fail(name, module, exercise, capsys):
    answer = exercise.solve()
    assert exercise.verdict(answer) is None, name
    exercise.check(answer)
    assert "correct" in capsys.readouterr().out
    assert exercise.verdict(...) == NOT_ANSWERED
    for candidate in [*wrong_answers(answer), "not the answer", 3.5]:
        if candidate != answer:
            assert exercise.verdict(candidate) is not None, (name, candidate)
    exercise.hint()
    exercise.solution()
    shown = capsys.readouterr().out
    assert f"Hint for question {exercise.number}" in shown and "answer" in shown


def _values(module: ModuleType) -> list[tuple[str, Any]]:
    """Every value a learner can import from the module: its globals, and one level into the
    containers and frozen records among them."""
    found = []
    for name, value in vars(module).items():
        if name.startswith("__") or inspect.ismodule(value):
            continue
        found.append((name, value))
        if isinstance(value, dict):
            found += [(f"{name}[{key!r}]", item) for key, item in value.items()]
        elif isinstance(value, list | tuple):
            found += [(f"{name}[{i}]", item) for i, item in enumerate(value)]
    return found


@pytest.mark.parametrize(("name", "module", "exercise"), PARAMS)
def test_no_module_global_equals_the_answer(name, module, exercise):
    answer = exercise.solve()
    for global_name, value in _values(module):
        if isinstance(value, Exercise) or callable(value):
            continue
        try:
            same = bool(value == answer)
        except Exception:  # a value that cannot be compared is not the answer
            same = False
        assert not same, f"{name}: {module.__name__}.{global_name} is the answer"


def _mentions(message: str, number: int) -> bool:
    return re.search(rf"(?<![0-9]){number}(?![0-9])", message) is not None


@pytest.mark.parametrize(("name", "module", "exercise"), EXERCISES, ids=IDS)
def test_feedback_never_gives_the_answer_or_its_length(name, module, exercise):
    answer = exercise.solve()
    messages = [exercise.verdict(candidate) for candidate in wrong_answers(answer)]
    assert all(message is not None for message in messages), name
    for message in messages:
        assert message is not None
        if isinstance(answer, bytes | str):
            assert not _mentions(message, len(answer)), (name, message)
            shown = answer if isinstance(answer, str) else answer.decode("latin-1")
            assert len(shown) < 4 or shown not in message, (name, message)
        elif isinstance(answer, int) and not isinstance(answer, bool):
            assert not _mentions(message, answer), (name, message)


@pytest.mark.parametrize(("name", "module", "exercise"), EXERCISES, ids=IDS)
def test_feedback_gives_no_direction_to_search_in(name, module, exercise):
    answer = exercise.solve()
    if isinstance(answer, int) and not isinstance(answer, bool):
        assert exercise.verdict(answer - 1) == exercise.verdict(answer + 1), name


def test_the_oaep_question_is_not_a_choice_between_two_names():
    from jwe_steps.exercises.debugging_broken_tokens import q2

    for guess in ("SHA-1", "SHA-256", "RSA-OAEP", "RSA-OAEP-256"):
        assert not q2.is_correct(guess)
        assert not q2.is_correct(guess.encode())


def _fresh_general_a5() -> dict[str, Any]:
    """A brand-new general JSON token to A.5's key, with A.5's headers and plaintext."""
    trace = jwe_steps.encrypt(
        RFC7516_A5.plaintext,
        RFC7516_A5.demo_keys()[0],
        alg="A128KW",
        enc="A128CBC-HS256",
        header=json.loads(RFC7516_A5.protected_header),
        unprotected=RFC7516_A5.unprotected,
        recipient_header=RFC7516_A5.recipient_headers[0],
        serialization="general",
    )
    return trace.token


def test_the_rewrite_checker_refuses_a_fresh_token():
    from jwe_steps.exercises.assembling_and_parsing import q3

    fresh = _fresh_general_a5()
    assert jwe_steps.decrypt(fresh, RFC7516_A5.demo_keys()[0]).plaintext == RFC7516_A5.plaintext
    assert not q3.is_correct(fresh)
    # A.5's own members, one of them replaced by the fresh token's, are refused too.
    for name in ("iv", "ciphertext", "tag"):
        assert not q3.is_correct({**q3.solve(), name: fresh[name]}), name


def test_the_repair_checker_refuses_a_fresh_token():
    from jwe_steps.exercises.debugging_broken_tokens import PLAINTEXT, appended_tag_token, q1

    fresh = jwe_steps.encrypt(
        PLAINTEXT, RFC7516_A1.demo_key().public_key(), alg="RSA-OAEP-256", enc="A256GCM"
    ).token
    assert jwe_steps.decrypt(fresh, RFC7516_A1.demo_key()).plaintext == PLAINTEXT
    assert not q1.is_correct(fresh)
    # The broken token's header, key and IV with a fresh ciphertext and tag: refused as well.
    broken = appended_tag_token().split(".")
    assert not q1.is_correct(".".join([*broken[:3], *fresh.split(".")[3:]]))
    # Splitting the tag anywhere but at the end: the same bytes, but GCM does not verify.
    raw = base64.urlsafe_b64decode(broken[3] + "=" * (-len(broken[3]) % 4))

    def b64u(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    assert not q1.is_correct(".".join([*broken[:3], b64u(raw[16:]), b64u(raw[:16])]))


def test_the_tamper_checker_refuses_a_fresh_token():
    from jwe_steps.exercises.tamper_lab import MESSAGE, lab_key, q3

    fresh = jwe_steps.encrypt(MESSAGE, lab_key(), alg="A256KW", enc="A256GCM").token
    assert not q3.is_correct(fresh)


def test_hidden_plaintexts_are_drawn_per_session_not_stored():
    from jwe_steps.exercises import iv_and_aes_gcm

    answer = iv_and_aes_gcm.q3.solve()
    assert answer.startswith(b'{"to":"mallet","amount":"')
    source = inspect.getsource(iv_and_aes_gcm)
    assert answer not in source.encode()


def _imports_of(module: ModuleType) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 2 or (node.level == 0 and (node.module or "").startswith("jwe_steps")):
                base = node.module or ""
                names |= {f"{base}.{alias.name}".strip(".") for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("jwe_steps")}
    return names


MODULE_PARAMS = [pytest.param(module, id=module.__name__.rsplit(".", 1)[1]) for module in MODULES]


@pytest.mark.parametrize("module", MODULE_PARAMS)
def test_independent_checkers_use_no_jwe_steps_code(module):
    """Outside the modules that ask about jwe_steps' behaviour, a checker reads published
    vectors (jwe_steps.examples) and computes with the standard library and cryptography."""
    short = module.__name__.rsplit(".", 1)[1]
    if short in RUNS_JWE_STEPS:
        assert "jwe_steps" in (module.__doc__ or ""), "say that its checkers run jwe_steps"
        return
    used = _imports_of(module)
    assert all(name.startswith("examples") for name in used), (short, used)
