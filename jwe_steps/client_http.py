"""HTTP for :class:`jwe_steps.client.PracticeClient`: kept-alive connections, bounded answers.

Opening a TCP connection for every call costs more than the JOSE work of a small request, so
the client keeps connections open between calls (HTTP/1.1 keep-alive) in a small pool that
threads share: a call takes an idle connection, or opens one, and gives it back once the whole
answer has been read. A connection the server closed while it sat idle (the practice server
closes idle ones after a few seconds) fails before any answer arrives; that call is sent once
more on a fresh connection. The server's replay cache makes a repeat harmless either way: a
request that did arrive is answered ``409 replay.jti_seen`` the second time, never twice.

Every request has one deadline, ``timeout`` seconds after it starts, for all of it: the TCP
connect (and TLS handshake), sending the request, and reading the answer's head and body (at
most ``limit + 1`` bytes of it). A socket timeout alone would bound each read, not the call: a
server that sends a byte now and then would keep the call open for ever. Here every send and
every read of the socket gets only what is left of the deadline, and past it the call raises
:class:`TimeoutError` and drops its connection.

When the environment names a proxy for the URL's host (``HTTP_PROXY``, ``HTTPS_PROXY``,
``NO_PROXY``), the call goes through ``urllib``, which speaks to proxies, on connections held to
the same deadline (an https:// URL's CONNECT exchange with the proxy included); a loopback URL
never goes through a proxy. Redirects are not followed on
either path: a 3xx is returned as the answer it is, so the client id and tokens only ever go to
the base URL.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import math
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from email.message import Message
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

MAX_IDLE_CONNECTIONS = 16
"""Idle connections kept per client; more than that are closed after their call."""

# What a connection the server closed while idle looks like on the next request.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class CodedValueError(ValueError):
    """A ValueError with a stable ``code`` (the client's own, apart from the server's)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class ArgumentError(CodedValueError):
    """An argument the client cannot work with: ``argument.base_url``, ``argument.timeout``,
    ``argument.profile``. A ValueError, as these were before they had codes."""


def check_base_url(base_url: Any) -> None:
    """https:// to any host; plain http:// only to this machine (localhost, 127.0.0.0/8, ::1).

    The server's JWKS, fetched from this URL, is the only source of its keys: over plain http
    to another host, anyone on the path could put in their own and read and forge every answer.
    No ``user:password@`` either (credentials in a URL end up in logs, and are not echoed here),
    no query or fragment (the API's paths are appended), no spaces or control characters.
    """
    if type(base_url) is not str or any(c <= " " or c == "\x7f" for c in base_url):
        raise ArgumentError("argument.base_url", "the base URL must be a URL without spaces")
    try:
        parts = urllib.parse.urlsplit(base_url)
        host, _ = parts.hostname, parts.port  # .port raises ValueError when it is no number
    except ValueError:
        raise ArgumentError("argument.base_url", "the base URL does not parse") from None
    if "@" in parts.netloc:
        raise ArgumentError("argument.base_url", "the base URL must hold no user:password@")
    if parts.scheme not in ("http", "https") or not host:
        raise ArgumentError(
            "argument.base_url", f"the base URL must be https://HOST, not {base_url!r}"
        )
    if "?" in base_url or "#" in base_url:
        raise ArgumentError("argument.base_url", "the base URL must hold no query or fragment")
    if parts.scheme == "http" and not is_loopback(base_url):
        raise ArgumentError(
            "argument.base_url",
            f"plain http:// is only for this machine (localhost, 127.0.0.0/8, ::1), not "
            f"{host!r}: the server's keys would come over it unprotected; use https://",
        )


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine (localhost, 127.0.0.0/8, ::1)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Answer:
    """One HTTP answer: status, headers and at most ``limit + 1`` bytes of body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Message, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


# ------------------------------------------------------------ one deadline per request


def _left(deadline: float) -> float:
    """Seconds left until ``deadline`` (a :func:`time.monotonic` time); TimeoutError after it."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the HTTP exchange took longer than its timeout")
    return left


class _DeadlineReader(io.RawIOBase):
    """The raw stream http.client reads an answer from: each read waits only what is left."""

    def __init__(self, sock: socket.socket, deadline: Callable[[], float]) -> None:
        # The socket's own raw file: like socket.makefile's, it keeps the socket open until it
        # is closed too (urllib and a "Connection: close" answer close the socket before the
        # body has been read).
        self._raw = sock.makefile("rb", buffering=0)
        self._sock, self._deadline = sock, deadline
        super().__init__()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        self._sock.settimeout(_left(self._deadline()))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """A connected socket whose every send and receive gets only what is left of the deadline.

    http.client sends through :meth:`sendall` and reads the answer from :meth:`makefile`;
    everything else (``close``, ``shutdown``...) is the socket's own.
    """

    def __init__(self, sock: socket.socket, deadline: Callable[[], float]) -> None:
        self._sock, self._deadline = sock, deadline

    def sendall(self, data: ReadableBuffer) -> None:
        # One send at a time, each within what is left (a TLS socket's own sendall would give
        # every chunk the whole timeout again).
        with memoryview(data) as view, view.cast("B") as octets:
            sent = 0
            while sent < len(octets):
                self._sock.settimeout(_left(self._deadline()))
                sent += self._sock.send(octets[sent:])

    def makefile(self, mode: str = "rb") -> io.BufferedReader:
        if mode != "rb":
            raise ValueError(f"only mode 'rb' is supported, not {mode!r}")
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _TimedConnect(http.client.HTTPConnection):
    """The TCP connect within what is left of :attr:`deadline`.

    In :class:`_HTTPSConnection` this runs inside :meth:`http.client.HTTPSConnection.connect`,
    before its TLS handshake, so the handshake too gets only what is left. An https:// URL
    through a proxy first asks the proxy to CONNECT (:meth:`_tunnel`): that exchange is held to
    the same deadline.
    """

    deadline = 0.0
    """When the current request must be over (:func:`time.monotonic`); set before each one."""

    def connect(self) -> None:
        self.timeout = _left(self.deadline)
        super().connect()
        self.sock.settimeout(_left(self.deadline))

    def _tunnel(self) -> None:
        """The proxy's CONNECT exchange with every send and read held to the deadline (a proxy
        that trickles its answer does not keep the call open), then the plain socket again for
        the TLS handshake, which needs a real socket to wrap."""
        plain = self.sock
        self.sock = _DeadlineSocket(plain, lambda: self.deadline)
        try:
            super()._tunnel()  # type: ignore[misc]  # (private in the stubs)
        finally:
            if self.sock is not None:  # http.client closes it (sets None) when CONNECT fails
                self.sock = plain

    def _bind_socket(self) -> None:
        """From now on every send and receive of the socket is held to the deadline."""
        self.sock = _DeadlineSocket(self.sock, lambda: self.deadline)


class _HTTPConnection(_TimedConnect):
    def connect(self) -> None:
        super().connect()
        self._bind_socket()


class _HTTPSConnection(http.client.HTTPSConnection, _TimedConnect):
    def connect(self) -> None:
        super().connect()  # HTTPSConnection.connect: _TimedConnect.connect, then TLS
        self._bind_socket()


def _open(
    kind: type[_HTTPConnection | _HTTPSConnection], deadline: float
) -> Callable[..., http.client.HTTPConnection]:
    """For urllib: a factory of ``kind`` connections held to ``deadline``."""

    def make(host: str, /, **options: Any) -> http.client.HTTPConnection:
        connection = kind(host, **options)
        connection.deadline = deadline
        return connection

    return make


class _DeadlineHandler(urllib.request.HTTPSHandler, urllib.request.HTTPHandler):
    """urllib's http:// and https:// handler, on connections held to one request's deadline."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_open(_HTTPConnection, self.deadline), req)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_open(_HTTPSConnection, self.deadline), req)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is returned as it came, as on the direct path (http.client follows nothing)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# ------------------------------------------------------------ the pool


class ConnectionPool:
    """Kept-alive connections to one origin (scheme, host, port), shared by threads.

    Args:
        base_url: ``http://`` or ``https://``, with an optional path prefix.
        timeout: seconds one request may take in all (connect, send, the answer's head and
            body); past it :meth:`request` raises :class:`TimeoutError`.
    """

    def __init__(self, base_url: str, *, timeout: float) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ArgumentError(
                "argument.base_url", f"the base URL must be http:// or https://, not {base_url!r}"
            )
        if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
            raise ArgumentError(
                "argument.timeout",
                f"the timeout must be a positive number of seconds, not {timeout!r}",
            )
        self.base_url = base_url.rstrip("/")
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._idle: list[_HTTPConnection | _HTTPSConnection] = []
        self._lock = threading.Lock()
        self._proxied = (
            not is_loopback(base_url)
            and bool(urllib.request.getproxies())
            and not urllib.request.proxy_bypass(parts.hostname)
        )

    def _connection(self) -> tuple[_HTTPConnection | _HTTPSConnection, bool]:
        """An idle connection (True: it was used before) or a new one (False)."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        kind = _HTTPSConnection if self._scheme == "https" else _HTTPConnection
        return kind(self._host, self._port, timeout=self.timeout), False

    def _release(self, connection: _HTTPConnection | _HTTPSConnection) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close every idle connection (calls still running close theirs when they end)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: Mapping[str, str],
        *,
        limit: int,
    ) -> Answer:
        """Send one request and read its answer (at most ``limit + 1`` body bytes).

        Raises:
            TimeoutError: the whole exchange took longer than :attr:`timeout` seconds.
        """
        deadline = time.monotonic() + self.timeout
        try:
            if self._proxied:
                return self._through_urllib(method, path, body, headers, limit, deadline)
            return self._direct(method, path, body, headers, limit, deadline)
        except TimeoutError as error:
            raise TimeoutError(
                f"{method} {path}: no whole answer within the timeout of {self.timeout} s"
            ) from error

    def _direct(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: Mapping[str, str],
        limit: int,
        deadline: float,
    ) -> Answer:
        while True:
            connection, reused = self._connection()
            connection.deadline = deadline
            response = None
            try:
                connection.request(method, self.prefix + path, body=body, headers=dict(headers))
                response = connection.getresponse()
                data = response.read(limit + 1)
            except _STALE:
                connection.close()
                if reused:
                    continue  # the server closed it while idle: once more, on a new connection
                raise
            except BaseException:
                # The response's reader holds the socket too (an answer with "Connection:
                # close" detaches it from the connection): close both, or the socket stays
                # open for as long as the exception is kept (a notebook keeps the last one).
                if response is not None:
                    response.close()
                connection.close()
                raise
            if response.will_close or not response.isclosed():
                connection.close()  # the server closes it, or a body is left unread (too long)
            else:
                self._release(connection)
            return Answer(response.status, response.headers, data)

    def _through_urllib(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: Mapping[str, str],
        limit: int,
        deadline: float,
    ) -> Answer:
        # A new opener per request: its handler carries this request's deadline, and urllib's
        # ProxyHandler reads the proxy settings from the environment as they are now.
        opener = urllib.request.build_opener(_NoRedirects(), _DeadlineHandler(deadline))
        outgoing = urllib.request.Request(  # noqa: S310 - the scheme was checked to be http(s)
            self.base_url + path, data=body, method=method, headers=dict(headers)
        )
        try:
            with opener.open(outgoing, timeout=_left(deadline)) as answer:
                return Answer(answer.status, answer.headers, answer.read(limit + 1))
        except urllib.error.HTTPError as error:
            try:
                return Answer(error.code, error.headers, error.read(limit + 1))
            finally:
                error.close()
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise error.reason from error  # sending timed out (urllib wraps that one)
            raise


__all__ = ["MAX_IDLE_CONNECTIONS", "Answer", "ConnectionPool", "is_loopback"]
