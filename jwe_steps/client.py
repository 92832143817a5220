"""A client for the practice API (``jwe-steps serve``), written as a careful integrator would.

    >>> client = PracticeClient("http://127.0.0.1:8000")      # doctest: +SKIP
    >>> client.register()                                      # doctest: +SKIP
    >>> exchange = client.verify_pan("ABCDE1234F", "Asha")     # doctest: +SKIP
    >>> exchange.response["valid_format"]                      # doctest: +SKIP
    True

In the default ``signed`` profile each call signs the request's claims with the client's
signing key, then encrypts the JWS to the server's current encryption key (sign-then-encrypt,
RFC 7519 §11.2); the answer is decrypted, its signature verified against the server's
published signing key, its ``iss``, ``aud``, ``iat``/``exp`` checked, and its ``in_reply_to``
compared with the request's ``jti``: an answer to some other request is refused.

The server's JWKS is cached for as long as its ``Cache-Control: max-age`` says. When the server
answers that the request's ``kid`` is unknown or retired (a key rotation), or the answer's
signing ``kid`` is not in the cached JWKS, the client fetches the JWKS again, once, and at most
once every :data:`REFETCH_INTERVAL` seconds, so a hostile answer cannot make it hammer the
server.

It logs (logger ``jwe_steps.client``, level DEBUG) only what ``trace.redacted()`` gives (kids,
algorithms, lengths, short SHA-256 prefixes of secrets) and the request id: never a token, a
claim value, a key or a plaintext.

Every call returns an :class:`Exchange` with the traces of both sides. HTTP is the standard
library's ``http.client`` over kept-alive connections (:mod:`jwe_steps.client_http`), each
request held to one deadline (``timeout``) and its answer to a size cap. The keys the client
makes are DEMO keys (kid ``demo-...``).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from . import decrypt, encrypt, nested
from .client_http import ArgumentError, CodedValueError, ConnectionPool, check_base_url
from .errors import JWEError
from .jws import generate_signing_key
from .keys import Key, KeySet, generate_key, load_key, load_key_set
from .keys.jwk import PRIVATE_JWK_MEMBERS

ALG = "RSA-OAEP-256"
ENC = "A256GCM"
AUDIENCE = "jwe-steps-practice"
SIGNING_ALG = "ES256"
JOSE_MEDIA_TYPE = "application/jose"
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
REQUEST_LIFETIME = 120
"""Seconds between a request's ``iat`` and its ``exp`` (the server allows at most 300)."""
LEEWAY = 30
DEFAULT_JWKS_MAX_AGE = 60
"""How long to keep a JWKS whose answer has no usable ``Cache-Control: max-age``."""
MAX_JWKS_AGE = 3600
REFETCH_INTERVAL = 30.0
"""At most one JWKS re-fetch triggered by an unknown ``kid`` per this many seconds."""
# Server answers that mean "your copy of my keys is stale": re-fetch the JWKS once, retry once.
REFETCH_CODES = frozenset({"api.key_retired", "key.kid_unknown"})

Profile = Literal["signed", "encrypt-only"]

logger = logging.getLogger("jwe_steps.client")


_CLIENT_ID = re.compile(r"[!-~]{1,256}")


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    """``data`` as a JSON object, or AnswerError ``answer.json`` (the text is not echoed)."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # not UTF-8 or not JSON (JSONDecodeError), too deep
        raise AnswerError("answer.json", f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise AnswerError("answer.json", f"{what} is JSON, but not an object")
    return value


class PracticeAPIError(Exception):
    """The server answered with an error: ``status`` and its ``{"error": {...}}`` body.

    Attributes:
        status: the HTTP status code.
        code, stage, message: the members of the server's error object.
        error: the whole error object as received.
        request_trace: the trace of the request that was refused, when there was one.
    """

    def __init__(self, status: int, error: dict[str, Any], request_trace: Any = None) -> None:
        self.status = status
        self.error = error
        self.code = str(error.get("code", ""))
        self.stage = str(error.get("stage", ""))
        self.message = str(error.get("message", ""))
        self.request_trace = request_trace
        super().__init__(f"HTTP {status} {self.code} (stage {self.stage}): {self.message}")


def _is_private(entry: Any) -> bool:
    return isinstance(entry, dict) and any(name in entry for name in PRIVATE_JWK_MEMBERS)


class AnswerError(CodedValueError):
    """The server's answer cannot be used (``code`` says why): too large, not the JSON it should
    be, a JWKS without the keys the protocol needs, a registration without a client id, or a
    signed answer to another request (``answer.in_reply_to``, ``answer.request_id``).

    A ValueError, as these were before they had codes. The codes are the client's own (the
    server's are on :class:`PracticeAPIError`): ``answer.too_large``, ``answer.json``,
    ``answer.jwks``, ``answer.client_id``, ``answer.in_reply_to``, ``answer.request_id``.
    """


@dataclass
class Response:
    """One raw HTTP answer (header names in lower case)."""

    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Exchange:
    """One call, both sides.

    Attributes:
        request: the claims (signed profile) or JSON object (encrypt-only) the client sent.
        request_trace: how the client built the request (its ``.token`` is the body sent).
        status: the HTTP status of the answer.
        response_token: the compact JWE the server sent back.
        response_trace: how the client decrypted (and verified) the answer.
        response: the answer's claims or JSON object.
        request_id: the server's ``X-Request-Id`` for this call.
    """

    request: dict[str, Any]
    request_trace: Any
    status: int
    response_token: str
    response_trace: Any
    response: dict[str, Any]
    request_id: str | None = None

    def __repr__(self) -> str:
        return (
            f"<Exchange {self.status}: request {len(self.request_trace.token)} chars, "
            f"response {len(self.response_token)} chars, request id {self.request_id}>"
        )

    def __str__(self) -> str:
        return "\n\n".join(
            (
                f"== request: the client builds and sends (HTTP {self.status} back) ==",
                str(self.request_trace),
                "== response: the client receives, decrypts and checks ==",
                str(self.response_trace),
            )
        )

    def _repr_html_(self) -> str:
        def html(trace: Any) -> str:
            render = getattr(trace, "_repr_html_", None)
            return str(render()) if render is not None else f"<pre>{trace}</pre>"

        return (
            "<h4>Request: the client builds and sends</h4>"
            + html(self.request_trace)
            + f"<h4>Response (HTTP {self.status}): the client receives and checks</h4>"
            + html(self.response_trace)
        )


def _max_age(cache_control: str | None) -> int:
    """Seconds from ``Cache-Control`` (``no-store``/``no-cache`` give 0), capped."""
    if not cache_control:
        return DEFAULT_JWKS_MAX_AGE
    directives = [part.strip().lower() for part in cache_control.split(",")]
    if "no-store" in directives or "no-cache" in directives:
        return 0
    for directive in directives:
        match = re.fullmatch(r"max-age=(\d{1,9})", directive)
        if match:
            return min(int(match.group(1)), MAX_JWKS_AGE)
    return DEFAULT_JWKS_MAX_AGE


def new_signing_key() -> Key:
    """A DEMO P-256 key for ES256, marked ``use: "sig"``."""
    return generate_signing_key(SIGNING_ALG)


class PracticeClient:
    """Calls the practice API: fetches its keys, registers, sends signed and encrypted requests.

    Args:
        base_url: where the server runs, e.g. ``"http://127.0.0.1:8000"``: https:// to any
            host, plain http:// only to this machine (the server's keys come over it), no
            ``user:password@``, query or fragment. Anything else raises :class:`ArgumentError`
            ``argument.base_url`` before any connection is made.
        key: the client's private encryption key (anything :func:`load_key` accepts). None
            makes a DEMO RSA key at :meth:`register`.
        signing_key: the client's private signing key (ES256 P-256, or RSA for PS256). None
            makes a DEMO P-256 key at :meth:`register`.
        profile: ``"signed"`` (default) or ``"encrypt-only"`` (the unsafe first lesson);
            anything else is ``argument.profile``.
        timeout: seconds one HTTP request may take in all: connecting, sending, and reading
            the answer's head and body. Past it the request raises :class:`TimeoutError` (one
            call may make several requests: a JWKS fetch, a registration, a retry). Not a
            positive finite number: ``argument.timeout``.
        clock: seconds since the epoch, for ``iat``/``exp`` and the JWKS cache.
    """

    def __init__(
        self,
        base_url: str,
        key: Any = None,
        *,
        signing_key: Any = None,
        profile: Profile = "signed",
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if profile not in ("signed", "encrypt-only"):
            raise ArgumentError(
                "argument.profile", f"profile must be 'signed' or 'encrypt-only', not {profile!r}"
            )
        check_base_url(base_url)
        self.base_url = base_url.rstrip("/")
        self.key: Key | None = None if key is None else load_key(key)
        self.signing_key: Key | None = None if signing_key is None else load_key(signing_key)
        self.profile: Profile = profile
        self.timeout = timeout
        self.clock = clock
        self.client_id: str | None = None
        self.jwks_fetches = 0
        self._jwks: KeySet | None = None
        self._jwks_expires = 0.0
        self._last_refetch = float("-inf")
        self._http = ConnectionPool(self.base_url, timeout=timeout)

    def close(self) -> None:
        """Close the kept-alive connections to the server (a later call opens a new one)."""
        self._http.close()

    def __enter__(self) -> PracticeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------ HTTP

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """One HTTP call, returning the answer whatever its status.

        Raises:
            TimeoutError: the whole exchange took longer than :attr:`timeout` seconds.
        """
        answer = self._http.request(method, path, body, headers or {}, limit=MAX_RESPONSE_BYTES)
        status, received, data = answer.status, answer.headers, answer.body
        if len(data) > MAX_RESPONSE_BYTES:
            raise AnswerError(
                "answer.too_large",
                f"the answer to {method} {path} is larger than {MAX_RESPONSE_BYTES} B",
            )
        content_type = received.get("Content-Type", "").split(";", 1)[0].strip().lower()
        headers = {name.lower(): value for name, value in received.items()}
        return Response(status, content_type, headers, data)

    def _error(self, answer: Response, request_trace: Any = None) -> PracticeAPIError:
        try:
            document = json.loads(answer.body)
            error = document["error"]
            if not isinstance(error, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, RecursionError):
            error = {"code": "http.unexpected", "stage": "", "message": f"HTTP {answer.status}"}
        return PracticeAPIError(answer.status, error, request_trace)

    def _json(self, answer: Response, expected_status: int) -> dict[str, Any]:
        if answer.status != expected_status:
            raise self._error(answer)
        return _json_object(answer.body, "the server's answer")

    # ------------------------------------------------------------ the server's keys

    def fetch_jwks(self) -> dict[str, Any]:
        """``GET /.well-known/jwks.json`` now, and cache it for its ``Cache-Control`` max-age."""
        answer = self.request("GET", "/.well-known/jwks.json")
        document = self._json(answer, 200)
        entries = document.get("keys")
        if isinstance(entries, list) and any(_is_private(entry) for entry in entries):
            # Refused before any key is parsed: a private RSA key costs far more to check than a
            # public one, and keys a server has published with their secrets are no keys.
            raise AnswerError(
                "answer.jwks", "the server's JWKS holds private key members: none of it is used"
            )
        self._jwks = load_key_set(document)
        self._jwks_expires = self.clock() + _max_age(answer.headers.get("cache-control"))
        self.jwks_fetches += 1
        logger.debug("fetched the server JWKS: kids %s", [k.kid for k in self._jwks.keys])
        return document

    def jwks(self) -> KeySet:
        """The server's keys: the cached JWKS while it is fresh, else fetched again."""
        if self._jwks is None or self.clock() >= self._jwks_expires:
            self.fetch_jwks()
        assert self._jwks is not None
        return self._jwks

    def _refetch_once(self) -> bool:
        """Re-fetch the JWKS after an unknown or retired kid, rate-limited; True if it did."""
        now = self.clock()
        if now - self._last_refetch < REFETCH_INTERVAL:
            return False
        self._last_refetch = now
        self.fetch_jwks()
        return True

    def _server_keys(self, use: str) -> list[Key]:
        return [key for key in self.jwks().keys if key.use == use]

    @property
    def server_key(self) -> Key:
        """The server's current encryption key (the first ``use: "enc"`` key of its JWKS)."""
        candidates = [
            key for key in self._server_keys("enc") if key.kty == "RSA" and key.alg in (None, ALG)
        ]
        if not candidates:
            raise AnswerError("answer.jwks", f"the server's JWKS has no RSA key for {ALG}")
        return candidates[0]

    @property
    def server_signing_keys(self) -> KeySet:
        """The server's published signing keys (``use: "sig"``)."""
        keys = self._server_keys("sig")
        if not keys:
            raise AnswerError("answer.jwks", "the server's JWKS has no signing key")
        return KeySet(tuple(keys))

    # ------------------------------------------------------------ registration

    def register(self) -> str:
        """``POST /v1/clients`` with the client's public keys; returns and keeps the client id.

        Makes DEMO keys first when the client has none.
        """
        if self.key is None:
            self.key = generate_key("RSA", size=2048, alg=ALG)
        if self.profile == "encrypt-only":
            document: dict[str, Any] = {"jwk": self.key.public_key().to_jwk()}
        else:
            if self.signing_key is None:
                self.signing_key = new_signing_key()
            keys = [self.key.public_key().to_jwk(), self.signing_key.public_key().to_jwk()]
            document = {"jwks": {"keys": keys}}
        body = json.dumps(document).encode("utf-8")
        answer = self.request("POST", "/v1/clients", body, {"Content-Type": "application/json"})
        client_id = self._json(answer, 201).get("client_id")
        if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
            # It goes into the X-Client-Id header of every request: visible ASCII only.
            raise AnswerError(
                "answer.client_id", "the server's registration has no usable client_id"
            )
        self.client_id = client_id
        logger.debug("registered as %s", client_id)
        return client_id

    # ------------------------------------------------------------ calls

    def _post(self, path: str, token: str, request_trace: Any) -> Response:
        assert self.client_id is not None
        answer = self.request(
            "POST",
            path,
            token.encode("ascii"),
            {"Content-Type": JOSE_MEDIA_TYPE, "X-Client-Id": self.client_id},
        )
        if answer.status != 200 or answer.content_type != JOSE_MEDIA_TYPE:
            raise self._error(answer, request_trace)
        return answer

    def call(self, path: str, message: dict[str, Any], **options: Any) -> Exchange:
        """Send ``message`` to ``path``, as the profile says; check and return the answer.

        In the signed profile ``message`` is added to the claims (``iss``, ``aud``, ``iat``,
        ``exp``, ``jti`` are set here); ``options`` go to :func:`jwe_steps.encrypt` in the
        encrypt-only profile (e.g. ``header=``, ``cek=``, ``iv=``, to reproduce a request).

        Raises:
            PracticeAPIError: the server answered with an error (with the request trace).
            JWEError: the answer did not decrypt or verify.
            AnswerError: the answer verified but belongs to another request.
            TimeoutError: an HTTP request took longer than :attr:`timeout` seconds in all.
        """
        if self.client_id is None or self.key is None:
            self.register()
        if self.profile == "encrypt-only":
            return self._call_unsigned(path, message, **options)
        try:
            return self._call_signed(path, message)
        except PracticeAPIError as error:
            if error.code not in REFETCH_CODES or not self._refetch_once():
                raise
            logger.debug("server refused the key (%s): JWKS fetched again, retrying", error.code)
            return self._call_signed(path, message)

    def _call_signed(self, path: str, message: dict[str, Any]) -> Exchange:
        assert self.key is not None and self.signing_key is not None
        assert self.client_id is not None
        now = int(self.clock())
        claims = {
            **message,
            "iss": self.client_id,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + REQUEST_LIFETIME,
            "jti": secrets.token_urlsafe(18),
        }
        server_key = self.server_key
        signing_alg = self.signing_key.alg or SIGNING_ALG
        sealed = nested.sign_then_encrypt(
            claims,
            signing_key=self.signing_key,
            signing_alg=signing_alg,
            encryption_key=server_key,
            alg=ALG,
            enc=ENC,
            signing_header={"kid": self.signing_key.kid},
            encryption_header={"kid": server_key.kid},
        )
        token = str(sealed.token)
        if logger.isEnabledFor(logging.DEBUG):  # trace.redacted(): what may be logged
            logger.debug(
                "request: JWS %s inside JWE %s",
                json.dumps(sealed.jws.redacted(), sort_keys=True),
                json.dumps(sealed.jwe.redacted(), sort_keys=True),
            )
        answer = self._post(path, token, sealed)
        response_token = answer.body.decode("ascii", "replace")
        opened = self._open_answer(response_token)
        answer_claims = dict(opened.claims)
        if answer_claims.get("in_reply_to") != claims["jti"]:
            raise AnswerError(
                "answer.in_reply_to",
                "the answer's in_reply_to is not this request's jti: it answers another request",
            )
        request_id = answer.headers.get("x-request-id")
        if answer_claims.get("request_id") != request_id:
            raise AnswerError(
                "answer.request_id", "the answer's request_id differs from its X-Request-Id"
            )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "answer to request id %s: JWS %s inside JWE %s",
                request_id,
                json.dumps(opened.jws.redacted(), sort_keys=True),
                json.dumps(opened.jwe.redacted(), sort_keys=True),
            )
        return Exchange(
            request=claims,
            request_trace=sealed,
            status=answer.status,
            response_token=response_token,
            response_trace=opened,
            response=answer_claims,
            request_id=request_id,
        )

    def _open_answer(self, token: str) -> nested.VerifiedClaims:
        """Decrypt the answer and verify its signature and claims (a kid miss: re-fetch once)."""
        assert self.client_id is not None

        def attempt() -> nested.VerifiedClaims:
            return nested.decrypt_then_verify(
                token,
                decryption_key=self.key,
                verification_keys=self.server_signing_keys,
                issuer=AUDIENCE,
                audience=self.client_id,
                max_lifetime=300,
                leeway=LEEWAY,
                now=self.clock(),
                required=("iss", "aud", "iat", "exp"),
                signing_algorithms={"ES256", "PS256"},
                encryption_algorithms={ALG, ENC},
            )

        try:
            return attempt()
        except JWEError as error:
            if not error.code.endswith("kid_unknown") or not self._refetch_once():
                raise
            return attempt()

    def _call_unsigned(self, path: str, message: dict[str, Any], **options: Any) -> Exchange:
        assert self.key is not None
        plaintext = json.dumps(message, separators=(",", ":")).encode("utf-8")
        server_key = self.server_key
        request_trace = encrypt(plaintext, server_key, alg=ALG, enc=ENC, **options)
        answer = self._post(path, str(request_trace.token), request_trace)
        token = answer.body.decode("ascii", "replace")
        response_trace = decrypt(token, self.key, algorithms=[ALG, ENC])
        response = _json_object(response_trace.plaintext, "the decrypted answer")
        request_id = answer.headers.get("x-request-id")
        return Exchange(
            request=message,
            request_trace=request_trace,
            status=answer.status,
            response_token=token,
            response_trace=response_trace,
            response=response,
            request_id=request_id,
        )

    def verify_pan(self, pan: str, name: str, **options: Any) -> Exchange:
        """``POST /v1/kyc/pan``: ask whether ``pan`` has the PAN format (AAAAA9999A)."""
        return self.call("/v1/kyc/pan", {"pan": pan, "name": name}, **options)

    def __repr__(self) -> str:
        who = self.client_id or "not registered"
        return f"<PracticeClient {self.base_url} ({who}, profile {self.profile})>"


__all__ = [
    "AnswerError",
    "ArgumentError",
    "Exchange",
    "PracticeAPIError",
    "PracticeClient",
    "Response",
]
