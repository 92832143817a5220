"""Name the integration mistake behind a token that does not decrypt (for :func:`explain`).

:func:`jwe_steps.decrypt` answers every failure that depends on the key alike (RFC 7516
§11.5): a wrong key, a wrong OAEP hash and an altered tag all end in one
``decryption.failed``. The engineer who holds the private key can do better: rebuild what a
mis-implemented peer would have sent, try it with that key, and report the alternative that
works. One module per family of hypotheses, in the order of RFC 7516 §5.2:

    encoding        the token's text, compact parts, base64url   format.*, base64url.*
    header_json     the protected header's JSON, epk as text     header.json, header.epk_string
    names           the alg and enc names                        header.unsupported_alg / _enc
    key_selection   which key, and may it serve alg              kid.mismatch, key.type
    encrypted_key   the encrypted key                            oaep.*, key.mismatch
    lengths         CEK, IV and tag lengths; where the tag is    cek.length, iv.length, tag.*
    aad             what the sender authenticated           aad.missing, aad.reserialized_header
    replay          every combination, cheapest first            tag.mismatch
    decompression   zip content that is not raw DEFLATE          decompression.framing

A finding is reported only when the key proves it (an alternative that decrypts, or an encrypted
key that opens) or when it is a plain fact about the token (a ``=`` in a part, a 16-byte IV).
``tag.mismatch`` is what is left when the key recovers the CEK, every part has the right length,
and no alternative verifies. Every hypothesis is bounded: by the caller's :class:`Limits` (the
same caps as decrypt, PBES2 iterations counted over all hypotheses together) and by a Budget of
attempts, bytes and key operations; ``limits.exceeded`` says when that stopped the search.

This is for debugging your own integration. Never run it on a server's decryption path: its
answers are exactly the oracle that RFC 7516 §11.5 tells a server not to provide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..errors import JWEError, Stage
from ..header import parse_header
from ..limits import DEFAULT_LIMITS, Limits
from ..pipeline import run_decryption
from ..serialization import ParsedJWE, parse
from ..trace import DecryptTrace
from .decompression import framing_findings
from .encoding import encoding_findings, ignored_member_findings, json_serialization_findings
from .findings import FINDING_CODES, MAX_REPAIR_DEPTH, Budget, Finding
from .header_json import header_json_findings
from .names import allow_lists
from .replay import replay


@dataclass(frozen=True)
class Diagnosis:
    """The findings, and whether repairing them (all together) made the token decrypt."""

    findings: list[Finding]
    decrypts: bool = False


_REPLAYED = frozenset(
    {
        Stage.ALGORITHM,
        Stage.KEY,
        Stage.KEY_MANAGEMENT,
        Stage.CEK,
        Stage.IV,
        Stage.TAG,
        Stage.CONTENT_DECRYPTION,
    }
)


def diagnose(
    token: Any,
    key: Any,
    error: JWEError,
    *,
    algorithms: Iterable[str] | None = None,
    limits: Limits | None = None,
    trace: DecryptTrace | None = None,
    sent_header_texts: tuple[str, ...] = (),
    depth: int = 0,
    budget: Budget | None = None,
) -> Diagnosis:
    """Explain ``error`` (raised by ``run_decryption(token, key, reveal=True)``) with ``key``.

    ``trace`` is what that run recorded (the decompression finding reads the decrypted
    content from it). ``sent_header_texts`` are header parts as the sender wrote them before
    an encoding repair: the sender's AAD was made from them, not from the repaired text.
    """
    limits = limits or DEFAULT_LIMITS
    budget = budget or Budget(limits)
    if error.stage in (Stage.SERIALIZATION, Stage.BASE64URL):
        return _diagnose_encoding(token, key, algorithms, budget, depth)
    if error.stage is Stage.DECOMPRESSION:
        compressed = (
            trace["compressed_plaintext"] if trace and "compressed_plaintext" in trace else b""
        )
        return Diagnosis(framing_findings(compressed, limits), decrypts=False)
    try:
        parsed = parse(token, max_recipients=limits.max_recipients)
    except JWEError:
        return Diagnosis([])
    allowed = allow_lists(algorithms)
    if error.stage is Stage.HEADER:
        json_problem = (
            header_json_findings(parsed.protected_header) if parsed.encoded_protected_header else []
        )
        if json_problem or not _has_epk(parsed):
            return Diagnosis(json_problem)
        # An ephemeral key the recipient's key cannot meet (or one sent as text) is a header
        # error in the pipeline, and a key.type or epk mistake in the engineer's terms.
    elif error.stage not in _REPLAYED:
        return Diagnosis([])
    findings, decrypts = replay(parsed, key, allowed, budget, sent_header_texts)
    return Diagnosis(findings, decrypts)


def notes(trace: DecryptTrace) -> list[Finding]:
    """Findings that do not stop decryption: the JSON serialization, which a compact-only
    recipient refuses (reported once the token decrypts), and members decrypt ignored
    (go-jose's copy)."""
    return json_serialization_findings(trace) + ignored_member_findings(trace)


def _has_epk(parsed: ParsedJWE) -> bool:
    try:
        protected = parse_header(parsed.protected_header) if parsed.encoded_protected_header else {}
    except JWEError:
        return False
    unprotected = parsed.unprotected or {}
    return (
        "epk" in protected
        or "epk" in unprotected
        or any("epk" in (r.header or {}) for r in parsed.recipients)
    )


def _diagnose_encoding(
    token: Any, key: Any, algorithms: Iterable[str] | None, budget: Budget, depth: int
) -> Diagnosis:
    findings, repaired, sent = encoding_findings(token)
    if repaired is None or depth >= MAX_REPAIR_DEPTH:
        return Diagnosis(findings)
    trace = DecryptTrace()
    try:
        run_decryption(
            repaired, key, trace, algorithms=algorithms, limits=budget.limits, reveal=True
        )
    except JWEError as next_error:
        rest = diagnose(
            repaired,
            key,
            next_error,
            algorithms=algorithms,
            limits=budget.limits,
            trace=trace,
            sent_header_texts=sent,
            depth=depth + 1,
            budget=budget,
        )
        decrypts, later = rest.decrypts, rest.findings
    else:
        decrypts, later = True, []
    if decrypts:
        proof = (
            " Repaired that way, your key decrypts the token."
            if not later and len(findings) == 1
            else " Repaired that way, together with the other findings, your key decrypts the "
            "token."
        )
        findings = [replace(f, message=f.message + proof) for f in findings]
    return Diagnosis(findings + later, decrypts)


__all__ = [
    "FINDING_CODES",
    "Budget",
    "Diagnosis",
    "Finding",
    "diagnose",
    "encoding_findings",
    "header_json_findings",
    "notes",
    "replay",
]
