"""The same RSA-OAEP-256 + A256GCM exchange with a JOSE library: joserfc.

    recipes/run python-lib encrypt PUBLIC_JWK_FILE  < plaintext > token
    recipes/run python-lib decrypt PRIVATE_JWK_FILE < token > plaintext
    recipes/run python-lib kyc BASE_URL

What stages.py spells out, joserfc does inside ``jwe.encrypt_compact`` / ``decrypt_compact``.
What stays the caller's job, library or not: an allow-list of algorithms on every call, the
key's `use`/`alg`/size checked, the recipient's `kid` in the header, fresh `jti`/`exp`, and the
answer's `iss`, `aud`, `exp` and `in_reply_to` checked. The keys `kyc` makes are DEMO keys.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import socket
import sys
import time
import urllib.request
from http.client import HTTPConnection, HTTPException, HTTPResponse, HTTPSConnection
from typing import Any

from joserfc import jwe, jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

ALG, ENC = "RSA-OAEP-256", "A256GCM"
AUDIENCE = "jwe-steps-practice"
LIFETIME, SKEW, MAX_BODY = 120, 30, 1 << 20
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


class RecipeError(Exception):
    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")


def rsa_key(jwk: dict[str, Any], *, private: bool) -> RSAKey:
    """An RSA JWK for RSA-OAEP-256, refused unless kty, use, alg, size (and kid) fit."""
    if jwk.get("kty") != "RSA" or jwk.get("use", "enc") != "enc" or jwk.get("alg", ALG) != ALG:
        raise RecipeError("jwk", f"expected an RSA key for use 'enc' with alg {ALG}")
    has_private = any(name in jwk for name in PRIVATE_MEMBERS)
    if has_private != private:
        need = "the private JWK" if private else "the public JWK"
        raise RecipeError("jwk", f"this is the wrong half of the key pair: need {need}")
    if not private and not isinstance(jwk.get("kid"), str):
        raise RecipeError("jwk", "the recipient's JWK has no kid")
    try:
        key = RSAKey.import_key(jwk)
    except (JoseError, ValueError, TypeError):
        raise RecipeError("jwk", "the JWK is not a valid RSA key") from None
    size = key.raw_value.key_size
    if size < 2048:
        raise RecipeError("jwk", f"expected an RSA key of >= 2048 bits, found {size}")
    return key


def encrypt(plaintext: bytes, key: RSAKey, kid: str, cty: str | None = None) -> str:
    header = {"alg": ALG, "enc": ENC, "kid": kid} | ({"cty": cty} if cty else {})
    return jwe.encrypt_compact(header, plaintext, key, algorithms=[ALG, ENC])


def decrypt(token: str, key: RSAKey, kid: str | None) -> tuple[bytes, dict[str, Any]]:
    try:
        opened = jwe.decrypt_compact(token, key, algorithms=[ALG, ENC])  # the allow-list
    except (JoseError, ValueError):
        raise RecipeError("decrypt", "the token does not decrypt with this key") from None
    header = dict(opened.protected)
    if kid is not None and header.get("kid") != kid:
        raise RecipeError("header", "the token's kid is not this key's kid")
    if opened.plaintext is None:
        raise RecipeError("decrypt", "the token does not decrypt with this key")
    return opened.plaintext, header


TIMEOUT = 10.0  # seconds for a whole HTTP call: connect, send, and the answer's head and body


def left_until(deadline: float) -> float:
    """Seconds left before ``deadline`` (a time.monotonic() time); TimeoutError once it passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the HTTP call took longer than TIMEOUT")
    return left


# urllib's timeout= is a socket timeout: it bounds each read, not the call, so a server sending
# a byte now and then would keep the call open for ever. Below, every send and every read of the
# socket gets only what is left of one deadline for the whole call.
class _DeadlineReader(io.RawIOBase):
    """The raw stream http.client reads the answer from: each read waits only what is left."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.raw = sock.makefile("rb", buffering=0)  # the socket stays open while this is
        self.sock, self.deadline = sock, deadline
        super().__init__()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self.sock.settimeout(left_until(self.deadline))
        return self.raw.readinto(buffer)

    def close(self) -> None:
        self.raw.close()
        super().close()


class _DeadlineSocket:
    """A connected socket as http.client uses it: sendall() the request, makefile() the answer."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock, self.deadline = sock, deadline

    def sendall(self, data: bytes) -> None:
        with memoryview(data) as view:
            sent = 0
            while sent < len(view):
                self.sock.settimeout(left_until(self.deadline))
                sent += self.sock.send(view[sent:])

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))

    def __getattr__(self, name: str) -> Any:  # close(), shutdown()...: the socket's own
        return getattr(self.sock, name)


class _Connect(HTTPConnection):
    deadline = 0.0  # when the call must be over (time.monotonic()), set before connecting

    def connect(self) -> None:  # in _HTTPS below, this runs before the TLS handshake
        self.timeout = left_until(self.deadline)  # the TCP connect
        super().connect()
        self.sock.settimeout(left_until(self.deadline))  # the TLS handshake, if one follows


class _HTTP(_Connect):
    def connect(self) -> None:
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self.deadline)


class _HTTPS(HTTPSConnection, _Connect):
    def connect(self) -> None:
        super().connect()  # HTTPSConnection.connect: _Connect.connect, then the TLS handshake
        self.sock = _DeadlineSocket(self.sock, self.deadline)


class _Within(urllib.request.HTTPSHandler, urllib.request.HTTPHandler):
    """urllib's http:// and https:// handler, on connections held to one call's deadline."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def connection(self, host: str, *, tls: bool = False, **options: Any) -> _Connect:
        made = _HTTPS(host, **options) if tls else _HTTP(host, **options)
        made.deadline = self.deadline
        return made

    def http_open(self, req: urllib.request.Request) -> HTTPResponse:
        return self.do_open(self.connection, req)

    def https_open(self, req: urllib.request.Request) -> HTTPResponse:
        return self.do_open(self.connection, req, tls=True)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it came: the client id and tokens go to the URL we were given."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def http(
    method: str, url: str, body: bytes | None, headers: dict[str, str]
) -> tuple[int, str, bytes]:
    """One call: (status, media type, at most MAX_BODY + 1 bytes of the answer), within TIMEOUT."""
    if not url.startswith(("http://", "https://")):
        raise RecipeError("http", "the base URL must start with http:// or https://")
    # A fresh opener per call, its handler holding this call's deadline. No redirects: only the
    # base URL is ever called (a 3xx is reported as the error it is).
    opener = urllib.request.build_opener(_NoRedirects(), _Within(time.monotonic() + TIMEOUT))
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    try:
        try:
            response = opener.open(request, timeout=TIMEOUT)
        except urllib.request.HTTPError as error:  # a 3xx, 4xx or 5xx: an answer all the same
            response = error
        with response:
            return response.status, response.headers.get_content_type(), response.read(MAX_BODY + 1)
    except (OSError, HTTPException) as error:  # no (whole, well-formed) answer
        if isinstance(getattr(error, "reason", error), TimeoutError):  # urllib wraps some
            raise RecipeError("http", f"{method} {url} took longer than {TIMEOUT:g} s") from None
        raise RecipeError("http", f"{method} {url} failed: {type(error).__name__}") from None


def answer_json(body: bytes, what: str) -> dict[str, Any]:
    """An answer's JSON object, or a RecipeError (never a traceback with the server's bytes)."""
    try:
        value = json.loads(body)
    except ValueError:
        raise RecipeError("json", f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise RecipeError("json", f"{what} is not a JSON object")
    return value


def api_error(status: int, body: bytes) -> RecipeError:
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = "unknown"
    return RecipeError("api", f"the practice server answered {status} with code {code!r}")


def kyc(base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    tag = secrets.token_hex(4)
    # Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
    enc_key = RSAKey.generate_key(
        2048, {"kid": f"demo-python-lib-enc-{tag}", "use": "enc", "alg": ALG}
    )
    sig_key = ECKey.generate_key(
        "P-256", {"kid": f"demo-python-lib-sig-{tag}", "use": "sig", "alg": "ES256"}
    )

    # One JWKS fetch per run. A long-lived client caches it for its Cache-Control max-age
    # and fetches it again, once, on key.kid_unknown or api.key_retired (a key rotation).
    status, _, body = http("GET", f"{base}/.well-known/jwks.json", None, {})
    if status != 200:
        raise api_error(status, body)
    server_jwks = answer_json(body, "the server's JWKS")
    listed = server_jwks.get("keys")
    keys = [k for k in listed if isinstance(k, dict)] if isinstance(listed, list) else []
    enc_keys = [k for k in keys if k.get("use") == "enc"]
    if not enc_keys:
        raise RecipeError("jwks", "the server's JWKS has no encryption key")
    server_key = rsa_key(enc_keys[0], private=False)  # the first listed is the current key
    server_signing = KeySet.import_key_set({"keys": [k for k in keys if k.get("use") == "sig"]})

    jwks = {"keys": [enc_key.as_dict(private=False), sig_key.as_dict(private=False)]}
    status, _, body = http("POST", f"{base}/v1/clients", json.dumps({"jwks": jwks}).encode(),
                           {"Content-Type": "application/json"})  # fmt: skip
    if status != 201:
        raise api_error(status, body)
    client_id = answer_json(body, "the registration answer").get("client_id")
    if not isinstance(client_id, str):
        raise RecipeError("api", "the registration answer has no client_id")

    now = int(time.time())
    jti = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()  # fresh per request
    claims = {"iss": client_id, "aud": AUDIENCE, "iat": now, "exp": now + LIFETIME, "jti": jti,
              "pan": "ABCDE1234F", "name": "Asha Rao"}  # fmt: skip
    # Sign (ES256: joserfc writes the raw r || s JWS wants), then encrypt with cty "JWT".
    signed = jws.serialize_compact({"alg": "ES256", "typ": "JWT", "kid": sig_key.kid},
                                   json.dumps(claims, separators=(",", ":")), sig_key,
                                   algorithms=["ES256"])  # fmt: skip
    request_token = encrypt(signed.encode(), server_key, enc_keys[0]["kid"], cty="JWT")

    headers = {"Content-Type": "application/jose", "X-Client-Id": client_id}
    status, media_type, body = http("POST", f"{base}/v1/kyc/pan", request_token.encode(), headers)
    if status != 200 or media_type != "application/jose" or len(body) > MAX_BODY:
        raise api_error(status, body)
    nested, header = decrypt(body.decode("ascii", "replace").strip(), enc_key, enc_key.kid)
    if header.get("cty") != "JWT":
        raise RecipeError("header", "the answer's JWE does not say cty 'JWT'")
    try:
        # The server's JWKS picks the key by the JWS kid; only PS256 and ES256 are allowed.
        token = jwt.decode(nested, server_signing, algorithms=["PS256", "ES256"])
        jwt.JWTClaimsRegistry(
            leeway=SKEW,
            iss={"essential": True, "value": AUDIENCE},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
            iat={"essential": True},
            in_reply_to={"essential": True, "value": jti},  # the answer is to *this* request
        ).validate(token.claims)
    except (JoseError, ValueError):
        raise RecipeError(
            "jws", "the server's answer fails its signature or claim checks"
        ) from None
    claims_out: dict[str, Any] = token.claims
    return claims_out


def read_json_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            value = json.loads(handle.read(MAX_BODY + 1))
    except (OSError, ValueError):
        raise RecipeError("jwk", f"cannot read a JSON JWK from {path}") from None
    if not isinstance(value, dict):
        raise RecipeError("jwk", f"{path} does not hold a JSON object")
    return value


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("encrypt", "decrypt", "kyc"):
        print(
            "usage: lib.py encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL", file=sys.stderr
        )
        return 2
    command, argument = argv
    try:
        if command == "encrypt":
            jwk = read_json_file(argument)
            key = rsa_key(jwk, private=False)
            sys.stdout.write(encrypt(sys.stdin.buffer.read(), key, jwk["kid"]) + "\n")
        elif command == "decrypt":
            jwk = read_json_file(argument)
            key = rsa_key(jwk, private=True)
            token = sys.stdin.buffer.read().decode("ascii", "replace").strip()
            kid = jwk.get("kid")
            sys.stdout.buffer.write(decrypt(token, key, kid if isinstance(kid, str) else None)[0])
        else:
            sys.stdout.write(json.dumps(kyc(argument), indent=2) + "\n")
    except RecipeError as error:
        print(f"python-lib recipe: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
