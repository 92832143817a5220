"""Look at a token without a key: its anatomy, its header, and what its lengths imply.

A partner's sample token often arrives before any key does, or the key is theirs. Much can be
checked from the token alone: that it has the parts a JWE has, that each part is strict
base64url, what the protected header says, and whether the lengths fit what the header
announces (the IV and tag sizes that ``enc`` fixes, the encrypted key that ``alg`` implies,
which for RSA is as long as the recipient's modulus). :func:`inspect_token` does that and
never raises: whatever the input, it returns an :class:`Inspection` whose findings say what
is wrong, each with a stable code from :data:`jwe_steps.errors.CODES`.

Nothing here decrypts, so nothing here is secret: an inspection may be shared as it is.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from . import strict_json
from .algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT, NOT_ALLOWED_BY_DEFAULT, Mode
from .errors import CODES, HeaderError, SerializationError
from .limits import DEFAULT_LIMITS

Severity = Literal["error", "warning", "info"]

COMPACT_PARTS = ("protected header", "encrypted key", "iv", "ciphertext", "tag")
_JSON_PARTS = {
    "protected": "protected header",
    "encrypted_key": "encrypted key",
    "iv": "iv",
    "ciphertext": "ciphertext",
    "tag": "tag",
    "aad": "aad",
}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_NOT_BASE64URL = re.compile(r"[^A-Za-z0-9_-]")
_WHITESPACE = re.compile(r"\s")
_SHOWN_RECIPIENTS = 20  # a general token may list up to 100; the rest are counted, not shown
_MAX_SHOWN_HEADER = 4096  # characters of a header member kept in the inspection


@dataclass(frozen=True)
class Finding:
    """Something the token's encoding or lengths get wrong (or worth knowing).

    ``severity`` is ``"error"`` (decryption will fail on it), ``"warning"`` (it may work, but
    is likely a mistake or refused by default, e.g. a file's final line break, which the
    command line strips and a server refuses) or ``"info"``.
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


# ---------------------------------------------------------------- the input as text


def _as_text(token: Any, out: _Builder) -> str | None:
    if isinstance(token, bytes | bytearray | memoryview):
        raw = bytes(token)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            out.find(
                "format.not_utf8",
                "error",
                f"the input is not text: byte 0x{raw[error.start]:02x} at offset {error.start} "
                "is not UTF-8",
                "A JWE is ASCII text; check it was not saved as binary or in another encoding.",
            )
            return raw.decode("utf-8", "replace")
        return text
    if isinstance(token, str):
        return token
    out.find("format.type", "error", f"a token is text, not {type(token).__name__}")
    return None


def _unwrap(text: str, out: _Builder) -> str:
    """Strip what surrounds a token (whitespace, JSON quotes), reporting each; inner whitespace
    is reported and removed so the rest can still be read."""
    stripped = text.strip()
    if stripped != text:
        trailing = text[len(text.rstrip()) :]
        if text.lstrip() == text and trailing in ("\n", "\r\n"):
            # A file's or echo's final line break: the command line reads it as the end of
            # the line, but decrypt() and a server receive it as part of the token.
            ending = "CRLF" if trailing == "\r\n" else "LF"
            out.find(
                "format.whitespace",
                "warning",
                f"the token ends with a line break ({ending}): the jwe-steps command line "
                "strips it, but decrypt() and a server refuse it as part of the token "
                "(RFC 7516 §7.1)",
                "Send the token without it: echo -n, printf '%s', or .strip().",
            )
        else:
            out.find(
                "format.whitespace",
                "error",
                "the token has whitespace before or after it, which is not part of a JWE "
                "(RFC 7516 §7.1)",
                "Strip it before sending: .strip(); a server refuses it (format.whitespace).",
            )
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        try:
            unquoted = json.loads(stripped)
        except ValueError:
            unquoted = stripped[1:-1]
        if not isinstance(unquoted, str):
            unquoted = stripped[1:-1]
        out.find(
            "format.quoted",
            "error",
            "the token is wrapped in double quotes: it was copied as a JSON string",
            "Send the string's value, not its JSON encoding: parse the JSON it came in, or "
            "drop the surrounding quotes.",
        )
        stripped = unquoted.strip()
    if not stripped.startswith("{") and _WHITESPACE.search(stripped):
        out.find(
            "format.whitespace",
            "error",
            "the token has whitespace inside it (a line-wrapped copy?); read here without it",
            "Remove every space and line break from the token.",
        )
        stripped = _WHITESPACE.sub("", stripped)
    return stripped


# ---------------------------------------------------------------- base64url, one part


def _base64url(name: str, text: str, out: _Builder) -> int | None:
    """The decoded length of one part, reporting each way it is not strict base64url.

    Lengths are computed, not decoded, so a 16 MiB ciphertext costs one regular-expression scan.
    """
    body = text
    if body.endswith("="):
        body = body.rstrip("=")
        out.find(
            "base64url.padding",
            "error",
            f"the {name} ends with '=' padding, which base64url in JOSE omits (RFC 7515 §2)",
            "Encode without padding (strip the trailing '=').",
        )
    if "+" in body or "/" in body:
        out.find(
            "base64url.alphabet",
            "error",
            f"the {name} uses the standard base64 alphabet ('+' or '/'), not base64url",
            "Encode with the URL-safe alphabet ('-' and '_'), e.g. base64.urlsafe_b64encode.",
        )
        body = body.replace("+", "-").replace("/", "_")
    if not _BASE64URL.fullmatch(body):
        bad = _NOT_BASE64URL.search(body)
        where = f"{bad.group()!r} at character {bad.start()}" if bad else "a character"
        code = "base64url.character"
        out.find(code, "error", f"the {name} holds {where}, outside the base64url alphabet")
        return None
    if len(body) % 4 == 1:
        out.find(
            "base64url.length",
            "error",
            f"the {name} has {len(body)} characters, a length no base64 text has (4n+1)",
            "A character was lost or added: check the part was copied whole.",
        )
        return None
    if body and len(body) % 4:
        value = _B64_VALUES[body[-1]]
        unused = 0x0F if len(body) % 4 == 2 else 0x03
        if value & unused:
            out.find(
                "base64url.noncanonical",
                "error",
                f"the {name}'s last character has non-zero unused bits (not canonical base64url)",
                "Re-encode the bytes; the last character was altered.",
            )
    return len(body) * 3 // 4


_B64_VALUES = {
    char: index
    for index, char in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}


def _decode(text: str) -> bytes | None:
    """Lenient decoding (any padding, either alphabet) for the header, once findings are made."""
    body = text.rstrip("=").replace("+", "-").replace("/", "_")
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None


# ---------------------------------------------------------------- the protected header


def _header(encoded: str, out: _Builder) -> dict[str, Any] | None:
    if not encoded:
        out.find("format.empty_header", "error", "the protected header part is empty")
        return None
    raw = _decode(encoded)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        out.find(
            "header.utf8",
            "error",
            f"the protected header is not UTF-8 (an invalid byte at offset {error.start})",
        )
        return None
    try:
        value = strict_json.loads(
            text, error=HeaderError, subject="the protected header", expected="a JSON object"
        )
    except HeaderError as error:
        out.find(error.code, "error", str(error))
        return None
    if not isinstance(value, dict):
        out.find(
            "header.json",
            "error",
            f"the protected header is a JSON {type(value).__name__}, not an object",
        )
        return None
    return value


def _shown(value: Any) -> Any:
    """A header value as kept in the inspection: long strings shortened."""
    if isinstance(value, str) and len(value) > _MAX_SHOWN_HEADER:
        return value[:_MAX_SHOWN_HEADER] + f"... ({len(value)} characters)"
    if isinstance(value, dict):
        return {str(k)[:_MAX_SHOWN_HEADER]: _shown(v) for k, v in list(value.items())[:100]}
    if isinstance(value, list):
        return [_shown(v) for v in value[:100]]
    return value


# ---------------------------------------------------------------- what the lengths imply


def _implications(
    header: Mapping[str, Any], lengths: Mapping[str, int | None], out: _Builder, where: str = ""
) -> None:
    """Check ``lengths`` (bytes of each part, None when unknown) against alg/enc."""
    alg_name, enc_name = header.get("alg"), header.get("enc")
    for member, value in (("alg", alg_name), ("enc", enc_name)):
        if value is None:
            out.find(
                "header.missing_member",
                "error",
                f"the header{where} has no '{member}' (RFC 7516 §4.1)",
            )
        elif not isinstance(value, str):
            out.find(
                "header.member_type",
                "error",
                f"the header{where}'s '{member}' is a {type(value).__name__}, not a string",
            )
    alg = KEY_MANAGEMENT.get(alg_name) if isinstance(alg_name, str) else None
    enc = CONTENT_ENCRYPTION.get(enc_name) if isinstance(enc_name, str) else None
    if isinstance(alg_name, str) and alg is None:
        out.find(
            "header.unsupported_alg",
            "error",
            f"alg {alg_name[:64]!r} is no key management algorithm of RFC 7518",
            "Check the spelling and case: " + ", ".join(sorted(KEY_MANAGEMENT)),
        )
    if isinstance(enc_name, str) and enc is None:
        out.find(
            "header.unsupported_enc",
            "error",
            f"enc {enc_name[:64]!r} is no content encryption algorithm of RFC 7518",
            "Check the spelling and case: " + ", ".join(sorted(CONTENT_ENCRYPTION)),
        )
    if alg is not None:
        message = f"alg {alg.name}: {alg.mode}, with a key of type {' or '.join(alg.key_types)}"
        out.imply("alg", "info", message)
        if alg.name in NOT_ALLOWED_BY_DEFAULT:
            out.find(
                "algorithm.not_allowed",
                "warning",
                f"alg {alg.name} is refused by default (RFC 8725 §3.2: padding-oracle attacks)",
                "Ask the sender for RSA-OAEP-256; accept it only with an explicit allow-list.",
            )
    if enc is not None:
        out.imply(
            "enc",
            "info",
            f"enc {enc.name}: a {enc.key_size}-byte CEK, a {enc.iv_size}-byte IV, "
            f"a {enc.tag_size}-byte tag",
        )
        for part, size, code in (
            ("iv", enc.iv_size, "iv.length"),
            ("tag", enc.tag_size, "tag.length"),
        ):
            found = lengths.get(part)
            if found is None:
                continue
            if found == size:
                out.imply(part, "ok", f"{part}: {found} bytes, as {enc.name} requires")
            else:
                out.imply(
                    part,
                    "differs",
                    f"{part}: {found} bytes, but {enc.name} uses {size}",
                    expected=f"{size} bytes",
                    found=f"{found} bytes",
                )
                out.find(
                    code, "error", f"the {part}{where} is {found} bytes; {enc.name} uses {size}"
                )
        _ciphertext(enc, lengths.get("ciphertext"), header, out)
    if alg is not None:
        _encrypted_key(alg, enc, lengths.get("encrypted key"), header, out, where)


def _ciphertext(enc: Any, found: int | None, header: Mapping[str, Any], out: _Builder) -> None:
    if found is None:
        return
    compressed = "zip" in header
    if enc.family == "aes_cbc_hmac":
        if found == 0 or found % 16:
            out.imply(
                "ciphertext",
                "differs",
                f"ciphertext: {found} bytes, not a whole number of 16-byte AES blocks",
                expected="a positive multiple of 16 bytes",
                found=f"{found} bytes",
            )
            out.find(
                "inspect.ciphertext_length",
                "error",
                f"{enc.name} ciphertext is {found} bytes; CBC with PKCS#7 padding gives a "
                "positive multiple of 16",
            )
            return
        plain = f"{found - 16} to {found - 1} bytes"
    else:
        plain = f"{found} bytes"
    what = "compressed plaintext" if compressed else "plaintext"
    out.imply("ciphertext", "ok", f"ciphertext: {found} bytes, so the {what} is {plain}")


def _encrypted_key(
    alg: Any,
    enc: Any,
    found: int | None,
    header: Mapping[str, Any],
    out: _Builder,
    where: str,
) -> None:
    if alg.mode in (Mode.DIRECT_ENCRYPTION, Mode.DIRECT_KEY_AGREEMENT):
        if found:
            out.imply(
                "encrypted key",
                "differs",
                f"encrypted key: {found} bytes, but {alg.name} sends none",
                expected="0 bytes",
                found=f"{found} bytes",
            )
            out.find(
                "key_management.encrypted_key_not_empty",
                "error",
                f"{alg.name} uses no encrypted key (RFC 7518 §4.5/§4.6), yet the token{where} "
                f"has {found} bytes there",
            )
        elif found == 0:
            out.imply("encrypted key", "ok", f"encrypted key: empty, as {alg.name} requires")
    elif alg.family in ("rsa_oaep", "rsa1_5") and found is not None:
        bits = found * 8
        out.imply(
            "encrypted key",
            "info",
            f"encrypted key: {found} bytes, so the recipient's RSA modulus is {bits} bits "
            "(RSA output is as long as the modulus)",
        )
        if bits < 2048:
            out.find(
                "key.size",
                "error",
                f"the encrypted key{where} is {found} bytes: an RSA key under 2048 bits, or a "
                "truncated part",
            )
    elif enc is not None and found is not None:
        wrapped = enc.key_size if alg.family == "aes_gcm_kw" else enc.key_size + 8
        how = "AES-GCM keeps the length" if alg.family == "aes_gcm_kw" else "AES key wrap adds 8"
        if found == wrapped:
            out.imply(
                "encrypted key",
                "ok",
                f"encrypted key: {found} bytes, the {enc.key_size}-byte CEK wrapped ({how})",
            )
        else:
            out.imply(
                "encrypted key",
                "differs",
                f"encrypted key: {found} bytes, but a wrapped {enc.key_size}-byte CEK is {wrapped}",
                expected=f"{wrapped} bytes",
                found=f"{found} bytes",
            )
            out.find(
                "key_management.encrypted_key_length",
                "error",
                f"the encrypted key{where} is {found} bytes; {alg.name} wrapping the "
                f"{enc.key_size}-byte CEK of {enc.name} gives {wrapped} ({how})",
            )
    _algorithm_members(alg, header, out, where)


def _algorithm_members(alg: Any, header: Mapping[str, Any], out: _Builder, where: str) -> None:
    """The header parameters an algorithm family needs (RFC 7518 §4.6-4.8)."""
    needs: dict[str, tuple[str, int | None]] = {}
    if alg.family == "aes_gcm_kw":
        needs = {"iv": ("a 12-byte base64url IV", 12), "tag": ("a 16-byte base64url tag", 16)}
    elif alg.family == "pbes2":
        needs = {"p2s": ("a base64url salt of 8 bytes or more", None)}
    for member, (description, size) in needs.items():
        value = header.get(member)
        if not isinstance(value, str):
            out.find(
                "header.param_missing",
                "error",
                f"{alg.name} needs the header member '{member}'{where}: {description}",
            )
            continue
        decoded = _decode(value)
        if decoded is not None and size is not None and len(decoded) != size:
            out.find(
                "header.param_length",
                "error",
                f"the header's '{member}' is {len(decoded)} bytes, not {size}",
            )
    if alg.family == "pbes2":
        p2c = header.get("p2c")
        if not isinstance(p2c, int) or isinstance(p2c, bool) or p2c < 1:
            out.find("header.p2c", "error", f"{alg.name} needs a positive integer 'p2c'")
        elif p2c > DEFAULT_LIMITS.max_p2c:
            out.find(
                "limits.exceeded",
                "error",
                f"p2c {p2c} is above decrypt's default cap of {DEFAULT_LIMITS.max_p2c}",
            )
        else:
            out.imply("p2c", "info", f"p2c: {p2c} PBKDF2 iterations")
    if alg.family == "ecdh_es":
        epk = header.get("epk")
        if isinstance(epk, str):
            out.find(
                "header.epk_string",
                "error",
                "'epk' is a JSON string; RFC 7518 §4.6.1.1 makes it a JWK object",
                "Put the ephemeral public key in the header as an object, not its JSON text.",
            )
        elif not isinstance(epk, dict):
            out.find("header.epk_missing", "error", f"{alg.name} needs an 'epk' JWK object")
        else:
            crv = epk.get("crv")
            out.imply("epk", "info", f"epk: an ephemeral {epk.get('kty')} key on {crv!r}")


def _common_members(header: Mapping[str, Any], out: _Builder) -> None:
    if "kid" in header:
        kid = header["kid"]
        out.imply("kid", "info", f"kid {str(kid)[:80]!r}: the recipient's key should have it")
    if "zip" in header:
        if header["zip"] == "DEF":
            out.imply("zip", "info", "zip DEF: the plaintext was DEFLATE-compressed before")
        else:
            out.find(
                "header.zip", "error", f"zip {str(header['zip'])[:40]!r}: only 'DEF' is defined"
            )
    if "crit" in header:
        out.imply("crit", "info", f"crit {str(header['crit'])[:80]}: extensions that must be known")


# ---------------------------------------------------------------- the two serializations


def _compact(token: str, out: _Builder) -> Inspection:
    pieces = token.split(".")
    if len(pieces) != 5:
        hint = None
        if len(pieces) == 3:
            hint = "Three parts is a JWS (a signed JWT), not a JWE: it is signed, not encrypted."
        out.find(
            "format.segments",
            "error",
            f"a compact JWE has five parts separated by '.'; this has {len(pieces)}",
            hint or "Check the token was copied whole.",
        )
    names = (
        COMPACT_PARTS if len(pieces) == 5 else tuple(f"part {n + 1}" for n in range(len(pieces)))
    )
    lengths: dict[str, int | None] = {}
    for name, text in zip(names, pieces, strict=True):
        size = _base64url(name, text, out)
        lengths[name] = size
        out.parts.append(Part(name, len(text), size))
    header = _header(pieces[0], out) if pieces[0] or len(pieces) == 5 else None
    if header is not None:
        header = _shown(header)
        assert header is not None
        _common_members(header, out)
        if len(pieces) == 5:
            _implications(header, lengths, out)
    return _finish(out, "compact", header=header)


def _json(token: str, out: _Builder) -> Inspection:
    try:
        document = strict_json.loads(
            token,
            error=SerializationError,
            subject="the JSON token",
            expected="a JWE in the JSON serialization (RFC 7516 §7.2)",
        )
    except SerializationError as error:
        out.find(error.code, "error", str(error))
        return _finish(out, "unknown")
    if not isinstance(document, dict):
        out.find("format.json_not_object", "error", "the JSON token is not an object")
        return _finish(out, "unknown")
    general = "recipients" in document
    kind = "general" if general else "flattened"
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
    header: dict[str, Any] | None = None
    if isinstance(document.get("protected"), str):
        header = _header(document["protected"], out)
    unprotected = document.get("unprotected")
    if unprotected is not None and not isinstance(unprotected, dict):
        out.find("format.json_member_type", "error", "the 'unprotected' member is not an object")
        unprotected = None
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
            f"{DEFAULT_LIMITS.max_recipients}",
        )
    for index, entry in enumerate(entries):
        where = f" of recipient {index}" if general else ""
        if not isinstance(entry, dict):
            out.find("format.json_recipients", "error", f"recipient {index} is not an object")
            continue
        per_recipient = entry.get("header")
        if per_recipient is not None and not isinstance(per_recipient, dict):
            out.find("format.json_member_type", "error", f"the 'header'{where} is not an object")
            per_recipient = None
        encrypted = entry.get("encrypted_key", "")
        key_bytes: int | None = 0
        if not isinstance(encrypted, str):
            out.find(
                "format.json_member_type", "error", f"the 'encrypted_key'{where} is not a string"
            )
            key_bytes = None
        elif general and encrypted:
            key_bytes = _base64url(f"encrypted key{where}", encrypted, out)
            if index < _SHOWN_RECIPIENTS:
                out.parts.append(Part(f"encrypted key {index}", len(encrypted), key_bytes))
        elif not general:
            key_bytes = lengths.get("encrypted key", 0)
        merged = {**(header or {}), **(unprotected or {}), **(per_recipient or {})}
        if index < _SHOWN_RECIPIENTS:
            recipients.append({"header": _shown(per_recipient), "encrypted_key_bytes": key_bytes})
            _implications(merged, {**lengths, "encrypted key": key_bytes}, out, where)
    if general and "encrypted_key" in document:
        out.find(
            "format.ignored_member",
            "info",
            "a top-level 'encrypted_key' beside 'recipients' (go-jose writes one): not part of "
            "the general serialization, not authenticated, and ignored (RFC 7516 §7.2.1)",
        )
    if header is not None:
        _common_members({**header, **(unprotected or {})}, out)
    return _finish(
        out,
        kind,
        header=_shown(header) if header is not None else None,
        unprotected=_shown(unprotected) if unprotected is not None else None,
        recipients=tuple(recipients),
    )


def _finish(out: _Builder, serialization: str, **members: Any) -> Inspection:
    return Inspection(
        serialization,
        parts=tuple(out.parts),
        implications=tuple(out.implications),
        findings=tuple(out.findings),
        **members,
    )


def inspect_token(token: str | bytes) -> Inspection:
    """Read ``token`` (compact or JSON, str or bytes) without a key and report what it is.

    Never raises for any input: every problem is a :class:`Finding` of the result. Input over
    the decryption size limit (16 MiB) is reported, not read.
    """
    out = _Builder()
    text = _as_text(token, out)
    if text is None:
        return _finish(out, "unknown")
    if len(text) > DEFAULT_LIMITS.max_token_bytes:
        out.find(
            "limits.token_size",
            "error",
            f"{len(text)} characters, more than decrypt's limit of "
            f"{DEFAULT_LIMITS.max_token_bytes} bytes; not read further",
        )
        return Inspection("unknown", findings=tuple(out.findings), input_characters=len(text))
    unwrapped = _unwrap(text, out)
    if not unwrapped:
        out.find("format.empty", "error", "the input is empty")
        result = _finish(out, "unknown")
    elif unwrapped.startswith("{"):
        result = _json(unwrapped, out)
    else:
        result = _compact(unwrapped, out)
    return Inspection(
        result.serialization,
        parts=result.parts,
        header=result.header,
        unprotected=result.unprotected,
        recipients=result.recipients,
        implications=result.implications,
        findings=result.findings,
        input_characters=len(text),
    )


__all__ = ["Finding", "Implication", "Inspection", "Part", "inspect_token"]
