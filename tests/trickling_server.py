"""A loopback HTTP server that answers every request one byte at a time (a test helper).

A client whose timeout only bounds each read of the socket never gives up on it: every read
gets a byte before its timeout. A client with a deadline for the whole exchange does.

    with TricklingServer("body", interval=0.2, length=500) as server:
        ...  # call server.url; the answer would take 100 s to arrive in full

Modes: ``"head"`` trickles the whole answer from its status line on; ``"body"`` sends the
status line and headers at once (``Content-Length: length``), then trickles the body;
``"flood"`` sends the head, then the body as fast as the client takes it (a client that caps
what it reads stops it early: :attr:`TricklingServer.sent` says how far it got).
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType

HEAD_LIMIT = 64 * 1024


class TricklingServer:
    def __init__(
        self,
        mode: str,
        *,
        interval: float = 0.2,
        length: int = 500,
        content_type: str = "application/json",
    ) -> None:
        if mode not in ("head", "body", "flood"):
            raise ValueError(f"mode must be 'head', 'body' or 'flood', not {mode!r}")
        self.mode, self.interval, self.length = mode, interval, length
        self.content_type = content_type
        self.requests = 0  # requests whose head was read
        self.finished = 0  # answers sent in full
        self.sent = 0  # bytes of answers sent, all connections together
        self.dropped = 0  # answers cut short because the client closed the connection
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    @property
    def trickle_seconds(self) -> float:
        """How long one answer takes to arrive in full (its trickled part)."""
        return self.interval * len(self._answer_parts()[1])

    def _head(self) -> bytes:
        return (
            f"HTTP/1.1 200 OK\r\nContent-Type: {self.content_type}\r\n"
            f"Content-Length: {self.length}\r\nConnection: close\r\n\r\n"
        ).encode("ascii")

    def _answer_parts(self) -> tuple[bytes, bytes]:
        """(sent at once, trickled)."""
        body = b" " * self.length  # JSON whitespace: harmless if it ever arrived in full
        return (b"", self._head() + body) if self.mode == "head" else (self._head(), body)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._answer, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _read_request(self, connection: socket.socket) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(4096)
            if not chunk or len(data) > HEAD_LIMIT:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return False
            body += chunk
        self.requests += 1
        return True

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(30)
            try:
                if not self._read_request(connection):
                    return
                if self.mode == "flood":
                    self._flood(connection)
                    return
                at_once, trickled = self._answer_parts()
                if at_once:
                    connection.sendall(at_once)
                    self.sent += len(at_once)
                for index in range(len(trickled)):
                    if self._stop.wait(self.interval):
                        return
                    connection.sendall(trickled[index : index + 1])
                    self.sent += 1
                self.finished += 1
            except OSError:
                self.dropped += 1  # the client gave up and closed the connection

    def _flood(self, connection: socket.socket) -> None:
        connection.sendall(self._head())
        chunk, left = b" " * 65536, self.length
        while left > 0 and not self._stop.is_set():
            piece = chunk[: min(left, len(chunk))]
            connection.sendall(piece)
            self.sent += len(piece)
            left -= len(piece)
        if left == 0:  # not when close() stopped it first: the client then read no more either
            self.finished += 1

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._accepting.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> TricklingServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
