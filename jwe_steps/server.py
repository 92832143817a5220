"""The practice API: a small HTTP server that speaks JWE the way provider APIs do. DEMO keys only.

Engineers learn JWE to call APIs that encrypt requests and responses. This server is one to
practise against on your own machine, with the usual conventions:

- ``GET /.well-known/jwks.json``: the server's public encryption key (RSA, ``use: "enc"``,
  ``alg: "RSA-OAEP-256"``, a ``kid``).
- ``POST /v1/clients`` (JSON ``{"jwk": <your public JWK>}``) -> 201 ``{"client_id": ...}``.
- ``POST /v1/kyc/pan`` (``Content-Type: application/jose``, header ``X-Client-Id``, body a
  compact JWE of ``{"pan": ..., "name": ...}`` encrypted to the server key with RSA-OAEP-256 +
  A256GCM) -> 200, ``application/jose``: a compact JWE to the client's key of
  ``{"pan", "valid_format", "request_id"}``.

Errors are JSON ``{"error": {"code", "stage", "message"}}``. Request bodies are decrypted with
:func:`jwe_steps.decrypt`, which keeps the uniform error of RFC 7516 §11.5: anything that
depends on the key, the CEK or the tag is reported as one ``decryption.failed``. Only problems
with the token's public format (its parts, their base64url, the header) get their own code,
because anyone can see those without a key. Error messages never contain plaintext or keys.

The keys are DEMO keys (kid ``demo-...``), made at start or kept in a state directory. This is
a practice server: bind it to loopback, and never send it real personal data.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import decrypt, encrypt
from .errors import (
    AlgorithmError,
    Base64urlError,
    HeaderError,
    InvalidKeyError,
    IVLengthError,
    JWEError,
    SerializationError,
    SizeLimitError,
    Stage,
    TagLengthError,
)
from .keys import Key, KeySet, generate_key, load_key
from .limits import Limits, MiB

ALG = "RSA-OAEP-256"
ENC = "A256GCM"
JOSE_MEDIA_TYPE = "application/jose"
JSON_MEDIA_TYPE = "application/json"
MAX_BODY_BYTES = 1 * MiB
MAX_CLIENTS = 10_000
PAN_PATTERN = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]")  # AAAAA9999A: 5 letters, 4 digits, 1 letter
MAX_MESSAGE_CHARS = 400

SERVER_KEY_FILE = "server_key.json"
CLIENTS_FILE = "clients.json"
DEMO_NOTICE = "DEMO key of the jwe-steps practice server: for learning only, never for real data."

# Members that only a private (or symmetric) JWK carries: a client must never send them.
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

# The code for every failure that involves the key, the CEK or the tag (RFC 7516 §11.5).
DECRYPTION_FAILED = "decryption.failed"
DECRYPTION_FAILED_MESSAGE = (
    "[content_decryption] the request body did not decrypt: expected a JWE encrypted to this "
    f"server's key (see /.well-known/jwks.json) with {ALG} and {ENC}, unaltered. A wrong key, "
    "a wrong OAEP hash and an altered part all end here alike (RFC 7516 §11.5). Run "
    "`jwe-steps explain` on your own token with your own test key to find out which."
)


class ApiError(Exception):
    """An error answer: HTTP status plus the ``{"error": {code, stage, message}}`` body."""

    def __init__(self, status: int, code: str, stage: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.stage = stage
        self.message = message[:MAX_MESSAGE_CHARS]

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "stage": self.stage, "message": self.message}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.to_dict(), status_code=self.status)


class StateError(Exception):
    """The state directory cannot be used (unreadable, corrupt, or not holding a DEMO key)."""


# ---------------------------------------------------------------- errors -> codes


def _first(message: str, table: tuple[tuple[str, str], ...], default: str) -> str:
    for needle, code in table:
        if needle in message:
            return code
    return default


_SERIALIZATION_CODES = (
    ("five parts", "format.segments"),
    ("whitespace", "format.whitespace"),
    ("not ASCII", "format.not_ascii"),
    ("JSON serialization", "format.json_serialization"),
    ("header part is empty", "format.empty_header"),
)
_BASE64URL_CODES = (
    ("padding", "base64url.padding"),
    ("standard base64 alphabet", "base64url.alphabet"),
    ("impossible length", "base64url.length"),
    ("not canonical", "base64url.noncanonical"),
    ("outside the base64url alphabet", "base64url.character"),
    ("not ASCII", "base64url.character"),
)
_HEADER_CODES = (
    ("not UTF-8", "header.utf8"),
    ("not valid JSON", "header.json"),
    ("not a JSON object", "header.json"),
    ("nests too deeply", "header.json"),
    ("non-JSON number", "header.json"),
    ("repeats a member", "header.duplicate_member"),
    ("has no '", "header.missing_member"),
    ("is not a string", "header.member_type"),
    ("'crit'", "header.crit"),
    ("'zip'", "header.zip"),
)


def classify(error: JWEError) -> tuple[int, str, str, str]:
    """``(status, code, stage, message)`` for an error from :func:`jwe_steps.decrypt`.

    Problems with the token's public format keep their stage and message: they do not depend
    on the key, so naming them tells an attacker nothing. Everything that does depend on the
    key, the CEK or the tag becomes one ``decryption.failed`` with one fixed message.
    """
    message = error.message
    if isinstance(error, SizeLimitError):
        code = "limits.token_size"
    elif isinstance(error, SerializationError):
        code = _first(message, _SERIALIZATION_CODES, "format.invalid")
    elif isinstance(error, Base64urlError):
        code = _first(message, _BASE64URL_CODES, "base64url.invalid")
    elif isinstance(error, HeaderError):
        code = _first(message, _HEADER_CODES, "header.invalid")
    elif isinstance(error, AlgorithmError):
        code = "algorithm.not_allowed"
    elif isinstance(error, InvalidKeyError) and "kid" in message:
        # The server's kids are public (the JWKS), so an unknown kid is no secret.
        code = "key.kid_unknown"
    elif isinstance(error, IVLengthError):
        code = "iv.length"
    elif isinstance(error, TagLengthError):
        code = "tag.length"
    else:
        # KeyManagementError/CEKLengthError (already masked by decrypt), DecryptionFailedError,
        # and anything else: one answer, whatever the cause.
        return 400, DECRYPTION_FAILED, str(Stage.CONTENT_DECRYPTION), DECRYPTION_FAILED_MESSAGE
    return 400, code, str(error.stage), str(error)


# ---------------------------------------------------------------- state: keys and clients


def _write_json_atomically(path: Path, data: Any, *, private: bool) -> None:
    """Write JSON to ``path`` through a temporary file, so a crash never leaves half a file."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
        os.chmod(temporary, 0o600 if private else 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise StateError(f"cannot read {path}: {error.strerror}") from None
    except ValueError:
        raise StateError(f"{path} is not valid JSON; remove it to start afresh") from None


@dataclass
class ServerState:
    """The server's DEMO key and the registered clients' public keys.

    With ``state_dir`` both are kept as JSON files there (the key in ``server_key.json``,
    readable by its owner only; the clients in ``clients.json``); without it they live in
    memory for the life of the process. Keys are parsed once and reused for every request.
    """

    key: Key
    clients: dict[str, Key] = field(default_factory=dict)
    state_dir: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def key_set(self) -> KeySet:
        return KeySet((self.key,))

    @classmethod
    def open(
        cls, state_dir: str | os.PathLike[str] | None = None, *, key: Key | None = None
    ) -> ServerState:
        """Load the state from ``state_dir`` (creating it on first use), or make a fresh one.

        ``key`` sets the server's key for an in-memory state instead of making one (a private
        RSA DEMO key, e.g. ``generate_key("RSA", kid="practice-server")``): notebooks use it to
        show a kid that is the same on every run.
        """
        if key is not None:
            if state_dir is not None:
                raise StateError("give a state directory or a key, not both")
            _check_server_key(key, "the key given")
            return cls(key=key)
        if state_dir is None:
            return cls(key=_new_server_key())
        directory = Path(state_dir)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StateError(
                f"cannot create state directory {directory}: {error.strerror}"
            ) from None
        key_path = directory / SERVER_KEY_FILE
        if key_path.exists():
            key = _load_server_key(key_path)
        else:
            key = _new_server_key()
            _write_json_atomically(
                key_path, {"notice": DEMO_NOTICE, "jwk": key.to_jwk(private=True)}, private=True
            )
        state = cls(key=key, state_dir=directory)
        clients_path = directory / CLIENTS_FILE
        if clients_path.exists():
            state.clients = _load_clients(clients_path)
        return state

    def jwks(self) -> dict[str, Any]:
        """The public JWKS served at ``/.well-known/jwks.json``."""
        return {"keys": [self.key.to_jwk()]}

    def register(self, client_key: Key) -> str:
        """Remember a client's public key; return its new client id."""
        client_id = "client-" + secrets.token_hex(8)
        with self._lock:
            if len(self.clients) >= MAX_CLIENTS:
                raise ApiError(
                    503,
                    "clients.capacity",
                    "input",
                    f"this practice server holds at most {MAX_CLIENTS} clients; restart it "
                    "(or use a fresh --state directory) to start afresh",
                )
            self.clients[client_id] = client_key
            if self.state_dir is not None:
                stored = {cid: k.to_jwk() for cid, k in self.clients.items()}
                _write_json_atomically(
                    self.state_dir / CLIENTS_FILE, {"clients": stored}, private=False
                )
        return client_id

    def client(self, client_id: str | None) -> Key:
        """The public key registered as ``client_id``, or a 401 answer."""
        key = self.clients.get(client_id) if client_id else None
        if key is None:
            found = "no X-Client-Id header" if not client_id else "an id this server never issued"
            raise ApiError(
                401,
                "client.unknown",
                "input",
                f"[input] unknown client: expected an X-Client-Id header from POST /v1/clients, "
                f"found {found}. Register your public key first.",
            )
        return key


def _new_server_key() -> Key:
    return generate_key("RSA", size=2048, alg=ALG)


def _load_server_key(path: Path) -> Key:
    stored = _read_json(path)
    jwk = stored.get("jwk") if isinstance(stored, dict) else None
    if not isinstance(jwk, dict):
        raise StateError(f"{path} does not hold a 'jwk' object; remove it to start afresh")
    try:
        key = load_key(jwk)
    except JWEError as error:
        raise StateError(f"{path}: {error}") from None
    _check_server_key(key, str(path))
    return key


def _check_server_key(key: Key, where: str) -> None:
    if key.kty != "RSA" or not key.is_private:
        raise StateError(f"{where} must be a private RSA key")
    if not key.demo:
        raise StateError(
            f"{where} is a key whose kid does not start with 'demo-': this practice server "
            "only uses DEMO keys"
        )


def _load_clients(path: Path) -> dict[str, Key]:
    stored = _read_json(path)
    entries = stored.get("clients") if isinstance(stored, dict) else None
    if not isinstance(entries, dict):
        raise StateError(f"{path} does not hold a 'clients' object; remove it to start afresh")
    clients: dict[str, Key] = {}
    for client_id, jwk in entries.items():
        try:
            clients[str(client_id)] = load_key(jwk)
        except JWEError as error:
            raise StateError(f"{path}: client {client_id!r}: {error}") from None
    return clients


# ---------------------------------------------------------------- request checks


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _require_media_type(request: Request, expected: str) -> None:
    found = _media_type(request)
    if found != expected:
        raise ApiError(
            415,
            "http.content_type",
            "input",
            f"[input] unsupported Content-Type: expected {expected}, found {found[:60] or 'none'}.",
        )


def _too_large(found: str) -> ApiError:
    return ApiError(
        413,
        "limits.body_size",
        str(Stage.LIMITS),
        f"[limits] the request body is too large: expected at most {MAX_BODY_BYTES} bytes, "
        f"found {found}.",
    )


def _check_declared_length(request: Request) -> None:
    """Refuse an oversized body from its Content-Length, before reading any of it."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise ApiError(
            400,
            "http.content_length",
            "input",
            "[input] malformed Content-Length: expected a decimal number of bytes.",
        )
    if int(declared) > MAX_BODY_BYTES:
        raise _too_large(f"Content-Length {int(declared)}")


async def _read_body(request: Request) -> bytes:
    """The body, counted as it streams in: past the cap, stop reading and answer 413."""
    _check_declared_length(request)
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > MAX_BODY_BYTES:
                raise _too_large(f"more than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ApiError(400, "http.disconnect", "input", "[input] the client went away.") from None
    return b"".join(chunks)


def _parse_json_object(body: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        raise ApiError(
            400, "request.json", "input", f"[input] {what} is not valid JSON: expected an object."
        ) from None
    if not isinstance(value, dict):
        raise ApiError(
            400,
            "request.json",
            "input",
            f"[input] {what} is not a JSON object: found a JSON {type(value).__name__}.",
        )
    return value


# ---------------------------------------------------------------- endpoints


def _state(request: Request) -> ServerState:
    state: ServerState = request.app.state.practice
    return state


async def index(request: Request) -> JSONResponse:
    """What this server is, and where its endpoints are."""
    return JSONResponse(
        {
            "service": "jwe-steps practice API",
            "notice": "DEMO keys, for learning only: never send real personal data.",
            "alg": ALG,
            "enc": ENC,
            "endpoints": {
                "GET /.well-known/jwks.json": "the server's public encryption key",
                "POST /v1/clients": 'JSON {"jwk": <your public JWK>} -> {"client_id": ...}',
                "POST /v1/kyc/pan": "application/jose + X-Client-Id: a JWE of "
                '{"pan", "name"} -> a JWE to your key of {"pan", "valid_format", "request_id"}',
            },
        }
    )


async def jwks(request: Request) -> JSONResponse:
    return JSONResponse(_state(request).jwks(), headers={"Cache-Control": "max-age=300"})


def _client_key_from(document: Mapping[str, Any]) -> Key:
    """Validate a registration: an RSA public key, usable for RSA-OAEP-256 encryption."""
    jwk = document.get("jwk")
    if not isinstance(jwk, dict):
        raise ApiError(
            400,
            "client.jwk_missing",
            str(Stage.KEY),
            '[key] no client key: expected a body {"jwk": <your public JWK>}.',
        )
    if any(name in jwk for name in PRIVATE_JWK_MEMBERS):
        # Refuse without looking further, and without echoing any of it.
        raise ApiError(
            400,
            "client.jwk_private",
            str(Stage.KEY),
            "[key] the JWK carries private members: expected only the public half "
            "(kty, n, e, and optionally kid, use, alg). Keep the private key to yourself; "
            "treat the one you sent as exposed.",
        )
    try:
        key = load_key(jwk)
        if key.kty != "RSA":
            raise InvalidKeyError(
                "the client key has the wrong type",
                expected=f"an RSA key for {ALG}",
                found=f"kty {key.kty!r}",
            )
        if key.use not in (None, "enc") or key.alg not in (None, ALG):
            raise InvalidKeyError(
                "the client key is not for this encryption",
                expected=f"JWK 'use' of 'enc' (or none) and 'alg' of {ALG!r} (or none)",
                found=f"use {key.use!r}, alg {key.alg!r}",
            )
    except JWEError as error:
        raise ApiError(400, "client.jwk_invalid", str(error.stage), str(error)) from None
    return key


async def register_client(request: Request) -> JSONResponse:
    _check_declared_length(request)
    _require_media_type(request, JSON_MEDIA_TYPE)
    document = _parse_json_object(await _read_body(request), "the request body")
    key = _client_key_from(document)
    client_id = _state(request).register(key)
    return JSONResponse({"client_id": client_id}, status_code=201)


def answer_pan_request(state: ServerState, client_key: Key, body: bytes, request_id: str) -> str:
    """Decrypt the request, check the PAN's format, encrypt the answer to the client.

    CPU-bound (an RSA private-key operation): run it in a worker thread.
    """
    try:
        request_trace = decrypt(
            body,
            state.key_set,
            algorithms=[ALG, ENC],
            limits=Limits(max_token_bytes=MAX_BODY_BYTES),
        )
    except JWEError as error:
        status, code, stage, message = classify(error)
        raise ApiError(status, code, stage, message) from None
    payload = _parse_json_object(request_trace.plaintext, "the decrypted content")
    pan, name = payload.get("pan"), payload.get("name")
    if not isinstance(pan, str) or not isinstance(name, str):
        raise ApiError(
            400,
            "request.fields",
            "input",
            '[input] the decrypted content lacks its fields: expected {"pan": <string>, '
            '"name": <string>}.',
        )
    answer = {
        "pan": pan,
        "valid_format": PAN_PATTERN.fullmatch(pan) is not None,
        "request_id": request_id,
    }
    plaintext = json.dumps(answer, separators=(",", ":")).encode("utf-8")
    token: str = encrypt(plaintext, client_key, alg=ALG, enc=ENC).token
    return token


async def verify_pan(request: Request) -> Response:
    state = _state(request)
    _check_declared_length(request)
    _require_media_type(request, JOSE_MEDIA_TYPE)
    client_key = state.client(request.headers.get("x-client-id"))
    body = await _read_body(request)
    request_id = "req-" + secrets.token_hex(8)
    token = await run_in_threadpool(answer_pan_request, state, client_key, body, request_id)
    return Response(token, media_type=JOSE_MEDIA_TYPE, headers={"X-Request-Id": request_id})


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "http.not_found", 405: "http.method_not_allowed"}.get(
        exc.status_code, f"http.{exc.status_code}"
    )
    message = f"[input] {exc.detail}: {request.method} {request.url.path[:80]}"
    return ApiError(exc.status_code, code, "input", message).response()


async def _internal_error(request: Request, exc: Exception) -> Response:
    return ApiError(
        500, "server.internal", "server", "[server] internal error; details are in the server log."
    ).response()


def create_app(
    state_dir: str | os.PathLike[str] | None = None, *, key: Key | None = None
) -> Starlette:
    """The practice API as a Starlette app, with its DEMO key made, loaded from ``state_dir``,
    or given as ``key`` (see :meth:`ServerState.open`)."""
    state = ServerState.open(state_dir, key=key)
    app = Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/v1/clients", register_client, methods=["POST"]),
            Route("/v1/kyc/pan", verify_pan, methods=["POST"]),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    app.state.practice = state
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


def _uvicorn_server(app: Starlette, *, quiet: bool) -> Any:
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    state_dir: str | os.PathLike[str] | None = None,
    *,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Run the practice API until interrupted (Ctrl+C). ``announce`` gets the URL once bound."""
    app = create_app(state_dir)
    sock = bind(host, port)
    try:
        if announce is not None:
            announce(url_of(sock))
        _uvicorn_server(app, quiet=False).run(sockets=[sock])
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
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.app = create_app(state_dir, key=key)
        self.host = host
        self.port = port
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def state(self) -> ServerState:
        state: ServerState = self.app.state.practice
        return state

    def start(self, timeout: float = 15.0) -> BackgroundServer:
        if self._thread is not None:
            raise RuntimeError("this server is already running")
        self._socket = bind(self.host, self.port)
        self.url = url_of(self._socket)
        self._server = _uvicorn_server(self.app, quiet=True)
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
        return f"<jwe-steps practice server (DEMO key {self.state.key.kid}), {status}>"


__all__ = [
    "ALG",
    "ENC",
    "MAX_BODY_BYTES",
    "PAN_PATTERN",
    "ApiError",
    "BackgroundServer",
    "ServerState",
    "StateError",
    "answer_pan_request",
    "classify",
    "create_app",
    "serve",
]
