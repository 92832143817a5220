"""Checked exercises for the notebooks, in the style of a learning checker.

Each notebook imports its questions (``from jwe_steps.exercises.start_here import q1``) and the
learner calls ``q1.check(answer)``, ``q1.hint()`` or ``q1.solution()``.

What a checker does, exactly:

- **Values** (a length, an AAD, a key, a plaintext) are compared with a value computed when the
  check runs, from a published vector (``jwe_steps.examples``: RFC 7516, RFC 7518, RFC 7520) with
  the standard library (``base64``, ``hashlib``, ``hmac``, ``struct``) or ``cryptography``, never
  with ``jwe_steps``' own pipeline or its ``from_scratch`` teaching code, and never with a stored
  literal. Where a published vector pins the whole computation, the checker verifies the answer
  against that vector instead (for example: "this J0, incremented, makes AES-CTR give the RFC's
  ciphertext").
- **Behaviour of jwe_steps itself** ("at which stage does ``jwe_steps.decrypt`` reject this
  token?", "would the practice server accept these claims?") can only be answered by running
  jwe_steps: those checkers run it (for the server, its own checks and limits), and say so.
- **Repairs and rewrites** check that the learner's token is *that* token repaired or rewritten
  (the same encrypted key, IV, ciphertext and tag), then open it with ``cryptography``: a fresh
  token that merely decrypts is refused.
- **Secrets** an exercise hides (a plaintext to recover, a CEK) are drawn per session and kept
  in closures, never in module globals; no module global equals an answer.
- **Fresh values**: where a published value would answer a question by being pasted (the A.1
  IV, AAD or CEK), the question is asked about a token made for the session instead, or asks
  for a *function* that the checker runs on inputs it makes when the check runs (fresh keys,
  fresh bytes): see :func:`runs_on`.
- **Pairs**: a question about where jwe_steps stops also asks for a second fact (which input
  changed, where ``explain`` finds it), so one stage name cannot answer several questions;
  the feedback does not say which half of a wrong pair is wrong (:func:`pair_of`).
- **Feedback** says what is wrong without the answer, its length or a direction to search in.
- **Plain values**: an answer (and what a learner's function returns) is first turned into the
  plain built-in type it claims to be (:func:`plain`), so a ``bytes``/``str``/``int`` subclass
  whose ``==`` always says yes answers nothing.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

NOT_ANSWERED = "Not answered yet: replace the ... with your answer and run the cell again."
WRONG_VALUE = "Right type, wrong value: re-read the hint and work it through again."


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
            return self.checker(plain(answer))
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


def plain(value: Any) -> Any:
    """``value`` as the plain built-in type it is an instance of, containers item by item.

    A subclass of ``bytes``, ``str``, ``int`` or ``float`` can redefine ``==`` (and Python asks
    the subclass first, whichever side it is on), so a checker compares copies made by the
    built-in types' own methods, which a subclass cannot change. Anything else (a function, a
    key object) is returned as it is.
    """
    if isinstance(value, bool):  # bool cannot be subclassed
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(memoryview(value))
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    return value


def equals(
    expected: Callable[[], Any], describe: Callable[[Any], str] | None = None
) -> Callable[[Any], str | None]:
    """A checker: the answer must equal ``expected()`` (computed when checked)."""

    def checker(answer: Any) -> str | None:
        want = expected()
        if type(answer) is not type(want):
            return f"Expected a {type(want).__name__}, got a {type(answer).__name__}."
        if answer == want:
            return None
        if describe is not None:
            return describe(answer)
        return WRONG_VALUE

    return checker


def runs_on(
    cases: Callable[[], list[tuple[Any, Any]]],
    describe: Callable[[Any], str],
    returns: type,
    *,
    spread: bool = False,
    agrees: Callable[[Any, Any], bool] | None = None,
) -> Callable[[Any], str | None]:
    """A checker for an answer that is a function: called on each input of ``cases()`` (made
    when the check runs: fresh keys, fresh bytes), it must return the value computed there.

    ``describe(input)`` names an input in the feedback (never its expected value); ``returns``
    is the type the function must return. With ``spread`` an input is a tuple of arguments.
    ``agrees(returned, expected)`` replaces ``==`` where what the function returns is judged
    by what it does (a counter block, by the keystream it gives) rather than compared. A
    function that still returns ``...`` (the notebook's template) is not answered yet.
    """

    def checker(answer: Any) -> str | None:
        if not callable(answer) or isinstance(answer, type):
            return (
                f"Expected a function (define it with def, then pass its name), got a "
                f"{type(answer).__name__}."
            )
        for given, want in cases():
            arguments = copy.deepcopy(given) if spread else (copy.deepcopy(given),)
            try:
                got = answer(*arguments)
            except Exception as error:  # the learner's code: say what it raised, and where
                return (
                    f"Your function raised {type(error).__name__} ({str(error)[:60]}) on "
                    f"{describe(given)}."
                )
            if got is Ellipsis:
                return NOT_ANSWERED
            got = plain(got)
            if isinstance(got, bool) or not isinstance(got, returns):
                return (
                    f"Your function returned a {type(got).__name__} on {describe(given)}: "
                    f"expected a {returns.__name__}."
                )
            if not (agrees(got, want) if agrees is not None else got == want):
                return f"Your function gives a wrong value on {describe(given)}."
        return None

    return checker


def pair_of(
    expected: Callable[[], tuple[str, str]],
    choices: tuple[Collection[str], Collection[str]],
    shape: str,
) -> Callable[[Any], str | None]:
    """A checker for a pair of names: ``expected()`` (computed when checked), each half one of
    ``choices``. A wrong pair is refused without saying which half is wrong."""

    def checker(answer: Any) -> str | None:
        if (
            not isinstance(answer, tuple | list)
            or len(answer) != 2
            or not all(isinstance(half, str) for half in answer)
        ):
            return f"Expected a pair of str: {shape}."
        for half, allowed in zip(answer, choices, strict=True):
            if half not in allowed:
                return f"{half!r} is not one of the names asked for: {shape}."
        if tuple(answer) == tuple(expected()):
            return None
        return (
            "Not that pair. Each half has its own reason: work both out again (the feedback "
            "does not say which half is wrong)."
        )

    return checker


# Independent helpers for the checkers: the standard library and cryptography only.


def b64u_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2), with the standard library."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    """The inverse of :func:`b64u_encode`, with the standard library (no canonicity checks)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rsa_private_key(jwk: Mapping[str, str]) -> rsa.RSAPrivateKey:
    """An RSA JWK's private key, built by ``cryptography`` from its members (RFC 7518 §6.3)."""

    def integer(name: str) -> int:
        return int.from_bytes(b64u_decode(jwk[name]), "big")

    public = rsa.RSAPublicNumbers(integer("e"), integer("n"))
    numbers = rsa.RSAPrivateNumbers(
        p=integer("p"),
        q=integer("q"),
        d=integer("d"),
        dmp1=integer("dp"),
        dmq1=integer("dq"),
        iqmp=integer("qi"),
        public_numbers=public,
    )
    return numbers.private_key()
