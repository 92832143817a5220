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
  token?") can only be answered by running jwe_steps: those checkers run it, and say so.
- **Repairs and rewrites** check that the learner's token is *that* token repaired or rewritten
  (the same encrypted key, IV, ciphertext and tag), then open it with ``cryptography``: a fresh
  token that merely decrypts is refused.
- **Secrets** an exercise hides (a plaintext to recover, a CEK) are drawn per session and kept
  in closures, never in module globals; no module global equals an answer.
- **Feedback** says what is wrong without the answer, its length or a direction to search in.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
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
        return WRONG_VALUE

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
