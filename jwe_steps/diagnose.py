"""Name the integration mistake behind a token that does not decrypt (for :func:`explain`).

A JOSE library answers every broken token with one error, on purpose (RFC 7516 §11.5). The
engineer who holds the private key can do better: rebuild what a mis-implemented peer would
have sent, try it with that key, and report the alternative that works. This module does that,
in the order of RFC 7516 §5.2, one function per family of hypotheses:

    encoding_findings      the compact form and base64url   format.segments, base64url.*
    header_json_findings   the protected header's JSON      header.json
    name_options           the alg and enc names            header.unsupported_alg / _enc
    key_options            which key, and may it serve alg  kid.mismatch, key.type
    unwrap_options         the encrypted key                oaep.*, key.mismatch
    cek_options            the CEK's length                 cek.length
    iv_options             the IV's length                  iv.length
    tag_options            where the tag is                 tag.length, tag.appended_to_ciphertext
    aad_options            what the sender authenticated    aad.missing, aad.reserialized_header

A finding is reported only when the key proves it (an alternative that decrypts, or an encrypted
key that opens) or when it is a plain fact about the token (a ``=`` in a part, a 16-byte IV).
``tag.mismatch`` is what is left when the key recovers the CEK, every part has the right length,
and no alternative verifies.

This is for debugging your own integration. Never run it on a server's decryption path: its
answers are exactly the oracle that RFC 7516 §11.5 tells a server not to provide.
"""

from __future__ import annotations

import ast
import base64
import binascii
import hmac
import itertools
import json
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from . import algorithms as registry
from .aad import compute_aad
from .algorithms import ContentEncryption, Context, KeyManagement
from .b64 import b64url_encode
from .errors import InvalidKeyError, JWEError, Stage
from .header import parse_header
from .keys import Key, KeySet, load_key, load_key_set
from .limits import DEFAULT_LIMITS
from .pipeline import check_key_allows, run_decryption
from .serialization import ParsedJWE, parse
from .trace import DecryptTrace

T = TypeVar("T")

# Every code explain() can report (the list, in pipeline order).
CODES = (
    "format.segments",
    "base64url.padding",
    "base64url.alphabet",
    "base64url.noncanonical",
    "header.json",
    "header.unsupported_alg",
    "header.unsupported_enc",
    "kid.mismatch",
    "key.type",
    "key.mismatch",
    "oaep.hash_mismatch",
    "oaep.mgf1_sha1",
    "oaep.pkcs1v15",  # beyond the list: OAEP and PKCS #1 v1.5 confused
    "cek.length",
    "iv.length",
    "tag.length",
    "tag.appended_to_ciphertext",
    "aad.missing",
    "aad.reserialized_header",
    "tag.mismatch",
)

MAX_REPAIR_DEPTH = 3  # encoding repairs chained before the replay (e.g. 4 parts, then '=')
MAX_ATTEMPTS = 512  # content decryptions tried at most, cheapest hypotheses first
MAX_WORK_BYTES = 256 * 1024 * 1024  # and at most this much ciphertext decrypted in all


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
class Diagnosis:
    """The findings, and whether repairing them (all together) made the token decrypt."""

    findings: list[Finding]
    decrypts: bool = False


@dataclass(frozen=True)
class Option(Generic[T]):
    """One way to read a value: as received (no findings) or as a mistake would have made it."""

    value: T
    findings: tuple[Finding, ...] = ()


def _finding(code: str, stage: Stage, message: str, fix: str) -> Finding:
    assert code in CODES, code
    return Finding(code, str(stage), message, fix)


def _scratch() -> Context:
    """A context whose trace is thrown away: hypotheses must not add steps to the report."""
    return Context(trace=DecryptTrace(), limits=DEFAULT_LIMITS)


def _plural(items: Sequence[str]) -> str:
    if len(items) == 1:
        return f"the {items[0]} part"
    return "the " + ", ".join(items[:-1]) + f" and {items[-1]} parts"


# ================================================================ entry point


def diagnose(
    token: Any,
    key: Any,
    error: JWEError,
    *,
    algorithms: Iterable[str] | None = None,
    sent_header_texts: tuple[str, ...] = (),
    depth: int = 0,
) -> Diagnosis:
    """Explain ``error`` (raised by ``run_decryption(token, key, reveal=True)``) with ``key``.

    ``sent_header_texts`` are header parts as the sender wrote them before an encoding repair:
    the sender's AAD was made from them, not from the repaired text.
    """
    if error.stage in (Stage.SERIALIZATION, Stage.BASE64URL):
        return _diagnose_encoding(token, key, algorithms=algorithms, depth=depth)
    try:
        parsed = parse(token)
    except JWEError:
        return Diagnosis([])
    if error.stage is Stage.HEADER:
        json_problem = header_json_findings(parsed.protected_header)
        if json_problem or not _has_epk(parsed):
            return Diagnosis(json_problem)
        # An ephemeral key the recipient's key cannot meet is a header error in the pipeline,
        # and a key.type mistake in the engineer's terms: replay to find which.
        return replay(parsed, key, algorithms=algorithms, sent_header_texts=sent_header_texts)
    if error.stage in (
        Stage.ALGORITHM,
        Stage.KEY,
        Stage.KEY_MANAGEMENT,
        Stage.CEK,
        Stage.IV,
        Stage.TAG,
        Stage.CONTENT_DECRYPTION,
    ):
        return replay(parsed, key, algorithms=algorithms, sent_header_texts=sent_header_texts)
    return Diagnosis([])


def _has_epk(parsed: ParsedJWE) -> bool:
    try:
        protected = parse_header(parsed.protected_header) if parsed.encoded_protected_header else {}
    except JWEError:
        return False
    return any("epk" in _jose_header(parsed, protected, i) for i in range(len(parsed.recipients)))


# ================================================================ format and base64url

_B64URL = frozenset(string.ascii_letters + string.digits + "-_")
_B64_VALUE = {
    c: i
    for i, c in enumerate(string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_")
}
_COMPACT_LABELS = ("header", "encrypted key", "IV", "ciphertext", "tag")
_JSON_MEMBERS = {
    "protected": "protected header",
    "encrypted_key": "encrypted key",
    "iv": "IV",
    "ciphertext": "ciphertext",
    "tag": "tag",
    "aad": "JWE AAD",
}


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
    if fixed and set(fixed) <= _B64URL and len(fixed) % 4 in (2, 3):
        unused_bits = 0x0F if len(fixed) % 4 == 2 else 0x03
        if _B64_VALUE[fixed[-1]] & unused_bits:
            report.add("base64url.noncanonical", label)
            raw = base64.urlsafe_b64decode(fixed + "=" * (-len(fixed) % 4))
            fixed = b64url_encode(raw)
    return fixed


def _encoding_messages(report: _EncodingReport) -> list[Finding]:
    findings = []
    for code, labels in report.parts.items():
        where = _plural(labels)
        subject = where[0].upper() + where[1:]
        one = len(labels) == 1
        if code == "base64url.padding":
            findings.append(
                _finding(
                    code,
                    Stage.BASE64URL,
                    f"{subject} {'carries' if one else 'carry'} '=' padding. JWE parts are "
                    "base64url without padding (RFC 7515 §2), so strict decoders reject the "
                    "token.",
                    "Strip the trailing '=' after encoding, e.g. "
                    "base64.urlsafe_b64encode(data).rstrip(b'='), or use your JOSE library's "
                    "base64url helper.",
                )
            )
        elif code == "base64url.alphabet":
            findings.append(
                _finding(
                    code,
                    Stage.BASE64URL,
                    f"{subject} {'contains' if one else 'contain'} '+' or '/': "
                    f"{'it was' if one else 'they were'} encoded with standard base64 "
                    "(RFC 4648 §4), not base64url (RFC 4648 §5).",
                    "Encode with the URL-safe alphabet ('-' and '_' instead of '+' and '/'), "
                    "e.g. base64.urlsafe_b64encode, and strip the '=' padding.",
                )
            )
        else:
            findings.append(
                _finding(
                    code,
                    Stage.BASE64URL,
                    f"The last character of {where} sets bits that base64url leaves zero. "
                    "It decodes to the same bytes as the canonical spelling, but one token must "
                    "have one spelling, so strict decoders reject it.",
                    "Produce the parts with a base64url encoder; do not assemble or edit the "
                    "encoded text by hand.",
                )
            )
    return findings


def _segment_finding(parts: list[str]) -> tuple[Finding | None, list[str] | None]:
    """A finding for a compact token that does not split into five parts, and a repair."""
    count = len(parts)
    if count == 5 and parts[0]:
        return None, parts
    if count == 5:
        message = "The header part (the first of the five) is empty."
        fix = "Put BASE64URL(UTF8(JSON header)) before the first '.'."
        return _finding("format.segments", Stage.SERIALIZATION, message, fix), None
    base = (
        f"The token has {count} part{'s' if count != 1 else ''} separated by '.', where a "
        "compact JWE has 5: header.encrypted_key.iv.ciphertext.tag (RFC 7516 §7.1)."
    )
    if count == 3:
        message = (
            base + " Three parts is a JWS (a signed token such as a JWT), not an encrypted one."
        )
        fix = (
            "Encrypt the payload as a JWE (for a nested JWT, the signed JWT is the JWE's "
            "plaintext)."
        )
        return _finding("format.segments", Stage.SERIALIZATION, message, fix), None
    if count == 4:
        message = base + " The fifth part, the authentication tag, is missing."
        fix = (
            "Send all five parts, even empty ones (the encrypted key is empty for 'dir'); "
            "the tag goes last."
        )
        return _finding("format.segments", Stage.SERIALIZATION, message, fix), [*parts, ""]
    if count == 6 and parts[-1] == "":
        message = base + " The token ends with a stray '.'."
        fix = "Join exactly the five parts with '.', with nothing after the tag."
        return _finding("format.segments", Stage.SERIALIZATION, message, fix), parts[:-1]
    if count == 6 and parts[0] == "":
        message = base + " The token starts with a stray '.'."
        fix = "Join exactly the five parts with '.', with nothing before the header."
        return _finding("format.segments", Stage.SERIALIZATION, message, fix), parts[1:]
    fix = "Join exactly five base64url parts with '.'; a part never contains '.' itself."
    return _finding("format.segments", Stage.SERIALIZATION, base, fix), None


def encoding_findings(token: Any) -> tuple[list[Finding], Any, tuple[str, ...]]:
    """Findings about the token's form, the token with those mistakes repaired (or None), and
    the header part(s) as originally sent when the repair changed them."""
    if isinstance(token, bytes | bytearray):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            return [], None, ()
    if isinstance(token, Mapping) or (isinstance(token, str) and token.strip().startswith("{")):
        return _json_encoding_findings(token)
    if not isinstance(token, str):
        return [], None, ()
    findings: list[Finding] = []
    segment, parts = _segment_finding(token.split("."))
    if segment is not None:
        findings.append(segment)
    if parts is None:
        return findings, None, ()
    report = _EncodingReport()
    fixed = [
        _repair_part(text, label, report)
        for text, label in zip(parts, _COMPACT_LABELS, strict=True)
    ]
    findings += _encoding_messages(report)
    repaired = ".".join(fixed)
    if repaired == token:
        return findings, None, ()
    sent = (parts[0],) if fixed[0] != parts[0] else ()
    return findings, repaired, sent


def _json_encoding_findings(token: Any) -> tuple[list[Finding], Any, tuple[str, ...]]:
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

    for member, label in _JSON_MEMBERS.items():
        repair(data, member, label)
    recipients = data.get("recipients")
    if isinstance(recipients, list):
        for entry in recipients:
            if isinstance(entry, dict):
                repair(entry, "encrypted_key", "encrypted key")
    findings = _encoding_messages(report)
    if not changed:
        return findings, None, ()
    repaired: Any = json.dumps(data) if isinstance(token, str) else data
    return findings, repaired, sent


def _diagnose_encoding(
    token: Any, key: Any, *, algorithms: Iterable[str] | None, depth: int
) -> Diagnosis:
    findings, repaired, sent = encoding_findings(token)
    if repaired is None or depth >= MAX_REPAIR_DEPTH:
        return Diagnosis(findings)
    try:
        run_decryption(repaired, key, DecryptTrace(), algorithms=algorithms, reveal=True)
    except JWEError as next_error:
        rest = diagnose(
            repaired,
            key,
            next_error,
            algorithms=algorithms,
            sent_header_texts=sent,
            depth=depth + 1,
        )
        decrypts = rest.decrypts
        later = rest.findings
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


# ================================================================ the header's JSON


def header_json_findings(raw: bytes) -> list[Finding]:
    """Why the protected header is not a JSON object (empty when its JSON is fine)."""

    def found(message: str, fix: str) -> list[Finding]:
        return [_finding("header.json", Stage.HEADER, message, fix)]

    serialize = "Serialize the header with a JSON library, e.g. json.dumps(header).encode('utf-8')."
    if raw.startswith(b"\xef\xbb\xbf"):
        return found(
            "The header JSON starts with a UTF-8 byte order mark (EF BB BF), which JSON does not "
            "allow (RFC 8259 §8.1).",
            "Encode the header as UTF-8 without a BOM (e.g. 'utf-8', not 'utf-8-sig').",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            json.loads(raw.decode("cp1252"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return found("The header is not UTF-8 text.", serialize)
        return found(
            "The header is JSON in a legacy 8-bit encoding (Latin-1/Windows-1252), not UTF-8.",
            "Encode the header JSON as UTF-8 (RFC 7516 §5.1 step 12: UTF8(JWE Protected Header)).",
        )
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for name, value in items:
            if name in seen:
                duplicates.append(name)
            seen[name] = value
        return seen

    try:
        value = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        try:
            literal = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            literal = None
        pythonic = "'" in text or re.search(r"\b(True|False|None)\b", text) is not None
        if isinstance(literal, dict) and pythonic:
            return found(
                "The header is a Python dict literal (single quotes, or True/None), written with "
                "str() or repr() instead of a JSON serializer.",
                serialize,
            )
        if re.search(r",\s*[}\]]", text):
            return found(
                "The header JSON has a trailing comma, which JSON does not allow.", serialize
            )
        return found(
            f"The header is not valid JSON: {error.msg} at character {error.pos}.", serialize
        )
    except RecursionError:
        return found("The header JSON nests too deeply.", serialize)
    if duplicates:
        return found(
            f"The header repeats the member {duplicates[0][:40]!r}; JWE requires each name once "
            "(RFC 7516 §4), and parsers disagree about which copy wins.",
            "Build the header as one object and serialize it once; do not concatenate JSON text.",
        )
    if isinstance(value, str):
        try:
            inner = json.loads(value)
        except (ValueError, RecursionError):
            inner = None
        if isinstance(inner, dict):
            return found(
                "The header was JSON-encoded twice: the part holds a JSON string whose content "
                "is the header object.",
                "Serialize the header object once (json.dumps(header)), not a string holding it.",
            )
    if not isinstance(value, dict):
        return found(f"The header is a JSON {type(value).__name__}, not an object.", serialize)
    if any(isinstance(v, float) and v != v for v in value.values()):  # NaN
        return found("The header contains NaN, which JSON does not allow.", serialize)
    return []


# ================================================================ alg and enc names

# RFC 7518 Appendix A.2 and A.3 list, for each JOSE name, the XML Encryption URI and the Java
# Cipher transformation of the same algorithm.
_XMLENC = {
    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p": ("RSA-OAEP",),
    "http://www.w3.org/2009/xmlenc11#rsa-oaep": ("RSA-OAEP-256", "RSA-OAEP"),
    "http://www.w3.org/2001/04/xmlenc#rsa-1_5": ("RSA1_5",),
    "http://www.w3.org/2001/04/xmlenc#kw-aes128": ("A128KW",),
    "http://www.w3.org/2001/04/xmlenc#kw-aes192": ("A192KW",),
    "http://www.w3.org/2001/04/xmlenc#kw-aes256": ("A256KW",),
    "http://www.w3.org/2009/xmlenc11#aes128-gcm": ("A128GCM",),
    "http://www.w3.org/2009/xmlenc11#aes192-gcm": ("A192GCM",),
    "http://www.w3.org/2009/xmlenc11#aes256-gcm": ("A256GCM",),
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc": ("A128CBC-HS256",),
    "http://www.w3.org/2001/04/xmlenc#aes192-cbc": ("A192CBC-HS384",),
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc": ("A256CBC-HS512",),
}
_JAVA_OAEP = re.compile(r"RSA/(?:ECB|NONE)/OAEPWITHSHA-?(1|256|384|512)ANDMGF1PADDING")
_JAVA = {
    "RSA/ECB/PKCS1PADDING": ("RSA1_5",),
    "AES/GCM/NOPADDING": ("A256GCM", "A128GCM", "A192GCM"),
    "AESWRAP": ("A256KW", "A128KW", "A192KW"),
}


def _squash(name: str) -> str:
    """Upper case, letters and digits only: 'rsa_oaep_256' and 'RSA-OAEP-256' squash alike."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def lookalikes(name: str, table: Mapping[str, Any]) -> tuple[list[str], str]:
    """Registered names in ``table`` that ``name`` is probably meant to be, and what it is."""
    candidates: Sequence[str] = ()
    what = ""
    stripped = name.strip()
    if stripped.lower() in _XMLENC:
        candidates, what = _XMLENC[stripped.lower()], "an XML Encryption algorithm URI"
    elif match := _JAVA_OAEP.fullmatch(stripped.upper()):
        bits = match.group(1)
        candidates = ("RSA-OAEP",) if bits == "1" else (f"RSA-OAEP-{bits}",)
        what = "a Java Cipher transformation name"
    elif stripped.upper() in _JAVA:
        candidates, what = _JAVA[stripped.upper()], "a Java Cipher transformation name"
    else:
        squashed = _squash(stripped)
        squashed = re.sub(r"^AES(?=\d)", "A", squashed)  # AES256GCM -> A256GCM
        squashed = re.sub(r"^RSAES", "RSA", squashed)
        squashed = re.sub(r"^RSAOAEP(?:SHA)?1$", "RSAOAEP", squashed)
        squashed = re.sub(r"^RSAOAEPSHA", "RSAOAEP", squashed)
        squashed = {"DIRECT": "DIR", "RSAPKCS1": "RSA15", "RSAPKCS1V15": "RSA15"}.get(
            squashed, squashed
        )
        candidates = [known for known in table if _squash(known) == squashed]
        what = "another spelling of a JOSE name (the names are exact, case-sensitive strings)"
    return [c for c in dict.fromkeys(candidates) if c in table and c != name], what


def _allowed(algorithms_arg: Iterable[str] | None) -> tuple[frozenset[str], frozenset[str]]:
    """The allowed alg and enc names, as decrypt() reads its ``algorithms`` argument."""
    defaults = registry.default_algorithms()
    default_algs = defaults & frozenset(registry.KEY_MANAGEMENT)
    default_encs = defaults & frozenset(registry.CONTENT_ENCRYPTION)
    if algorithms_arg is None:
        return default_algs, default_encs
    names = frozenset([algorithms_arg] if isinstance(algorithms_arg, str) else algorithms_arg)
    algs = names & frozenset(registry.KEY_MANAGEMENT)
    encs = names & frozenset(registry.CONTENT_ENCRYPTION)
    return (algs or default_algs), (encs or default_encs)


def name_options(
    kind: str, name: Any, other: Any, allowed: frozenset[str]
) -> tuple[list[Option[str]], list[Finding]]:
    """How to read the header's ``alg`` (kind "alg") or ``enc``: as written, or as what it looks
    like. Also the finding to report when none of the readings decrypts."""
    table: Mapping[str, Any] = (
        registry.KEY_MANAGEMENT if kind == "alg" else registry.CONTENT_ENCRYPTION
    )
    other_table = registry.CONTENT_ENCRYPTION if kind == "alg" else registry.KEY_MANAGEMENT
    code = f"header.unsupported_{kind}"
    spec = "RFC 7518 §4.1" if kind == "alg" else "RFC 7518 §5.1"
    if isinstance(name, str) and name in table:
        if name in allowed:
            return [Option(name)], []
        refused = _finding(
            code,
            Stage.ALGORITHM,
            f"The token's {kind} {name!r} is supported but not in the allow-list you passed"
            + (
                " (RSA1_5 is refused by default: padding-oracle attacks, RFC 8725 §3.2)."
                if name == "RSA1_5"
                else "."
            ),
            f"Agree on an allowed {kind} with the sender"
            + (
                ", preferably RSA-OAEP-256."
                if name == "RSA1_5"
                else ", or allow it (algorithms=[...] in Python, --allow on the command line)."
            ),
        )
        return [Option(name, (refused,))], [refused]
    shown = repr(name[:80]) if isinstance(name, str) else f"a JSON {type(name).__name__}"
    if not isinstance(name, str):
        candidates, what = [], ""
    elif isinstance(other, str) and name in other_table and other in table:
        candidates, what = (
            [other],
            f"the {'enc' if kind == 'alg' else 'alg'} value: alg and enc are swapped",
        )
    else:
        candidates, what = lookalikes(name, table)
    fix_generic = (
        f"Send one of the registered JOSE names in '{kind}' ({spec}): "
        + ", ".join(sorted(table))
        + "."
    )
    if not candidates:
        return [], [
            _finding(
                code,
                Stage.ALGORITHM,
                f"The token's {kind} is {shown}, which is not a JOSE {kind} this library knows.",
                fix_generic,
            )
        ]
    options = [
        Option(
            candidate,
            (
                _finding(
                    code,
                    Stage.ALGORITHM,
                    f"The token's {kind} is {shown}, {what}, meaning {candidate}.",
                    f"Send the JOSE name '{candidate}' in '{kind}' ({spec}).",
                ),
            ),
        )
        for candidate in candidates
    ]
    unproven = _finding(
        code,
        Stage.ALGORITHM,
        f"The token's {kind} is {shown}, {what}. It looks like {' or '.join(candidates)}, but "
        "the token does not decrypt when read that way either.",
        fix_generic,
    )
    return options, [unproven]


# ================================================================ keys and kid


@dataclass(frozen=True)
class KeyChoice:
    """A key to try, and the kid finding that trying it implies when it works."""

    key: Key
    findings: tuple[Finding, ...] = ()


def key_options(material: Any, header: Mapping[str, Any]) -> tuple[list[KeyChoice], list[Finding]]:
    """The keys to try, in order, and the kid finding to report when none of them works.

    A key set tries the key the token's kid names first, then the others: one of those that
    works proves the kid wrong. A single key is tried as it is; a different kid is reported
    only when the key fails (with a working key it is harmless).
    """
    kid = header.get("kid")
    kid = kid if isinstance(kid, str) else None
    fix = (
        "Have the sender put in 'kid' the kid of the public key they encrypted to, as "
        "published in your JWKS."
    )
    if isinstance(material, KeySet) or (isinstance(material, Mapping) and "keys" in material):
        keys = list(load_key_set(material).keys)
        known = ", ".join(repr(k.kid) for k in keys) or "none"
        named = kid is not None and any(k.kid == kid for k in keys)
        if named:
            problem = f"The token's kid {kid!r} names a key in your set that does not decrypt it"
        elif kid is None and len(keys) == 1:
            return [KeyChoice(keys[0])], []
        elif kid is None:
            problem = f"The token has no kid, and your key set holds {len(keys)} keys ({known})"
        else:
            problem = f"The token's kid {kid[:60]!r} matches none of your keys' kids ({known})"
        choices = [
            KeyChoice(k)
            if kid is not None and k.kid == kid
            else KeyChoice(
                k,
                (
                    _finding(
                        "kid.mismatch",
                        Stage.KEY,
                        f"{problem}; your key with kid {k.kid!r} recovers the CEK.",
                        fix,
                    ),
                ),
            )
            for k in keys
        ]
        choices.sort(key=lambda c: len(c.findings))
        # When the kid names a key and no key works, the kid was right: key.mismatch says why.
        no_match = (
            []
            if named
            else [_finding("kid.mismatch", Stage.KEY, f"{problem}, so it cannot pick a key.", fix)]
        )
        return choices, no_match
    single = load_key(material)
    failure: list[Finding] = []
    if kid is not None and single.kid is not None and kid != single.kid:
        failure.append(
            _finding(
                "kid.mismatch",
                Stage.KEY,
                f"The token's kid is {kid[:60]!r} but your key's kid is {single.kid!r}: the "
                "sender encrypted to another key.",
                "Have the sender encrypt to your current public key (fetch it from your JWKS "
                "by kid), or decrypt with the key the kid names.",
            )
        )
    return [KeyChoice(single)], failure


def key_type_finding(
    key: Key, km: KeyManagement, header: Mapping[str, Any] | None = None
) -> Finding | None:
    """key.type when this key can never serve ``km``: the wrong kty, only the public half, or
    (ECDH-ES) a curve other than the sender's ephemeral key's."""
    epk = (header or {}).get("epk")
    if km.name.startswith("ECDH-ES") and isinstance(epk, Mapping) and key.kty in km.key_types:
        theirs = (epk.get("kty"), epk.get("crv"))
        if theirs != (key.kty, key.curve):
            return _finding(
                "key.type",
                Stage.KEY,
                f"The sender's ephemeral key (epk) is {theirs[0]} {theirs[1]}, and yours is "
                f"{key.kty} {key.curve}: the sender encrypted to a key on another curve.",
                f"Decrypt with your {theirs[1]} key, or have the sender encrypt to your "
                f"{key.curve} public key.",
            )
    if key.kty not in km.key_types:
        wanted = " or ".join(km.key_types)
        return _finding(
            "key.type",
            Stage.KEY,
            f"The token's alg {km.name} needs a {wanted} key, and yours is a {key.kty} key.",
            f"Decrypt with the {wanted} key the sender encrypted to, or have the sender use an "
            f"alg made for {key.kty} keys.",
        )
    if not key.is_private:
        return _finding(
            "key.type",
            Stage.KEY,
            f"You passed a public {key.kty} key; {km.name} decrypts with the private key.",
            "Load the private key (the JWK with 'd', or the PKCS#8 PEM) for explain.",
        )
    return None


def binding_finding(key: Key, alg: str, error: InvalidKeyError) -> Finding:
    """key.type for a JWK whose own alg, use or key_ops forbid what the sender did."""
    if key.alg is not None and key.alg != alg:
        message = (
            f"Your JWK is bound to alg {key.alg!r} (its 'alg' member), but the sender used "
            f"{alg}: read as {alg}, your key recovers the CEK."
        )
        fix = f"Have the sender use {key.alg}, the alg your published key names."
    else:
        message = (
            f"Your JWK does not allow decryption ({error.message}: {error.found}), yet the "
            "token was encrypted to it."
        )
        fix = "Publish an encryption key: 'use' of 'enc', and 'key_ops' that allow decryption."
    return _finding("key.type", Stage.KEY, message, fix)


# ================================================================ the encrypted key

OAEP_HASHES: dict[str, str] = {
    "RSA-OAEP": "SHA-1",
    "RSA-OAEP-256": "SHA-256",
    "RSA-OAEP-384": "SHA-384",
    "RSA-OAEP-512": "SHA-512",
}
_HASH_FACTORIES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "SHA-1": hashes.SHA1,
    "SHA-256": hashes.SHA256,
    "SHA-384": hashes.SHA384,
    "SHA-512": hashes.SHA512,
}
_OAEP_ALG_FOR_HASH = {value: name for name, value in OAEP_HASHES.items()}


def oaep_variants(alg: str) -> list[tuple[str, str]]:
    """(OAEP hash, MGF1 hash) pairs a peer might have used instead of the one ``alg`` names."""
    claimed = OAEP_HASHES[alg]
    same = [(h, h) for h in _HASH_FACTORIES if h != claimed]
    sha1_mgf = [(h, "SHA-1") for h in _HASH_FACTORIES if h != "SHA-1"]
    return same + sha1_mgf


def _oaep_decrypt(key: Key, encrypted_key: bytes, oaep_hash: str, mgf_hash: str) -> bytes | None:
    scheme = padding.OAEP(
        mgf=padding.MGF1(algorithm=_HASH_FACTORIES[mgf_hash]()),
        algorithm=_HASH_FACTORIES[oaep_hash](),
        label=None,
    )
    try:
        return bytes(key.material.decrypt(encrypted_key, scheme))
    except ValueError:
        return None


def _oaep_findings(alg: str, oaep_hash: str, mgf_hash: str) -> tuple[Finding, ...]:
    claimed = OAEP_HASHES[alg]
    findings = []
    if oaep_hash != claimed:
        actual = _OAEP_ALG_FOR_HASH[oaep_hash]
        findings.append(
            _finding(
                "oaep.hash_mismatch",
                Stage.KEY_MANAGEMENT,
                f"The header says {alg} (OAEP with {claimed}), but the CEK was encrypted with "
                f"OAEP-{oaep_hash}, which is {actual}: with {oaep_hash} your key recovers the CEK.",
                f"Make the two agree: send alg {actual!r}, or encrypt with OAEP-{claimed} as "
                f"{alg} requires (RFC 7518 §4.3).",
            )
        )
    if mgf_hash == "SHA-1" and oaep_hash != "SHA-1":
        findings.append(
            _finding(
                "oaep.mgf1_sha1",
                Stage.KEY_MANAGEMENT,
                f"The CEK was encrypted with OAEP using {oaep_hash} as its hash but SHA-1 inside "
                f"MGF1. That is the default of Java's 'RSA/ECB/OAEPWith{oaep_hash}AndMGF1Padding' "
                f"(and of Android's keystore); {_OAEP_ALG_FOR_HASH[oaep_hash]} needs MGF1 with "
                f"{oaep_hash} too.",
                f'Set MGF1\'s hash explicitly, e.g. in Java new OAEPParameterSpec("{oaep_hash}", '
                f'"MGF1", MGF1ParameterSpec.{oaep_hash.replace("-", "")}, '
                "PSource.PSpecified.DEFAULT).",
            )
        )
    return tuple(findings)


def pkcs1_v15_message(key: Key, encrypted_key: bytes) -> bytes | None:
    """The message inside RSAES-PKCS1-v1_5 padding (RFC 8017 §7.2.2), or None.

    Decoded by hand from the raw RSA result: OpenSSL's implicit rejection would answer a bad
    padding with a synthetic message instead of an error. A debugging aid can afford the
    branchy check; a server must not (RFC 3218).
    """
    numbers: rsa.RSAPrivateNumbers = key.material.private_numbers()
    modulus, exponent = numbers.public_numbers.n, numbers.d
    size = (modulus.bit_length() + 7) // 8
    value = int.from_bytes(encrypted_key, "big")
    if len(encrypted_key) != size or value >= modulus:
        return None
    encoded = pow(value, exponent, modulus).to_bytes(size, "big")
    separator = encoded.find(b"\x00", 2)
    if encoded[:2] != b"\x00\x02" or separator < 10:  # 00 02, 8+ non-zero bytes, 00, message
        return None
    return encoded[separator + 1 :]


def _plausible_cek(message: bytes) -> bool:
    """A CEK size some enc uses, or twice one (hex text): with the padding check, this keeps a
    wrong key's random-looking result from passing for a CEK (odds about 1 in 10^7)."""
    sizes = {c.key_size for c in registry.CONTENT_ENCRYPTION.values()}
    return len(message) in sizes or len(message) in {2 * size for size in sizes}


def _scheme_finding(alg: str, used: str) -> Finding:
    if alg == "RSA1_5":
        message = (
            f"The header says RSA1_5 (PKCS #1 v1.5 padding), but the CEK was encrypted with "
            f"OAEP, as {used}: read that way, your key recovers the CEK."
        )
        fix = f"Send alg {used!r}, which is what the sender does (and safer than RSA1_5)."
    else:
        message = (
            f"The header says {alg} (OAEP), but the CEK was encrypted with PKCS #1 v1.5 "
            "padding, which is RSA1_5: read that way, your key recovers the CEK. Java's "
            'Cipher.getInstance("RSA") and "RSA/ECB/PKCS1Padding" do that.'
        )
        fix = (
            f"Encrypt the CEK with OAEP as {alg} requires, e.g. in Java "
            '"RSA/ECB/OAEPWithSHA-256AndMGF1Padding" with an OAEPParameterSpec for MGF1-SHA-256.'
        )
    return _finding("oaep.pkcs1v15", Stage.KEY_MANAGEMENT, message, fix)


def unwrap_options(
    key: Key,
    km: KeyManagement,
    content: ContentEncryption,
    encrypted_key: bytes,
    header: dict[str, Any],
) -> list[Option[tuple[bytes, str]]]:
    """The CEK this key recovers, with the alg that actually recovered it: the header's, or
    (RSA) the OAEP hash or padding scheme the sender really used."""
    rsa_private = isinstance(key.material, rsa.RSAPrivateKey)
    try:
        if km.name == "RSA1_5" and rsa_private:
            # Checked by hand: implicit rejection could make a wrong padding look like a CEK.
            message = pkcs1_v15_message(key, encrypted_key)
            if message is not None and _plausible_cek(message):
                return [Option((message, km.name))]
        else:
            return [Option((km.unwrap(key, encrypted_key, content, header, _scratch()), km.name))]
    except InvalidKeyError:  # the key cannot serve this alg at all: key.type, for the caller
        raise
    except (JWEError, ValueError):  # ValueError: a primitive refusing odd input
        pass
    if not rsa_private or (km.name not in OAEP_HASHES and km.name != "RSA1_5"):
        return []
    if km.name == "RSA1_5":
        for oaep_hash, mgf_hash in [(h, h) for h in _HASH_FACTORIES] + oaep_variants("RSA-OAEP"):
            cek = _oaep_decrypt(key, encrypted_key, oaep_hash, mgf_hash)
            if cek is not None:
                actual = _OAEP_ALG_FOR_HASH[oaep_hash]
                findings: tuple[Finding, ...] = (_scheme_finding(km.name, actual),)
                if mgf_hash != oaep_hash:
                    findings += _oaep_findings(actual, oaep_hash, mgf_hash)
                return [Option((cek, actual), findings)]
        return []
    for oaep_hash, mgf_hash in oaep_variants(km.name):
        cek = _oaep_decrypt(key, encrypted_key, oaep_hash, mgf_hash)
        if cek is not None:
            actual = _OAEP_ALG_FOR_HASH[oaep_hash]
            return [Option((cek, actual), _oaep_findings(km.name, oaep_hash, mgf_hash))]
    message = pkcs1_v15_message(key, encrypted_key)
    if message is not None and _plausible_cek(message):
        return [Option((message, "RSA1_5"), (_scheme_finding(km.name, "RSA1_5"),))]
    return []


def key_mismatch_finding(key: Key, km: KeyManagement, encrypted_key: bytes) -> Finding:
    """key.mismatch: nothing this key can do opens the encrypted key."""
    if km.name in OAEP_HASHES and isinstance(key.material, rsa.RSAPrivateKey):
        modulus = (key.material.key_size + 7) // 8
        if len(encrypted_key) != modulus:
            detail = (
                f"The encrypted key is {len(encrypted_key)} bytes, so it was made with a "
                f"{8 * len(encrypted_key)}-bit RSA key; yours is {key.material.key_size}-bit."
            )
        else:
            detail = (
                "OAEP with SHA-1, SHA-256, SHA-384 and SHA-512 (and MGF1-SHA-1 with each) all "
                "fail to open the encrypted key with this private key."
            )
        message = (
            f"{detail} The CEK was encrypted to a different public key (or altered in transit)."
        )
    else:
        message = (
            f"{km.name} cannot recover the CEK with this key: the token was made for a different "
            "key (or its encrypted key was altered in transit)."
        )
    return _finding(
        "key.mismatch",
        Stage.KEY_MANAGEMENT,
        message,
        "Have the sender encrypt to your public key (check which JWKS or certificate they use, "
        "and its kid), or decrypt with the key they did use.",
    )


# ================================================================ CEK, IV and tag lengths


@dataclass(frozen=True)
class Sealed:
    """The content as one hypothesis reads it."""

    ciphertext: bytes
    tag: bytes
    truncated_gcm_tag: bool = False


def _ascii_decodings(data: bytes) -> list[tuple[bytes, str]]:
    """``data`` read as hex or base64 text of some bytes."""
    results = []
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return []
    if len(text) % 2 == 0 and text and all(c in string.hexdigits for c in text):
        results.append((bytes.fromhex(text), "hex"))
    for alphabet, decoder in (
        ("base64url", base64.urlsafe_b64decode),
        ("base64", base64.b64decode),
    ):
        try:
            results.append((decoder(text + "=" * (-len(text) % 4)), alphabet))
        except (binascii.Error, ValueError):
            continue
    return results


def cek_options(
    cek: bytes, content: ContentEncryption
) -> tuple[list[Option[tuple[bytes, ContentEncryption]]], list[Finding]]:
    """The CEK as recovered, or as the sender's mistake made it: text, or a key for another enc."""
    if len(cek) == content.key_size:
        return [Option((cek, content))], []
    options: list[Option[tuple[bytes, ContentEncryption]]] = []
    for decoded, form in _ascii_decodings(cek):
        if len(decoded) == content.key_size:
            options.append(
                Option(
                    (decoded, content),
                    (
                        _finding(
                            "cek.length",
                            Stage.CEK,
                            f"The recovered CEK is {len(cek)} bytes of {form} text: the sender "
                            f"encrypted the {form} form of the {content.key_size}-byte key "
                            "instead of its bytes.",
                            "Encrypt the raw CEK bytes, not their text form.",
                        ),
                    ),
                )
            )
    family = re.sub(r"\d+", "", content.name)
    for other in registry.CONTENT_ENCRYPTION.values():
        if other.key_size == len(cek) and re.sub(r"\d+", "", other.name) == family:
            options.append(
                Option(
                    (cek, other),
                    (
                        _finding(
                            "cek.length",
                            Stage.CEK,
                            f"The CEK is {len(cek)} bytes, a key for {other.name}, while the "
                            f"header says {content.name} ({content.key_size} bytes): the sender "
                            f"encrypted with {other.name} and wrote {content.name}.",
                            f"Send enc {other.name!r}, or generate a {content.key_size}-byte CEK "
                            f"for {content.name}.",
                        ),
                    ),
                )
            )
    fallback = _finding(
        "cek.length",
        Stage.CEK,
        f"The recovered CEK is {len(cek)} bytes, but {content.name} needs {content.key_size} "
        f"({8 * content.key_size} bits).",
        f"Generate a fresh {content.key_size}-byte random CEK for {content.name} "
        "(RFC 7516 §5.1 step 2).",
    )
    return options, [fallback]


def _is_gcm(content: ContentEncryption) -> bool:
    return re.fullmatch(r"A\d+GCM", content.name) is not None


def iv_options(iv: bytes, content: ContentEncryption) -> tuple[list[Option[bytes]], list[Finding]]:
    """The IV as received when its length fits, else the readings a mistake explains."""
    if len(iv) == content.iv_size:
        return [Option(iv)], []
    options = []
    for decoded, form in _ascii_decodings(iv):
        if len(decoded) == content.iv_size:
            message = (
                f"The IV part holds {len(iv)} bytes of {form} text; decoded, it is the "
                f"{content.iv_size}-byte IV the content was encrypted with."
            )
            fix = "Base64url-encode the IV's bytes, not a text form of them."
            options.append(Option(decoded, (_finding("iv.length", Stage.IV, message, fix),)))
    if _is_gcm(content) and 8 <= len(iv) <= 128:
        message = (
            f"The IV is {len(iv)} bytes; GCM accepts other lengths, but "
            f"JWE fixes the {content.name} IV at {content.iv_size} bytes (RFC 7518 §5.3), so "
            "conforming receivers reject the token."
        )
        fix = f"Generate a {content.iv_size}-byte (96-bit) random IV for {content.name}."
        options.append(Option(iv, (_finding("iv.length", Stage.IV, message, fix),)))
    fallback = _finding(
        "iv.length",
        Stage.IV,
        f"The IV is {len(iv)} bytes, but {content.name} uses {content.iv_size} "
        f"({8 * content.iv_size} bits).",
        f"Generate a fresh {content.iv_size}-byte random IV for every token.",
    )
    return options, [fallback]


def tag_options(
    ciphertext: bytes, tag: bytes, content: ContentEncryption
) -> tuple[list[Option[Sealed]], list[Finding]]:
    """Where the tag is: its own part, the end of the ciphertext, or a mis-sized part."""
    size = content.tag_size
    split_fix = (
        f"Split the AEAD output: the last {size} bytes are the tag (part 5), the rest is the "
        "ciphertext (part 4)."
    )
    options: list[Option[Sealed]] = []
    if len(tag) == size:
        options.append(Option(Sealed(ciphertext, tag)))
        if len(ciphertext) >= size and hmac.compare_digest(ciphertext[-size:], tag):
            message = (
                f"The ciphertext part ends with the {size}-byte tag, which is also sent as the "
                "tag part: the sender put the AEAD's ciphertext||tag output in the ciphertext "
                "part."
            )
            fix = split_fix
            options.append(
                Option(
                    Sealed(ciphertext[:-size], tag),
                    (_finding("tag.appended_to_ciphertext", Stage.TAG, message, fix),),
                )
            )
        return options, []
    if not tag and len(ciphertext) >= size:
        message = (
            f"The tag part is empty and the ciphertext ends with the {size}-byte tag: the sender "
            "sent the AEAD's ciphertext||tag output as the ciphertext."
        )
        fix = split_fix
        options.append(
            Option(
                Sealed(ciphertext[:-size], ciphertext[-size:]),
                (_finding("tag.appended_to_ciphertext", Stage.TAG, message, fix),),
            )
        )
    for decoded, form in _ascii_decodings(tag):
        if len(decoded) == size:
            message = (
                f"The tag part holds {len(tag)} bytes of {form} text; decoded, it is the "
                f"{size}-byte tag."
            )
            fix = "Base64url-encode the tag's bytes, not a text form of them."
            options.append(
                Option(
                    Sealed(ciphertext, decoded), (_finding("tag.length", Stage.TAG, message, fix),)
                )
            )
    if len(tag) > size:
        message = (
            f"The tag part is {len(tag)} bytes; its first {size} bytes are the {content.name} "
            "tag: the sender sent more than the tag."
        )
        fix = f"Send exactly the {size}-byte tag {content.name} defines, no more."
        options.append(
            Option(
                Sealed(ciphertext, tag[:size]), (_finding("tag.length", Stage.TAG, message, fix),)
            )
        )
    if _is_gcm(content) and 4 <= len(tag) < size:
        message = (
            f"The tag is {len(tag)} bytes: a GCM tag truncated to {8 * len(tag)} bits, while "
            f"{content.name} requires the full 128-bit tag (RFC 7518 §5.3)."
        )
        fix = "Send the whole 16-byte GCM tag; do not configure a shorter tag length."
        options.append(
            Option(
                Sealed(ciphertext, tag, truncated_gcm_tag=True),
                (_finding("tag.length", Stage.TAG, message, fix),),
            )
        )
    if not tag:
        plain = (
            f"The tag part is empty; {content.name} needs a {size}-byte tag, and the end of "
            "the ciphertext is not it either."
        )
    else:
        plain = f"The tag is {len(tag)} bytes, but {content.name} uses {size}."
    fallback = _finding(
        "tag.length",
        Stage.TAG,
        plain,
        f"Send the {size}-byte authentication tag as the fifth part.",
    )
    return options, [fallback]


# ================================================================ AAD


def header_serializations(header: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """Other JSON texts of the same header that common serializers produce."""
    forms: list[tuple[str, bytes]] = []
    for sort in (False, True):
        order = "keys sorted, " if sort else ""
        for separators, spacing in (
            ((", ", ": "), "spaces after ',' and ':'"),
            ((",", ":"), "no spaces"),
        ):
            for ascii_only in (True, False):
                text = json.dumps(
                    header, separators=separators, sort_keys=sort, ensure_ascii=ascii_only
                )
                escapes = "non-ASCII as \\u escapes" if ascii_only else "non-ASCII as UTF-8"
                forms.append((f"{order}{spacing}, {escapes}", text.encode("utf-8")))
                if ascii_only and "\\u" in text:
                    upper = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), text)
                    forms.append(
                        (
                            f"{order}{spacing}, upper-case \\u escapes (.NET style)",
                            upper.encode("utf-8"),
                        )
                    )
    forms.append(
        (
            "pretty-printed with indent=2",
            json.dumps(header, indent=2, ensure_ascii=False).encode("utf-8"),
        )
    )
    forms.append(
        (
            "members in reverse order",
            json.dumps(
                dict(reversed(list(header.items()))), separators=(",", ":"), ensure_ascii=False
            ).encode("utf-8"),
        )
    )
    return forms


def aad_options(
    parsed: ParsedJWE, protected: Mapping[str, Any], sent_header_texts: tuple[str, ...]
) -> list[Option[bytes]]:
    """The AAD the receiver computes, then the AADs a sender's mistake would have used."""
    suffix = "" if parsed.encoded_aad is None else f".{parsed.encoded_aad}"
    options = [Option(compute_aad(parsed.encoded_protected_header, parsed.encoded_aad))]
    # Before an encoding repair, the sender's AAD was their own spelling of the header part.
    options += [Option((text + suffix).encode("ascii", "replace")) for text in sent_header_texts]
    empty_fix = (
        "Pass the token's first part, ASCII(BASE64URL(UTF8(protected header))), as the AEAD's "
        "associated data, e.g. AESGCM(cek).encrypt(iv, plaintext, first_part.encode('ascii')) "
        "(RFC 7516 §5.1 step 14)."
    )
    options.append(
        Option(
            b"",
            (
                _finding(
                    "aad.missing",
                    Stage.CONTENT_DECRYPTION,
                    "The sender encrypted with empty additional authenticated data (AAD = b''). "
                    "JWE authenticates the encoded protected header as AAD; without it the "
                    "header is not protected.",
                    empty_fix,
                ),
            ),
        )
    )
    if parsed.encoded_aad is not None:
        options.append(
            Option(
                parsed.encoded_protected_header.encode("ascii"),
                (
                    _finding(
                        "aad.missing",
                        Stage.CONTENT_DECRYPTION,
                        "The sender left the JWE AAD member out of the additional authenticated "
                        "data, which is the encoded header alone.",
                        "Use ASCII(encoded header || '.' || BASE64URL(JWE AAD)) as AAD when the "
                        "token carries an 'aad' member (RFC 7516 §5.1 step 14).",
                    ),
                ),
            )
        )

    def reserialized(how: str) -> tuple[Finding]:
        return (
            _finding(
                "aad.reserialized_header",
                Stage.CONTENT_DECRYPTION,
                "The sender's AAD came from a different serialization of the same header "
                f"({how}) than the token's first part. "
                "The AAD must be the first part exactly as sent; re-serializing the header, "
                "even to equivalent JSON, breaks the tag.",
                "Serialize and base64url-encode the header once, and use that same text as "
                "the token's first part and as the AAD. A gateway must pass the part through "
                "untouched.",
            ),
        )

    raw = parsed.protected_header
    if raw:  # a JSON token may have no protected header at all
        options.append(
            Option(
                raw + suffix.encode("ascii"),
                reserialized("the header JSON itself, not its base64url text"),
            )
        )
        padded = base64.urlsafe_b64encode(raw).decode("ascii")
        options.append(
            Option((padded + suffix).encode("ascii"), reserialized("base64url with '=' padding"))
        )
        standard = base64.b64encode(raw).decode("ascii")
        options.append(Option((standard + suffix).encode("ascii"), reserialized("standard base64")))
        for how, text in header_serializations(protected):
            if text != raw:
                options.append(
                    Option((b64url_encode(text) + suffix).encode("ascii"), reserialized(how))
                )
    unique: dict[bytes, Option[bytes]] = {}
    for option in options:
        unique.setdefault(option.value, option)
    return list(unique.values())


# ================================================================ the replay


def _open(content: ContentEncryption, cek: bytes, iv: bytes, sealed: Sealed, aad: bytes) -> bool:
    """Does authenticated decryption succeed for this reading of the token?"""
    try:
        if sealed.truncated_gcm_tag:
            decryptor = Cipher(
                algorithms.AES(cek), modes.GCM(iv, sealed.tag, min_tag_length=len(sealed.tag))
            ).decryptor()
            decryptor.authenticate_additional_data(aad)
            decryptor.update(sealed.ciphertext)
            decryptor.finalize()
        else:
            content.decrypt(cek, iv, sealed.ciphertext, sealed.tag, aad, _scratch())
    except (JWEError, InvalidTag, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Unwrapped:
    """A CEK recovered from the encrypted key under one reading of alg, enc and the key.

    ``names`` are the alg/enc findings that hold only if the content then decrypts;
    ``names_fallback`` replaces them when it does not. ``key_findings`` (kid, key binding,
    OAEP) are proven by the recovery itself. ``kid_fallback`` is reported when the content
    fails under a direct mode (dir, ECDH-ES), where any key "recovers" a CEK.
    """

    cek: bytes
    km: KeyManagement
    content: ContentEncryption
    names: tuple[Finding, ...]
    names_fallback: tuple[Finding, ...]
    key_findings: tuple[Finding, ...]
    kid_fallback: tuple[Finding, ...] = ()

    @property
    def cost(self) -> int:
        return len(self.names) + len(self.key_findings)


def _merge(*groups: Iterable[Finding]) -> list[Finding]:
    """Findings in order, without repeats."""
    seen: dict[tuple[str, str], Finding] = {}
    for group in groups:
        for finding in group:
            seen.setdefault((finding.code, finding.message), finding)
    return list(seen.values())


def _jose_header(parsed: ParsedJWE, protected: dict[str, Any], index: int) -> dict[str, Any]:
    """Protected, shared unprotected and per-recipient members (RFC 7516 §5.2 step 5)."""
    recipient = parsed.recipients[index]
    return {**protected, **(parsed.unprotected or {}), **(recipient.header or {})}


def unwrap_recipient(
    material: Any,
    header: dict[str, Any],
    encrypted_key: bytes,
    allowed: tuple[frozenset[str], frozenset[str]],
) -> tuple[list[Unwrapped], list[Finding]]:
    """Every CEK the key recovers for one recipient, or the findings that say why none."""
    alg_options, alg_fallback = name_options(
        "alg", header.get("alg"), header.get("enc"), allowed[0]
    )
    enc_options, enc_fallback = name_options(
        "enc", header.get("enc"), header.get("alg"), allowed[1]
    )
    alg_as_is = any(not o.findings for o in alg_options)
    enc_as_is = any(not o.findings for o in enc_options)
    names_fallback = ([] if alg_as_is else alg_fallback) + ([] if enc_as_is else enc_fallback)
    if not alg_options or not enc_options:
        return [], names_fallback
    try:
        choices, kid_failure = key_options(material, header)
    except JWEError:  # the key itself does not load: the error says why
        return [], []
    results: list[Unwrapped] = []
    type_findings: list[Finding] = []
    tried: tuple[Key, KeyManagement] | None = None
    for alg_option, enc_option, choice in itertools.product(alg_options, enc_options, choices):
        km = registry.key_management(alg_option.value)
        content = registry.content_encryption(enc_option.value)
        wrong_type = key_type_finding(choice.key, km, header)
        if wrong_type is not None:
            type_findings.append(wrong_type)
            continue
        binding: InvalidKeyError | None = None
        try:
            check_key_allows(choice.key, km.name, decrypting=True, enc=content.name)
        except InvalidKeyError as error:
            binding = error
        as_sent = dict(header, alg=km.name, enc=content.name)
        try:
            options = unwrap_options(choice.key, km, content, encrypted_key, as_sent)
        except InvalidKeyError as error:  # e.g. a 'dir' key of the wrong size for enc
            type_findings.append(
                _finding(
                    "key.type",
                    Stage.KEY,
                    f"This key cannot serve {km.name} with {content.name}: {error.message} "
                    f"(expected {error.expected}, found {error.found}).",
                    f"Decrypt with the key made for {km.name} with {content.name}.",
                )
            )
            continue
        tried = tried or (choice.key, km)
        for option in options:
            cek, actual_alg = option.value
            binding_findings: tuple[Finding, ...] = ()
            if binding is not None and choice.key.alg != actual_alg:
                binding_findings = (binding_finding(choice.key, km.name, binding),)
            results.append(
                Unwrapped(
                    cek,
                    km,
                    content,
                    names=alg_option.findings + enc_option.findings,
                    names_fallback=tuple(names_fallback),
                    key_findings=choice.findings + binding_findings + option.findings,
                    kid_fallback=tuple(kid_failure),
                )
            )
    if results:
        return results, []
    failure = names_fallback + kid_failure
    if tried is not None:
        failure.append(key_mismatch_finding(tried[0], tried[1], encrypted_key))
    else:
        failure += type_findings[:1]
    return [], _merge(failure)


@dataclass(frozen=True)
class Reading:
    """One complete reading of the token: a recovered CEK and one option for each part."""

    unwrapped: Unwrapped
    cek: Option[tuple[bytes, ContentEncryption]]
    iv: Option[bytes]
    sealed: Option[Sealed]
    aad: Option[bytes]

    @property
    def cost(self) -> int:
        parts = (self.cek, self.iv, self.sealed, self.aad)
        return self.unwrapped.cost + sum(len(p.findings) for p in parts)

    def opens(self) -> bool:
        cek, content = self.cek.value
        return _open(content, cek, self.iv.value, self.sealed.value, self.aad.value)

    def findings(self) -> list[Finding]:
        """The findings, each hypothesis ending with the proof that this reading decrypts."""
        u = self.unwrapped
        hypotheses = _merge(
            u.names, *(p.findings for p in (self.cek, self.iv, self.sealed, self.aad))
        )
        proven_by_key = [f for f in u.key_findings if f not in hypotheses]
        alone = len(hypotheses) + len(proven_by_key) == 1
        proof = (
            " Read that way, your key decrypts the token."
            if alone
            else " Read that way, together with the other findings, your key decrypts the token."
        )
        proven = {f: replace(f, message=f.message + proof) for f in hypotheses}
        ordered = _merge(
            u.names,
            u.key_findings,
            *(p.findings for p in (self.cek, self.iv, self.sealed, self.aad)),
        )
        order = {code: n for n, code in enumerate(CODES)}
        ordered.sort(key=lambda f: order[f.code])
        return [proven.get(f, f) for f in ordered]


def readings(
    unwrapped: Unwrapped, parsed: ParsedJWE, aads: list[Option[bytes]]
) -> Iterator[Reading]:
    """Every combination of the part options for one recovered CEK."""
    for cek in cek_options(unwrapped.cek, unwrapped.content)[0]:
        content = cek.value[1]
        for iv in iv_options(parsed.iv, content)[0]:
            for sealed in tag_options(parsed.ciphertext, parsed.tag, content)[0]:
                for aad in aads:
                    yield Reading(unwrapped, cek, iv, sealed, aad)


def replay(
    parsed: ParsedJWE,
    material: Any,
    *,
    algorithms: Iterable[str] | None = None,
    sent_header_texts: tuple[str, ...] = (),
) -> Diagnosis:
    """Decrypt again under every hypothesis, cheapest first, and name the first that works."""
    try:
        protected = parse_header(parsed.protected_header) if parsed.encoded_protected_header else {}
    except JWEError:
        return Diagnosis(header_json_findings(parsed.protected_header))
    allowed = _allowed(algorithms)

    # RFC 7516 §5.2 steps 6-12, per recipient: names, key, encrypted key.
    recovered: list[Unwrapped] = []
    failure: list[Finding] | None = None
    for index, recipient in enumerate(parsed.recipients):
        header = _jose_header(parsed, protected, index)
        found, why_not = unwrap_recipient(material, header, recipient.encrypted_key, allowed)
        recovered += found
        failure = why_not if failure is None else failure
    if not recovered:
        return Diagnosis(failure or [])

    # Steps 13-16: every reading of CEK, IV, tag and AAD, cheapest first.
    aads = aad_options(parsed, protected, sent_header_texts)
    candidates = sorted(
        (r for u in recovered for r in readings(u, parsed, aads)), key=lambda r: r.cost
    )
    budget = min(MAX_ATTEMPTS, MAX_WORK_BYTES // max(1, len(parsed.ciphertext)))
    for reading in candidates[: max(1, budget)]:
        if reading.opens():
            return Diagnosis(reading.findings(), decrypts=True)

    # Nothing decrypts: what the recovered CEK proves, then the first part that is surely wrong.
    best = min(recovered, key=lambda u: u.cost)
    shapes = (
        cek_options(best.cek, best.content),
        iv_options(parsed.iv, best.content),
        tag_options(parsed.ciphertext, parsed.tag, best.content),
    )
    wrong = [fallback for options, fallback in shapes if not any(not o.findings for o in options)]
    certain = wrong[0] if wrong else [tag_mismatch_finding(best.km)]
    kid = best.kid_fallback if best.km.generates_cek else ()
    return Diagnosis(_merge(best.names_fallback, kid, best.key_findings, certain))


def tag_mismatch_finding(km: KeyManagement) -> Finding:
    """The fallback: the key is right, the shapes are right, and still the tag fails.

    With a direct mode (dir, ECDH-ES) no encrypted key proves the key right: any key yields a
    CEK, so a wrong key ends here too, and the message says so.
    """
    if km.name == "dir":
        start = (
            "With 'dir' your key is the CEK, so a different shared key also ends here. "
            "Otherwise: every part has the right length"
        )
        fix_key = "Check that the sender uses the same shared key as you. "
    elif km.generates_cek:
        start = (
            f"With {km.name} the CEK is agreed from your key and the sender's ephemeral key, "
            "so a token made for a different key also ends here. Otherwise: every part has "
            "the right length"
        )
        fix_key = "Check that the sender encrypted to your current public key. "
    else:
        start = "Your key recovers the CEK, every part has the right length"
        fix_key = ""
    return _finding(
        "tag.mismatch",
        Stage.CONTENT_DECRYPTION,
        start + ", but the tag does not verify, and no alternative tried (empty AAD, a "
        "re-serialized header, the tag moved, a text-encoded CEK, IV or tag) fits: the "
        "ciphertext, IV or tag was altered after encryption.",
        fix_key + "Compare the token byte for byte with what the sender produced: look for "
        "truncation, re-encoding or string mangling in transit, and check that the IV sent is "
        "the IV used.",
    )


__all__ = [
    "CODES",
    "Diagnosis",
    "Finding",
    "diagnose",
    "encoding_findings",
    "header_json_findings",
    "replay",
]
