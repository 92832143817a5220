"""Renderers for traces: HTML, SVG and terminal text. They read values from a Trace (or an
Explanation's trace) and never compute cryptography.

    >>> from jwe_steps import view
    >>> view.token_anatomy(trace)              # the five parts, coloured and labelled
    >>> view.annotate(trace, "protected_header")   # bytes named on hover
    >>> view.step_cards(trace)                 # inputs -> operation -> output, per step
    >>> view.data_flow(trace)                  # SVG: which value feeds which stage
    >>> view.assert_fully_explained(trace)     # no unexplained bytes

``verify`` is re-exported from :mod:`jwe_steps.verification`, which owns every check.
"""

from .anatomy import Anatomy, token_anatomy
from .bytes import (
    AnnotatedBytes,
    Field,
    annotate,
    annotate_token,
    assert_fully_explained,
    unexplained_bytes,
)
from .cards import Cards, Verification, step_card, step_cards, verify
from .flow import Flow, data_flow, flow_diagram
from .html import register_renderers
from .palette import PARTS, TOKEN_PARTS, Part
from .terminal import anatomy_terminal, bytes_terminal, flow_terminal, trace_terminal, use_color

register_renderers()  # Step and Trace find their HTML form here (trace.py never imports view/)

__all__ = [
    "PARTS",
    "TOKEN_PARTS",
    "Anatomy",
    "AnnotatedBytes",
    "Cards",
    "Field",
    "Flow",
    "Part",
    "Verification",
    "anatomy_terminal",
    "annotate",
    "annotate_token",
    "assert_fully_explained",
    "bytes_terminal",
    "data_flow",
    "flow_diagram",
    "flow_terminal",
    "step_card",
    "step_cards",
    "token_anatomy",
    "trace_terminal",
    "unexplained_bytes",
    "use_color",
    "verify",
]
