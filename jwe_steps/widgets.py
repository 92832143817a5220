"""Interactive widgets (ipywidgets 8) built on :mod:`jwe_steps.view`.

- :class:`Explorer` — edit the payload, header members, alg, enc and key; every step re-renders.
- :class:`DecryptionStepper` — paste a token and a key, then Next/Back through decryption.
- :class:`TamperLab` — flip a bit (or retype a part) and see which stage rejects the token.
- :class:`KeyInspector` — a key's members, sizes, public/private halves and RFC 7638 thumbprint.

Widgets compute only by calling the pipeline (:func:`jwe_steps.encrypt`, :func:`jwe_steps.decrypt`,
:func:`jwe_steps.explain`) and draw only with :mod:`jwe_steps.view`. Every widget keeps
what it shows in plain attributes (``.trace``, ``.explanation``, ``.output.value``), so its logic
can be tested without a browser by setting control values and reading them back.

Keys the widgets make for you are DEMO keys (their kid starts with ``demo-``): for learning only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from . import algorithms as registry
from .b64 import b64url_decode, b64url_encode
from .errors import JWEError
from .explanation import Explanation, explain
from .keys import Key, generate_key, load_key
from .pipeline import encrypt
from .trace import EncryptTrace
from .verification import Verification, cross_check
from .view.anatomy import token_anatomy
from .view.bytes import annotate, render_html
from .view.cards import failure_card_html, step_card_html, step_cards
from .view.flow import KEY_NODE, data_flow
from .view.palette import BAD_COLOR, FOREGROUND, MUTED, OK_COLOR, RULE, TOKEN_PARTS, part, swatch
from .view.source import value_of

_DEMO_KEYS: dict[tuple[str, int, str], Key] = {}


def demo_key(kty: str, *, size: int = 2048, crv: str = "P-256") -> Key:
    """A DEMO key of this type, made once per session and reused (RSA keys are slow to make)."""
    cache_key = (kty, size, crv)
    if cache_key not in _DEMO_KEYS:
        _DEMO_KEYS[cache_key] = generate_key(kty, size=size, crv=crv)  # type: ignore[arg-type]
    return _DEMO_KEYS[cache_key]


def demo_key_for(alg: str, enc: str) -> Key:
    """A DEMO key that fits ``alg`` (and ``enc``, for ``dir``)."""
    management = registry.key_management(alg)
    if "RSA" in management.key_types:
        return demo_key("RSA", size=2048)
    if "EC" in management.key_types:
        return demo_key("EC", crv="P-256")
    if alg == "dir":
        return demo_key("oct", size=8 * registry.content_encryption(enc).key_size)
    size = getattr(management, "key_size", None) or 32
    return demo_key("oct", size=8 * int(size))


def _fits(key: Key, alg: str, enc: str) -> bool:
    """Whether ``key`` has the type (and, for symmetric keys, the size) ``alg`` needs."""
    management = registry.key_management(alg)
    if key.kty not in management.key_types or (key.alg is not None and key.alg != alg):
        return False
    if key.kty != "oct" or alg.startswith("PBES2"):
        return True
    wanted = (
        registry.content_encryption(enc).key_size
        if alg == "dir"
        else getattr(management, "key_size", None)
    )
    return wanted is None or len(key.material) == wanted


def _message(kind: str, text: str, *, color: str = BAD_COLOR) -> str:
    return (
        f'<div class="jwe-message" data-kind="{kind}" style="border-left:5px solid {color};'
        f'padding:0.3em 0.7em;margin:0.3em 0;color:{FOREGROUND}">{text}</div>'
    )


def _error_html(error: BaseException) -> str:
    if isinstance(error, JWEError):
        return failure_card_html(error)
    return _message("error", escape(str(error)))


def _layout(**kwargs: Any) -> widgets.Layout:
    return widgets.Layout(**kwargs)


def _parse_key(text: str) -> Key:
    try:
        return load_key(text.strip())
    except JWEError:
        raise
    except Exception as error:  # anything else a pasted key can provoke is still bad input
        raise ValueError(f"the key could not be read ({type(error).__name__})") from None


def _key_label(key: Key) -> str:
    demo = "DEMO " if key.demo else ""
    half = "symmetric" if key.kty == "oct" else ("private" if key.is_private else "public")
    curve = f" {key.curve}" if key.curve else ""
    return f"{demo}{key.kty}{curve} {key.size_bits}-bit {half} key"


# ---------------------------------------------------------------- Explorer


class Explorer(widgets.VBox):  # type: ignore[misc]
    """Encrypt live: change the payload, header, alg, enc or key and every step re-renders.

    >>> Explorer("Live long and prosper.", alg="RSA-OAEP-256", enc="A256GCM")

    ``cek`` and ``iv`` (optional) are used while they fit the chosen enc, to make what the
    explorer shows reproducible; ``key`` is used while the key box is empty.
    """

    VIEWS = ("anatomy", "bytes", "steps", "data flow")

    def __init__(
        self,
        payload: str = "Hello, JWE!",
        *,
        alg: str = "RSA-OAEP-256",
        enc: str = "A256GCM",
        header: Mapping[str, Any] | None = None,
        key: Any = None,
        cek: bytes | None = None,
        iv: bytes | None = None,
    ) -> None:
        self.given_key = load_key(key) if key is not None else None
        self.fixed_cek, self.fixed_iv = cek, iv
        self.trace: EncryptTrace | None = None
        self.error: BaseException | None = None
        self.payload = widgets.Textarea(
            value=payload, description="payload", layout=_layout(width="98%", height="4em")
        )
        self.header = widgets.Textarea(
            value=json.dumps(dict(header or {})),
            description="header",
            placeholder='extra protected header members, as JSON: {"cty": "text/plain"}',
            continuous_update=False,
            layout=_layout(width="98%", height="3em"),
        )
        self.alg = widgets.Dropdown(
            options=sorted(registry.KEY_MANAGEMENT), value=alg, description="alg"
        )
        self.enc = widgets.Dropdown(
            options=sorted(registry.CONTENT_ENCRYPTION), value=enc, description="enc"
        )
        self.key = widgets.Textarea(
            value="",
            description="key",
            placeholder="paste a JWK (JSON) or PEM; empty: a DEMO key made for the chosen alg",
            continuous_update=False,
            layout=_layout(width="98%", height="3em"),
        )
        self.key_status = widgets.HTML()
        self.check = widgets.Checkbox(
            value=True,
            description="check each value against an independent computation",
            indent=False,
            layout=_layout(width="auto"),
        )
        self.checks: list[Verification] = []
        self.view = widgets.ToggleButtons(options=self.VIEWS, value="anatomy")
        self.output = widgets.HTML()
        for control, name in (
            (self.payload, "payload"), (self.header, "header"), (self.alg, "alg"),
            (self.enc, "enc"), (self.key, "key"), (self.view, "view"), (self.check, "check"),
        ):  # fmt: skip
            control.add_class(f"jwe-control-{name}")
            control.observe(self._changed, names="value")
        self.output.add_class("jwe-output")
        super().__init__(
            [
                widgets.HTML("<b>JWE explorer</b> — edit anything; every step re-renders."),
                self.payload,
                self.header,
                widgets.HBox([self.alg, self.enc]),
                self.key,
                self.key_status,
                self.check,
                widgets.HBox([widgets.Label("show"), self.view]),
                self.output,
            ]
        )
        self.add_class("jwe-widget")
        self.add_class("jwe-explorer")
        self.refresh()

    def _changed(self, change: Any) -> None:
        self.refresh()

    def current_key(self) -> Key:
        if self.key.value.strip():
            return _parse_key(self.key.value)
        if self.given_key is not None:
            return self.given_key
        return demo_key_for(self.alg.value, self.enc.value)

    def _fixed(self, value: bytes | None, size: int) -> bytes | None:
        return value if value is not None and len(value) == size else None

    def refresh(self) -> None:
        """Encrypt with the current settings and redraw."""
        self.trace, self.error = None, None
        try:
            key = self.current_key()
            source = (
                "pasted"
                if self.key.value.strip()
                else (
                    "given by the notebook" if self.given_key is not None else "made for this alg"
                )
            )
            self.key_status.value = (
                f'<span style="color:{MUTED}">key: {escape(_key_label(key))} ({source})</span>'
            )
            header = json.loads(self.header.value or "{}")
            if not isinstance(header, dict):
                raise ValueError("the header box must hold a JSON object")
            content = registry.content_encryption(self.enc.value)
            management = registry.key_management(self.alg.value)
            cek = (
                None if management.generates_cek else self._fixed(self.fixed_cek, content.key_size)
            )
            iv = self._fixed(self.fixed_iv, content.iv_size)
            public = key.public_key() if key.kty != "oct" else key
            self.trace = encrypt(
                self.payload.value,
                public,
                alg=self.alg.value,
                enc=self.enc.value,
                header=header,
                cek=cek,
                iv=iv,
                algorithms=[self.alg.value, self.enc.value],
            )
            self.checks = cross_check(self.trace, key) if self.check.value else []
        except (JWEError, ValueError) as error:
            self.error = error
            self.output.value = _error_html(error)
            return
        self.output.value = self.render()

    def render(self) -> str:
        assert self.trace is not None
        view = self.view.value
        if view == "anatomy":
            return token_anatomy(self.trace).html()
        if view == "bytes":
            return "".join(
                render_html(annotate(self.trace, name), "hex")
                for name in (
                    "protected_header",
                    "cek",
                    "encrypted_key",
                    "iv",
                    "aad",
                    "ciphertext",
                    "tag",
                )
                if name in self.trace and isinstance(self.trace[name], bytes)
            )
        if view == "steps":
            return step_cards(self.trace).html()
        return data_flow(self.trace).svg()

    def __repr__(self) -> str:
        state = f"{len(self.trace)} steps" if self.trace is not None else f"error: {self.error}"
        return (
            f"Explorer(alg={self.alg.value!r}, enc={self.enc.value!r}, "
            f"payload={len(self.payload.value.encode())} bytes, {state})"
        )


# ---------------------------------------------------------------- Decryption stepper


class DecryptionStepper(widgets.VBox):  # type: ignore[misc]
    """Paste a token and a key, then step through decryption with Next and Back.

    >>> DecryptionStepper(trace.token, key)

    It runs :func:`jwe_steps.explain`, which reports the real failing stage: a debugging
    aid for your own keys and tokens, never a server's decryption path.
    """

    def __init__(
        self, token: Any = "", key: Any = None, *, algorithms: Iterable[str] | None = None
    ):
        self.given_key = load_key(key) if key is not None else None
        self.algorithms = list(algorithms) if algorithms is not None else None
        self.explanation: Explanation | None = None
        self.error: BaseException | None = None
        self.position = 0
        if isinstance(token, dict):
            token = json.dumps(token)
        self.token = widgets.Textarea(
            value=str(token),
            description="token",
            placeholder="paste a JWE (compact or JSON)",
            continuous_update=False,
            layout=_layout(width="98%", height="5em"),
        )
        self.key = widgets.Textarea(
            value="",
            description="key",
            placeholder="paste the private JWK (JSON) or PEM"
            + ("; empty: the key given by the notebook" if self.given_key is not None else ""),
            continuous_update=False,
            layout=_layout(width="98%", height="3em"),
        )
        self.back = widgets.Button(description="◀ Back", tooltip="previous step")
        self.next = widgets.Button(description="Next ▶", tooltip="next step")
        self.counter = widgets.HTML()
        self.overview = widgets.HTML()
        self.output = widgets.HTML()
        self.token.add_class("jwe-control-token")
        self.key.add_class("jwe-control-key")
        self.back.add_class("jwe-control-back")
        self.next.add_class("jwe-control-next")
        self.output.add_class("jwe-output")
        self.token.observe(self._reload, names="value")
        self.key.observe(self._reload, names="value")
        self.back.on_click(lambda _: self.go(self.position - 1))
        self.next.on_click(lambda _: self.go(self.position + 1))
        super().__init__(
            [
                widgets.HTML("<b>Decryption stepper</b> — RFC 7516 §5.2, one step at a time."),
                self.token,
                self.key,
                widgets.HBox([self.back, self.next, self.counter]),
                self.overview,
                self.output,
            ]
        )
        self.add_class("jwe-widget")
        self.add_class("jwe-stepper")
        self.load()

    def _reload(self, change: Any) -> None:
        self.load()

    @property
    def count(self) -> int:
        """Steps to walk through: every recorded step, plus the rejection when it failed."""
        if self.explanation is None:
            return 0
        return len(self.explanation.steps) + (0 if self.explanation.ok else 1)

    def load(self) -> None:
        """Decrypt the token in the box with the key, and show the first step."""
        self.explanation, self.error = None, None
        try:
            key = _parse_key(self.key.value) if self.key.value.strip() else self.given_key
            if key is None:
                raise ValueError("paste the recipient's private key (a JWK) in the key box")
            if not self.token.value.strip():
                raise ValueError("paste a token in the token box")
            self.explanation = explain(self.token.value.strip(), key, algorithms=self.algorithms)
        except (JWEError, ValueError) as error:
            self.error = error
        self.go(0)

    def go(self, position: int) -> None:
        """Show step ``position`` (clamped to the steps there are)."""
        self.position = max(0, min(position, self.count - 1))
        self.back.disabled = self.position <= 0
        self.next.disabled = self.position >= self.count - 1
        if self.explanation is None:
            self.counter.value = ""
            self.overview.value = ""
            self.output.value = _error_html(self.error or ValueError("nothing to show"))
            return
        steps = self.explanation.steps
        self.counter.value = f"&nbsp;step {self.position + 1} of {self.count}"
        chips = []
        for index, step in enumerate(steps):
            current = (
                "font-weight:bold;outline:2px solid currentColor;" if index == self.position else ""
            )
            chips.append(
                f'<span style="{current}padding:0 0.3em;margin:0.1em;display:inline-block;'
                f'border-bottom:3px solid {part(step.name).color}">'
                f"{index + 1}. {escape(step.name)}</span>"
            )
        if not self.explanation.ok:
            current = (
                "font-weight:bold;outline:2px solid currentColor;"
                if self.position == len(steps)
                else ""
            )
            chips.append(
                f'<span style="{current}padding:0 0.3em;color:{BAD_COLOR}">'
                f"{len(steps) + 1}. ✗ {escape(str(self.explanation.failed_stage))}</span>"
            )
        else:
            chips.append(f'<span style="color:{OK_COLOR}">✓ decrypted</span>')
        self.overview.value = (
            f'<div style="font-size:0.85em;line-height:1.8">{" → ".join(chips)}</div>'
        )
        flow = data_flow(self.explanation)
        if self.position < len(steps):
            card = step_card_html(
                steps[self.position], self.explanation.trace, number=self.position + 1
            )
            # Light up the diagram as far as the stepper has gone.
            flow.reached = {step.name for step in steps[: self.position + 1]} | {KEY_NODE}
            flow.current = steps[self.position].name
            flow.failed = None
            flow.pending = "next steps"
        else:
            card = failure_card_html(self.explanation.error)
            flow.current = flow.failed
        self.output.value = card + flow.svg()

    @property
    def current(self) -> str:
        """The name of the step shown (or "rejected")."""
        if self.explanation is None:
            return ""
        if self.position < len(self.explanation.steps):
            return self.explanation.steps[self.position].name
        return "rejected"

    def __repr__(self) -> str:
        if self.explanation is None:
            return f"DecryptionStepper(no steps: {self.error})"
        outcome = (
            "decrypts" if self.explanation.ok else f"rejected at {self.explanation.failed_stage}"
        )
        return (
            f"DecryptionStepper(step {self.position + 1} "
            f"of {self.count}: {self.current}; {outcome})"
        )


# ---------------------------------------------------------------- Tamper lab


def flip_bit(token: str, part_name: str, byte: int, bit: int) -> str:
    """``token`` (compact) with bit ``bit`` (0 = least significant) of byte ``byte`` of part
    ``part_name`` flipped, the part re-encoded as canonical base64url."""
    parts = token.split(".")
    index = TOKEN_PARTS.index(part_name)
    data = bytearray(b64url_decode(parts[index], part=part_name))
    if not 0 <= byte < len(data):
        raise ValueError(
            f"the {part(part_name).label} has {len(data)} bytes; byte {byte} is not one"
        )
    if not 0 <= bit < 8:
        raise ValueError(f"a byte has bits 0-7; bit {bit} is not one")
    data[byte] ^= 1 << bit
    parts[index] = b64url_encode(bytes(data))
    return ".".join(parts)


def replace_part(token: str, part_name: str, text: str) -> str:
    """``token`` (compact) with part ``part_name`` replaced by ``text`` as typed."""
    parts = token.split(".")
    parts[TOKEN_PARTS.index(part_name)] = text
    return ".".join(parts)


def _lab_cek(size: int) -> bytes:
    return bytes((7 * i + 1) % 256 for i in range(size))


def _lab_iv(size: int) -> bytes:
    return bytes((11 * i + 5) % 256 for i in range(size))


class TamperLab(widgets.VBox):  # type: ignore[misc]
    """Change one bit (or retype one part) of a token and see which stage rejects it, and why.

    >>> TamperLab("Attack at dawn", enc="A256GCM")          # GCM
    >>> TamperLab("Attack at dawn", enc="A128CBC-HS256")    # CBC with HMAC

    By default the token is made with ``A256KW`` and a DEMO key, with a fixed demo CEK and IV,
    so the same settings always give the same token. The decryption runs through
    :func:`jwe_steps.explain` with an allow-list of exactly the token's alg and enc.
    """

    MODES = ("flip a bit", "replace the part")

    def __init__(
        self,
        payload: str = "Attack at dawn",
        *,
        alg: str = "A256KW",
        enc: str = "A256GCM",
        key: Any = None,
        part_name: str = "ciphertext",
        byte: int = 0,
        bit: int = 0,
    ) -> None:
        self.given_key = load_key(key) if key is not None else None
        self.original: EncryptTrace | None = None
        self.tampered: str | None = None
        self.explanation: Explanation | None = None
        self.error: BaseException | None = None
        self._busy = False
        self.payload = widgets.Text(value=payload, description="payload", continuous_update=False)
        self.alg = widgets.Dropdown(
            options=sorted(registry.KEY_MANAGEMENT), value=alg, description="alg"
        )
        self.enc = widgets.Dropdown(
            options=sorted(registry.CONTENT_ENCRYPTION), value=enc, description="enc"
        )
        self.part = widgets.Dropdown(
            options=[(part(name).label, name) for name in TOKEN_PARTS],
            value=part_name,
            description="part",
        )
        self.mode = widgets.Dropdown(options=self.MODES, value=self.MODES[0], description="change")
        self.byte = widgets.BoundedIntText(value=byte, min=0, max=max(byte, 0), description="byte")
        self.bit = widgets.IntSlider(value=bit, min=0, max=7, description="bit")
        self.new_value = widgets.Text(
            value="", description="new text", placeholder="the part's new base64url text",
            continuous_update=False, layout=_layout(width="98%"),
        )  # fmt: skip
        self.output = widgets.HTML()
        self.summary = widgets.HTML()
        for control, name in (
            (self.payload, "payload"), (self.alg, "alg"), (self.enc, "enc"), (self.part, "part"),
            (self.mode, "mode"), (self.byte, "byte"), (self.bit, "bit"),
            (self.new_value, "new-value"),
        ):  # fmt: skip
            control.add_class(f"jwe-control-{name}")
        for control in (self.payload, self.alg, self.enc):
            control.observe(self._rebuild, names="value")
        for control in (self.part, self.mode, self.byte, self.bit, self.new_value):
            control.observe(self._retamper, names="value")
        self.output.add_class("jwe-output")
        super().__init__(
            [
                widgets.HTML(
                    "<b>Tamper lab</b> — change one thing in the token; see which stage rejects it."
                ),
                widgets.HBox([self.payload, self.alg, self.enc]),
                widgets.HBox([self.part, self.mode]),
                widgets.HBox([self.byte, self.bit]),
                self.new_value,
                self.output,
                self.summary,
            ]
        )
        self.add_class("jwe-widget")
        self.add_class("jwe-tamper-lab")
        self._rebuild(None)

    def current_key(self) -> Key:
        """The given key when it fits the chosen alg, else a DEMO key made for that alg."""
        given = self.given_key
        if given is not None and _fits(given, self.alg.value, self.enc.value):
            return given
        return demo_key_for(self.alg.value, self.enc.value)

    def _rebuild(self, change: Any) -> None:
        """Make the original token for the current payload, alg and enc."""
        self.original, self.error = None, None
        try:
            key = self.current_key()
            content = registry.content_encryption(self.enc.value)
            management = registry.key_management(self.alg.value)
            self.original = encrypt(
                self.payload.value,
                key.public_key() if key.kty != "oct" else key,
                alg=self.alg.value,
                enc=self.enc.value,
                cek=None if management.generates_cek else _lab_cek(content.key_size),
                iv=_lab_iv(content.iv_size),
                algorithms=[self.alg.value, self.enc.value],
            )
        except (JWEError, ValueError) as error:
            self.error = error
            self.output.value = _error_html(error)
            self.summary.value = ""
            return
        self.summary.value = self.summary_html()
        self._retamper(None)

    def _part_size(self) -> int:
        assert self.original is not None
        value = value_of(self.original, self.part.value)
        return len(value) if isinstance(value, bytes) else 0

    def _retamper(self, change: Any) -> None:
        if self.original is None or self._busy:
            return
        self._busy = True
        try:
            size = self._part_size()
            self.byte.max = max(size - 1, 0)
            if self.byte.value > self.byte.max:
                self.byte.value = self.byte.max
        finally:
            self._busy = False
        self.tampered, self.explanation, self.error = None, None, None
        token = str(self.original.token)
        try:
            if self.mode.value == self.MODES[0]:
                if size == 0:
                    raise ValueError(
                        f"the {part(self.part.value).label} is empty with {self.alg.value}: "
                        "there is no byte to flip (try 'replace the part')"
                    )
                self.tampered = flip_bit(token, self.part.value, self.byte.value, self.bit.value)
            else:
                self.tampered = replace_part(token, self.part.value, self.new_value.value)
            self.explanation = explain(
                self.tampered, self.current_key(), algorithms=[self.alg.value, self.enc.value]
            )
        except (JWEError, ValueError) as error:
            self.error = error
        self.output.value = self.render()

    @property
    def rejected_stage(self) -> str | None:
        """The stage that rejected the tampered token (None if it decrypted)."""
        if self.explanation is None or self.explanation.ok:
            return None
        return self.explanation.failed_stage

    def render(self) -> str:
        if self.explanation is None or self.tampered is None:
            return _error_html(self.error or ValueError("nothing to show"))
        highlight: dict[str, set[int]] = {}
        if self.mode.value == self.MODES[0]:
            highlight[self.part.value] = {self.byte.value}
        what = (
            f"bit {self.bit.value} of byte {self.byte.value} of the {part(self.part.value).label}"
            if self.mode.value == self.MODES[0]
            else f"the whole {part(self.part.value).label}, retyped"
        )
        if self.explanation.ok:
            verdict = _message(
                "accepted",
                f"<b>Accepted.</b> Changing {escape(what)} did not stop decryption.",
                color=OK_COLOR,
            )
        else:
            error = self.explanation.error
            assert error is not None
            verdict = _message(
                "rejected",
                f"<b>Rejected at stage “{escape(str(error.stage))}”</b> after changing "
                f"{escape(what)}.<br>{escape(error.message)}"
                + (f"<br><i>{escape(error.hint)}</i>" if error.hint else ""),
            )
            if self.explanation.diagnosis:
                notes = "".join(
                    f"<li><b>{escape(f.code)}</b>: {escape(f.message)}</li>"
                    for f in self.explanation.diagnosis
                )
                verdict += f"<ul>{notes}</ul>"
        anatomy = token_anatomy(self.tampered, highlight=highlight).html()
        return (
            f"{verdict}<details open><summary>the tampered token</summary>{anatomy}</details>"
            f"{data_flow(self.explanation).svg()}"
        )

    def summary_rows(self) -> list[tuple[str, str]]:
        """For each part: the stage that rejects the token when bit 0 of its first byte flips."""
        assert self.original is not None
        rows = []
        token = str(self.original.token)
        for name in TOKEN_PARTS:
            value = value_of(self.original, name)
            if not isinstance(value, bytes) or not value:
                rows.append((name, "nothing to flip (empty part)"))
                continue
            result = explain(
                flip_bit(token, name, 0, 0),
                self.current_key(),
                algorithms=[self.alg.value, self.enc.value],
            )
            rows.append((name, "accepted" if result.ok else str(result.failed_stage)))
        return rows

    def summary_html(self) -> str:
        cells = "".join(
            "<tr><td style='padding:0.1em 0.6em;text-align:left;"
            f"border-bottom:1px solid {RULE}'>{swatch(name)} "
            f"{escape(part(name).label)}</td>"
            "<td style='padding:0.1em 0.6em;text-align:left;border-bottom:1px "
            f"solid {RULE}'>{escape(stage)}</td></tr>"
            for name, stage in self.summary_rows()
        )
        return (
            f'<div style="color:{FOREGROUND};font-size:0.9em;margin-top:0.5em">'
            "<b>Every part is protected</b> "
            f"({escape(self.alg.value)} + {escape(self.enc.value)}): "
            "flipping bit 0 of the first byte of each part is rejected at"
            f'<table style="border-collapse:collapse;margin-top:0.2em">{cells}</table></div>'
        )

    def __repr__(self) -> str:
        outcome = (
            "accepted"
            if self.explanation is not None and self.explanation.ok
            else f"rejected at {self.rejected_stage}"
            if self.explanation is not None
            else f"error: {self.error}"
        )
        change = (
            f"flip bit {self.bit.value} of byte {self.byte.value}"
            if self.mode.value == self.MODES[0]
            else "replace"
        )
        return (
            f"TamperLab({self.alg.value} + {self.enc.value}: "
            f"{change} of {self.part.value} -> {outcome})"
        )


# ---------------------------------------------------------------- Key inspector

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
THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"),
                      "OKP": ("crv", "kty", "x"), "oct": ("k", "kty")}  # fmt: skip
KEY_CHOICES = {
    "RSA 2048": ("RSA", 2048, ""), "RSA 3072": ("RSA", 3072, ""), "EC P-256": ("EC", 0, "P-256"),
    "EC P-384": ("EC", 0, "P-384"), "EC P-521": ("EC", 0, "P-521"),
    "OKP X25519": ("OKP", 0, "X25519"),
    "oct 128": ("oct", 128, ""), "oct 256": ("oct", 256, ""),
}  # fmt: skip
GIVEN, PASTED = "the given key", "paste a JWK"


class KeyInspector(widgets.VBox):  # type: ignore[misc]
    """A key's members with their sizes, which are public and which private, and its RFC 7638
    thumbprint.

    >>> KeyInspector(jwe_steps.generate_key("EC"))
    >>> KeyInspector()          # choose a DEMO key type from the menu
    """

    def __init__(self, key: Any = None, *, choice: str = "RSA 2048") -> None:
        self.given_key = load_key(key) if key is not None else None
        self.key: Key | None = None
        self.error: BaseException | None = None
        options = ([GIVEN] if self.given_key is not None else []) + list(KEY_CHOICES) + [PASTED]
        self.choice = widgets.Dropdown(
            options=options,
            value=GIVEN if self.given_key is not None else choice,
            description="key",
        )
        self.jwk = widgets.Textarea(
            value="", placeholder="a JWK, as JSON", description="JWK", continuous_update=False,
            layout=_layout(width="98%", height="4em"),
        )  # fmt: skip
        self.half = widgets.Dropdown(options=("as given", "public half"), description="show")
        self.reveal = widgets.Checkbox(
            value=False,
            description="show private values",
            indent=False,
            layout=_layout(width="auto"),
        )
        self.output = widgets.HTML()
        for control, name in (
            (self.choice, "choice"), (self.jwk, "jwk"), (self.half, "half"),
            (self.reveal, "reveal"),
        ):  # fmt: skip
            control.add_class(f"jwe-control-{name}")
            control.observe(self._changed, names="value")
        self.output.add_class("jwe-output")
        super().__init__(
            [
                widgets.HTML(
                    "<b>Key inspector</b> — members, sizes, public versus private, thumbprint."
                ),
                widgets.HBox([self.choice, self.half]),
                self.jwk,
                self.reveal,
                self.output,
            ]
        )
        self.add_class("jwe-widget")
        self.add_class("jwe-key-inspector")
        self.refresh()

    def _changed(self, change: Any) -> None:
        self.refresh()

    def _selected(self) -> Key:
        if self.choice.value == GIVEN and self.given_key is not None:
            return self.given_key
        if self.choice.value == PASTED:
            if not self.jwk.value.strip():
                raise ValueError("paste a JWK in the box above")
            return _parse_key(self.jwk.value)
        kty, size, crv = KEY_CHOICES[self.choice.value]
        return demo_key(kty, size=size or 2048, crv=crv or "P-256")

    def refresh(self) -> None:
        self.key, self.error = None, None
        self.jwk.layout.display = None if self.choice.value == PASTED else "none"
        try:
            key = self._selected()
            if self.half.value == "public half":
                if key.kty == "oct":
                    raise ValueError(
                        "a symmetric (oct) key has no public half: all of it is secret"
                    )
                key = key.public_key()
            self.key = key
        except (JWEError, ValueError) as error:
            self.error = error
            self.output.value = _error_html(error)
            return
        self.output.value = self.render()

    def members(self) -> list[dict[str, Any]]:
        """One row per JWK member: name, meaning, size in bytes (for octet values), private?"""
        assert self.key is not None
        jwk = self.key.to_jwk(private=self.key.is_private)
        rows = []
        for name, value in jwk.items():
            meaning, private = MEMBER_MEANINGS.get(name, ("", False))
            if name == "d" and self.key.kty in {"EC", "OKP"}:
                meaning = "private key: the secret scalar"
            size = None
            if name in {"n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "k"}:
                size = len(b64url_decode(value, part=f"JWK member '{name}'"))
            rows.append(
                {
                    "name": name,
                    "meaning": meaning,
                    "bytes": size,
                    "private": private,
                    "value": value,
                }
            )
        return rows

    def thumbprint_input(self) -> str:
        """The JSON that RFC 7638 §3 hashes: the required members, sorted, no whitespace."""
        assert self.key is not None
        jwk = self.key.to_jwk(private=self.key.kty == "oct")
        required = {name: jwk[name] for name in THUMBPRINT_MEMBERS[self.key.kty]}
        return json.dumps(required, separators=(",", ":"), sort_keys=True)

    def render(self) -> str:
        assert self.key is not None
        key = self.key
        cell = (
            f"padding:0.1em 0.6em;border-bottom:1px solid {RULE};text-align:left;vertical-align:top"
        )
        rows = []
        for row in self.members():
            value = str(row["value"])
            if row["private"] and not self.reveal.value:
                value = "•••••• hidden (tick “show private values”)"
            elif len(value) > 48:
                value = value[:45] + "…"
            kind = (
                f'<span style="color:{BAD_COLOR};font-weight:600">private</span>'
                if row["private"]
                else f'<span style="color:{OK_COLOR}">public</span>'
            )
            size = "" if row["bytes"] is None else f"{row['bytes']} B ({8 * row['bytes']} bits)"
            rows.append(
                f"<tr><td style='{cell}'><code>{escape(row['name'])}</code></td>"
                f"<td style='{cell}'>{escape(row['meaning'])}</td><td style='{cell}'>{kind}</td>"
                f"<td style='{cell};white-space:nowrap'>{size}</td>"
                f"<td style='{cell};font-family:monospace;"
                f"word-break:break-all'>{escape(value)}</td></tr>"
            )
        head = "".join(
            f"<th style='{cell}'>{h}</th>" for h in ("member", "meaning", "", "size", "value")
        )
        demo = (
            f'<div style="color:{BAD_COLOR};font-weight:600">'
            "DEMO key: for learning only, never for "
            "real data.</div>"
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
        shown_input = self.thumbprint_input()
        if key.kty == "oct" and not self.reveal.value:
            shown_input = "(contains the secret k: tick “show private values”)"
        return (
            f'<div class="jwe-steps-view jwe-key" style="color:{FOREGROUND}">{demo}'
            f"<div><b>{escape(_key_label(key))}</b>"
            + (f" · kid <code>{escape(key.kid)}</code>" if key.kid else "")
            + f'</div><div style="color:{MUTED}">{escape(halves)}</div>'
            f'<table style="border-collapse:collapse;font-size:0.85em;margin:0.4em 0">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "<div><b>RFC 7638 thumbprint</b> (SHA-256, "
            f"base64url): <code>{escape(key.thumbprint())}"
            f'</code></div><div style="color:{MUTED};font-size:0.85em">hashed input: the required '
            f"members only, sorted, no whitespace: <code style='word-break:break-all'>"
            f"{escape(shown_input)}</code></div></div>"
        )

    def __repr__(self) -> str:
        if self.key is None:
            return f"KeyInspector(error: {self.error})"
        return f"KeyInspector({_key_label(self.key)}, {len(self.members())} members)"


__all__ = [
    "DecryptionStepper",
    "Explorer",
    "KeyInspector",
    "TamperLab",
    "cross_check",
    "demo_key",
    "demo_key_for",
    "flip_bit",
    "replace_part",
]
