"""What an inspection reports: findings, parts, implications, and the text and JSON forms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import CODES

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """Something the token's encoding or lengths get wrong (or worth knowing).

    ``severity`` is ``"error"`` (decryption will fail on it), ``"warning"`` (it may work, but
    is likely a mistake or refused by default, e.g. a file's final line break, which
    ``jwe-steps decrypt`` strips and a server refuses, or a JSON serialization, which a
    compact-only recipient refuses) or ``"info"``.
    """

    code: str
    severity: Severity
    message: str
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"finding code {self.code!r} is not listed in errors.CODES")

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Part:
    """One part of the token: its length in characters and, when it decodes, in bytes."""

    name: str
    characters: int
    bytes: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "characters": self.characters, "bytes": self.bytes}


@dataclass(frozen=True)
class Implication:
    """What a length or a header member implies, checked against the registry.

    ``status`` is ``"ok"`` (fits), ``"differs"`` (does not fit: a finding says more) or
    ``"info"`` (what it tells, e.g. the RSA key size an encrypted key implies).
    """

    subject: str
    status: Literal["ok", "differs", "info"]
    message: str
    expected: str | None = None
    found: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "status": self.status,
            "message": self.message,
            "expected": self.expected,
            "found": self.found,
        }


@dataclass(frozen=True)
class Inspection:
    """The result of :func:`inspect_token`: read by the CLI (``jwe-steps inspect``) and views.

    Attributes:
        serialization: ``"compact"``, ``"flattened"``, ``"general"`` or ``"unknown"``.
        parts: each part (for a general token, each recipient's encrypted key too).
        header: the protected header, when it decodes to a JSON object, else None.
        unprotected: for JSON serializations, the shared unprotected header (or None).
        recipients: for JSON serializations, each recipient's header and encrypted key length.
        implications: what the lengths and header imply.
        findings: what is wrong or worth knowing; codes from :data:`jwe_steps.errors.CODES`.
    """

    serialization: str
    parts: tuple[Part, ...] = ()
    header: dict[str, Any] | None = None
    unprotected: dict[str, Any] | None = None
    recipients: tuple[dict[str, Any], ...] = ()
    implications: tuple[Implication, ...] = ()
    findings: tuple[Finding, ...] = ()
    input_characters: int = 0

    @property
    def well_formed(self) -> bool:
        """True when no finding is an error: the token has a JWE's shape and fitting lengths
        (whether it decrypts is for the key to say: see :func:`jwe_steps.explain`)."""
        return not any(finding.severity == "error" for finding in self.findings)

    @property
    def codes(self) -> list[str]:
        """The findings' codes, in order."""
        return [finding.code for finding in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every value is a str, int, bool, None, list or dict."""
        return {
            "well_formed": self.well_formed,
            "serialization": self.serialization,
            "input_characters": self.input_characters,
            "parts": [part.to_dict() for part in self.parts],
            "header": self.header,
            "unprotected": self.unprotected,
            "recipients": list(self.recipients),
            "implications": [item.to_dict() for item in self.implications],
            "findings": [finding.to_dict() for finding in self.findings],
        }

    def to_json(self) -> str:
        # ensure_ascii: a header may hold any character; the report stays plain ASCII JSON.
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=True, allow_nan=False)

    def text(self) -> str:
        """A plain-text report for a terminal."""
        lines = [f"serialization: {self.serialization} ({self.input_characters} characters)"]
        if self.parts:
            lines.append("parts:")
            width = max(len(part.name) for part in self.parts)
            for part in self.parts:
                size = f"{part.bytes} bytes" if part.bytes is not None else "does not decode"
                lines.append(f"  {part.name:<{width}}  {part.characters:>8} chars  {size}")
        for label, value in (("protected header", self.header), ("unprotected", self.unprotected)):
            if value is not None:
                lines.append(f"{label}: {json.dumps(value, ensure_ascii=True)}")
        for index, recipient in enumerate(self.recipients):
            lines.append(f"recipient {index}: {json.dumps(recipient, ensure_ascii=True)}")
        if self.implications:
            lines.append("what the lengths imply:")
            marks = {"ok": "ok  ", "differs": "DIFF", "info": "    "}
            lines.extend(f"  {marks[i.status]} {i.message}" for i in self.implications)
        if self.findings:
            lines.append("findings:")
            for finding in self.findings:
                lines.append(f"  {finding.severity.upper()} {finding.code}: {finding.message}")
                if finding.fix:
                    lines.append(f"      fix: {finding.fix}")
        verdict = "well formed" if self.well_formed else "NOT well formed"
        lines.append(f"{verdict} (a key is needed to tell whether it decrypts: jwe-steps explain)")
        return "\n".join(lines)


@dataclass
class _Builder:
    """Collects parts, implications and findings while the token is read."""

    parts: list[Part] = field(default_factory=list)
    implications: list[Implication] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def find(self, code: str, severity: Severity, message: str, fix: str | None = None) -> None:
        self.findings.append(Finding(code, severity, message, fix))

    def imply(
        self,
        subject: str,
        status: Literal["ok", "differs", "info"],
        message: str,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        self.implications.append(Implication(subject, status, message, expected, found))
