"""The practice client's HTTP (jwe_steps/client_http.py): connections are kept and reused, a
connection the server closed while idle is replaced, an over-long answer is cut off and its
connection dropped, and a proxy named by the environment is honoured."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jwe_steps.client_http import MAX_IDLE_CONNECTIONS, ConnectionPool


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_GET(self) -> None:
        self.server.peers.add(self.client_address)  # type: ignore[attr-defined]
        body = b"x" * 100 if self.path == "/long" else b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[ThreadingHTTPServer]:
    running = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    running.peers = set()  # type: ignore[attr-defined]
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_calls_share_one_kept_alive_connection(server):
    pool = ConnectionPool(url(server), timeout=5)
    for _ in range(5):
        answer = pool.request("GET", "/", None, {}, limit=1000)
        assert (answer.status, answer.body) == (200, b"ok")
    assert len(server.peers) == 1  # one client port: one TCP connection
    pool.close()


def test_a_connection_the_server_closed_is_replaced(server):
    pool = ConnectionPool(url(server), timeout=5)
    assert pool.request("GET", "/", None, {}, limit=1000).body == b"ok"
    for connection in pool._idle:  # what a server's idle timeout does to the kept connection
        assert connection.sock is not None
        connection.sock.shutdown(2)
    assert pool.request("GET", "/", None, {}, limit=1000).body == b"ok"
    assert len(server.peers) == 2


def test_connection_close_and_an_over_long_answer_drop_the_connection(server):
    pool = ConnectionPool(url(server), timeout=5)
    assert pool.request("GET", "/close", None, {}, limit=1000).body == b"ok"
    assert pool._idle == []
    assert pool.request("GET", "/long", None, {}, limit=10).body == b"x" * 11  # limit + 1
    assert pool._idle == []  # its unread rest would corrupt the next answer
    assert pool.request("GET", "/", None, {}, limit=1000).body == b"ok"
    assert len(pool._idle) == 1


def test_threads_share_the_pool_and_it_keeps_a_bounded_number_idle(server):
    pool = ConnectionPool(url(server), timeout=5)
    errors: list[BaseException] = []

    def calls() -> None:
        try:
            for _ in range(10):
                assert pool.request("GET", "/", None, {}, limit=1000).body == b"ok"
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=calls) for _ in range(MAX_IDLE_CONNECTIONS + 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(pool._idle) <= MAX_IDLE_CONNECTIONS


def test_a_proxy_from_the_environment_is_used_except_for_loopback(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert ConnectionPool("http://api.example.com", timeout=5)._opener is not None
    assert ConnectionPool("http://127.0.0.1:8000", timeout=5)._opener is None
    monkeypatch.setenv("NO_PROXY", "api.example.com")
    assert ConnectionPool("http://api.example.com", timeout=5)._opener is None


def test_only_http_and_https_urls(server):
    with pytest.raises(ValueError):
        ConnectionPool("ftp://example.com", timeout=5)
