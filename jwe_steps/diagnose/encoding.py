"""The token's form: whitespace, quotes, the five compact parts, base64url (RFC 7516 §7).

Each function returns findings that are plain facts about the text (a '=' in a part, a
trailing newline) and, when the mistake can be undone, the repaired token: the caller replays
it to prove the repair is the whole story.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..b64 import _SPARE_BITS, _VALUE, b64url_encode
from ..decryption import IGNORED_MEMBERS_STEP
from ..inspection.serializations import compact_conversion
from ..trace import DecryptTrace
from .findings import Finding, Messages, plural, say

_COMPACT_LABELS = ("header", "encrypted key", "IV", "ciphertext", "tag")
_JSON_MEMBERS = {
    "protected": "protected header",
    "encrypted_key": "encrypted key",
    "iv": "IV",
    "ciphertext": "ciphertext",
    "tag": "tag",
    "aad": "JWE AAD",
}
_WHITESPACE = re.compile(r"\s")

_PARTS = (
    "The token has {count} part{s} separated by '.', where a compact JWE has 5: "
    "header.encrypted_key.iv.ciphertext.tag (RFC 7516 §7.1)."
)
_JSON_FORM = (
    "The token is in the {form} JSON serialization (RFC 7516 §7.2), not the compact one "
    "(§7.1). It decrypts here, but a recipient that takes only the compact serialization, as "
    "the practice server does (and any API that expects five '.'-separated parts), refuses it: "
    "format.json_serialization."
)
_COMPACT_CALLS = (
    "Compact is what jwcrypto's serialize(compact=True) writes (its default is JSON), as do "
    "go-jose's CompactSerialize() (not FullSerialize()), jose's CompactEncrypt (not "
    "FlattenedEncrypt or GeneralEncrypt), joserfc's encrypt_compact (not encrypt_json) and "
    "jwe_steps.encrypt by default."
)
MESSAGES: Messages = {
    "base64url.padding": (
        "{subject} {verb} '=' padding. JWE parts are base64url without padding "
        "(RFC 7515 §2), so strict decoders reject the token.",
        "Strip the '=' after encoding: Python base64.urlsafe_b64encode(data).rstrip(b'='), "
        "Java Base64.getUrlEncoder().withoutPadding(), Go base64.RawURLEncoding, Node "
        "buf.toString('base64url'), or your JOSE library's base64url helper.",
    ),
    "base64url.alphabet": (
        "{subject} {verb} '+' or '/': {pronoun} encoded with standard base64 (RFC 4648 §4), "
        "not base64url (RFC 4648 §5).",
        "Encode with the URL-safe alphabet ('-' and '_' instead of '+' and '/') and no "
        "padding: Java Base64.getUrlEncoder().withoutPadding() instead of Base64.getEncoder(), "
        "Go base64.RawURLEncoding instead of base64.StdEncoding, Node 'base64url' instead of "
        "'base64', Python base64.urlsafe_b64encode instead of b64encode.",
    ),
    "base64url.noncanonical": (
        "The last character of {where} sets bits that base64url leaves zero. It decodes to the "
        "same bytes as the canonical spelling, but RFC 4648 §3.5 lets a decoder reject such "
        "non-canonical text, and strict ones (this library's) do.",
        "Produce the parts with a base64url encoder; do not assemble or edit the encoded text "
        "by hand.",
    ),
    "format.segments": (
        _PARTS,
        "Join exactly five base64url parts with '.'; a part never contains '.' itself.",
    ),
    "format.segments:empty_header": (
        "The header part (the first of the five) is empty.",
        "Put BASE64URL(UTF8(JSON header)) before the first '.'.",
    ),
    "format.segments:jws": (
        _PARTS + " Three parts is a JWS (a signed token such as a JWT), not an encrypted one.",
        "Encrypt the payload as a JWE (for a nested JWT, the signed JWT is the JWE's plaintext).",
    ),
    "format.segments:no_tag": (
        _PARTS + " The fifth part, the authentication tag, is missing.",
        "Send all five parts, even empty ones (the encrypted key is empty for 'dir'); the tag "
        "goes last.",
    ),
    "format.segments:trailing_dot": (
        _PARTS + " The token ends with a stray '.'.",
        "Join exactly the five parts with '.', with nothing after the tag.",
    ),
    "format.segments:leading_dot": (
        _PARTS + " The token starts with a stray '.'.",
        "Join exactly the five parts with '.', with nothing before the header.",
    ),
    "format.whitespace": (
        "The token has {what}. A compact JWE is base64url text and '.' only (RFC 7516 §7.1), "
        "so a strict recipient (this library's decrypt, the practice server) refuses it: "
        "format.whitespace.",
        "Send the token's text alone. A trailing newline comes from echo (use printf '%s'), "
        "from a file read whole (Python f.read(), Java Files.readString: strip it), or from a "
        "client that writes lines (CRLF); line breaks inside come from a MIME encoder such as "
        "Java's Base64.getMimeEncoder().",
    ),
    "format.quoted": (
        "The token is wrapped in double quotes: it is a JSON string literal (as "
        "json.dumps(token) or JSON.stringify(token) write it, or a JSON response field copied "
        "with its quotes), not the token's text.",
        "Send the string's value: parse the JSON first (json.loads, JSON.parse, "
        "ObjectMapper.readValue) or write the token text directly, without quotes.",
    ),
    "format.json_serialization": (
        _JSON_FORM + " Its compact form is the same token: the values of {members}, joined "
        "with '.'.",
        "If the recipient needs the compact form, send that (an absent member, such as "
        "encrypted_key with 'dir', as an empty part), or have the sender serialize compact. "
        + _COMPACT_CALLS,
    ),
    "format.json_serialization:re_encrypt": (
        _JSON_FORM + " This token has {blockers}, which the compact serialization cannot carry "
        "(RFC 7516 §7.1: one recipient, the protected header alone, no JWE AAD), so it has no "
        "compact form short of encrypting again.",
        "If the recipient needs the compact form, have the sender encrypt again: every header "
        "member in the protected header (moving one there afterwards changes the AAD), one "
        "recipient, no 'aad' (left out afterwards, it breaks the tag), serialized compact. "
        + _COMPACT_CALLS,
    ),
    "format.ignored_member": (
        "The general JSON token also carries {members} at the top level, beside 'recipients' "
        "(go-jose's FullSerialize copies recipients[0].encrypted_key there). RFC 7516 §7.2.1 "
        "says members a recipient does not use are ignored; the copy is not authenticated "
        "either way, so it was ignored: only each recipient's own members count.",
        "Nothing to fix for this library. A strict peer may refuse the copy: send either "
        "'recipients' (general) or a top-level 'encrypted_key' (flattened), not both.",
    ),
}


def _say(key: str, **facts: Any) -> Finding:
    return say(MESSAGES, key, **facts)


@dataclass
class _EncodingReport:
    """Which parts carry which base64url mistake (a code, then part labels)."""

    parts: dict[str, list[str]] = field(default_factory=dict)

    def add(self, code: str, label: str) -> None:
        self.parts.setdefault(code, []).append(label)


def _repair_part(text: str, label: str, report: _EncodingReport) -> str:
    """The canonical base64url spelling of ``text``, noting each mistake it had."""
    fixed = text
    if "=" in fixed:
        report.add("base64url.padding", label)
        stripped = fixed.rstrip("=")
        fixed = stripped if "=" not in stripped else fixed
    if "+" in fixed or "/" in fixed:
        report.add("base64url.alphabet", label)
        fixed = fixed.replace("+", "-").replace("/", "_")
    # The same tables the strict decoder uses: which low bits the last character must not set.
    canonical_length = len(fixed) % 4 in (2, 3) and all(c in _VALUE for c in fixed)
    if canonical_length and _VALUE[fixed[-1]] & _SPARE_BITS[len(fixed) % 4]:
        report.add("base64url.noncanonical", label)
        raw = base64.urlsafe_b64decode(fixed + "=" * (-len(fixed) % 4))
        fixed = b64url_encode(raw)
    return fixed


_VERBS = {  # singular, plural
    "base64url.padding": ("carries", "carry"),
    "base64url.alphabet": ("contains", "contain"),
    "base64url.noncanonical": ("", ""),
}


def _encoding_messages(report: _EncodingReport) -> list[Finding]:
    findings = []
    for code, labels in report.parts.items():
        where = plural(labels)
        one = len(labels) == 1
        facts = {
            "where": where,
            "subject": where[0].upper() + where[1:],
            "verb": _VERBS[code][0 if one else 1],
            "pronoun": "it was" if one else "they were",
        }
        findings.append(_say(code, **facts))
    return findings


def _segment_finding(token: str) -> tuple[Finding | None, list[str] | None]:
    """A finding for a compact token that does not split into five parts, and a repair.

    Only the first seven parts are split off (a repair needs six at most): a token of a million
    dots is counted, not made into a million strings."""
    parts = token.split(".", 6)
    count = len(parts) if len(parts) <= 6 else token.count(".") + 1
    if count == 5 and parts[0]:
        return None, parts
    facts = {"count": count, "s": "s" if count != 1 else ""}
    if count == 5:
        return _say("format.segments:empty_header"), None
    if count == 3:
        return _say("format.segments:jws", **facts), None
    if count == 4:
        return _say("format.segments:no_tag", **facts), [*parts, ""]
    if count == 6 and parts[-1] == "":
        return _say("format.segments:trailing_dot", **facts), parts[:-1]
    if count == 6 and parts[0] == "":
        return _say("format.segments:leading_dot", **facts), parts[1:]
    return _say("format.segments", **facts), None


def _describe_whitespace(token: str) -> str:
    stripped = token.strip()
    where = []
    if token.endswith("\r\n"):
        where.append("a trailing CRLF (\\r\\n)")
    elif token.endswith("\n"):
        where.append("a trailing newline")
    elif token != token.rstrip():
        where.append("trailing whitespace")
    if token != token.lstrip():
        where.append("leading whitespace")
    if _WHITESPACE.search(stripped):
        where.append("whitespace or line breaks inside it")
    return " and ".join(where)


def text_findings(token: str) -> tuple[list[Finding], str]:
    """format.whitespace and format.quoted: the token's text as a strict recipient reads it."""
    findings: list[Finding] = []
    if token.lstrip().startswith("{"):  # JSON: whitespace is allowed around and inside
        return findings, token
    if _WHITESPACE.search(token):
        findings.append(_say("format.whitespace", what=_describe_whitespace(token)))
        token = _WHITESPACE.sub("", token)
    if len(token) >= 2 and token.startswith('"') and token.endswith('"'):
        try:
            inner = json.loads(token)
        except (ValueError, RecursionError):
            inner = None
        if isinstance(inner, str):
            findings.append(_say("format.quoted"))
            token = inner
            if _WHITESPACE.search(token) and not token.strip().startswith("{"):
                findings.append(_say("format.whitespace", what=_describe_whitespace(token)))
                token = _WHITESPACE.sub("", token)
    return findings, token


def encoding_findings(token: Any) -> tuple[list[Finding], Any, tuple[str, ...]]:
    """Findings about the token's form, the token with those mistakes repaired (or None), and
    the header part(s) as originally sent when the repair changed them."""
    if isinstance(token, bytes | bytearray):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            return [], None, ()
    findings: list[Finding] = []
    original = token
    if isinstance(token, str):
        findings, token = text_findings(token)
    if isinstance(token, Mapping) or (isinstance(token, str) and token.startswith("{")):
        more, repaired, sent = json_encoding_findings(token)
        if repaired is None and token != original:
            repaired = token
        return findings + more, repaired, sent
    if not isinstance(token, str):
        return [], None, ()
    segment, parts = _segment_finding(token)
    if segment is not None:
        findings.append(segment)
    if parts is None:  # no five parts to decrypt: the findings stand as plain facts
        return findings, None, ()
    report = _EncodingReport()
    fixed = [
        _repair_part(text, label, report)
        for text, label in zip(parts, _COMPACT_LABELS, strict=True)
    ]
    findings += _encoding_messages(report)
    repaired = ".".join(fixed)
    if repaired == original:
        return findings, None, ()
    sent = (parts[0],) if fixed[0] != parts[0] else ()
    return findings, repaired, sent


def ignored_members(data: Any) -> list[str]:
    """Top-level members of a general JSON token that decrypt ignores (RFC 7516 §7.2.1)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("recipients"), list):
        return []
    return [name for name in ("encrypted_key",) if name in data]


def ignored_member_findings(trace: DecryptTrace) -> list[Finding]:
    """format.ignored_member when decrypt recorded members it ignored (go-jose's copy)."""
    if IGNORED_MEMBERS_STEP not in trace:
        return []
    names = [str(name)[:40] for name in trace[IGNORED_MEMBERS_STEP]]
    return [_say("format.ignored_member", members=" and ".join(repr(n) for n in names))]


def json_serialization_findings(trace: DecryptTrace) -> list[Finding]:
    """format.json_serialization for a JSON-serialized token that decrypts: a recipient that
    takes only the compact serialization (the practice server) refuses it."""
    if "token" not in trace or "plaintext" not in trace:
        return []
    token = trace["token"]
    if isinstance(token, str | bytes | bytearray):
        if token.lstrip()[:1] not in ("{", b"{"):
            return []
        try:
            token = json.loads(token)
        except (ValueError, RecursionError):
            return []
    if not isinstance(token, Mapping):
        return []
    members, blockers = compact_conversion(token)
    form = "general" if "recipients" in token else "flattened"
    if blockers:
        found = _say(
            "format.json_serialization:re_encrypt", form=form, blockers=" and ".join(blockers)
        )
    else:
        found = _say("format.json_serialization", form=form, members=members)
    return [found]


def json_encoding_findings(token: Any) -> tuple[list[Finding], Any, tuple[str, ...]]:
    """The same repairs for the flattened and general JSON serializations (RFC 7516 §7.2)."""
    try:
        data = json.loads(token) if isinstance(token, str) else json.loads(json.dumps(token))
    except (ValueError, TypeError, RecursionError):
        return [], None, ()
    if not isinstance(data, dict):
        return [], None, ()
    report = _EncodingReport()
    sent: tuple[str, ...] = ()
    changed = False

    def repair(container: dict[str, Any], member: str, label: str) -> None:
        nonlocal changed, sent
        value = container.get(member)
        if isinstance(value, str):
            fixed = _repair_part(value, label, report)
            if fixed != value:
                changed = True
                if member == "protected":
                    sent = (value,)
                container[member] = fixed

    findings: list[Finding] = []
    ignored = ignored_members(data)
    if ignored:  # go-jose: a copy of recipients[0]'s members at the top level
        findings.append(_say("format.ignored_member", members=" and ".join(map(repr, ignored))))
        for name in ignored:
            del data[name]
        changed = True
    for member, label in _JSON_MEMBERS.items():
        repair(data, member, label)
    recipients = data.get("recipients")
    if isinstance(recipients, list):
        for entry in recipients:
            if isinstance(entry, dict):
                repair(entry, "encrypted_key", "encrypted key")
    findings += _encoding_messages(report)
    if not changed:
        return findings, None, ()
    repaired: Any = json.dumps(data) if isinstance(token, str) else data
    return findings, repaired, sent
