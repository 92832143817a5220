"""Annotated bytes: every byte of a value attributed to a named field, shown as hex, base64url
or decimal, each field labelled on hover.

The fields come from structure, never from recomputing cryptography: JSON members are found by
scanning the protected header's bytes; GCM and CBC blocks are 16-byte slices; the tag is the
tag; the lengths each part must have come from the registered alg and enc (:mod:`.layout`).
:func:`unexplained_bytes` returns what no field claims, with the reason, and
:func:`assert_fully_explained` fails when anything is left over — the "no unexplained bytes"
rule for every token we display. It is falsifiable: five random base64url parts, a header
followed by junk, or a tag of the wrong length are reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal, NamedTuple

from ..algorithms import ContentEncryption, KeyManagement
from ..b64 import b64url_encode
from ..strict_json import json_safe
from ..trace import DecryptTrace, EncryptTrace
from .layout import algorithms_of, member_problems, part_problem
from .palette import FOREGROUND, MONO, MUTED, TOKEN_PARTS, chip_style, part, swatch
from .source import as_trace, header_of, split_token, value_of

Format = Literal["hex", "base64url", "decimal"]
DASH = "\u2013"  # an en dash, for ranges such as 0-15
FORMATS: tuple[Format, ...] = ("hex", "base64url", "decimal")
BLOCK = 16  # AES block size in bytes
DISPLAY_LIMIT = 512  # bytes drawn per value; fields beyond are still checked (and listed)
LEGEND_ROWS = 256  # fields listed under a value (a 12 MiB ciphertext has 786 432 blocks)
SCANNED_MEMBERS = 1000  # header members labelled one by one; a header with more is cut there


@dataclass(frozen=True)
class Field:
    """Bytes ``start`` (inclusive) to ``end`` (exclusive) of a value, and what they are."""

    start: int
    end: int
    name: str
    description: str

    @property
    def size(self) -> int:
        return self.end - self.start

    def label(self) -> str:
        span = f"byte {self.start}" if self.size == 1 else f"bytes {self.start}{DASH}{self.end - 1}"
        return f"{self.name} ({span}, {self.size} B): {self.description}"


@dataclass(frozen=True)
class AnnotatedBytes:
    """A value and the fields that explain its bytes."""

    name: str  # the step or part name: "protected_header", "ciphertext", ...
    data: bytes
    fields: tuple[Field, ...]
    title: str = ""
    highlight: frozenset[int] = field(default_factory=frozenset)  # byte offsets to mark
    problem: str = ""  # why some bytes are not explained ("" when the structure fits)

    def unexplained(self) -> list[tuple[int, int]]:
        """Byte ranges ``(start, end)`` no field claims (empty when all are explained)."""
        claimed = bytearray(len(self.data))
        for item in self.fields:
            for offset in range(max(item.start, 0), min(item.end, len(self.data))):
                claimed[offset] = 1
        gaps: list[tuple[int, int]] = []
        start = None
        for offset, flag in enumerate(claimed):
            if not flag and start is None:
                start = offset
            elif flag and start is not None:
                gaps.append((start, offset))
                start = None
        if start is not None:
            gaps.append((start, len(self.data)))
        return gaps

    def field_at(self, offset: int) -> Field | None:
        for item in self.fields:
            if item.start <= offset < item.end:
                return item
        return None

    def html(self, fmt: Format = "hex", *, legend: bool = True) -> str:
        return render_html(self, fmt, legend=legend)

    def text(self, fmt: Format = "hex") -> str:
        return render_text(self, fmt)

    def _repr_html_(self) -> str:
        return render_html(self, "hex", legend=True, alternatives=True)

    def __str__(self) -> str:
        return render_text(self, "hex")

    def __repr__(self) -> str:
        return f"<AnnotatedBytes {self.name}: {len(self.data)} bytes, {len(self.fields)} fields>"


# ---------------------------------------------------------------- fields by structure


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _HeaderScan:
    """The state of one header scan: the text, byte offsets, the fields found so far."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.last = (0, 0)  # (character offset, byte offset) of the last field boundary
        self.fields: list[Field] = []
        self.problem = ""
        self.seen: set[str] = set()

    def byte_offset(self, position: int) -> int:
        """The byte offset of character ``position``. Fields come in order, so each is counted
        on from the last one: one pass over the text, never a list of every character."""
        if self.ascii:
            return position
        start, offset = self.last if position >= self.last[0] else (0, 0)
        offset += len(self.text[start:position].encode("utf-8"))
        self.last = (position, offset)
        return offset

    def skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def add(self, start: int, end: int, name: str, description: str) -> None:
        self.fields.append(Field(self.byte_offset(start), self.byte_offset(end), name, description))

    def member(self, position: int) -> tuple[int, bool]:
        """Scan one member and what follows it; ``(next position, object closed)``."""
        text = self.text
        if text[position : position + 1] != '"':
            raise ValueError("expected a member name")
        name, end = json.decoder.scanstring(text, position + 1)  # type: ignore[attr-defined]
        colon = self.skip(end)
        if text[colon : colon + 1] != ":":
            raise ValueError(f"member {name!r} has no colon")
        value, value_end = _DECODER.raw_decode(text, self.skip(colon + 1))
        if name in self.seen:
            self.problem = self.problem or f"the member name {name!r} appears twice"
        else:
            self.seen.add(name)
            shown = json.dumps(json_safe(value), ensure_ascii=False)
            shown = shown if len(shown) <= 60 else shown[:57] + "…"
            self.add(position, value_end, f"member {name}", f'header member "{name}" = {shown}')
        after = self.skip(value_end)
        separator = text[after : after + 1]
        if separator == ",":
            following = self.skip(after + 1)
            self.add(value_end, following, ",", "separates two members")
            return following, False
        if separator == "}":
            self.add(value_end, after + 1, "}", "end of the JSON object")
            return after + 1, True
        raise ValueError("the object is not closed: expected , or }")

    def run(self) -> None:
        text = self.text
        position = self.skip(0)
        if position:
            self.add(0, position, "whitespace", "JSON whitespace before the object")
        if text[position : position + 1] != "{":
            raise ValueError("the header is not a JSON object")
        after = self.skip(position + 1)
        self.add(position, after, "{", "start of the JSON object")
        position = after
        closed = text[position : position + 1] == "}"
        if closed:
            self.add(position, position + 1, "}", "end of the JSON object")
            position += 1
        while not closed:
            if len(self.fields) > 2 * SCANNED_MEMBERS:
                raise ValueError(f"more than {SCANNED_MEMBERS} members: the rest is not labelled")
            position, closed = self.member(position)
        rest = self.skip(position)
        if rest > position:
            self.add(position, rest, "whitespace", "JSON whitespace after the object")
        if rest < len(text):
            raise ValueError(f"{len(text[rest:].encode('utf-8'))} bytes follow the JSON object")


def scan_header(raw: bytes) -> tuple[list[Field], str]:
    """``(fields, problem)`` for a UTF-8 JSON object: braces, each member (name, colon and
    value), commas and whitespace.

    Scanning stops at the first byte that does not continue a JSON object: the bytes from there
    on belong to no field, and ``problem`` says what was found. A repeated member name is left
    unlabelled too (RFC 7516 §4: member names must be unique). ``problem`` is "" when the whole
    value is one JSON object.
    """
    try:
        scan = _HeaderScan(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return [], "these bytes are not UTF-8"
    try:
        scan.run()
    except json.JSONDecodeError as error:
        return scan.fields, scan.problem or f"invalid JSON: {error.msg}"
    except (ValueError, IndexError, RecursionError) as error:
        reason = str(error) if isinstance(error, ValueError) and str(error) else "invalid JSON"
        return scan.fields, scan.problem or reason
    return scan.fields, scan.problem


def json_member_fields(raw: bytes) -> list[Field]:
    """The fields :func:`scan_header` finds (bytes it cannot explain belong to none)."""
    return scan_header(raw)[0]


def _blocks(size: int, name: str, describe: Any) -> list[Field]:
    return [
        Field(start, min(start + BLOCK, size), f"{name} {index + 1}", describe(index, start))
        for index, start in enumerate(range(0, size, BLOCK))
    ]


def _encrypted_key_fields(size: int, alg: KeyManagement) -> list[Field]:
    if alg.encrypted_key_kind == "rsa_ciphertext":
        return [
            Field(
                0, size, "RSA ciphertext", f"{alg.name}: one {8 * size}-bit integer, c = m^e mod n"
            )
        ]
    if alg.encrypted_key_kind == "aes_gcm_ciphertext":
        return [
            Field(
                0,
                size,
                "GCM-encrypted CEK",
                f"{alg.name}: the CEK encrypted with AES-GCM (its IV and tag travel in the header)",
            )
        ]
    result = [Field(0, 8, "C[0] (check value A)", "AES Key Wrap's integrity check value")]
    return result + [
        Field(start, start + 8, f"C[{start // 8}]", f"wrapped CEK, 64-bit block {start // 8}")
        for start in range(8, size, 8)
    ]


def _ciphertext_fields(size: int, enc: ContentEncryption, content: bytes | None) -> list[Field]:
    if enc.family == "aes_gcm":
        return _blocks(
            size,
            "GCM block",
            lambda i, start: (
                f"plaintext bytes {start}{DASH}{min(start + BLOCK, size) - 1} XOR "
                f"AES(CEK, IV ‖ counter {i + 2})"
            ),
        )
    if enc.family == "aes_cbc_hmac":
        last = (size - 1) // BLOCK
        padding = BLOCK - len(content) % BLOCK if content is not None else None

        def describe(i: int, start: int) -> str:
            text = f"AES(ENC_KEY, P{i + 1} XOR C{i})" + (" where C0 = IV" if i == 0 else "")
            if i == last:
                pad = f"{padding} bytes of" if padding is not None else f"1{DASH}16 bytes of"
                text += f"; ends with {pad} PKCS#7 padding"
            return text

        return _blocks(size, "CBC block", describe)
    return [Field(0, size, "ciphertext", f"the content encrypted with {enc.name}")]


def _content_fields(
    name: str, size: int, enc: ContentEncryption, content: bytes | None
) -> list[Field]:
    gcm, cbc = enc.family == "aes_gcm", enc.family == "aes_cbc_hmac"
    if name == "iv":
        if gcm:
            return [Field(0, size, "GCM IV", "96-bit IV; the counter starts at J0 = IV ‖ 00000001")]
        if cbc:
            return [
                Field(0, size, "CBC IV", "128-bit IV: the block chained into ciphertext block 1")
            ]
        return [Field(0, size, "IV", f"the IV for {enc.name}")]
    if name == "ciphertext":
        return _ciphertext_fields(size, enc, content)
    if gcm:
        return [Field(0, size, "GCM tag", "GHASH(H, AAD, ciphertext) XOR AES(CEK, J0)")]
    if cbc:
        mac = f"HMAC-{enc.mac_hash}" if enc.mac_hash else "the HMAC"
        return [
            Field(
                0,
                size,
                "HMAC tag",
                f"the first {size} bytes of {mac}(MAC_KEY, AAD ‖ IV ‖ ciphertext ‖ AL)",
            )
        ]
    return [Field(0, size, "tag", f"the authentication tag of {enc.name}")]


# What each named piece of a split CEK is for (the registry gives their order and lengths).
CEK_PIECES = {
    "MAC_KEY": "the HMAC key (RFC 7518 §5.2.2.1)",
    "ENC_KEY": "the AES-CBC key (RFC 7518 §5.2.2.1)",
}


def _cek_fields(enc: ContentEncryption) -> list[Field]:
    fields, start = [], 0
    for label, length in enc.cek_layout:
        meaning = CEK_PIECES.get(label, f"part of the key for {enc.name}")
        fields.append(Field(start, start + length, label, f"{length} bytes: {meaning}"))
        start += length
    return fields


def explain_value(
    name: str,
    data: bytes,
    header: dict[str, Any],
    content: bytes | None = None,
    *,
    jwe: bool = True,
    meaning: str = "",
    modulus_bytes: int | None = None,
) -> tuple[list[Field], str]:
    """``(fields, problem)`` for value ``name`` (a step or part name), given the JOSE header.

    ``jwe=False`` is for values outside a JWE (a from-scratch OAEP or GCM trace, whose steps may
    also be called "ciphertext" or "tag"): each is one field described by its own ``meaning``.
    In a JWE, a part whose length does not fit the header's alg and enc gets no field and
    ``problem`` says why (its bytes are unexplained).
    """
    size = len(data)
    if name == "protected_header":
        return scan_header(data) if (size or jwe) else ([], "")
    if not jwe:
        return ([Field(0, size, name, meaning or "this whole value")] if size else []), ""
    problem = part_problem(
        name,
        size,
        header,
        content_size=None if content is None else len(content),
        modulus_bytes=modulus_bytes,
    )
    if problem:
        return [], problem
    if size == 0:
        return [], ""
    found = algorithms_of(header)
    if name == "encrypted_key" and found.alg is not None:
        return _encrypted_key_fields(size, found.alg), ""
    enc = found.enc
    if name in {"iv", "ciphertext", "tag"} and enc is not None:
        return _content_fields(name, size, enc, content), ""
    if name == "cek" and enc is not None:
        if size == enc.key_size and len(enc.cek_layout) > 1:
            return _cek_fields(enc), ""
        return [Field(0, size, "CEK", f"the {8 * size}-bit key for {enc.name}")], ""
    if name == "aad":
        return [
            Field(0, size, "ASCII(encoded header)", "the token's first part, as ASCII bytes")
        ], ""
    if name == "plaintext":
        return [Field(0, size, "plaintext", "the message")], ""
    return [Field(0, size, name, meaning or "this whole value")], ""


def fields_for(
    name: str, data: bytes, header: dict[str, Any], plaintext: bytes | None = None
) -> list[Field]:
    """The fields of JWE value ``name`` (a step or part name), given the JOSE header."""
    return explain_value(name, data, header, plaintext)[0]


# ---------------------------------------------------------------- building from a trace


def _is_jwe(source: Any) -> bool:
    """A JWE trace or a token: its parts are the JWE's. A bare Trace (a from-scratch OAEP or GCM
    run) is not, whatever its steps are called."""
    trace = as_trace(source)
    return trace is None or isinstance(trace, EncryptTrace | DecryptTrace)


def _modulus_bytes(source: Any) -> int | None:
    parameters = value_of(source, "key_encryption_parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("modulus_bits"), int):
        return (int(parameters["modulus_bits"]) + 7) // 8
    return None


def _content(source: Any) -> bytes | None:
    for name in ("compressed_plaintext", "plaintext"):
        value = value_of(source, name)
        if isinstance(value, bytes):
            return value
    return None


def annotate(
    source: Any, name: str, *, highlight: Iterable[int] = (), data: bytes | None = None
) -> AnnotatedBytes:
    """The annotated bytes of value ``name`` (a step or part name) of a Trace/Explanation/token.

    >>> annotate(trace, "protected_header").fields[1].name
    'member alg'
    """
    header = header_of(source)
    if data is None:
        value = value_of(source, name)
        if value is None and name in TOKEN_PARTS:
            _, parts = split_token(source)
            value = parts[TOKEN_PARTS.index(name)].data
        if isinstance(value, str):
            value = value.encode("utf-8")
        if not isinstance(value, bytes):
            raise KeyError(f"no bytes recorded for {name!r}")
        data = value
    trace = as_trace(source)
    meaning = trace.step(name).meaning if trace is not None and name in trace else ""
    fields, problem = explain_value(
        name,
        data,
        header,
        _content(source),
        jwe=_is_jwe(source),
        meaning=meaning,
        modulus_bytes=_modulus_bytes(source),
    )
    label = part(name).label
    return AnnotatedBytes(name, data, tuple(fields), label, frozenset(highlight), problem)


def annotate_token(
    source: Any, *, highlight: dict[str, set[int]] | None = None
) -> list[AnnotatedBytes]:
    """The five parts of the token shown by ``source``, annotated (a part that is not valid
    base64url has no bytes and is left out)."""
    _, parts = split_token(source)
    highlight = highlight or {}
    result = []
    for token_part in parts:
        if token_part.data is None or token_part.name not in TOKEN_PARTS:
            continue
        result.append(
            annotate(
                source,
                token_part.name,
                data=token_part.data,
                highlight=highlight.get(token_part.name, ()),
            )
        )
    return result


class Unexplained(NamedTuple):
    """Bytes ``start``-``end`` of ``part`` that no field explains, and why.

    For a part that is not base64url the range counts characters; a zero-length range marks
    something missing (a part, a header member, the end of the JSON object).
    """

    part: str
    start: int
    end: int
    reason: str


def _gaps(item: AnnotatedBytes) -> list[Unexplained]:
    reason = item.problem or "no field explains these bytes"
    found = [Unexplained(item.name, start, end, reason) for start, end in item.unexplained()]
    if item.problem and not found:
        found.append(Unexplained(item.name, len(item.data), len(item.data), item.problem))
    return found


def _token_gaps(source: Any) -> list[Unexplained]:
    serialization, parts = split_token(source)
    found: list[Unexplained] = []
    names = [p.name for p in parts]
    for missing in TOKEN_PARTS[len(parts) :] if serialization == "compact" else ():
        found.append(Unexplained(missing, 0, 0, "missing: a compact JWE has five parts"))
    for token_part in parts:
        if token_part.name not in TOKEN_PARTS:
            reason = f"a JWE has five parts; part {names.index(token_part.name) + 1} is extra"
            found.append(Unexplained(token_part.name, 0, token_part.chars, reason))
        elif token_part.data is None:
            reason = f"not base64url ({token_part.problem}); the range counts characters"
            found.append(Unexplained(token_part.name, 0, token_part.chars, reason))
        elif (
            token_part.name == "protected_header"
            and not token_part.data
            and serialization != "compact"
        ):
            continue  # the JSON serializations may put every member in unprotected headers
        else:
            found += _gaps(annotate(source, token_part.name, data=token_part.data))
    for problem in member_problems(header_of(source)):
        found.append(Unexplained("protected_header", 0, 0, problem))
    return found


def unexplained_bytes(source: Any) -> list[Unexplained]:
    """Every byte range no field explains, with the reason (empty when all are explained).

    ``source`` is a token, a Trace or Explanation (its token), an :class:`AnnotatedBytes` or a
    list of them. For a token the header must be one JSON object with unique members, and the
    encrypted key, IV, ciphertext and tag must have the lengths its ``alg`` and ``enc`` give
    (from the registry); a part that does not is reported whole.
    """
    if isinstance(source, AnnotatedBytes):
        return _gaps(source)
    if isinstance(source, Sequence) and not isinstance(source, str | bytes):
        return [gap for entry in source for gap in unexplained_bytes(entry)]
    return _token_gaps(source)


def assert_fully_explained(source: Any) -> None:
    """Raise AssertionError naming each byte range of ``source`` that no field explains."""
    gaps = unexplained_bytes(source)
    if gaps:
        listed = "; ".join(f"{g.part}[{g.start}:{g.end}] ({g.reason})" for g in gaps)
        raise AssertionError(f"unexplained bytes: {listed}")


# ---------------------------------------------------------------- rendering

_CELL = "padding:0 0.15em;margin:0 0.05em;line-height:1.9;display:inline"


def _format_bytes(data: bytes, fmt: Format) -> list[str]:
    if fmt == "hex":
        return [f"{byte:02x}" for byte in data]
    if fmt == "decimal":
        return [str(byte) for byte in data]
    raise ValueError(fmt)


def _groups(item: AnnotatedBytes, limit: int) -> list[tuple[Field, int, int]]:
    shown = []
    for entry in item.fields:
        if entry.start >= limit:
            break
        shown.append((entry, entry.start, min(entry.end, limit)))
    return shown


def _highlighted(text: str, marked: bool) -> str:
    if not marked:
        return escape(text)
    return (
        f'<mark style="background:none;color:{FOREGROUND};font-weight:bold;'
        f'outline:2px solid currentColor;outline-offset:0">{escape(text)}</mark>'
    )


def _span(entry: Field) -> str:
    return str(entry.start) if entry.size == 1 else f"{entry.start}{DASH}{entry.end - 1}"


def render_html(
    item: AnnotatedBytes,
    fmt: Format = "hex",
    *,
    legend: bool = True,
    alternatives: bool = False,
    limit: int = DISPLAY_LIMIT,
) -> str:
    """The bytes as HTML: one tinted span per field (alternating shades), its label on hover."""
    body = []
    if fmt == "base64url":
        body.append(_base64url_html(item, limit))
    else:
        cells = _format_bytes(item.data[:limit], fmt)
        for index, (entry, start, end) in enumerate(_groups(item, limit)):
            alpha = 0.16 if index % 2 == 0 else 0.36
            inner = " ".join(
                _highlighted(cells[offset], offset in item.highlight)
                for offset in range(start, end)
            )
            body.append(
                f'<span class="jwe-field" data-field="{escape(entry.name)}" '
                f'title="{escape(entry.label())}" style="{chip_style(item.name, alpha=alpha)};'
                f'{_CELL}">{inner}</span>'
            )
    more = ""
    if len(item.data) > limit:
        more = f' <span style="color:{MUTED}">… {len(item.data) - limit} more bytes</span>'
    drawn = part(item.name)
    head = (
        f'<div style="font-weight:600;margin-bottom:0.2em">{swatch(item.name)} '
        f"{escape(item.title or drawn.label)} "
        f'<span style="font-weight:normal;color:{MUTED}">'
        f"· {len(item.data)} bytes · {fmt}</span></div>"
    )
    breaking = "break-all" if fmt == "base64url" else "normal"
    values = (
        f'<div class="jwe-bytes-values" style="font-family:{MONO};font-size:0.85em;'
        f'word-break:{breaking};white-space:normal">{"".join(body)}{more}</div>'
    )
    rows = ""
    if legend and item.fields:
        entries = "".join(
            '<tr><td style="padding:0 0.6em 0 0;text-align:left;'
            f'white-space:nowrap;font-family:{MONO}">'
            f"{_span(entry)}</td>"
            '<td style="padding:0 0.6em 0 0;text-align:left;'
            f'white-space:nowrap"><b>{escape(entry.name)}</b></td>'
            f'<td style="padding:0;text-align:left">{escape(entry.description)}</td></tr>'
            for entry in item.fields[:LEGEND_ROWS]
        )
        if len(item.fields) > LEGEND_ROWS:
            entries += f"<tr><td colspan=3>… {len(item.fields) - LEGEND_ROWS} more fields</td></tr>"
        table = (
            '<table style="font-size:0.8em;border-collapse:collapse;'
            f'margin-top:0.3em">{entries}</table>'
        )
        if len(item.fields) > 16:
            table = f"<details><summary>{len(item.fields)} fields</summary>{table}</details>"
        rows = table
    extra = ""
    if alternatives:
        others = "".join(
            f"<details><summary>{other}</summary>"
            f"{render_html(item, other, legend=False, limit=limit)}"
            "</details>"
            for other in FORMATS
            if other != fmt
        )
        extra = f'<div style="font-size:0.9em">{others}</div>'
    return (
        f'<div class="jwe-steps-view jwe-bytes" data-part="{escape(item.name)}" '
        f'style="color:{FOREGROUND};margin:0.3em 0">{head}{values}{rows}{extra}</div>'
    )


def char_range_of_byte(offset: int) -> range:
    """The base64url characters that carry bits of byte ``offset``."""
    return range((8 * offset) // 6, (8 * offset + 7) // 6 + 1)


def _base64url_html(item: AnnotatedBytes, limit: int) -> str:
    data = item.data[:limit]
    text = b64url_encode(data)
    marked_chars = {c for offset in item.highlight for c in char_range_of_byte(offset)}
    spans = []
    for index, (entry, start, end) in enumerate(_groups(item, limit)):
        first = (8 * start) // 6
        last = len(text) if end >= len(data) else (8 * end) // 6
        if first >= last:
            continue
        alpha = 0.16 if index % 2 == 0 else 0.36
        chars = "".join(_highlighted(text[c], c in marked_chars) for c in range(first, last))
        spans.append(
            f'<span class="jwe-field" data-field="{escape(entry.name)}" '
            f'title="{escape(entry.label())}" '
            f'style="{chip_style(item.name, alpha=alpha)};{_CELL}">{chars}</span>'
        )
    return "".join(spans)


def render_text(item: AnnotatedBytes, fmt: Format = "hex", *, limit: int = DISPLAY_LIMIT) -> str:
    """Plain text: one line per field, ``offset  name  bytes``."""
    lines = [f"{item.title or part(item.name).label} ({len(item.data)} bytes)"]
    for entry in item.fields:
        if entry.start >= limit:
            lines.append(f"  … {len(item.fields)} fields in all")
            break
        chunk = item.data[entry.start : entry.end]
        shown = b64url_encode(chunk) if fmt == "base64url" else " ".join(_format_bytes(chunk, fmt))
        lines.append(f"  {entry.start:>5}  {entry.name:<22} {shown}")
    return "\n".join(lines)


__all__ = [
    "FORMATS",
    "AnnotatedBytes",
    "Field",
    "Unexplained",
    "annotate",
    "annotate_token",
    "assert_fully_explained",
    "char_range_of_byte",
    "explain_value",
    "fields_for",
    "json_member_fields",
    "render_html",
    "render_text",
    "scan_header",
    "unexplained_bytes",
]
