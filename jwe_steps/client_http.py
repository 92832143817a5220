"""HTTP for :class:`jwe_steps.client.PracticeClient`: kept-alive connections, bounded answers.

Opening a TCP connection for every call costs more than the JOSE work of a small request, so
the client keeps connections open between calls (HTTP/1.1 keep-alive) in a small pool that
threads share: a call takes an idle connection, or opens one, and gives it back once the whole
answer has been read. A connection the server closed while it sat idle (the practice server
closes idle ones after a few seconds) fails before any answer arrives; that call is sent once
more on a fresh connection. The server's replay cache makes a repeat harmless either way: a
request that did arrive is answered ``409 replay.jti_seen`` the second time, never twice.

When the environment names a proxy for the URL's host (``HTTP_PROXY``, ``HTTPS_PROXY``,
``NO_PROXY``), the call goes through ``urllib``, which speaks to proxies; a loopback URL never
goes through a proxy.
"""

from __future__ import annotations

import http.client
import ipaddress
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import Message

MAX_IDLE_CONNECTIONS = 16
"""Idle connections kept per client; more than that are closed after their call."""

# What a connection the server closed while idle looks like on the next request.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


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


class ConnectionPool:
    """Kept-alive connections to one origin (scheme, host, port), shared by threads."""

    def __init__(self, base_url: str, *, timeout: float) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the base URL must be http:// or https://, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        proxied = (
            not is_loopback(base_url)
            and bool(urllib.request.getproxies())
            and not urllib.request.proxy_bypass(parts.hostname)
        )
        self._opener = urllib.request.build_opener() if proxied else None

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """An idle connection (True: it was used before) or a new one (False)."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        kind = (
            http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        )
        return kind(self._host, self._port, timeout=self.timeout), False

    def _release(self, connection: http.client.HTTPConnection) -> None:
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
        """Send one request and read its answer (at most ``limit + 1`` body bytes)."""
        if self._opener is not None:
            return self._through_urllib(method, path, body, headers, limit)
        while True:
            connection, reused = self._connection()
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
                connection.close()
                raise
            if response.will_close or not response.isclosed():
                connection.close()  # the server closes it, or a body is left unread (too long)
            else:
                self._release(connection)
            return Answer(response.status, response.headers, data)

    def _through_urllib(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str], limit: int
    ) -> Answer:
        assert self._opener is not None
        outgoing = urllib.request.Request(  # noqa: S310 - the scheme was checked to be http(s)
            self.base_url + path, data=body, method=method, headers=dict(headers)
        )
        try:
            with self._opener.open(outgoing, timeout=self.timeout) as answer:
                return Answer(answer.status, answer.headers, answer.read(limit + 1))
        except urllib.error.HTTPError as error:
            data = error.read(limit + 1)
            error.close()
            return Answer(error.code, error.headers, data)


__all__ = ["MAX_IDLE_CONNECTIONS", "Answer", "ConnectionPool", "is_loopback"]
