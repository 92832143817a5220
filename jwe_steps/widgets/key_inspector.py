"""The KeyInspector: a key's members, sizes, public and private halves, RFC 7638 thumbprint."""

from __future__ import annotations

import json
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..b64 import b64url_decode
from ..errors import JWEError
from ..keys import Key, load_key
from ..view.panels import MEMBER_MEANINGS, error_html, key_label, key_panel_html
from ._common import demo_key, layout, parse_key

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
            layout=layout(width="98%", height="4em"),
        )  # fmt: skip
        self.half = widgets.Dropdown(options=("as given", "public half"), description="show")
        self.reveal = widgets.Checkbox(
            value=False,
            description="show private values",
            indent=False,
            layout=layout(width="auto"),
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
            return parse_key(self.jwk.value)
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
            self.output.value = error_html(error)
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
        return key_panel_html(
            self.key,
            self.members(),
            reveal=self.reveal.value,
            thumbprint_input=self.thumbprint_input(),
        )

    def __repr__(self) -> str:
        if self.key is None:
            return f"KeyInspector(error: {self.error})"
        return f"KeyInspector({key_label(self.key)}, {len(self.members())} members)"
