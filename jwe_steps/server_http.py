"""uvicorn settings for the practice API: its HTTP parser, timeouts, no access log on stdout.

The parser is uvicorn's httptools protocol (llhttp, the C parser Node.js uses): the pure-Python
h11 parser cost about a tenth of a millisecond per request, and with 16 clients at a time the
server answered ~10 % fewer round trips with it. :class:`BoundedHttpProtocol` adds what uvicorn
leaves out:

- a *request-head* timeout: uvicorn closes an idle keep-alive connection after
  ``timeout_keep_alive``, but it arms no timer on a fresh connection and cancels its timer on
  the first byte received, so a client that opens a connection and sends nothing, or drips one
  header byte every few seconds, would hold it forever. From the moment a connection opens (or
  finishes an answer) the client has ``head_timeout`` seconds to send a complete request line
  and headers, or the connection is closed.
- a *request-head* size cap: httptools keeps a header that has not ended yet in memory however
  long it grows, so a head (request line and headers) past :data:`MAX_HEAD_BYTES` is answered
  ``431 api.head_too_large`` and the connection closed.
- an ``Upgrade`` offer ignored, as h11 ignores it (see :func:`_without_upgrade`): Java's
  HttpClient offers HTTP/2 on every request, and llhttp would drop the request's body.
- malformed HTTP answered in the API's error shape: what llhttp refuses before the application
  runs (a Content-Length that is not one decimal number, or comes with ``Transfer-Encoding``;
  a bad chunk size, an unknown method, a control character in a header, bare-LF line endings,
  a TLS ClientHello or an HTTP/2 preface...) gets a JSON ``400`` with ``api.content_length``
  or ``api.http``, not uvicorn's plain-text one, and the connection is closed
  (:meth:`BoundedHttpProtocol.send_400_response`).

The body has its own read timeout and cap, enforced where the application reads it
(:func:`jwe_steps.server.read_body`).
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@dataclass(frozen=True)
class Timeouts:
    """Seconds the server waits for a client before giving up on it.

    Attributes:
        head: to receive a complete request line and headers, from the connection's opening
            or the end of the previous answer.
        body: to receive the whole body, once the headers are in.
        keep_alive: an idle keep-alive connection is closed after this long.
    """

    head: float = 10.0
    body: float = 10.0
    keep_alive: float = 5.0


DEFAULT_TIMEOUTS = Timeouts()
MAX_CONNECTIONS = 200  # past this, uvicorn answers 503 instead of queueing without bound
MAX_HEAD_BYTES = 16 * 1024
"""The largest request head (request line and headers) read: h11's default, 16 KiB."""

HEAD_TOO_LARGE = "api.head_too_large"
CONTENT_LENGTH = "api.content_length"
MALFORMED_HTTP = "api.http"
FIRST_BYTES = 16
"""How much of a connection's first bytes is kept, to tell a TLS or HTTP/2 client apart."""


def _error_answer(status: int, reason: str, code: str, message: str) -> bytes:
    """A whole HTTP answer in the API's error shape (see server.py), closing the connection:
    for what the protocol refuses before the application runs."""
    body = json.dumps(
        {"error": {"code": code, "stage": "input", "message": f"[input] {message}"}}
    ).encode("ascii")
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def _head_too_large_answer() -> bytes:
    """The whole HTTP answer to a head past the cap."""
    return _error_answer(
        431,
        "Request Header Fields Too Large",
        HEAD_TOO_LARGE,
        f"the request line and headers are longer than {MAX_HEAD_BYTES} bytes.",
    )


# The first bytes of what a client speaks when it is not HTTP/1.1 at all.
_TLS_RECORD = re.compile(rb"\x16\x03[\x00-\x04]")  # a TLS handshake record (a ClientHello)
_HTTP2_PREFACE = b"PRI * HTTP/2"


def _malformed_answer(reason: str, start: bytes) -> bytes:
    """The whole HTTP answer to bytes llhttp refused: ``reason`` is its (fixed, English) reason,
    ``start`` the connection's first bytes when the first request is refused (else empty), to
    recognise a TLS or HTTP/2 client."""
    code = MALFORMED_HTTP
    if _TLS_RECORD.match(start):
        message = "this server speaks plain HTTP/1.1, not TLS: expected an http:// URL."
    elif start.startswith(_HTTP2_PREFACE):
        message = "this server speaks HTTP/1.1, not HTTP/2: expected an HTTP/1.1 request."
    elif "content-length" in reason.lower():
        # Invalid characters (a sign, a dot, an exponent, hex, a list), a number past 2**64,
        # a repeated Content-Length, or one beside Transfer-Encoding (RFC 9112 §6.1, §6.3).
        code = CONTENT_LENGTH
        message = (
            "malformed Content-Length: expected one decimal number of bytes, given once, and "
            f"no Transfer-Encoding beside it (the parser says: {reason[:100]})."
        )
    else:
        message = f"the request is not well-formed HTTP/1.1 (RFC 9112): {reason[:100]}."
    return _error_answer(400, "Bad Request", code, message)


_UPGRADE_FIELD = re.compile(rb"\r\nupgrade:", re.IGNORECASE)
_UPGRADE_START = b"\r\nupgrade:"


def _without_upgrade(data: bytes, head_end: int) -> bytes:
    """``data`` with any ``Upgrade`` field in ``data[:head_end]`` (part of a request head)
    renamed.

    A server may ignore an Upgrade offer and answer in HTTP/1.1 (RFC 9110 §7.8), and this one
    upgrades to nothing. But llhttp stops reading HTTP after the head of a request that offers
    one, so its body would be lost (uvicorn issue 2722): Java's HttpClient offers ``h2c`` on
    every request. Renamed before the parser sees it, the field is an unknown header.
    """
    if _UPGRADE_FIELD.search(data, 0, head_end) is None:
        return data
    return _UPGRADE_FIELD.sub(b"\r\nx-ignored-upgrade:", data[:head_end]) + data[head_end:]


def _unfinished_upgrade(data: bytes) -> int:
    """How many of ``data``'s last bytes may begin an ``Upgrade`` field the next piece ends
    (``"\\r\\nUpgr"``...): held back until it is known. 0 when none may."""
    start = data.rfind(b"\r", max(0, len(data) - len(_UPGRADE_START) + 1))
    if start < 0 or data[start:].lower() != _UPGRADE_START[: len(data) - start]:
        return 0
    return len(data) - start


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size cap for each request's head,
    an Upgrade offer ignored (:func:`_without_upgrade`), and malformed HTTP refused in JSON
    (:meth:`send_400_response`)."""

    head_timeout: float = DEFAULT_TIMEOUTS.head

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._awaiting_head = True  # until the parser has a whole head; again after each body
        self._held = b""  # the end of the last piece, which may begin an Upgrade field
        self._head_bytes = 0  # of the awaited head
        self._head_tail = b""  # the last bytes of the previous piece: a CRLF CRLF may straddle
        self._first_bytes = b""  # the connection's first FIRST_BYTES: TLS? HTTP/2?
        self._refusal: bytes | None = None  # the answer to malformed bytes, once there are some

    # ------------------------------------------------------------ the deadline
    # Armed from the connection's opening, and from each answer's end, until a head is in.

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # ------------------------------------------------------------ the size cap

    def _head_end(self, data: bytes) -> int:
        """Count the head's bytes in ``data``: the offset just past its blank line, or -1 when
        the head goes on past ``data``."""
        tail = self._head_tail
        straddle = (tail + data[:3]).find(b"\r\n\r\n") if tail else -1
        if straddle >= 0:
            end = straddle + 4 - len(tail)
        else:
            found = data.find(b"\r\n\r\n")
            end = found + 4 if found >= 0 else -1
        self._head_bytes += len(data) if end < 0 else end
        if end >= 0:
            self._head_tail = b""
        else:
            self._head_tail = data[-3:] if len(data) >= 3 else (tail + data)[-3:]
        return end

    def _refuse_head(self) -> None:
        self._cancel_head_timer()
        self._held = b""
        self.transport.write(_head_too_large_answer())
        self.transport.close()

    # ------------------------------------------------------------ malformed HTTP

    def send_400_response(self, msg: str) -> None:
        """Answer what llhttp refused in JSON, once every earlier request is answered, and close.

        uvicorn calls this, in place of its plain-text answer, from the ``except`` that caught
        the parser's error (so :func:`sys.exception` is that error, whose words are llhttp's
        fixed reason: never the client's bytes). The refusal answers the newest request (the
        one being read); pipelined requests before it keep their answers, in order.
        """
        self._cancel_head_timer()
        error = sys.exception()
        cycle = self.cycle
        start = self._first_bytes if cycle is None else b""  # TLS, HTTP/2: from the first byte
        answer = _malformed_answer(str(error) if error is not None else msg, start)
        if cycle is None or self._awaiting_head:  # in a new head: nothing answers it yet
            self._refusal = answer
            if cycle is None or cycle.response_complete:
                self._send_refusal()
            return  # else once the answer in progress is complete (on_response_complete)
        # In the body of the newest request.
        queued = [entry for entry in self.pipeline if entry[0] is cycle]
        if queued:  # behind another request's answer: never run it, refuse it after that
            self.pipeline.remove(queued[0])
            self._refusal = answer
            return
        # Being answered already (say 413 from its Content-Length): that answer is its answer.
        self._refusal = b"" if cycle.response_started else answer
        if cycle.response_complete or not cycle.response_started:
            self._send_refusal()

    def _send_refusal(self) -> None:
        self._held = b""
        if not self.transport.is_closing():
            if self._refusal:
                self.transport.write(self._refusal)
            self.transport.close()

    # ------------------------------------------------------------ uvicorn's callbacks

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None:  # the parser has failed: nothing more is read
            return
        if self._awaiting_head:
            if len(self._first_bytes) < FIRST_BYTES:
                self._first_bytes += data[: FIRST_BYTES - len(self._first_bytes)]
            end = self._head_end(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse_head()  # before the parser keeps any of it
                return
            held, self._held = self._held, b""
            if held:
                data = held + data
            if end >= 0:
                data = _without_upgrade(data, len(held) + end)
            else:
                data = _without_upgrade(data, len(data))
                keep = _unfinished_upgrade(data)
                if keep:
                    data, self._held = data[:-keep], data[-keep:]
            if not data:
                self._unset_keepalive_if_required()  # as the parser's first byte would
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        super().on_headers_complete()
        self._awaiting_head = False  # not if uvicorn refused the head (say, its URL)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_head, self._head_bytes, self._head_tail = True, 0, b""

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)  # the next request's head is in already
        super().on_response_complete()
        if pipelined or self.transport.is_closing():
            return
        if self._refusal is not None:  # every request before the malformed one is answered
            self._send_refusal()
        else:
            self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)


def protocol_class(timeouts: Timeouts) -> type[BoundedHttpProtocol]:
    """A :class:`BoundedHttpProtocol` subclass with ``timeouts.head`` as its deadline."""
    return type("BoundedHttpProtocol", (BoundedHttpProtocol,), {"head_timeout": timeouts.head})


def log_config(*, access_log: bool) -> dict[str, Any]:
    """uvicorn logging to stderr only: never stdout, whose unread pipe can block the server.

    The access log (one line per request, with the client's address and path) is off unless
    asked for; it never contains a body or a header value.
    """
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": sys.stderr}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "uvicorn.error": {"level": "WARNING"},
            "uvicorn.access": {
                "handlers": ["stderr"],
                "level": "INFO" if access_log else "WARNING",
                "propagate": False,
            },
        },
    }


__all__ = [
    "CONTENT_LENGTH",
    "DEFAULT_TIMEOUTS",
    "HEAD_TOO_LARGE",
    "MALFORMED_HTTP",
    "MAX_CONNECTIONS",
    "MAX_HEAD_BYTES",
    "BoundedHttpProtocol",
    "Timeouts",
    "log_config",
    "protocol_class",
]
