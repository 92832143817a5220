"""What every family of hypotheses shares: a Finding, an Option, the work budget.

A finding's code comes from the one registry, :data:`jwe_steps.errors.CODES`;
:data:`FINDING_CODES` says which of those codes a diagnosis reports, in the order of RFC 7516
§5.2, and :data:`STAGES` which stage each one names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..algorithms import Context
from ..errors import CODES, Stage
from ..limits import DEFAULT_LIMITS, Limits
from ..trace import DecryptTrace

T = TypeVar("T")

# Every code a diagnosis can report, in the order of the decryption steps, with its stage.
STAGES: dict[str, Stage] = {
    "format.whitespace": Stage.SERIALIZATION,
    "format.quoted": Stage.SERIALIZATION,
    "format.segments": Stage.SERIALIZATION,
    "format.json_serialization": Stage.SERIALIZATION,
    "format.ignored_member": Stage.SERIALIZATION,
    "base64url.padding": Stage.BASE64URL,
    "base64url.alphabet": Stage.BASE64URL,
    "base64url.noncanonical": Stage.BASE64URL,
    "header.json": Stage.HEADER,
    "header.epk_string": Stage.HEADER,
    "header.unsupported_alg": Stage.ALGORITHM,
    "header.unsupported_enc": Stage.ALGORITHM,
    "kid.mismatch": Stage.KEY,
    "key.type": Stage.KEY,
    "key.mismatch": Stage.KEY_MANAGEMENT,
    "oaep.hash_mismatch": Stage.KEY_MANAGEMENT,
    "oaep.mgf1_sha1": Stage.KEY_MANAGEMENT,
    "oaep.pkcs1v15": Stage.KEY_MANAGEMENT,
    "cek.length": Stage.CEK,
    "iv.length": Stage.IV,
    "tag.length": Stage.TAG,
    "tag.appended_to_ciphertext": Stage.TAG,
    "aad.missing": Stage.CONTENT_DECRYPTION,
    "aad.reserialized_header": Stage.CONTENT_DECRYPTION,
    "tag.mismatch": Stage.CONTENT_DECRYPTION,
    "decompression.framing": Stage.DECOMPRESSION,
    "limits.exceeded": Stage.LIMITS,
}
FINDING_CODES: tuple[str, ...] = tuple(STAGES)
ORDER = {code: n for n, code in enumerate(FINDING_CODES)}
assert set(FINDING_CODES) <= set(CODES), set(FINDING_CODES) - set(CODES)

# Hypotheses are tried only within these bounds (besides the caller's Limits).
MAX_REPAIR_DEPTH = 3  # encoding repairs chained before the replay (e.g. 4 parts, then '=')
MAX_ATTEMPTS = 512  # content decryptions tried at most, cheapest hypotheses first
MAX_WORK_BYTES = 256 * 1024 * 1024  # ciphertext and AAD bytes authenticated, in all
MAX_KEY_OPERATIONS = 256  # private-key operations (RSA, ECDH) over every hypothesis
MAX_TEXT_HYPOTHESIS = 64 * 1024  # a header text is re-read (Python literal, Latin-1) up to this


@dataclass(frozen=True)
class Finding:
    """One diagnosis: a named integration mistake and how to fix it on the sending side."""

    code: str
    stage: str
    message: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "stage": self.stage, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class Option(Generic[T]):
    """One way to read a value: as received (no findings) or as a mistake would have made it."""

    value: T
    findings: tuple[Finding, ...] = ()


def finding(code: str, message: str, fix: str) -> Finding:
    """A finding for ``code``, at the stage that code names."""
    return Finding(code, str(STAGES[code]), message, fix)


Messages = Mapping[str, tuple[str, str]]
"""A family's texts: ``"code"`` or ``"code:variant"`` -> (message, fix), as str.format
templates filled with the facts of one token."""


def say(messages: Messages, key: str, **facts: Any) -> Finding:
    """The finding for ``key`` (its code is the part before ':'), its texts filled with
    ``facts``."""
    message, fix = messages[key]
    return finding(key.partition(":")[0], message.format(**facts), fix.format(**facts))


@dataclass
class Budget:
    """The work every hypothesis of one diagnosis shares, so that no token buys more.

    ``p2c`` is what decrypt allows in total (``Limits.max_p2c`` PBKDF2 iterations, over every
    recipient): look-alike names and repeated recipients draw on the same count.
    """

    limits: Limits = DEFAULT_LIMITS
    attempts: int = MAX_ATTEMPTS
    work_bytes: int = MAX_WORK_BYTES
    key_operations: int = MAX_KEY_OPERATIONS
    p2c: int = -1
    refused: list[str] = field(default_factory=list)  # what was not tried, in words

    def __post_init__(self) -> None:
        if self.p2c < 0:
            self.p2c = self.limits.max_p2c

    def refuse(self, what: str) -> None:
        """Note a hypothesis left untried, in words."""
        if what not in self.refused:
            self.refused.append(what)

    def _spend(self, name: str, amount: int, what: str) -> bool:
        left = getattr(self, name)
        if amount > left:
            self.refuse(what)
            return False
        setattr(self, name, left - amount)
        return True

    def pbkdf2(self, iterations: int) -> bool:
        return self._spend("p2c", iterations, "PBES2 iterations past Limits.max_p2c in all")

    def key_operation(self) -> bool:
        return self._spend("key_operations", 1, f"more than {MAX_KEY_OPERATIONS} key operations")

    def decryption(self, size: int) -> bool:
        ok = self._spend("attempts", 1, f"more than {MAX_ATTEMPTS} content decryptions")
        return ok and self._spend("work_bytes", size, "more content than 256 MiB to authenticate")

    def context(self) -> Context:
        """A context whose trace is thrown away: hypotheses must not add steps to the report."""
        return Context(trace=DecryptTrace(), limits=self.limits)


LIMITS_MESSAGES: Messages = {
    "limits.exceeded": (
        "explain stopped before trying every hypothesis, so it cannot say more: the token asks "
        "for {refused}.",
        "Decrypt with the limits decrypt() uses; if the sender really needs more, raise them "
        "with limits=Limits(...) for explain and decrypt alike.",
    ),
}


def limits_finding(budget: Budget) -> list[Finding]:
    """limits.exceeded, when the budget left hypotheses untried and nothing else was proven."""
    if not budget.refused:
        return []
    return [say(LIMITS_MESSAGES, "limits.exceeded", refused="; ".join(budget.refused))]


def merge(*groups: Iterable[Finding]) -> list[Finding]:
    """Findings in order, without repeats."""
    seen: dict[tuple[str, str], Finding] = {}
    for group in groups:
        for item in group:
            seen.setdefault((item.code, item.message), item)
    return list(seen.values())


def plural(items: Sequence[str]) -> str:
    if len(items) == 1:
        return f"the {items[0]} part"
    return "the " + ", ".join(items[:-1]) + f" and {items[-1]} parts"
