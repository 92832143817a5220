"""The debugging page: paste a token (and, if you have it, your own key) and see what it is.

:class:`DebugPage` is an ipywidgets tree built from the project's views; ``make app`` (or
``jwe-steps app``) serves it on 127.0.0.1 with Voilà (:mod:`jwe_steps.app.server`). It shows

- the token's anatomy, its protected header and, where :mod:`jwe_steps.inspection` is
  installed, what its lengths imply (no key needed);
- with a key, every decryption stage as a step card with its proof badge (the AAD, ciphertext
  and tag recomputed by code that did not decrypt it: :func:`independent_checks`), where
  decryption stops, and ``explain``'s diagnosis of the sender's mistake;
- the redacted report, ``jwe_steps.explain(token, key).redacted().to_json()`` (no CEK, no
  plaintext, no private key values), and a button that copies it, to share with a partner.

Like ``explain``, it is a debugging aid for your own keys and tokens, on your own machine: its
detail is the oracle RFC 7516 §11.5 warns about, so never put it on a server.

Its logic runs without a browser: set ``page.token.value`` / ``page.key.value`` (or call
:meth:`DebugPage.show`) and read ``page.explanation``, ``page.report_json`` and the HTML values.
"""

from __future__ import annotations

import importlib
import json
from html import escape
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from .. import strict_json
from ..b64 import b64url_decode
from ..errors import InvalidKeyError, JWEError
from ..explanation import Explanation, explain
from ..keys import Key, KeySet, load_key, load_key_set
from ..verification import check_aad, cross_check
from ..view import step_cards, token_anatomy
from ..view.format import json_text
from ..view.palette import BAD_COLOR, FOREGROUND, MUTED, OK_COLOR

WARNING = (
    "A debugging aid for your own keys and tokens, on this machine only (127.0.0.1): nothing is "
    "sent anywhere. Its detail is the oracle RFC 7516 §11.5 warns about: never serve it publicly."
)

# The copy button works in the browser alone: the report is already on the page, in the textarea.
# navigator.clipboard needs a secure context (127.0.0.1 is one); else the old execCommand path.
_COPY_SCRIPT = (
    "(function(b){var box=b.closest('.jwe-app-report');"
    "var text=box.querySelector('textarea');var status=box.querySelector('.jwe-app-copy-status');"
    "function said(m){status.textContent=m;}"
    "function fallback(){text.select();"
    "said(document.execCommand('copy')?'copied':'select the text above and copy it');}"
    "if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text.value)"
    ".then(function(){said('copied');},fallback);}else{fallback();}})(this)"
)


class KeyTextError(ValueError):
    """The key box holds something that is neither a JWK, a JWKS nor PEM."""


def parse_key_text(text: str) -> Key | KeySet:
    """A private JWK, a JWKS (the token's kid picks) or PEM, as pasted; never echoes the text.

    The JSON is read as strictly as :func:`jwe_steps.load_key` reads it: text that is no JSON
    at all is a :class:`KeyTextError`; JSON it refuses (nested too deep, a repeated member, a
    number too large) an :class:`~jwe_steps.errors.InvalidKeyError` with its ``json.*`` code.
    """
    stripped = text.strip()
    if "-----BEGIN" in stripped:
        return load_key(stripped.encode("ascii", "replace"))
    try:
        parsed = strict_json.loads(
            stripped, error=InvalidKeyError, subject="the key's JSON", expected="a JWK or a JWKS"
        )
    except InvalidKeyError as error:
        if error.code != "json.invalid":
            raise
        raise KeyTextError("the key is neither JSON (a JWK or a JWKS) nor PEM") from None
    if isinstance(parsed, dict) and isinstance(parsed.get("keys"), list):
        return load_key_set(parsed)
    if not isinstance(parsed, dict):
        raise KeyTextError("the key is JSON but not an object (a JWK or a JWKS)")
    return load_key(parsed)


def independent_checks(explanation: Explanation, key: Key | KeySet | None = None) -> list[str]:
    """Badge what can be recomputed by code that did not decrypt the token; return those names.

    The AAD against the token's own text (its first part, or its protected and aad members).
    For a token that decrypted, also its ciphertext and tag, re-encrypted by the other engine
    (the from-scratch AES-GCM or CBC-HMAC), and an AES-KW encrypted key re-wrapped:
    :func:`jwe_steps.verification.cross_check`.
    Each is stored on the trace as ``kind="independent"``, so its card shows the witness.
    """
    trace = explanation.trace
    if explanation.ok:
        single = key if isinstance(key, Key) else None
        return [result.name for result in cross_check(trace, single)]
    return [] if check_aad(trace) is None else ["aad"]


def _box(kind: str, html: str, color: str = MUTED) -> str:
    return (
        f'<div class="jwe-app-{kind}" style="border-left:5px solid {color};padding:0.3em 0.7em;'
        f'margin:0.4em 0;color:{FOREGROUND}">{html}</div>'
    )


def _error_html(error: BaseException) -> str:
    if isinstance(error, JWEError):
        return _box(
            "error",
            f'<b data-code="{escape(error.code)}">{escape(error.code)}</b> at stage '
            f"<b>{escape(str(error.stage))}</b>: {escape(str(error))}",
            BAD_COLOR,
        )
    return _box("error", escape(str(error)), BAD_COLOR)


def _header_html(token: str) -> str:
    """The protected header, decoded for reading (the strict checks run in the pipeline); a
    header nested too deep to show whole is cut off (json_text)."""
    first = token.split(".", 1)[0] if not token.startswith("{") else ""
    try:
        text = b64url_decode(first).decode("utf-8") if first else ""
        header = json.loads(text) if text else None
    except (JWEError, ValueError, RecursionError):
        return ""
    if not isinstance(header, dict):
        return ""
    return (
        "<div><b>Protected header</b><pre style='margin:0.2em 0'>"
        f"{escape(json_text(header, indent=2))}</pre></div>"
    )


def inspection_html(token: str) -> str:
    """What the token alone says (no key): :func:`jwe_steps.inspection.inspect_token`'s lengths,
    their implications and its findings. Empty where that module is not installed."""
    try:
        inspection = importlib.import_module("jwe_steps.inspection")
    except ImportError:
        return ""
    report = inspection.inspect_token(token)
    marks = {"ok": ("✓", OK_COLOR), "differs": ("✗", BAD_COLOR), "info": ("·", MUTED)}
    implied = "".join(
        f'<li style="color:{marks.get(item.status, marks["info"])[1]}">'
        f"{marks.get(item.status, marks['info'])[0]} {escape(item.message)}</li>"
        for item in report.implications
    )
    found = "".join(
        f'<li data-code="{escape(item.code)}"><b>{escape(item.severity)}</b> '
        f"<code>{escape(item.code)}</code>: {escape(item.message)}"
        + (f"<br><i>Fix:</i> {escape(item.fix)}" if item.fix else "")
        + "</li>"
        for item in report.findings
    )
    verdict = "well formed" if report.well_formed else "not well formed"
    return (
        f'<div class="jwe-app-inspection"><b>Without a key</b>: {verdict}.'
        + (f"<ul>{implied}</ul>" if implied else "")
        + (f"<ul>{found}</ul>" if found else "")
        + "</div>"
    )


def diagnosis_html(explanation: Explanation) -> str:
    """Where decryption stops and the mistakes ``explain`` proved, with their fixes."""
    if explanation.ok:
        return _box(
            "diagnosis", "✓ The token decrypts with this key: nothing to diagnose.", OK_COLOR
        )
    assert explanation.error is not None
    error = explanation.error
    items = "".join(
        f'<li data-code="{escape(f.code)}"><b>{escape(f.code)}</b> ({escape(f.stage)}): '
        f"{escape(f.message)}<br><i>Fix on the sending side:</i> {escape(f.fix)}</li>"
        for f in explanation.diagnosis
    )
    found = (
        f"<ul>{items}</ul>"
        if items
        else "<p>No known integration mistake explains it: compare the sender's code with "
        "each stage below.</p>"
    )
    return _box(
        "diagnosis",
        f'<b>✗ Decryption stops at stage <span class="jwe-app-failed-stage">'
        f"{escape(str(explanation.failed_stage))}</span></b> "
        f'(<code data-code="{escape(error.code)}">{escape(error.code)}</code>): '
        f"{escape(str(error))}{found}",
        BAD_COLOR,
    )


def report_html(report_json: str) -> str:
    """The redacted report in a read-only box, and the button that copies it."""
    return (
        '<div class="jwe-app-report"><b>Redacted report</b> (no CEK, no plaintext, no private key '
        "values: safe to share with the partner)<br>"
        f'<button type="button" class="jwe-app-copy" onclick="{escape(_COPY_SCRIPT)}">'
        "Copy redacted report</button> "
        f'<span class="jwe-app-copy-status" style="color:{MUTED}"></span>'
        '<textarea readonly rows="14" style="width:98%;font-family:monospace;font-size:0.85em">'
        f"{escape(report_json)}</textarea></div>"
    )


class DebugPage(widgets.VBox):  # type: ignore[misc]
    """Paste a token (and optionally your key): anatomy, every stage, diagnosis, shareable report.

    >>> DebugPage()                      # what `make app` serves
    >>> DebugPage(token, jwk_text)       # filled in, e.g. in a notebook
    """

    def __init__(self, token: str = "", key: str = "") -> None:
        self.explanation: Explanation | None = None
        self.error: BaseException | None = None
        self.report_json: str | None = None
        self.checked: list[str] = []
        self.token = widgets.Textarea(
            value=token,
            description="token",
            placeholder="paste the JWE (compact, or JSON serialization)",
            continuous_update=False,
            layout=widgets.Layout(width="98%", height="6em"),
        )
        self.key = widgets.Textarea(
            value=key,
            description="your key",
            placeholder="optional: your private JWK, JWKS or PEM, to see every stage and the "
            "diagnosis (it stays on this machine)",
            continuous_update=False,
            layout=widgets.Layout(width="98%", height="6em"),
        )
        self.button = widgets.Button(description="Explain", button_style="primary")
        self.status = widgets.HTML()
        self.anatomy = widgets.HTML()
        self.diagnosis = widgets.HTML()
        self.stages = widgets.HTML()
        self.report = widgets.HTML()
        for control, name in (
            (self.token, "token"),
            (self.key, "key"),
            (self.button, "explain"),
            (self.status, "status"),
            (self.anatomy, "anatomy"),
            (self.diagnosis, "diagnosis-box"),
            (self.stages, "stages"),
            (self.report, "report-box"),
        ):
            control.add_class(f"jwe-app-{name}")
        self.token.observe(self._changed, names="value")
        self.key.observe(self._changed, names="value")
        self.button.on_click(lambda _: self.show())
        super().__init__(
            [
                widgets.HTML(
                    "<h2 style='margin:0.2em 0'>jwe-steps: debug a JWE</h2>"
                    f"<p style='color:{MUTED};margin:0.2em 0'>{escape(WARNING)}</p>"
                ),
                self.token,
                self.key,
                widgets.HBox([self.button, self.status]),
                self.diagnosis,
                self.anatomy,
                self.stages,
                self.report,
            ]
        )
        self.add_class("jwe-widget")
        self.add_class("jwe-app")
        self.show()

    def _changed(self, change: Any) -> None:
        self.show()

    def show(self) -> None:
        """Read both boxes and redraw everything.

        Every output is computed first and assigned once at the end, so the browser never sees
        a half-cleared page (a redraw sends one update per output, old value to new).
        """
        self.explanation, self.error, self.report_json, self.checked = None, None, None, []
        shown = {"status": "", "anatomy": "", "diagnosis": "", "stages": "", "report": ""}
        try:
            self._compute(shown)
        finally:
            for name, value in shown.items():
                output = getattr(self, name)
                if output.value != value:
                    output.value = value

    def _compute(self, shown: dict[str, str]) -> None:
        token = self.token.value.strip()
        if not token:
            shown["status"] = _box("status", "Paste a token to begin.")
            return
        try:
            anatomy = "<div><b>Anatomy</b></div>" + token_anatomy(token).html()
        except JWEError as error:  # e.g. format.segments: too many parts to show
            anatomy = _error_html(error)
        shown["anatomy"] = anatomy + _header_html(token) + inspection_html(token)
        if not self.key.value.strip():
            shown["status"] = _box(
                "status", "No key: the anatomy only. Paste your private key for every stage."
            )
            return
        try:
            key = parse_key_text(self.key.value)
            self.explanation = explain(token, key)
        except (JWEError, KeyTextError) as error:
            self.error = error
            shown["status"] = _error_html(error)
            return
        self.checked = independent_checks(self.explanation, key)
        outcome = (
            ("✓ decrypts", OK_COLOR)
            if self.explanation.ok
            else (f"✗ fails at stage {self.explanation.failed_stage}", BAD_COLOR)
        )
        shown["status"] = _box("status", f"<b>{escape(outcome[0])}</b>", outcome[1])
        shown["diagnosis"] = diagnosis_html(self.explanation)
        shown["stages"] = step_cards(self.explanation).html()
        self.report_json = self.explanation.redacted().to_json()
        shown["report"] = report_html(self.report_json)

    def __repr__(self) -> str:
        if self.explanation is None:
            return f"DebugPage({'no key' if self.error is None else self.error})"
        outcome = "decrypts" if self.explanation.ok else f"fails at {self.explanation.failed_stage}"
        codes = ", ".join(f.code for f in self.explanation.diagnosis)
        return f"DebugPage({outcome}{'; ' + codes if codes else ''})"


__all__ = [
    "DebugPage",
    "KeyTextError",
    "diagnosis_html",
    "independent_checks",
    "inspection_html",
    "parse_key_text",
    "report_html",
]
