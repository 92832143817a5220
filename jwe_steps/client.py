"""A small client for the practice API (``jwe-steps serve``), showing both sides of each call.

    >>> client = PracticeClient("http://127.0.0.1:8000")      # doctest: +SKIP
    >>> client.register()                                      # doctest: +SKIP
    >>> exchange = client.verify_pan("ABCDE1234F", "Asha")     # doctest: +SKIP
    >>> exchange.response["valid_format"]                      # doctest: +SKIP
    True

Every call returns an :class:`Exchange`: the :class:`EncryptTrace` of the request the client
sent and the :class:`DecryptTrace` of the response it received, stage by stage. It uses only
the standard library's ``urllib`` for HTTP, so it adds no dependency.

The client key it makes is a DEMO key (kid ``demo-...``): for learning only.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from . import decrypt, encrypt
from .keys import Key, generate_key, load_key, load_key_set
from .trace import DecryptTrace, EncryptTrace

ALG = "RSA-OAEP-256"
ENC = "A256GCM"
JOSE_MEDIA_TYPE = "application/jose"
MAX_RESPONSE_BYTES = 2 * 1024 * 1024


class PracticeAPIError(Exception):
    """The server answered with an error: ``status`` and its ``{"error": {...}}`` body.

    Attributes:
        status: the HTTP status code.
        code, stage, message: the members of the server's error object.
        error: the whole error object as received.
        request_trace: the encryption of the request that was refused, when there was one.
    """

    def __init__(
        self, status: int, error: dict[str, Any], request_trace: EncryptTrace | None = None
    ) -> None:
        self.status = status
        self.error = error
        self.code = str(error.get("code", ""))
        self.stage = str(error.get("stage", ""))
        self.message = str(error.get("message", ""))
        self.request_trace = request_trace
        super().__init__(f"HTTP {status} {self.code} (stage {self.stage}): {self.message}")


@dataclass
class Response:
    """One raw HTTP answer."""

    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Exchange:
    """One encrypted call, both sides.

    Attributes:
        request: the JSON object the client encrypted and sent.
        request_trace: how the client encrypted it (its ``.token`` is the request body).
        status: the HTTP status of the answer.
        response_token: the compact JWE the server sent back.
        response_trace: how the client decrypted the answer, stage by stage.
        response: the decrypted answer, parsed from JSON.
        request_id: the server's ``X-Request-Id`` for this call.
    """

    request: dict[str, Any]
    request_trace: EncryptTrace
    status: int
    response_token: str
    response_trace: DecryptTrace
    response: dict[str, Any]
    request_id: str | None = None

    def __repr__(self) -> str:
        return (
            f"<Exchange {self.status}: request {len(self.request_trace.token)} chars "
            f"({len(self.request_trace)} steps), response {len(self.response_token)} chars "
            f"({len(self.response_trace)} steps)>"
        )

    def __str__(self) -> str:
        return "\n\n".join(
            (
                f"== request: the client encrypts and sends (HTTP {self.status} back) ==",
                str(self.request_trace),
                "== response: the client receives and decrypts ==",
                str(self.response_trace),
            )
        )

    def _repr_html_(self) -> str:
        return (
            "<h4>Request: the client encrypts and sends</h4>"
            + self.request_trace._repr_html_()
            + f"<h4>Response (HTTP {self.status}): the client receives and decrypts</h4>"
            + self.response_trace._repr_html_()
        )


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PracticeClient:
    """Calls the practice API: fetches its key, registers, and sends encrypted requests.

    Args:
        base_url: where the server runs, e.g. ``"http://127.0.0.1:8000"``.
        key: the client's private key (anything :func:`load_key` accepts). None makes a DEMO
            RSA key at :meth:`register`.
        timeout: seconds to wait for each HTTP answer.
    """

    def __init__(self, base_url: str, key: Any = None, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.key: Key | None = None if key is None else load_key(key)
        self.timeout = timeout
        self.client_id: str | None = None
        self._server_key: Key | None = None
        handlers: list[urllib.request.BaseHandler] = []
        if _is_loopback(self.base_url):
            handlers.append(urllib.request.ProxyHandler({}))  # never send loopback via a proxy
        self._opener = urllib.request.build_opener(*handlers)

    # ------------------------------------------------------------ HTTP

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """One HTTP call, returning the answer whatever its status."""
        url = self.base_url + path
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the base URL must be http:// or https://, not {self.base_url!r}")
        outgoing = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
        try:
            with self._opener.open(outgoing, timeout=self.timeout) as answer:
                status, received, data = (
                    answer.status,
                    answer.headers,
                    answer.read(MAX_RESPONSE_BYTES + 1),
                )
        except urllib.error.HTTPError as error:
            status, received = error.code, error.headers
            data = error.read(MAX_RESPONSE_BYTES + 1)
            error.close()
        if len(data) > MAX_RESPONSE_BYTES:
            raise ValueError(f"the answer to {method} {path} is larger than {MAX_RESPONSE_BYTES} B")
        content_type = received.get("Content-Type", "").split(";", 1)[0].strip().lower()
        return Response(status, content_type, dict(received.items()), data)

    def _fail(self, answer: Response, request_trace: EncryptTrace | None = None) -> None:
        try:
            document = json.loads(answer.body)
            error = document["error"]
            if not isinstance(error, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            error = {
                "code": "http.unexpected",
                "stage": "",
                "message": answer.body[:200].decode("utf-8", "replace"),
            }
        raise PracticeAPIError(answer.status, error, request_trace)

    def _json(self, answer: Response, expected_status: int) -> dict[str, Any]:
        if answer.status != expected_status:
            self._fail(answer)
        value = json.loads(answer.body)
        if not isinstance(value, dict):
            raise ValueError("the server answered with JSON that is not an object")
        return value

    # ------------------------------------------------------------ the API

    def fetch_jwks(self) -> dict[str, Any]:
        """``GET /.well-known/jwks.json``: the server's public keys, as a JWKS dict."""
        return self._json(self.request("GET", "/.well-known/jwks.json"), 200)

    @property
    def server_key(self) -> Key:
        """The server's public encryption key (fetched once, then reused)."""
        if self._server_key is None:
            candidates = [
                key
                for key in load_key_set(self.fetch_jwks()).keys
                if key.use in (None, "enc") and key.alg in (None, ALG) and key.kty == "RSA"
            ]
            if not candidates:
                raise ValueError(f"the server's JWKS has no RSA key for {ALG} encryption")
            self._server_key = candidates[0]
        return self._server_key

    def register(self) -> str:
        """``POST /v1/clients`` with the client's public JWK; returns and keeps the client id.

        Makes a DEMO RSA key first when the client has none.
        """
        if self.key is None:
            self.key = generate_key("RSA", size=2048, alg=ALG)
        body = json.dumps({"jwk": self.key.public_key().to_jwk()}).encode("utf-8")
        answer = self.request("POST", "/v1/clients", body, {"Content-Type": "application/json"})
        client_id = self._json(answer, 201).get("client_id")
        if not isinstance(client_id, str):
            raise ValueError("the server's registration answer has no client_id")
        self.client_id = client_id
        return client_id

    def call(self, path: str, message: dict[str, Any], **encrypt_options: Any) -> Exchange:
        """Encrypt ``message`` to the server, POST it as ``application/jose``, decrypt the answer.

        ``encrypt_options`` go to :func:`jwe_steps.encrypt` (e.g. ``header=``, ``cek=``,
        ``iv=``), to reproduce a request exactly.

        Raises:
            PracticeAPIError: the server answered with an error (it carries the error JSON
                and the request trace).
            JWEError: the server's answer did not decrypt with the client's key.
        """
        if self.client_id is None or self.key is None:
            self.register()
        assert self.key is not None and self.client_id is not None
        plaintext = json.dumps(message, separators=(",", ":")).encode("utf-8")
        request_trace = encrypt(plaintext, self.server_key, alg=ALG, enc=ENC, **encrypt_options)
        answer = self.request(
            "POST",
            path,
            str(request_trace.token).encode("ascii"),
            {"Content-Type": JOSE_MEDIA_TYPE, "X-Client-Id": self.client_id},
        )
        if answer.status != 200 or answer.content_type != JOSE_MEDIA_TYPE:
            self._fail(answer, request_trace)
        token = answer.body.decode("ascii", "replace")
        response_trace = decrypt(token, self.key, algorithms=[ALG, ENC])
        response = json.loads(response_trace.plaintext)
        if not isinstance(response, dict):
            raise ValueError("the decrypted answer is not a JSON object")
        request_id = answer.headers.get("X-Request-Id") or answer.headers.get("x-request-id")
        return Exchange(
            request=message,
            request_trace=request_trace,
            status=answer.status,
            response_token=token,
            response_trace=response_trace,
            response=response,
            request_id=request_id,
        )

    def verify_pan(self, pan: str, name: str, **encrypt_options: Any) -> Exchange:
        """``POST /v1/kyc/pan``: ask whether ``pan`` has the PAN format (AAAAA9999A)."""
        return self.call("/v1/kyc/pan", {"pan": pan, "name": name}, **encrypt_options)

    def __repr__(self) -> str:
        who = self.client_id or "not registered"
        return f"<PracticeClient {self.base_url} ({who})>"


__all__ = ["Exchange", "PracticeAPIError", "PracticeClient", "Response"]
