"""The practice client's HTTP (jwe_steps/client_http.py): connections are kept and reused, a
connection the server closed while idle is replaced, an over-long answer is cut off and its
connection dropped, a proxy named by the environment is honoured, and the timeout is one
deadline for the whole exchange, which a server trickling its answer cannot stretch."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from trickling_server import TricklingServer

from jwe_steps.client import AnswerError, ArgumentError, PracticeClient
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
    assert ConnectionPool("http://api.example.com", timeout=5)._proxied
    assert not ConnectionPool("http://127.0.0.1:8000", timeout=5)._proxied
    monkeypatch.setenv("NO_PROXY", "api.example.com")
    assert not ConnectionPool("http://api.example.com", timeout=5)._proxied


def test_only_http_and_https_urls(server):
    with pytest.raises(ArgumentError) as caught:
        ConnectionPool("ftp://example.com", timeout=5)
    assert caught.value.code == "argument.base_url" and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.example.com",  # the server's JWKS would come over plain http
        "http://192.0.2.1:8000",
        "http://127.0.0.1.example.com",
        "ftp://127.0.0.1",
        "https://user:secret@api.example.com",
        "https://api.example.com/?x=1",
        "https://api.example.com/#top",
        "https://api.example.com:port",
        "https://api .example.com",
        "https://api.example.com/\n",
        "https://",
        7,
    ],
)
def test_the_practice_client_refuses_a_base_url_its_keys_could_not_safely_come_from(base_url):
    with pytest.raises(ArgumentError) as caught:
        PracticeClient(base_url)
    assert caught.value.code == "argument.base_url"
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    "base_url",
    ["https://api.example.com", "https://api.example.com:8443/prefix", "http://127.0.0.1:8000",
     "http://127.0.0.2", "http://localhost:8000/", "http://[::1]:8000"],
)  # fmt: skip
def test_the_practice_client_takes_https_anywhere_and_http_to_this_machine(base_url):
    with PracticeClient(base_url) as client:
        assert client.base_url == base_url.rstrip("/")


@pytest.mark.parametrize(("argument", "code"), [("profile", "argument.profile"),
                                                ("timeout", "argument.timeout")])  # fmt: skip
def test_the_practice_clients_other_arguments_are_checked_with_codes(argument, code):
    with pytest.raises(ArgumentError) as caught:
        PracticeClient("http://127.0.0.1:8000", **{argument: "fast"})
    assert caught.value.code == code


# ------------------------------------------------------------ one deadline for the whole exchange
#
# `timeout` bounds the whole request, not each read of the socket: a server that sends one byte
# every 0.2 s must not keep a call with timeout=1 open until its answer is complete (100 s here).


@pytest.fixture(params=["head", "body"])
def trickling(request: pytest.FixtureRequest) -> Iterator[TricklingServer]:
    with TricklingServer(request.param, interval=0.2, length=500) as server:
        assert server.trickle_seconds >= 100
        yield server


def test_a_trickled_answer_times_out_at_the_deadline(trickling):
    pool = ConnectionPool(trickling.url, timeout=1)
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        pool.request("GET", "/", None, {}, limit=1000)
    elapsed = time.monotonic() - start
    assert trickling.requests == 1  # the request went out; the answer is what was slow
    assert 0.9 <= elapsed < 10  # not before the deadline, and long before the trickle ends
    assert trickling.finished == 0
    assert pool._idle == []  # the connection was dropped, not kept for the next call


def test_a_timed_out_call_closes_its_socket_while_the_exception_is_kept(trickling):
    # The answer says "Connection: close", so its reader holds the socket, not the connection:
    # a notebook keeps the last exception (and with it the reader) for as long as it runs.
    pool = ConnectionPool(trickling.url, timeout=1)
    with pytest.raises(TimeoutError) as caught:
        pool.request("GET", "/", None, {}, limit=1000)
    deadline = time.monotonic() + 10
    while not trickling.dropped and time.monotonic() < deadline:
        time.sleep(0.05)
    assert trickling.dropped == 1, "the server could still send: the socket is open"
    assert caught.value is not None  # still held


def test_the_practice_client_times_out_on_a_trickled_answer(trickling):
    with PracticeClient(trickling.url, timeout=1) as client:
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            client.fetch_jwks()
        assert time.monotonic() - start < 10
    assert trickling.finished == 0


@pytest.mark.parametrize(
    ("base_url", "variable", "mode"),
    [
        # http:// through a proxy: the proxy itself answers, its body a byte at a time.
        ("http://api.example.com", "HTTP_PROXY", "body"),
        # https:// through a proxy: its answer to CONNECT, a byte at a time.
        ("https://api.example.com", "HTTPS_PROXY", "head"),
    ],
    ids=["http-answer", "https-connect"],
)
def test_a_proxy_that_trickles_its_answer_times_out_too(monkeypatch, base_url, variable, mode):
    with TricklingServer(mode, interval=0.2, length=500) as proxy:
        monkeypatch.setenv(variable, proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        pool = ConnectionPool(base_url, timeout=1)
        assert pool._proxied
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            pool.request("GET", "/", None, {}, limit=1000)
        assert time.monotonic() - start < 10
        assert proxy.requests == 1 and proxy.finished == 0


def test_sending_to_a_server_that_never_reads_times_out():
    with socket.create_server(("127.0.0.1", 0)) as listener:  # never accepts, never reads
        pool = ConnectionPool(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=1)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            pool.request("POST", "/", b"x" * (32 << 20), {}, limit=1000)  # more than any buffer
        assert time.monotonic() - start < 10


def test_a_slow_answer_within_the_deadline_arrives_whole():
    with TricklingServer("body", interval=0.05, length=6) as server:
        answer = ConnectionPool(server.url, timeout=10).request("GET", "/", None, {}, limit=100)
    assert (answer.status, answer.body) == (200, b" " * 6)


def test_each_call_on_a_kept_connection_gets_its_own_deadline(server):
    pool = ConnectionPool(url(server), timeout=1)
    assert pool.request("GET", "/", None, {}, limit=1000).body == b"ok"
    time.sleep(1.5)  # longer than the timeout: the next call's deadline starts when it does
    assert pool.request("GET", "/", None, {}, limit=1000).body == b"ok"
    assert len(server.peers) == 1  # and it went over the same kept-alive connection
    pool.close()


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), None])
def test_the_timeout_is_a_positive_number_of_seconds(timeout):
    with pytest.raises(ArgumentError) as caught:
        ConnectionPool("http://127.0.0.1:8000", timeout=timeout)
    assert caught.value.code == "argument.timeout"


def test_a_tls_handshake_that_never_ends_times_out():
    with socket.create_server(("127.0.0.1", 0)) as listener:  # TCP connects, TLS never answers
        pool = ConnectionPool(f"https://127.0.0.1:{listener.getsockname()[1]}", timeout=1)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            pool.request("GET", "/", None, {}, limit=1000)
        assert 0.9 <= time.monotonic() - start < 10


class Redirecting(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.requests += 1  # type: ignore[attr-defined]
        self.send_response(302)
        self.send_header("Location", "http://elsewhere.example.com/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_no_redirect_is_followed_through_a_proxy_either(monkeypatch):
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    proxy.requests = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("HTTP_PROXY", url(proxy))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        pool = ConnectionPool("http://api.example.com", timeout=5)
        assert pool._proxied
        assert pool.request("GET", "/", None, {"X-Client-Id": "c"}, limit=1000).status == 302
        assert proxy.requests == 1  # the client id went nowhere else
    finally:
        proxy.shutdown()
        proxy.server_close()


# --------------------------------------------- answers the practice client cannot use: coded

ANSWERS = {
    # name: (path answered, status, body, the AnswerError code)
    "jwks not json": ("/.well-known/jwks.json", 200, b"<html>not json</html>", "answer.json"),
    "jwks too deep": ("/.well-known/jwks.json", 200, b"[" * 100_000 + b"]" * 100_000, "answer.json"),
    "jwks not an object": ("/.well-known/jwks.json", 200, b"[1, 2]", "answer.json"),
    "jwks without keys": ("/.well-known/jwks.json", 200, b'{"keys": []}', "answer.jwks"),
    # A published JWKS with secrets in it: refused before any of its keys is parsed (a crafted
    # private RSA entry costs up to seconds to check; a fuzzer sent ten).
    "jwks with private members": ("/.well-known/jwks.json", 200,
                                  b'{"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQ"}]}',
                                  "answer.jwks"),
    "client_id with a header": ("/v1/clients", 201, b'{"client_id": "c\\r\\nX-Injected: 1"}',
                                "answer.client_id"),
    "client_id missing": ("/v1/clients", 201, b'{"id": "c"}', "answer.client_id"),
    "answer too large": ("/v1/clients", 201, b" " * ((2 << 20) + 1), "answer.too_large"),
}  # fmt: skip


class Unusable(BaseHTTPRequestHandler):
    answer: tuple[str, int, bytes, str] = ("", 200, b"", "")

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self) -> None:
        path, status, body, _ = self.answer
        if self.path != path:
            status, body = 404, b'{"error": {"code": "api.not_found"}}'
        if self.command == "POST":
            self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply


@pytest.mark.parametrize("case", list(ANSWERS))
def test_an_answer_the_client_cannot_use_is_an_answer_error_with_a_code(case):
    handler = type("Answering", (Unusable,), {"answer": ANSWERS[case]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with PracticeClient(f"http://127.0.0.1:{server.server_address[1]}", timeout=10) as client:
            registering = ANSWERS[case][0] == "/v1/clients"
            with pytest.raises(AnswerError) as caught:
                client.register() if registering else client.server_key
        assert caught.value.code == ANSWERS[case][3]
        assert "X-Injected" not in str(caught.value)  # the server's text is not echoed
    finally:
        server.shutdown()
        server.server_close()
