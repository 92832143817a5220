"""The DecryptionStepper: RFC 7516 §5.2, one step at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..errors import JWEError
from ..explanation import Explanation, explain
from ..keys import load_key
from ..view.cards import failure_card_html, step_card_html
from ..view.flow import KEY_NODE, data_flow
from ..view.panels import error_html, stepper_overview_html
from ._common import layout, parse_key


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
            layout=layout(width="98%", height="5em"),
        )
        self.key = widgets.Textarea(
            value="",
            description="key",
            placeholder="paste the private JWK (JSON) or PEM"
            + ("; empty: the key given by the notebook" if self.given_key is not None else ""),
            continuous_update=False,
            layout=layout(width="98%", height="3em"),
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
            key = parse_key(self.key.value) if self.key.value.strip() else self.given_key
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
            self.output.value = error_html(self.error or ValueError("nothing to show"))
            return
        steps = self.explanation.steps
        self.counter.value = f"&nbsp;step {self.position + 1} of {self.count}"
        self.overview.value = stepper_overview_html(
            [step.name for step in steps],
            self.position,
            failed_stage=self.explanation.failed_stage,
            ok=self.explanation.ok,
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
