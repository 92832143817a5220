"""The two serializations: a compact token's five parts, a JSON token's members and recipients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import strict_json
from ..display import shown as _shown
from ..errors import SerializationError
from ..limits import DEFAULT_LIMITS
from .implications import _common_members, _implications, _members_read
from .model import Inspection, Part, _Builder
from .reading import _base64url, _header

COMPACT_PARTS = ("protected header", "encrypted key", "iv", "ciphertext", "tag")
_JSON_PARTS = {
    "protected": "protected header",
    "encrypted_key": "encrypted key",
    "iv": "iv",
    "ciphertext": "ciphertext",
    "tag": "tag",
    "aad": "aad",
}
_SHOWN_RECIPIENTS = 20  # a general token may list up to 100; the rest are counted, not shown
_LISTED_PARTS = 10  # parts of a compact token listed; a token with more is counted, not split


def _compact(token: str, out: _Builder) -> Inspection:
    # At most _LISTED_PARTS parts are split off and listed: the rest of a token of a million
    # dots is counted (one pass in C), never made into a million parts.
    pieces = token.split(".", _LISTED_PARTS)
    count = len(pieces) if len(pieces) <= _LISTED_PARTS else token.count(".") + 1
    if count != 5:
        hint = None
        if count == 3:
            hint = "Three parts is a JWS (a signed JWT), not a JWE: it is signed, not encrypted."
        listed = f" (the first {_LISTED_PARTS} are listed)" if count > _LISTED_PARTS else ""
        out.find(
            "format.segments",
            "error",
            f"a compact JWE has five parts separated by '.'; this has {count}{listed}",
            hint or "Check the token was copied whole.",
        )
    pieces = pieces[:_LISTED_PARTS]
    names = COMPACT_PARTS if count == 5 else tuple(f"part {n + 1}" for n in range(len(pieces)))
    lengths: dict[str, int | None] = {}
    for name, text in zip(names, pieces, strict=True):
        size = _base64url(name, text, out)
        lengths[name] = size
        out.parts.append(Part(name, len(text), size))
    header = _header(pieces[0], out) if pieces[0] or count == 5 else None
    if header is not None:
        checked = _members_read(header)
        _common_members(checked, out)
        if count == 5:
            _implications(checked, lengths, out)
    return _finish(out, "compact", header=_shown(header) if header is not None else None)


def _json(token: str, out: _Builder) -> Inspection:
    document = _json_document(token, out)
    if document is None:
        return _finish(out, "unknown")
    general = "recipients" in document
    lengths = _json_parts(document, general, out)
    header: dict[str, Any] | None = None
    if isinstance(document.get("protected"), str):
        header = _header(document["protected"], out)
    unprotected = document.get("unprotected")
    if unprotected is not None and not isinstance(unprotected, dict):
        out.find("format.json_member_type", "error", "the 'unprotected' member is not an object")
        unprotected = None
    recipients = _json_recipients(document, general, header, unprotected, lengths, out)
    if general and "encrypted_key" in document:
        out.find(
            "format.ignored_member",
            "info",
            "a top-level 'encrypted_key' beside 'recipients' (go-jose writes one): not part of "
            "the general serialization, not authenticated, and ignored (RFC 7516 §7.2.1)",
        )
    if header is not None:
        _common_members(_members_read(header, unprotected), out)
    _compact_only_warning(document, general, out)
    return _finish(
        out,
        "general" if general else "flattened",
        header=_shown(header) if header is not None else None,
        unprotected=_shown(unprotected) if unprotected is not None else None,
        recipients=tuple(recipients),
    )


def compact_conversion(document: Mapping[str, Any]) -> tuple[str, list[str]]:
    """How a JSON-serialized token's members make its compact form, and what prevents it.

    Returns the members to join with '.' (as text, for a message) and what the token carries
    that the compact serialization cannot (RFC 7516 §7.1: one recipient, the protected header
    alone, no JWE AAD): when that list is empty, the members convert as they are.
    """
    general = "recipients" in document
    entries = document.get("recipients") if general else [document]
    recipients = entries if isinstance(entries, list) else []
    blockers = []
    if not document.get("protected"):
        blockers.append("no protected header")
    if document.get("unprotected"):
        blockers.append("a shared 'unprotected' header")
    if len(recipients) != 1:
        blockers.append(f"{len(recipients)} recipients")
    if any(isinstance(entry, Mapping) and entry.get("header") for entry in recipients):
        blockers.append("a per-recipient 'header'")
    if "aad" in document:
        blockers.append("an 'aad' member")
    key = "recipients[0].encrypted_key" if general else "encrypted_key"
    return f"protected, {key}, iv, ciphertext and tag", blockers


def _compact_only_warning(document: Mapping[str, Any], general: bool, out: _Builder) -> None:
    """format.json_serialization: decrypt reads it, a compact-only recipient refuses it."""
    members, blockers = compact_conversion(document)
    if blockers:
        fix = (
            "If the recipient takes only the compact form, have the sender encrypt again to one "
            "recipient, every header member in the protected header and no 'aad' (RFC 7516 "
            f"§7.1): this token has {' and '.join(blockers)}, which compact cannot carry "
            "(left out, they are lost, and a left-out 'aad' breaks the tag), and moving a "
            "member into the protected header changes the AAD."
        )
    else:
        fix = (
            "If the recipient takes only the compact form, send the values of "
            f"{members} joined with '.' (an absent member as an empty part): the same token, "
            "compact (RFC 7516 §7.1)."
        )
    out.find(
        "format.json_serialization",
        "warning",
        f"the token is the {'general' if general else 'flattened'} JSON serialization (RFC "
        "7516 §7.2): decrypt() and explain read it, but a recipient that takes only the "
        "compact serialization (the practice server does) refuses it",
        fix,
    )


def _json_document(token: str, out: _Builder) -> dict[str, Any] | None:
    """The token as a strict JSON object, or None (with a finding saying why)."""
    try:
        document = strict_json.loads(
            token,
            error=SerializationError,
            subject="the JSON token",
            expected="a JWE in the JSON serialization (RFC 7516 §7.2)",
        )
    except SerializationError as error:
        out.find(error.code, "error", str(error))
        return None
    if not isinstance(document, dict):
        out.find("format.json_not_object", "error", "the JSON token is not an object")
        return None
    return document


def _json_parts(document: dict[str, Any], general: bool, out: _Builder) -> dict[str, int | None]:
    """Each shared base64url member as a part; the decoded lengths by part name."""
    lengths: dict[str, int | None] = {}
    for member, name in _JSON_PARTS.items():
        if member not in document:
            continue
        value = document[member]
        if not isinstance(value, str):
            out.find("format.json_member_type", "error", f"the '{member}' member is not a string")
            continue
        if general and member == "encrypted_key":
            name = "encrypted key (top level, unused)"
        size = _base64url(name, value, out)
        lengths[name] = size
        out.parts.append(Part(name, len(value), size))
    for member in ("ciphertext", "iv", "tag"):
        if member not in document:
            # RFC 7516 §7.2.1 lets iv and tag be absent, but every enc of RFC 7518 uses both.
            out.find(
                "format.json_member_missing", "error", f"the JSON token has no '{member}' member"
            )
    return lengths


def _json_recipients(
    document: dict[str, Any],
    general: bool,
    header: dict[str, Any] | None,
    unprotected: dict[str, Any] | None,
    lengths: dict[str, int | None],
    out: _Builder,
) -> list[dict[str, Any]]:
    """Each recipient (the document itself when flattened): its header, its encrypted key's
    length, and what its merged header implies; the first few are kept for the report."""
    recipients: list[dict[str, Any]] = []
    entries: Any = document.get("recipients") if general else [document]
    if not isinstance(entries, list) or (general and not entries):
        out.find("format.json_recipients", "error", "'recipients' is not a non-empty array")
        entries = []
    if len(entries) > DEFAULT_LIMITS.max_recipients:
        out.find(
            "limits.exceeded",
            "error",
            f"{len(entries)} recipients, more than decrypt's default cap of "
            f"{DEFAULT_LIMITS.max_recipients}; only the first "
            f"{DEFAULT_LIMITS.max_recipients} are read",
        )
        entries = entries[: DEFAULT_LIMITS.max_recipients]
    for index, entry in enumerate(entries):
        where = f" of recipient {index}" if general else ""
        if not isinstance(entry, dict):
            out.find("format.json_recipients", "error", f"recipient {index} is not an object")
            continue
        per_recipient = entry.get("header")
        if per_recipient is not None and not isinstance(per_recipient, dict):
            out.find("format.json_member_type", "error", f"the 'header'{where} is not an object")
            per_recipient = None
        key_bytes = _recipient_key_bytes(entry, index, general, lengths, out, where)
        if index < _SHOWN_RECIPIENTS:
            merged = _members_read(header, unprotected, per_recipient)
            recipients.append({"header": _shown(per_recipient), "encrypted_key_bytes": key_bytes})
            _implications(merged, {**lengths, "encrypted key": key_bytes}, out, where)
    return recipients


def _recipient_key_bytes(
    entry: dict[str, Any],
    index: int,
    general: bool,
    lengths: dict[str, int | None],
    out: _Builder,
    where: str,
) -> int | None:
    """The length of one recipient's encrypted key (None when it cannot be read)."""
    encrypted = entry.get("encrypted_key", "")
    if not isinstance(encrypted, str):
        out.find("format.json_member_type", "error", f"the 'encrypted_key'{where} is not a string")
        return None
    if general and encrypted:
        key_bytes = _base64url(f"encrypted key{where}", encrypted, out)
        if index < _SHOWN_RECIPIENTS:
            out.parts.append(Part(f"encrypted key {index}", len(encrypted), key_bytes))
        return key_bytes
    if not general:
        return lengths.get("encrypted key", 0)
    return 0


def _finish(out: _Builder, serialization: str, **members: Any) -> Inspection:
    return Inspection(
        serialization,
        parts=tuple(out.parts),
        implications=tuple(out.implications),
        findings=tuple(out.findings),
        **members,
    )
