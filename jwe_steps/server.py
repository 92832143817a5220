"""The practice API: a small HTTP server that speaks JWE the way provider APIs do. DEMO keys only.

Two profiles (the README's "A practice API that speaks JWE" is the protocol's reference):

- ``signed`` (the default) is what a real provider does. Each request is a compact JWE to a
  current server encryption key whose plaintext is a JWS signed by the client's registered
  signing key, of JWT claims ``iss`` (the client id, equal to ``X-Client-Id``), ``aud``
  (:data:`AUDIENCE`), ``iat``, ``exp`` (at most :data:`MAX_LIFETIME` s after ``iat``), a
  unique ``jti``, ``pan`` and ``name``. Each ``jti`` is remembered for as long as its token
  could be valid, so a captured request cannot be played again, by anyone. The answer is signed
  by the server, bound to the request (``in_reply_to`` is the request's ``jti``) and encrypted
  to the client's encryption key.
- ``encrypt-only`` is the unsigned exchange of the first lesson: a JWE of ``{"pan", "name"}``.
  It is **not safe**: anyone can encrypt to a public key, so the server cannot tell who sent a
  request, and a captured request re-sent under another ``X-Client-Id`` makes the server
  encrypt the victim's PAN to the attacker. Notebook 09 runs that attack against it.

Errors are JSON ``{"error": {"code", "stage", "message"}}``; the code is one of
:data:`jwe_steps.errors.CODES`, chosen from the error's own ``code``, never from its words.
Key-dependent failures (a wrong key, a wrong OAEP hash, an altered part) are all one
``decryption.failed`` (RFC 7516 §11.5); the token's public format gets its own codes, since
anyone can see it without a key. No answer ever contains plaintext or key material.

Bounded by default: a 64 KiB body cap (the same cap for what ``zip`` may inflate to, and the
signed profile refuses ``zip`` outright), head/body/keep-alive timeouts, a cap on clients, a
cap on the replay cache, registrations written off the event loop (answers are computed on it:
bounded CPU work, see :func:`verify_pan`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import Stage
from .keys import Key
from .server_errors import DECRYPTION_FAILED, ApiError, answer_for, api_error, classify
from .server_http import DEFAULT_TIMEOUTS, MAX_CONNECTIONS, Timeouts, log_config, protocol_class
from .server_kyc import answer_pan_request
from .server_protocol import (
    ALG,
    AUDIENCE,
    ENC,
    LEEWAY,
    MAX_BODY_BYTES,
    MAX_LIFETIME,
    PAN_PATTERN,
    parse_json_object,
)
from .server_registration import client_record_from
from .server_state import (
    GRACE_SECONDS,
    MAX_CLIENTS,
    SERVER_KEY_FILE,
    Practice,
    Profile,
    StateError,
)

JOSE_MEDIA_TYPE = "application/jose"
JSON_MEDIA_TYPE = "application/json"
JWKS_MAX_AGE = 300

ENCRYPT_ONLY_WARNING = (
    "WARNING: profile encrypt-only: requests are not signed, so this server cannot tell who "
    "sent them and answers a replayed request to whoever re-sends it. For the replay lesson "
    "only; the default profile (signed) is the one to copy."
)

logger = logging.getLogger("jwe_steps.server")


# ---------------------------------------------------------------- reading a request


# A Content-Type parameter (RFC 9110 §5.6.6): a token name, then a token or a quoted string.
_PARAMETER = re.compile(
    r';[ \t]*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^;]*)'
)
_QUOTED_PAIR = re.compile(r"\\(.)")
# The charsets a body may declare: both read as UTF-8 does (JSON is UTF-8, RFC 8259 §8.1; a
# compact JWE is ASCII, RFC 7516 §7.1).
JSON_CHARSETS = frozenset({"utf-8"})
JOSE_CHARSETS = frozenset({"utf-8", "us-ascii"})


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _charsets(request: Request) -> list[str]:
    """Every ``charset`` parameter of the Content-Type, unquoted and lowercased."""
    found: list[str] = []
    for name, value in _PARAMETER.findall(request.headers.get("content-type", "")):
        if name.lower() == "charset":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = _QUOTED_PAIR.sub(r"\1", value[1:-1])
            found.append(value.lower())
    return found


def _require_media_type(request: Request, expected: str, charsets: frozenset[str]) -> None:
    """The media type must be ``expected``; a charset, if given, one of ``charsets``: the body
    is read as UTF-8 whatever it says, so a body in another charset is refused, not misread."""
    found = _media_type(request)
    if found != expected:
        raise api_error(
            415,
            "api.content_type",
            f"unsupported Content-Type: expected {expected}, found {found[:60] or 'none'}.",
        )
    for charset in _charsets(request):
        if charset not in charsets:
            raise api_error(
                415,
                "api.content_type",
                f"unsupported charset in Content-Type: expected {expected} in "
                f"{' or '.join(sorted(charsets))} (or no charset), found charset "
                f"{charset[:40]!r}.",
            )


def _too_large(found: str) -> ApiError:
    return api_error(
        413,
        "api.body_size",
        f"the request body is too large: expected at most {MAX_BODY_BYTES} bytes, found {found}.",
        stage=str(Stage.LIMITS),
    )


def _check_declared_length(request: Request) -> None:
    """Refuse an oversized body from its Content-Length, before reading any of it.

    A malformed Content-Length never gets here under ``jwe-steps serve``: llhttp refuses it
    first, answered ``400 api.content_length`` by :mod:`jwe_steps.server_http`. This check
    keeps the same answer for the app run by any other server.
    """
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise api_error(
            400, "api.content_length", "malformed Content-Length: expected a number of bytes."
        )
    if int(declared) > MAX_BODY_BYTES:
        raise _too_large(f"Content-Length {int(declared)}")


async def read_body(request: Request, timeout: float) -> bytes:
    """The body, counted as it streams in: past the cap, stop and answer 413; past
    ``timeout`` seconds, stop and answer 408."""
    _check_declared_length(request)
    chunks: list[bytes] = []
    total = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                total += len(chunk)
                if total > MAX_BODY_BYTES:
                    raise _too_large(f"more than {MAX_BODY_BYTES} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise api_error(
            408, "api.body_timeout", f"the request body did not arrive within {timeout} s."
        ) from None
    except ClientDisconnect:
        raise api_error(400, "api.disconnect", "the client went away.") from None
    return b"".join(chunks)


# ---------------------------------------------------------------- endpoints


def _practice(request: Request) -> Practice:
    practice: Practice = request.app.state.practice
    return practice


def _timeouts(request: Request) -> Timeouts:
    timeouts: Timeouts = request.app.state.timeouts
    return timeouts


async def index(request: Request) -> JSONResponse:
    """What this server is, and where its endpoints are."""
    practice = _practice(request)
    return JSONResponse(
        {
            "service": "jwe-steps practice API",
            "notice": "DEMO keys, for learning only: never send real personal data.",
            "profile": practice.profile,
            "alg": ALG,
            "enc": ENC,
            "audience": AUDIENCE,
            "endpoints": {
                "GET /.well-known/jwks.json": "the server's public keys (enc and sig)",
                "POST /v1/clients": 'JSON {"jwks": {"keys": [<enc JWK>, <sig JWK>]}} '
                '-> 201 {"client_id"}',
                "POST /v1/kyc/pan": "application/jose + X-Client-Id: a JWE of a signed JWT "
                "-> a JWE of a signed JWT answer",
                "POST /v1/practice/rotate": "start a rotation of the server's encryption key",
            },
        }
    )


async def jwks(request: Request) -> JSONResponse:
    practice = _practice(request)
    return JSONResponse(
        practice.keys.jwks(practice.clock()),
        headers={"Cache-Control": f"public, max-age={JWKS_MAX_AGE}"},
    )


async def register_client(request: Request) -> JSONResponse:
    practice = _practice(request)
    _check_declared_length(request)
    _require_media_type(request, JSON_MEDIA_TYPE, JSON_CHARSETS)
    body = await read_body(request, _timeouts(request).body)
    document = parse_json_object(body, "the request body")
    record = await run_in_threadpool(client_record_from, document, practice.profile)
    await run_in_threadpool(practice.register, record)
    return JSONResponse({"client_id": record.client_id}, status_code=201)


async def verify_pan(request: Request) -> Response:
    practice = _practice(request)
    _check_declared_length(request)
    _require_media_type(request, JOSE_MEDIA_TYPE, JOSE_CHARSETS)
    client = practice.client(request.headers.get("x-client-id"))
    body = await read_body(request, _timeouts(request).body)
    request_id = "req-" + secrets.token_hex(8)
    # On the event loop, not in a worker thread: the work is bounded (a body of at most
    # MAX_BODY_BYTES, one private-key operation on the server's key, one signature check and
    # one public-key operation on registered keys: ~0.5 ms with the 2048-bit demo key). A
    # worker thread was measured (benchmarks/bench_server.py) to add ~0.3 ms of hops to every
    # round trip and to lower, not raise, the rate with 16 clients at a time.
    token = answer_pan_request(practice, client, body, request_id)
    return Response(token, media_type=JOSE_MEDIA_TYPE, headers={"X-Request-Id": request_id})


async def rotate(request: Request) -> JSONResponse:
    practice = _practice(request)
    await read_body(request, _timeouts(request).body)  # no body expected; none is used
    return JSONResponse(await run_in_threadpool(practice.rotate))


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "api.not_found", 405: "api.method_not_allowed"}.get(
        exc.status_code, "api.internal"
    )
    message = f"[input] {exc.detail}: {request.method} {request.url.path[:80]}"
    return ApiError(exc.status_code, code, "input", message).response()


async def _internal_error(request: Request, exc: Exception) -> Response:
    logger.error("internal error answering %s %s", request.method, request.url.path[:80])
    return ApiError(
        500, "api.internal", "server", "[server] internal error; details are in the server log."
    ).response()


def create_app(
    state_dir: str | os.PathLike[str] | None = None,
    *,
    key: Key | None = None,
    profile: Profile = "signed",
    clock: Callable[[], float] = time.time,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
) -> Starlette:
    """The practice API as a Starlette app (see :meth:`Practice.open` for the arguments).

    ``clock`` returns the time in seconds since the epoch: claims, the replay cache and key
    rotation all read it, so tests move time without sleeping.
    """
    practice = Practice.open(state_dir, key=key, profile=profile, clock=clock)
    app = Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/v1/clients", register_client, methods=["POST"]),
            Route("/v1/kyc/pan", verify_pan, methods=["POST"]),
            Route("/v1/practice/rotate", rotate, methods=["POST"]),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    app.state.practice = practice
    app.state.timeouts = timeouts
    return app


# ---------------------------------------------------------------- running it


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0 picks a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it every keep-alive answer waits ~40 ms for the client's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _uvicorn_server(app: Starlette, *, access_log: bool) -> Any:
    import uvicorn

    timeouts: Timeouts = app.state.timeouts
    config = uvicorn.Config(
        app,
        http=protocol_class(timeouts),
        ws="none",  # no endpoint speaks WebSocket: an Upgrade is an ordinary request
        log_config=log_config(access_log=access_log),
        access_log=access_log,
        lifespan="off",
        timeout_keep_alive=max(1, round(timeouts.keep_alive)),
        limit_concurrency=MAX_CONNECTIONS,
        timeout_graceful_shutdown=5,
        server_header=False,
        # Never behind a proxy: the peer's own address, not one an X-Forwarded-For header
        # names, is what the access log shows (and one middleware less on every request).
        proxy_headers=False,
    )
    return uvicorn.Server(config)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    state_dir: str | os.PathLike[str] | None = None,
    *,
    profile: Profile = "signed",
    access_log: bool = False,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Run the practice API until interrupted (Ctrl+C). ``announce`` gets the URL once bound.

    Logs (warnings, and the access log if asked for) go to stderr, never stdout.
    """
    app = create_app(state_dir, profile=profile)
    if profile == "encrypt-only":
        print(ENCRYPT_ONLY_WARNING, file=sys.stderr, flush=True)
    sock = bind(host, port)
    try:
        if announce is not None:
            announce(url_of(sock))
        _uvicorn_server(app, access_log=access_log).run(sockets=[sock])
    finally:
        sock.close()


class BackgroundServer:
    """The practice API on a free loopback port, in a background thread of this process.

    For tests, benchmarks and notebooks::

        with BackgroundServer() as server:
            client = PracticeClient(server.url)

    or ``server.start()`` ... ``server.stop()`` across notebook cells.
    """

    def __init__(
        self,
        state_dir: str | os.PathLike[str] | None = None,
        *,
        key: Key | None = None,
        profile: Profile = "signed",
        clock: Callable[[], float] = time.time,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.app = create_app(state_dir, key=key, profile=profile, clock=clock, timeouts=timeouts)
        self.host = host
        self.port = port
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def state(self) -> Practice:
        practice: Practice = self.app.state.practice
        return practice

    @property
    def warning(self) -> str | None:
        """What ``jwe-steps serve`` prints on stderr for this profile (None when safe)."""
        return ENCRYPT_ONLY_WARNING if self.state.profile == "encrypt-only" else None

    def start(self, timeout: float = 15.0) -> BackgroundServer:
        if self._thread is not None:
            raise RuntimeError("this server is already running")
        self._socket = bind(self.host, self.port)
        self.url = url_of(self._socket)
        self._server = _uvicorn_server(self.app, access_log=False)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"jwe-steps practice server {self.url}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the practice server did not start within {timeout} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        status = f"running at {self.url}" if self._thread is not None else "stopped"
        profile = self.state.profile
        kid = self.state.key.kid
        return f"<jwe-steps practice server, profile {profile} (DEMO key {kid}), {status}>"


ServerState = Practice  # the name of the first version of this module

__all__ = [
    "ALG",
    "AUDIENCE",
    "DECRYPTION_FAILED",
    "ENC",
    "GRACE_SECONDS",
    "LEEWAY",
    "MAX_BODY_BYTES",
    "MAX_CLIENTS",
    "MAX_LIFETIME",
    "PAN_PATTERN",
    "SERVER_KEY_FILE",
    "ApiError",
    "BackgroundServer",
    "Practice",
    "ServerState",
    "StateError",
    "Timeouts",
    "answer_for",
    "answer_pan_request",
    "classify",
    "client_record_from",
    "create_app",
    "serve",
]
