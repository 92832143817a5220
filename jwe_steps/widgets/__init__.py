"""Interactive widgets (ipywidgets 8) built on :mod:`jwe_steps.view`, one module per widget.

- :class:`Explorer` — edit the payload, header members, alg, enc and key; every step re-renders.
- :class:`DecryptionStepper` — paste a token and a key, then Next/Back through decryption.
- :class:`TamperLab` — flip a bit (or retype a part) and see which stage rejects the token.
- :class:`KeyInspector` — a key's members, sizes, public/private halves and RFC 7638 thumbprint.

Widgets compute only by calling the model (:func:`jwe_steps.encrypt`, :func:`jwe_steps.explain`,
:mod:`jwe_steps.tamper`, :mod:`jwe_steps.verification`) and draw only with :mod:`jwe_steps.view`.
Every widget keeps what it shows in plain attributes (``.trace``, ``.explanation``,
``.output.value``), so its logic can be tested without a browser by setting control values and
reading them back.

Keys the widgets make for you are DEMO keys (their kid starts with ``demo-``): for learning only.
"""

from __future__ import annotations

from ..tamper import flip_bit, replace_part
from ..verification import cross_check
from ._common import demo_key, demo_key_for
from .explorer import Explorer
from .key_inspector import KeyInspector
from .stepper import DecryptionStepper
from .tamper_lab import TamperLab

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
