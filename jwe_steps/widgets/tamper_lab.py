"""The TamperLab: change one bit (or one part) and see which stage rejects the token.

The tampering itself is :mod:`jwe_steps.tamper`; this module only wires controls to it.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from .. import algorithms as registry
from ..errors import JWEError
from ..explanation import Explanation, explain
from ..keys import Key, load_key
from ..pipeline import encrypt
from ..tamper import first_bit_flips, flip_bit, replace_part
from ..trace import EncryptTrace
from ..view.anatomy import token_anatomy
from ..view.flow import data_flow
from ..view.palette import TOKEN_PARTS, part
from ..view.panels import error_html, tamper_summary_html, tamper_verdict_html
from ..view.source import value_of
from ._common import demo_key_for, fits, layout


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
            continuous_update=False, layout=layout(width="98%"),
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
        if given is not None and fits(given, self.alg.value, self.enc.value):
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
            self.output.value = error_html(error)
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
            return error_html(self.error or ValueError("nothing to show"))
        highlight: dict[str, set[int]] = {}
        if self.mode.value == self.MODES[0]:
            highlight[self.part.value] = {self.byte.value}
        what = (
            f"bit {self.bit.value} of byte {self.byte.value} of the {part(self.part.value).label}"
            if self.mode.value == self.MODES[0]
            else f"the whole {part(self.part.value).label}, retyped"
        )
        verdict = tamper_verdict_html(what, self.explanation)
        anatomy = token_anatomy(self.tampered, highlight=highlight).html()
        return (
            f"{verdict}<details open><summary>the tampered token</summary>{anatomy}</details>"
            f"{data_flow(self.explanation).svg()}"
        )

    def summary_rows(self) -> list[tuple[str, str]]:
        """For each part: the stage that rejects the token when bit 0 of its first byte flips."""
        assert self.original is not None
        return first_bit_flips(
            str(self.original.token),
            self.current_key(),
            algorithms=[self.alg.value, self.enc.value],
        )

    def summary_html(self) -> str:
        return tamper_summary_html(self.summary_rows(), self.alg.value, self.enc.value)

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
