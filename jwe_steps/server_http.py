"""uvicorn settings for the practice API: timeouts, no access log on stdout, bounded work.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive``, but it arms no timer
on a fresh connection and cancels its timer on the first byte received: a client that opens a
connection and sends nothing, or drips one header byte every few seconds, holds it forever.
:class:`TimedH11Protocol` adds the missing *request-head* timeout: from the moment a connection
opens (or finishes a response) the client has ``head_timeout`` seconds to send a complete request
line and headers, or the connection is closed. The body has its own read timeout, enforced
where the application reads it (:func:`jwe_steps.server.read_body`).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


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


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head (see the module doc)."""

    head_timeout: float = DEFAULT_TIMEOUTS.head

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

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

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the head is complete (or the peer erred)
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)


def protocol_class(timeouts: Timeouts) -> type[TimedH11Protocol]:
    """A :class:`TimedH11Protocol` subclass with ``timeouts.head`` as its deadline."""
    return type("TimedH11Protocol", (TimedH11Protocol,), {"head_timeout": timeouts.head})


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


__all__ = ["DEFAULT_TIMEOUTS", "MAX_CONNECTIONS", "TimedH11Protocol", "Timeouts", "log_config"]
