"""The hand-built HTML of the widgets: messages, the stepper's overview, the tamper lab's verdict
and summary, the key inspector's table. Each function takes the values to show and returns
HTML; none computes anything or changes what it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from ..errors import JWEError
from .cards import failure_card_html
from .palette import BAD_COLOR, FOREGROUND, MUTED, OK_COLOR, RULE, part, swatch


def message_html(kind: str, text: str, *, color: str = BAD_COLOR) -> str:
    """A bordered message; ``text`` is HTML already escaped by the caller."""
    return (
        f'<div class="jwe-message" data-kind="{escape(kind)}" style="border-left:5px solid '
        f'{color};padding:0.3em 0.7em;margin:0.3em 0;color:{FOREGROUND}">{text}</div>'
    )


def error_html(error: BaseException) -> str:
    """A JWEError as its failure card; anything else as a message."""
    if isinstance(error, JWEError):
        return failure_card_html(error)
    return message_html("error", escape(str(error)))


def status_html(text: str) -> str:
    return f'<span style="color:{MUTED}">{escape(text)}</span>'


# ---------------------------------------------------------------- decryption stepper

_CURRENT = "font-weight:bold;outline:2px solid currentColor;"


def stepper_overview_html(
    names: Sequence[str], position: int, *, failed_stage: str | None, ok: bool
) -> str:
    """The chain of step names, the current one outlined, ending with the verdict."""
    chips = []
    for index, name in enumerate(names):
        current = _CURRENT if index == position else ""
        chips.append(
            f'<span style="{current}padding:0 0.3em;margin:0.1em;display:inline-block;'
            f'border-bottom:3px solid {part(name).color}">{index + 1}. {escape(name)}</span>'
        )
    if ok:
        chips.append(f'<span style="color:{OK_COLOR}">✓ decrypted</span>')
    else:
        current = _CURRENT if position == len(names) else ""
        chips.append(
            f'<span style="{current}padding:0 0.3em;color:{BAD_COLOR}">'
            f"{len(names) + 1}. ✗ {escape(str(failed_stage))}</span>"
        )
    return f'<div style="font-size:0.85em;line-height:1.8">{" → ".join(chips)}</div>'


# ---------------------------------------------------------------- tamper lab


def tamper_verdict_html(what: str, explanation: Any) -> str:
    """Accepted, or rejected at which stage, with the error and the diagnosis's findings."""
    if explanation.ok:
        return message_html(
            "accepted",
            f"<b>Accepted.</b> Changing {escape(what)} did not stop decryption.",
            color=OK_COLOR,
        )
    error = explanation.error
    verdict = message_html(
        "rejected",
        f"<b>Rejected at stage “{escape(str(error.stage))}”</b> after changing "
        f"{escape(what)}.<br>{escape(error.message)}"
        + (f"<br><i>{escape(error.hint)}</i>" if error.hint else ""),
    )
    if explanation.diagnosis:
        notes = "".join(
            f"<li><b>{escape(f.code)}</b>: {escape(f.message)}</li>" for f in explanation.diagnosis
        )
        verdict += f"<ul>{notes}</ul>"
    return verdict


def tamper_summary_html(rows: Iterable[tuple[str, str]], alg: str, enc: str) -> str:
    """Which stage rejects a flip of bit 0 of each part's first byte."""
    cell = f"padding:0.1em 0.6em;text-align:left;border-bottom:1px solid {RULE}"
    cells = "".join(
        f"<tr><td style='{cell}'>{swatch(name)} {escape(part(name).label)}</td>"
        f"<td style='{cell}'>{escape(stage)}</td></tr>"
        for name, stage in rows
    )
    return (
        f'<div style="color:{FOREGROUND};font-size:0.9em;margin-top:0.5em">'
        "<b>Every part of this compact token is protected</b> "
        f"({escape(alg)} + {escape(enc)}): "
        "flipping bit 0 of the first byte of each part is rejected at"
        f'<table style="border-collapse:collapse;margin-top:0.2em">{cells}</table></div>'
    )


# ---------------------------------------------------------------- key inspector

# What each JWK member is (RFC 7517 §4, RFC 7518 §6), and whether it is private.
MEMBER_MEANINGS = {
    "kty": ("key type", False),
    "n": ("modulus", False),
    "e": ("public exponent", False),
    "d": ("private exponent", True),
    "p": ("first prime factor", True),
    "q": ("second prime factor", True),
    "dp": ("first factor CRT exponent, d mod (p-1)", True),
    "dq": ("second factor CRT exponent, d mod (q-1)", True),
    "qi": ("first CRT coefficient, q⁻¹ mod p", True),
    "crv": ("curve", False),
    "x": ("x coordinate (public point)", False),
    "y": ("y coordinate (public point)", False),
    "k": ("the key value itself", True),
    "kid": ("key id", False),
    "alg": ("the one algorithm this key may be used with", False),
    "use": ("intended use: enc (encryption)", False),
    "key_ops": ("permitted operations", False),
}
HIDDEN = "•••••• hidden (tick “show private values”)"


def key_label(key: Any) -> str:
    """ "DEMO RSA 2048-bit private key" and the like."""
    demo = "DEMO " if key.demo else ""
    half = "symmetric" if key.kty == "oct" else ("private" if key.is_private else "public")
    curve = f" {key.curve}" if key.curve else ""
    return f"{demo}{key.kty}{curve} {key.size_bits}-bit {half} key"


def _member_row(row: dict[str, Any], reveal: bool, cell: str) -> str:
    value = str(row["value"])
    if row["private"] and not reveal:
        value = HIDDEN
    elif len(value) > 48:
        value = value[:45] + "…"
    kind = (
        f'<span style="color:{BAD_COLOR};font-weight:600">private</span>'
        if row["private"]
        else f'<span style="color:{OK_COLOR}">public</span>'
    )
    size = "" if row["bytes"] is None else f"{row['bytes']} B ({8 * row['bytes']} bits)"
    return (
        f"<tr><td style='{cell}'><code>{escape(row['name'])}</code></td>"
        f"<td style='{cell}'>{escape(row['meaning'])}</td><td style='{cell}'>{kind}</td>"
        f"<td style='{cell};white-space:nowrap'>{size}</td>"
        f"<td style='{cell};font-family:monospace;word-break:break-all'>{escape(value)}</td></tr>"
    )


def key_panel_html(
    key: Any, members: Iterable[dict[str, Any]], *, reveal: bool, thumbprint_input: str
) -> str:
    """The key's members (private values hidden unless ``reveal``), halves and thumbprint."""
    cell = f"padding:0.1em 0.6em;border-bottom:1px solid {RULE};text-align:left;vertical-align:top"
    rows = "".join(_member_row(row, reveal, cell) for row in members)
    head = "".join(
        f"<th style='{cell}'>{h}</th>" for h in ("member", "meaning", "", "size", "value")
    )
    demo = (
        f'<div style="color:{BAD_COLOR};font-weight:600">'
        "DEMO key: for learning only, never for real data.</div>"
        if key.demo
        else ""
    )
    halves = (
        "symmetric: every member that matters is secret"
        if key.kty == "oct"
        else "private: it can decrypt; share only its public half"
        if key.is_private
        else "public: it can encrypt to its owner but cannot decrypt"
    )
    shown_input = thumbprint_input
    if key.kty == "oct" and not reveal:
        shown_input = "(contains the secret k: tick “show private values”)"
    kid = f" · kid <code>{escape(key.kid)}</code>" if key.kid else ""
    return (
        f'<div class="jwe-steps-view jwe-key" style="color:{FOREGROUND}">{demo}'
        f"<div><b>{escape(key_label(key))}</b>{kid}</div>"
        f'<div style="color:{MUTED}">{escape(halves)}</div>'
        f'<table style="border-collapse:collapse;font-size:0.85em;margin:0.4em 0">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        "<div><b>RFC 7638 thumbprint</b> (SHA-256, "
        f"base64url): <code>{escape(key.thumbprint())}"
        f'</code></div><div style="color:{MUTED};font-size:0.85em">hashed input: the required '
        f"members only, sorted, no whitespace: <code style='word-break:break-all'>"
        f"{escape(shown_input)}</code></div></div>"
    )


__all__ = [
    "MEMBER_MEANINGS",
    "error_html",
    "key_label",
    "key_panel_html",
    "message_html",
    "status_html",
    "stepper_overview_html",
    "tamper_summary_html",
    "tamper_verdict_html",
]
