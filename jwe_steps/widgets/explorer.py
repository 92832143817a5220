"""The Explorer: encrypt live and watch every step re-render."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from .. import algorithms as registry
from ..errors import JWEError
from ..keys import Key, load_key
from ..pipeline import encrypt
from ..trace import EncryptTrace
from ..verification import Verification, cross_check
from ..view.anatomy import token_anatomy
from ..view.bytes import annotate, render_html
from ..view.cards import step_cards
from ..view.flow import data_flow
from ..view.panels import error_html, key_label, status_html
from ._common import demo_key_for, layout, parse_key


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
            value=payload, description="payload", layout=layout(width="98%", height="4em")
        )
        self.header = widgets.Textarea(
            value=json.dumps(dict(header or {})),
            description="header",
            placeholder='extra protected header members, as JSON: {"cty": "text/plain"}',
            continuous_update=False,
            layout=layout(width="98%", height="3em"),
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
            layout=layout(width="98%", height="3em"),
        )
        self.key_status = widgets.HTML()
        self.check = widgets.Checkbox(
            value=True,
            description="check each value against an independent computation",
            indent=False,
            layout=layout(width="auto"),
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
            return parse_key(self.key.value)
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
            self.key_status.value = status_html(f"key: {key_label(key)} ({source})")
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
            self.output.value = error_html(error)
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
