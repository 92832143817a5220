"""explain(): decrypt step by step and report where (and, with diagnosis, why) it fails.

This is a debugging aid for your own keys and tokens. It deliberately gives up the uniform
error of :func:`jwe_steps.decrypt` (RFC 7516 §11.5): never expose it as a server's decryption
path, where its detail would be an oracle for attackers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .b64 import b64url_encode
from .decryption import IGNORED_MEMBERS_STEP
from .diagnose import Finding, diagnose, notes
from .errors import JWEError
from .limits import Limits, given_limits
from .pipeline import run_decryption
from .strict_json import json_safe
from .trace import DecryptTrace, Step, is_secret, redact

# The report redacts what a log must not show, by the Trace's own rule (trace.is_secret: an
# allow-list of public steps) and with its summaries (trace.redact: length and SHA-256 prefix,
# length only for content). decrypt's note of ignored members is public too.
_ALSO_PUBLIC = frozenset({IGNORED_MEMBERS_STEP})
# An integer step (a from-scratch RSA value) is written as it is: 14 000 bits stay under the
# 4300 decimal digits Python converts to text by default (sys.int_info.default_max_str_digits).
_WRITTEN_INT_BITS = 14_000


def is_public(name: str) -> bool:
    """Whether step ``name`` may appear in a redacted report as it is."""
    return name in _ALSO_PUBLIC or not is_secret(name)


def _redacted_step(step: Step) -> Step:
    if step.name == "token":
        value = _redacted_token(step.value)
        if value is not step.value:
            return Step(step.name, value, step.meaning, step.rfc)
    if is_public(step.name):
        return step
    return Step(
        step.name,
        redact(step.name, step.value),
        step.meaning,
        step.rfc,
        inputs=step.inputs,
        operation=step.operation,
    )


def _redacted_token(token: Any) -> Any:
    """``token`` as a redacted report may show it. A JWE is all ciphertext, but what was given
    may be a JWS (the inner token of a nested JWT, pasted by mistake), whose payload part is
    the claims in base64url: that part is replaced by its length. Anything else is kept."""
    if isinstance(token, dict):
        if "payload" not in token:
            return token
        return {**token, "payload": f"<{_length(token['payload'])} of JWS payload, redacted>"}
    text = token.decode("utf-8", "replace") if isinstance(token, bytes) else token
    if not isinstance(text, str):
        return token
    if text.lstrip().startswith("{"):
        if '"payload"' not in text:
            return token
        return f"<{len(text)} characters of JSON with a JWS payload, redacted>"
    parts = text.split(".")
    if len(parts) != 3:
        return token
    return f"{parts[0]}.<{len(parts[1])} characters of JWS payload, redacted>.{parts[2]}"


def _length(value: Any) -> str:
    return f"{len(value)} characters" if isinstance(value, str) else "a value"


@dataclass
class Explanation:
    """The outcome of :func:`explain`: the steps that ran, where it stopped, and why.

    The report holds the CEK and the plaintext (it is for your own keys). Before it goes into
    a support ticket or a chat, take :meth:`redacted`.
    """

    trace: DecryptTrace
    error: JWEError | None = None
    diagnosis: list[Finding] = field(default_factory=list)
    is_redacted: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failed_stage(self) -> str | None:
        return None if self.error is None else str(self.error.stage)

    @property
    def steps(self) -> list[Step]:
        return self.trace.steps

    def redacted(self) -> Explanation:
        """The same report with every secret step replaced by its length and SHA-256 prefix.

        Secrets are the CEK, the plaintext, shared secrets, derived and MAC keys and any
        intermediate value of the from-scratch engine: every step the Trace's
        :func:`~jwe_steps.trace.is_secret` calls secret. Keys get their length and a SHA-256
        prefix; content (the plaintext) its length only, as a hash of a short value would let
        anyone confirm a guess. A token that is a JWS, not a JWE, loses its payload part
        (the claims, in base64url). Steps, stage, error and findings are kept (they name lengths,
        algorithms and kids, never secret values), so the report still says what went wrong.
        """
        trace = DecryptTrace(steps=[_redacted_step(step) for step in self.trace.steps])
        trace.header = dict(self.trace.header)
        return Explanation(trace, self.error, list(self.diagnosis), is_redacted=True)

    def to_dict(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "ok": self.ok,
            "failed_stage": self.failed_stage,
            "error": None if self.error is None else self.error.to_dict(),
            "steps": [step_to_json(step) for step in self.steps],
            "diagnosis": [finding.to_dict() for finding in self.diagnosis],
        }
        if self.is_redacted:
            report["redacted"] = True
        return report

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        from .view.text import explanation_text

        return explanation_text(self)

    def _repr_html_(self) -> str:
        from .view.html import steps_table

        status = "decrypts" if self.ok else f"fails at stage '{self.failed_stage}'"
        table = steps_table(self.steps, title=f"explain: the token {status}")
        # Messages quote the token (a kid, an alg): escape them, the token is untrusted input.
        notes = "".join(
            f"<li><b>{escape(f.code)}</b>: {escape(f.message)} <i>Fix: {escape(f.fix)}</i></li>"
            for f in self.diagnosis
        )
        error = "" if self.error is None else f"<p><b>Error:</b> {escape(str(self.error))}</p>"
        return table + error + (f"<ul>{notes}</ul>" if notes else "")


def _writable_int(value: Any) -> bool:
    return isinstance(value, int) and value.bit_length() <= _WRITTEN_INT_BITS


def step_to_json(step: Step) -> dict[str, Any]:
    """A step as JSON: octets as base64url (with their length), text and JSON as they are.

    A header given as a Python dict may hold what JSON text cannot (nesting thousands of levels
    deep, an integer of thousands of digits, bytes): those parts are cut off or described
    (:func:`jwe_steps.strict_json.json_safe`), so the report can always be written."""
    value: Any = step.value
    entry: dict[str, Any] = {"name": step.name, "meaning": step.meaning, "rfc": step.rfc}
    if isinstance(value, bytes | bytearray | memoryview):
        entry.update(encoding="base64url", value=b64url_encode(value), bytes=len(value))
    elif isinstance(value, str | bool) or value is None or _writable_int(value):
        entry["value"] = value
    elif isinstance(value, int | float | dict | list):
        entry["value"] = json_safe(value)
    else:
        entry["value"] = repr(value)
    return entry


def explain(
    token: Any, key: Any, *, algorithms: Any = None, limits: Limits | None = None
) -> Explanation:
    """Decrypt ``token`` with ``key`` one step at a time and name the mistake that breaks it.

    A debugging aid for your own keys and tokens, never a server's decryption path (RFC 7516
    §11.5): :func:`jwe_steps.decrypt` answers every failure that depends on the key (a wrong
    key, another OAEP hash, an altered tag) with one ``decryption.failed``; explain reports
    where decryption really stops, then tests hypotheses with ``key`` (another OAEP hash, the
    tag at the end of the ciphertext, an empty or re-serialized AAD, ...) and lists in
    ``diagnosis`` the ones the key proves. A token that decrypts has an empty diagnosis, or
    only notes: members that were ignored (``format.ignored_member``), a JSON serialization
    that a recipient taking only the compact one refuses (``format.json_serialization``).

    The report holds the CEK and the plaintext: use :meth:`Explanation.redacted` before
    sharing it.

    Args:
        token: a compact JWE, or a JSON serialization (text or dict).
        key: your private key, or a key set (JWKS) from which the token's kid picks.
        algorithms: the allow-list, as for :func:`jwe_steps.decrypt`.
        limits: the caps, as for :func:`jwe_steps.decrypt`; every hypothesis stays within
            them (PBES2 iterations are counted over all hypotheses together).
    """
    limits = given_limits(limits)
    trace = DecryptTrace()
    try:
        run_decryption(token, key, trace, algorithms=algorithms, limits=limits, reveal=True)
    except JWEError as error:
        found = diagnose(token, key, error, algorithms=algorithms, limits=limits, trace=trace)
        named = {finding.code for finding in found.findings}
        noted = [note for note in notes(trace) if note.code not in named]
        return Explanation(trace, error, noted + found.findings)
    return Explanation(trace, diagnosis=notes(trace))


__all__ = ["Explanation", "Finding", "explain", "is_public", "step_to_json"]
