"""Terminal views: the same content as text, with ANSI colour only on a TTY."""

from __future__ import annotations

import io

import jwe_steps
from jwe_steps.examples import RFC7516_A1
from jwe_steps.view import anatomy_terminal, bytes_terminal, trace_terminal, use_color


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_colour_when_not_a_tty(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    pipe = io.StringIO()
    assert not use_color(pipe)
    text = anatomy_terminal(RFC7516_A1.token, stream=pipe)
    assert "\x1b[" not in text
    assert RFC7516_A1.token in text
    assert "authentication tag" in text and "16 bytes" in text


def test_colour_on_a_tty_unless_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    tty = _Tty()
    assert use_color(tty)
    coloured = anatomy_terminal(RFC7516_A1.token, stream=tty)
    assert "\x1b[38;5;" in coloured and "protected header" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(tty)
    assert "\x1b[" not in anatomy_terminal(RFC7516_A1.token, stream=tty)


def test_trace_and_bytes_text(rsa_key):
    trace = jwe_steps.encrypt(b"hello", rsa_key, alg="RSA-OAEP-256", enc="A256GCM")
    text = trace_terminal(trace, color=False)
    for step in trace.steps:
        assert step.name in text
    assert "RFC 7516 §5.1 step 15" in text
    header = bytes_terminal(trace, "protected_header", color=False)
    assert "member alg" in header and "member enc" in header
