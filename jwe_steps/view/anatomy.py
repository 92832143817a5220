"""Token anatomy: a token with its five parts coloured, numbered and labelled, each with its
length in characters and in bytes — in the compact form and in the two JSON serializations.

The JSON forms of a compact token are the same five base64url strings under member names
(RFC 7516 §7.2), so showing them is relabelling, not re-encrypting.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal

from .bytes import char_range_of_byte
from .format import brief, shown
from .palette import FOREGROUND, MONO, MUTED, RULE, chip_style, part, swatch, text_on
from .source import JSON_MEMBERS, TokenPart, split_token

Serialization = Literal["compact", "flattened", "general"]
ELIDE_OVER = 600  # characters of one part shown before its middle is elided


@dataclass(frozen=True)
class Anatomy:
    """A token taken apart. ``str()`` gives a text table; in Jupyter it renders as HTML."""

    parts: tuple[TokenPart, ...]
    serialization: Serialization = "compact"
    source_serialization: str = "compact"
    highlight: Mapping[str, frozenset[int]] = field(default_factory=dict)
    extra_members: Mapping[str, Any] = field(default_factory=dict)

    def part(self, name: str) -> TokenPart:
        for candidate in self.parts:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per part: number, name, label, chars, bytes (None if not base64url)."""
        return [
            {
                "number": number,
                "name": item.name,
                "label": part(item.name).label,
                "chars": item.chars,
                "bytes": item.size,
                "problem": item.problem,
            }
            for number, item in enumerate(self.parts, 1)
        ]

    def html(self) -> str:
        return anatomy_html(self)

    def _repr_html_(self) -> str:
        return anatomy_html(self)

    def __str__(self) -> str:
        return anatomy_text(self)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{p.name} {p.chars} chars" for p in self.parts)
        return f"<Anatomy {self.serialization}: {sizes}>"


def token_anatomy(
    source: Any,
    *,
    serialization: Serialization | None = None,
    highlight: Mapping[str, Iterable[int]] | None = None,
) -> Anatomy:
    """Take the token of ``source`` (a Trace, an Explanation, or a token) apart.

    Args:
        serialization: show it as "compact", "flattened" or "general" JSON; default: as it is.
        highlight: byte offsets to mark per part, e.g. ``{"ciphertext": {0}}`` for a tampered byte.

    >>> token_anatomy(trace)                       # compact, in a notebook cell
    >>> token_anatomy(trace, serialization="flattened")
    """
    kind, parts = split_token(source)
    marks = {name: frozenset(offsets) for name, offsets in (highlight or {}).items()}
    extra: dict[str, Any] = {}
    token = getattr(getattr(source, "trace", source), "token", None)
    if isinstance(token, Mapping):
        extra = {
            key: value
            for key, value in token.items()
            if key not in {"protected", "recipients", "encrypted_key", "iv", "ciphertext", "tag"}
        }
    return Anatomy(parts, serialization or kind, kind, marks, extra)  # type: ignore[arg-type]


# ---------------------------------------------------------------- HTML


def _part_text(item: TokenPart, marks: frozenset[int]) -> str:
    """The part's characters, with the characters of marked bytes outlined."""
    marked = {c for offset in marks for c in char_range_of_byte(offset)}
    text = item.encoded
    keep = range(len(text))
    elided = ""
    if len(text) > ELIDE_OVER and not marked:
        half = ELIDE_OVER // 2
        keep = range(half)
        elided = (
            f'<span style="color:{MUTED};font-style:italic"> …{len(text) - 2 * half} more '
            f"characters… </span>{escape(text[-half:])}"
        )
    out = []
    index = keep.start
    while index < keep.stop:
        marking = index in marked
        end = index
        while end < keep.stop and (end in marked) == marking:
            end += 1
        chunk = escape(text[index:end])
        if marking:
            chunk = (
                f'<mark class="jwe-changed" title="changed" style="background:rgba(213,94,0,0.45);'
                f"color:{FOREGROUND};font-weight:bold;outline:2px solid currentColor;"
                f'border-radius:2px">{chunk}</mark>'
            )
        out.append(chunk)
        index = end
    return "".join(out) + elided


def _number(n: int, name: str) -> str:
    drawn = part(name)
    return (
        '<sup style="font-family:sans-serif;font-size:0.7em;'
        f"font-weight:bold;color:{text_on(drawn.color)};"
        f"background:{drawn.color};border-radius:0.7em;"
        f'padding:0 0.35em;margin-right:0.1em">{n}</sup>'
    )


def _size_text(item: TokenPart) -> str:
    size = "not base64url" if item.size is None else f"{item.size} B"
    return f"{item.chars} chars → {size}"


def _chip(anatomy: Anatomy, number: int, item: TokenPart) -> str:
    label = part(item.name).label
    title = f"part {number}: {label} — {_size_text(item)}"
    if item.problem:
        title += f" ({item.problem})"
    body = _part_text(item, anatomy.highlight.get(item.name, frozenset()))
    if not item.encoded:
        body = f'<i style="color:{MUTED}">(empty)</i>'
    return (
        f'<span class="jwe-part" data-part="{item.name}" title="{escape(title)}" '
        f'style="{chip_style(item.name)};padding:0.05em '
        f'0.1em">{_number(number, item.name)}{body}</span>'
    )


def _compact_html(anatomy: Anatomy) -> str:
    dot = f'<b style="color:{MUTED};padding:0 0.1em">.</b>'
    chips = dot.join(_chip(anatomy, n, item) for n, item in enumerate(anatomy.parts, 1))
    return (
        f'<div style="font-family:{MONO};font-size:0.85em;'
        f'word-break:break-all;line-height:2">{chips}</div>'
    )


def _json_html(anatomy: Anatomy) -> str:
    chips = {item.name: (n, item) for n, item in enumerate(anatomy.parts, 1)}

    def member(name: str, indent: str) -> str:
        number, item = chips[name]
        return f'{indent}"{JSON_MEMBERS[name]}": "{_chip(anatomy, number, item)}"'

    lines = ["{"]
    body = []
    body.append(member("protected_header", "  "))
    for key, value in anatomy.extra_members.items():
        text = json.dumps(shown(value))  # bounded: a dict token may nest deep or hold anything
        body.append(f"  {escape(json.dumps(brief(key, 200)), False)}: {escape(text, False)}")
    if anatomy.serialization == "general":
        body.append(
            '  "recipients": [\n    {\n' + member("encrypted_key", "      ") + "\n    }\n  ]"
        )
    else:
        body.append(member("encrypted_key", "  "))
    for name in ("iv", "ciphertext", "tag"):
        body.append(member(name, "  "))
    lines.append(",\n".join(body))
    lines.append("}")
    return (
        f'<pre style="font-family:{MONO};font-size:0.85em;'
        "white-space:pre-wrap;word-break:break-all;"
        f'line-height:1.9;margin:0;background:none;color:{FOREGROUND}">{chr(10).join(lines)}</pre>'
    )


def _legend(anatomy: Anatomy) -> str:
    cell = f"padding:0.1em 0.6em;border-bottom:1px solid {RULE};text-align:left"
    head = "".join(
        f'<th style="{cell}">{h}</th>' for h in ("#", "part", "characters", "bytes", "what it is")
    )
    rows = []
    for n, item in enumerate(anatomy.parts, 1):
        drawn = part(item.name)
        size = (
            f'<span style="color:{MUTED}">not base64url: {escape(item.problem or "")}</span>'
            if item.size is None
            else str(item.size)
        )
        rows.append(
            f"<tr><td style='{cell}'>{n}</td>"
            f"<td style='{cell};white-space:nowrap'>"
            f"{swatch(item.name)} <b>{escape(drawn.label)}</b></td>"
            f"<td style='{cell};text-align:right'>{item.chars}</td>"
            f"<td style='{cell};text-align:right'>{size}</td>"
            f"<td style='{cell}'>{escape(drawn.description)}</td></tr>"
        )
    return (
        '<table style="border-collapse:collapse;'
        f'font-size:0.85em;margin-top:0.4em;color:{FOREGROUND}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def anatomy_html(anatomy: Anatomy) -> str:
    names = {"compact": "compact serialization (RFC 7516 §7.1)",
             "flattened": "flattened JSON serialization (RFC 7516 §7.2.2)",
             "general": "general JSON serialization (RFC 7516 §7.2.1)"}  # fmt: skip
    total = sum(item.chars for item in anatomy.parts) + len(anatomy.parts) - 1
    caption = (
        f'<div style="font-weight:600">Token anatomy · {names[anatomy.serialization]}'
        f'<span style="font-weight:normal;color:{MUTED}"> · {len(anatomy.parts)} parts'
        + (f", {total} characters" if anatomy.serialization == "compact" else "")
        + "</span></div>"
    )
    body = _compact_html(anatomy) if anatomy.serialization == "compact" else _json_html(anatomy)
    return (
        f'<div class="jwe-steps-view jwe-anatomy" style="color:{FOREGROUND};margin:0.4em 0">'
        f"{caption}{body}{_legend(anatomy)}</div>"
    )


# ---------------------------------------------------------------- text


def anatomy_text(anatomy: Anatomy, *, paint: Any = None) -> str:
    """A plain-text table of the parts; ``paint(name, text)`` may colour each label (terminal)."""

    def colour(name: str, text: str) -> str:
        return paint(name, text) if paint else text

    lines = [f"Token anatomy ({anatomy.serialization} serialization)"]
    for n, item in enumerate(anatomy.parts, 1):
        label = part(item.name).label
        size = f"{item.size} bytes" if item.size is not None else f"not base64url ({item.problem})"
        preview = item.encoded if len(item.encoded) <= 40 else item.encoded[:37] + "…"
        lines.append(
            f"  {n}. {colour(item.name, f'{label:<19}')} {item.chars:>5} chars  {size:<12}  "
            f"{colour(item.name, preview)}"
        )
    return "\n".join(lines)


__all__ = ["Anatomy", "anatomy_html", "anatomy_text", "token_anatomy"]
