"""The same RSA-OAEP-256 + A256GCM exchange with a JOSE library: joserfc.

    recipes/run python-lib encrypt PUBLIC_JWK_FILE  < plaintext > token
    recipes/run python-lib decrypt PRIVATE_JWK_FILE < token > plaintext
    recipes/run python-lib kyc BASE_URL

What stages.py spells out, joserfc does inside ``jwe.encrypt_compact`` / ``decrypt_compact``.
What stays the caller's job, library or not: an allow-list of algorithms on every call, the
key's `use`/`alg`/size checked, every JSON text read strictly (no member name twice, at most 32
deep, no lone surrogate), the recipient's `kid` in the header, fresh `jti`/`exp`, a base URL
that is https (or loopback), and the answer's JWE `cty`, JWS `typ` and signing key, and its
`iss`, `aud`, `exp`, `iat`, `nbf`, lifetime and `in_reply_to` checked. The keys `kyc` makes are
DEMO keys.
"""

from __future__ import annotations

import base64
import io
import ipaddress
import json
import os
import re
import secrets
import socket
import sys
import time
import urllib.parse
import urllib.request
import warnings
from http.client import HTTPConnection, HTTPException, HTTPResponse, HTTPSConnection
from typing import Any

from joserfc import jwe, jws, jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, RSAKey

ALG, ENC = "RSA-OAEP-256", "A256GCM"
AUDIENCE = "jwe-steps-practice"
LIFETIME, SKEW, MAX_BODY = 120, 30, 1 << 20
MAX_INPUT = 1 << 20  # the most of a JWK file or of a plaintext on stdin read; larger is refused
MAX_TOKEN = 3 << 19  # a token of MAX_INPUT plaintext bytes fits: 4/3 of it + header, key, IV, tag
MAX_ANSWER_LIFETIME = 300  # seconds: the most exp - iat of an answer may be
# What joserfc may raise on hostile input besides its own JoseError; RecursionError: JSON nested
# some thousands deep overflows the parser's stack.
BAD_INPUT = (JoseError, ValueError, TypeError, RecursionError)
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
MAX_RSA_BITS = 16384  # the largest modulus taken: a million-bit one would keep RSA busy for minutes
MAX_DEPTH = 32  # the deepest JSON nesting accepted in any JSON read (a JWKS is 3 deep)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # what json.loads leaves of an unpaired \uD800
UNDERSTOOD = {"alg", "enc", "kid", "cty", "typ"}  # the header members this recipe knows


class RecipeError(Exception):
    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")


# ------------------------------------------------ what a careful integrator adds to the library
# joserfc does the cryptography. The checks below come before it: they name what is wrong (its
# one exception type would read "does not decrypt with this key" for a typo), refuse what it
# takes too kindly (re-spelled base64url, a repeated JSON member, any size of RSA modulus), and
# never let a message quote the input at length or raw.


def shown(value: object) -> str:
    """Input text as a message may quote it: escaped (ascii() writes a line break or ESC as
    \\n, \\x1b) and cut short, so that it can neither add lines to stderr nor fill it."""
    text = ascii(value)
    return text if len(text) <= 40 else text[:36] + "...'"


def b64url_decode(text: object, what: str) -> bytes:
    """Strict base64url (RFC 7515 §2): URL alphabet, no padding, no whitespace, canonical last
    bits, so that one message has one spelling (a replay cache keyed on it cannot be fooled)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    if not isinstance(text, str) or any(c not in alphabet for c in text) or len(text) % 4 == 1:
        raise RecipeError("base64url", f"{what} is not unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != text:
        raise RecipeError("base64url", f"{what} has non-canonical trailing bits")
    return data


def strict_json(data: bytes) -> object:
    """UTF-8 JSON (RFC 8259) with no member name twice, no NaN (RFC 7515 §5.2 step 4), no lone
    surrogate (RFC 8259 §8.2), at most MAX_DEPTH deep: json.loads alone takes all four, the last
    repeated member winning. ValueError otherwise; TooDeep and LoneSurrogate for the last two."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({name for name, _ in pairs}) != len(pairs):
            raise ValueError("a member name repeats")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants
        )
    except RecursionError:  # nested some thousands deep: the parser's stack overflowed
        raise TooDeep from None
    if nesting(value) > MAX_DEPTH:
        raise TooDeep
    # A \uD800-\uDFFF escape that is not half of a pair is no character (RFC 8259 §8.2):
    # json.loads keeps it, other readers make it U+FFFD or "?". A pair is one character by now.
    if LONE_SURROGATE.search(json.dumps(value, ensure_ascii=False)):
        raise LoneSurrogate
    return value


class TooDeep(ValueError):
    """JSON nested more than MAX_DEPTH deep."""


class LoneSurrogate(ValueError):
    """JSON with a \\u escape of a surrogate that is not half of a pair."""


def nesting(value: object) -> int:
    """How many objects and arrays deep ``value`` goes: 1 for {} or [], 0 for a string."""
    depth, level = 0, [value]
    while level := [item for item in level if isinstance(item, dict | list)]:
        depth += 1
        level = [
            inner for item in level for inner in (item.values() if isinstance(item, dict) else item)
        ]
    return depth


def check_key_ops(jwk: dict[str, Any], allowed: tuple[str, str]) -> None:
    """RFC 7517 §4.3: `key_ops`, if present, lists what the key may do. RSA-OAEP wraps the CEK,
    so "wrapKey"/"unwrapKey" are the exact words; "encrypt"/"decrypt" are taken as well."""
    if "key_ops" not in jwk:
        return
    ops = jwk["key_ops"]
    if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
        raise RecipeError("jwk", "the JWK's key_ops is not a list of strings")
    if not set(ops) & set(allowed):
        raise RecipeError("jwk", f"the JWK's key_ops allow neither {allowed[0]} nor {allowed[1]}")


def check_rsa_numbers(jwk: dict[str, Any]) -> None:
    """RFC 8017 §3.1: n is a product of odd primes, so odd; e is odd, 3 <= e < n. The size comes
    first, before the library does any work with the key (RSA's cost grows fast with n's size)."""
    if not (isinstance(jwk.get("n"), str) and isinstance(jwk.get("e"), str)):
        raise RecipeError("jwk", "the JWK has no string members 'n' and 'e'")
    n = int.from_bytes(b64url_decode(jwk.get("n"), "the JWK's 'n'"), "big")
    e = int.from_bytes(b64url_decode(jwk.get("e"), "the JWK's 'e'"), "big")
    bits = n.bit_length()
    if not 2048 <= bits <= MAX_RSA_BITS:
        raise RecipeError(
            "jwk", f"expected an RSA key of 2048 to {MAX_RSA_BITS} bits, found {bits}"
        )
    if n % 2 == 0:
        raise RecipeError("jwk", "the JWK's modulus n is even: no RSA key has one")
    if e % 2 == 0 or not 1 < e < n:
        raise RecipeError("jwk", "the JWK's exponent e is not odd with 1 < e < n")


def check_token(token: str) -> None:
    """RFC 7516 §5.2 steps 1-5, before the library: five parts, each strict base64url, a header
    of strict JSON within the allow-list (so no "zip", no "crit"), a 96-bit IV and a 128-bit tag
    (RFC 7518 §5.3). Only the key unwrap and the tag are left to joserfc, and their failure gets
    one uniform answer (RFC 7516 §11.5)."""
    parts = token.split(".")
    if len(parts) != 5:
        raise RecipeError("parse", f"expected 5 parts in a compact JWE, found {len(parts)}")
    names = ("protected header", "encrypted key", "IV", "ciphertext", "tag")
    protected, _, iv, _, tag = (
        b64url_decode(part, name) for part, name in zip(parts, names, strict=True)
    )
    header = json_object(protected, "the protected header")
    if header.get("alg") != ALG or header.get("enc") != ENC:
        raise RecipeError("header", f"expected alg {ALG} and enc {ENC}, found another pair")
    unexpected = sorted(set(header) - UNDERSTOOD)
    if unexpected:  # named escaped and short: a member's name is the sender's text
        more = f" and {len(unexpected) - 1} more" if len(unexpected) > 1 else ""
        raise RecipeError("header", f"unexpected header member {shown(unexpected[0])}{more}")
    # RFC 7515 §4.1.4, §4.1.9-10 (joserfc refuses another type too, but as "does not decrypt")
    if any(not isinstance(header[name], str) for name in ("kid", "cty", "typ") if name in header):
        raise RecipeError("header", "the header's kid, cty and typ must be strings")
    if len(iv) != 12 or len(tag) != 16:
        raise RecipeError("parse", "expected a 12-byte IV and a 16-byte tag")


# ------------------------------------------------ the library's part


def rsa_key(jwk: dict[str, Any], *, private: bool) -> RSAKey:
    """An RSA JWK for RSA-OAEP-256, refused unless kty, use, alg, key_ops, size (and kid) fit."""
    if jwk.get("kty") != "RSA" or jwk.get("use", "enc") != "enc" or jwk.get("alg", ALG) != ALG:
        raise RecipeError("jwk", f"expected an RSA key for use 'enc' with alg {ALG}")
    has_private = any(name in jwk for name in PRIVATE_MEMBERS)
    if has_private != private:
        need = "the private JWK" if private else "the public JWK"
        raise RecipeError("jwk", f"this is the wrong half of the key pair: need {need}")
    kid = jwk.get("kid")
    if not private and (not isinstance(kid, str) or not kid):
        raise RecipeError("jwk", "the recipient's JWK has no kid")
    check_key_ops(jwk, ("unwrapKey", "decrypt") if private else ("wrapKey", "encrypt"))
    check_rsa_numbers(jwk)
    # joserfc holds key_ops to its own words, "encrypt"/"decrypt", and so refuses a right
    # "wrapKey"/"unwrapKey" key: they were checked above, so it gets the key without them.
    bare = {name: value for name, value in jwk.items() if name != "key_ops"}
    try:
        # joserfc would warn on stderr about a key under 2048 bits: refused below, in one line.
        with warnings.catch_warnings(action="ignore", category=SecurityWarning):
            key = RSAKey.import_key(bare)
        size = key.raw_value.key_size
    except BAD_INPUT:
        raise RecipeError("jwk", "the JWK is not a valid RSA key") from None
    if size < 2048:
        raise RecipeError("jwk", f"expected an RSA key of >= 2048 bits, found {size}")
    return key


def encrypt(plaintext: bytes, key: RSAKey, kid: str, cty: str | None = None) -> str:
    header = {"alg": ALG, "enc": ENC, "kid": kid} | ({"cty": cty} if cty else {})
    return jwe.encrypt_compact(header, plaintext, key, algorithms=[ALG, ENC])


def decrypt(token: str, key: RSAKey, kid: str | None) -> tuple[bytes, dict[str, Any]]:
    check_token(token)  # each syntax or allow-list problem named for its stage
    # The allow-list, again for the library. It also refuses "zip": DEF is not in it, so joserfc
    # refuses a compressed token instead of inflating it (a few KiB can inflate to gigabytes).
    # joserfc's own cap on the ciphertext, 64 KiB, would refuse tokens encrypt writes: the input
    # is bounded instead.
    registry = jwe.JWERegistry(algorithms=[ALG, ENC])
    registry.max_ciphertext_length = MAX_TOKEN
    try:
        opened = jwe.decrypt_compact(token, key, registry=registry)
    except BAD_INPUT:
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


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1, or the name ``localhost`` exactly (another name could resolve anywhere)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name
        return False


def check_url(url: str) -> bool:
    """https:// to any host; plain http:// only to this machine (127.0.0.0/8, ::1, localhost).

    The JWKS fetched from this URL is the only source of the partner's keys: over plain http to
    another host, anyone on the path could swap in their own and read and forge every answer.
    Checked before any connection is made. No user:password@ either (credentials in a URL end up
    in logs, and this parser and urllib's could disagree about which host is meant), no query or
    fragment (the API's paths are appended to the base URL), no spaces or control characters.
    True when the host is loopback.
    """
    refused = RecipeError("url", "the base URL must be https://HOST, or http:// to a loopback host")
    if any(c <= " " or c == "\x7f" for c in url):
        raise refused
    try:
        parts = urllib.parse.urlsplit(url)
        host, _ = parts.hostname, parts.port  # .port raises ValueError when it is no number
    except ValueError:
        raise refused from None
    if parts.scheme not in ("http", "https") or not host:
        raise refused
    if "@" in parts.netloc:
        raise RecipeError("url", "the base URL must hold no user:password@")
    if "?" in url or "#" in url:  # even a bare "?" or "#"
        raise RecipeError("url", "the base URL must have no query (?...) or fragment (#...)")
    loopback = is_loopback(host)
    if parts.scheme == "http" and not loopback:
        raise RecipeError("url", "plain http:// is for a loopback host only; use https://")
    return loopback


def http(
    method: str, url: str, body: bytes | None, headers: dict[str, str]
) -> tuple[int, str, bytes]:
    """One call: (status, media type, at most MAX_BODY + 1 bytes of the answer), within TIMEOUT."""
    loopback = check_url(url)
    # A fresh opener per call, its handler holding this call's deadline. No redirects: only the
    # base URL is ever called (a 3xx is reported as the error it is).
    handlers: list[urllib.request.BaseHandler] = [
        _NoRedirects(),
        _Within(time.monotonic() + TIMEOUT),
    ]
    if loopback:
        # urllib's default ProxyHandler sends even a call to 127.0.0.1 through HTTP(S)_PROXY
        # unless NO_PROXY names it: this machine is reached directly. Another host (https only)
        # keeps the environment's HTTPS_PROXY and NO_PROXY.
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    try:
        try:
            response = opener.open(request, timeout=TIMEOUT)
        except urllib.request.HTTPError as error:  # a 3xx, 4xx or 5xx: an answer all the same
            response = error
        with response:
            return response.status, response.headers.get_content_type(), response.read(MAX_BODY + 1)
    # ValueError: http.client refuses to send a header value holding a line break (and so a
    # header of the server's making could not add lines of its own to the request).
    except (OSError, HTTPException, ValueError) as error:  # no (whole, well-formed) answer
        if isinstance(getattr(error, "reason", error), TimeoutError):  # urllib wraps some
            raise RecipeError("http", f"{method} {url} took longer than {TIMEOUT:g} s") from None
        raise RecipeError("http", f"{method} {url} failed: {type(error).__name__}") from None


def json_object(body: bytes, what: str) -> dict[str, Any]:
    """The JSON object in text this recipe did not write (a key file, a header, an answer, the
    claims), read by strict_json (UTF-8, no member name twice, no NaN, at most MAX_DEPTH deep,
    no lone surrogate),
    or a json RecipeError (never a traceback with the sender's bytes). json.loads alone keeps
    the last of a repeated member: a JWKS, a client_id or a claim another reader of the same
    text would see otherwise."""
    try:
        value = strict_json(body)
    except TooDeep:
        raise RecipeError("json", f"{what} is nested more than {MAX_DEPTH} deep") from None
    except LoneSurrogate:
        raise RecipeError("json", f"{what} holds a \\u escape of a lone surrogate") from None
    except ValueError:
        raise RecipeError("json", f"{what} is not strict UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise RecipeError("json", f"{what} is not a JSON object")
    return value


def api_error(status: int, body: bytes) -> RecipeError:
    """The server's JSON error {"error": {"code", ...}}: only a code that looks like one is
    shown, as raw server text could carry a newline or a terminal escape sequence. Read strictly
    too: a client that acts on the code (fetches the JWKS again on key.kid_unknown) must see the
    one the server meant, so an error with a member twice shows no code."""
    try:
        code = json_object(body, "the error answer")["error"]["code"]
    except (RecipeError, KeyError, TypeError):
        code = None
    if isinstance(code, str) and re.fullmatch(r"[a-z0-9._]{1,64}", code):
        shown = f"code {code}"
    else:
        shown = "an unreadable error code"
    return RecipeError("api", f"the practice server answered {status} with {shown}")


def expect(answer: tuple[int, str, bytes], status: int, media_type: str | None = None) -> bytes:
    """The body of an answer with this status (and media type), of at most MAX_BODY bytes. Any
    other answer is refused (stage api), with the server's error code only if it looks like one."""
    got_status, got_type, body = answer
    if got_status != status:
        raise api_error(got_status, body)
    if media_type is not None and got_type != media_type:
        raise RecipeError("api", f"the practice server answered {status} but not {media_type}")
    if len(body) > MAX_BODY:
        raise RecipeError("api", f"the practice server answered {status} with > {MAX_BODY} bytes")
    return body


def checked_client_id(value: object) -> str:
    """The client id the server gave us: it goes into a request header, so visible ASCII only."""
    if not isinstance(value, str) or not re.fullmatch(r"[!-~]{1,256}", value):
        raise RecipeError("api", "the registration answer has no client_id of 1-256 visible ASCII")
    return value


def says_jwt(value: object) -> bool:
    """A `typ` or `cty` naming the media type application/jwt: media type names are
    case-insensitive, and RFC 7515 §4.1.9-10 let the "application/" prefix be left out."""
    return isinstance(value, str) and value.lower().removeprefix("application/") == "jwt"


def encryption_key(keys: list[dict[str, Any]]) -> tuple[RSAKey, str]:
    """The first entry we can encrypt to: use "enc", RSA of >= 2048 bits, alg RSA-OAEP-256 (or
    none), a kid, members that load. An entry we cannot use (a new key type, another alg, a
    broken key) is skipped, not fatal: a partner adding a key must not stop every client."""
    for jwk in keys:
        if jwk.get("use") == "enc":
            try:
                return rsa_key(jwk, private=False), jwk["kid"]
            except RecipeError:
                continue
    raise RecipeError("jwks", "the server's JWKS has no usable RSA-OAEP-256 encryption key")


def signing_key(jwk: dict[str, Any], alg: str) -> ECKey | RSAKey | None:
    """A JWKS entry as the key to verify ``alg`` with (PS256: RSA of >= 2048 bits; ES256: a
    P-256 point), or None when it cannot be that key: skipped, like the entries above."""
    if jwk.get("use") != "sig" or jwk.get("alg", alg) != alg:
        return None
    try:
        if alg == "ES256" and jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            return ECKey.import_key(jwk)  # ValueError unless the point is on P-256
        if alg == "PS256" and jwk.get("kty") == "RSA":
            with warnings.catch_warnings(action="ignore", category=SecurityWarning):
                key = RSAKey.import_key(jwk)  # (no warning on stderr for a small key: skipped)
            return key if key.raw_value.key_size >= 2048 else None
    except BAD_INPUT:
        pass
    return None


def jws_part_json(encoded: str, what: str) -> dict[str, Any]:
    """A JWS header or payload (strict base64url) as the JSON object it holds, read strictly."""
    return json_object(b64url_decode(encoded, what), what)


def jws_registry(algorithms: list[str]) -> jws.JWSRegistry:
    """joserfc's allow-list of JWS algorithms, with its cap on the payload raised to MAX_BODY:
    its own, 128 000 bytes, would refuse an answer the other recipes take, as malformed."""
    registry = jws.JWSRegistry(algorithms=algorithms)
    registry.max_payload_length = MAX_BODY
    return registry


def verify_answer(
    nested: bytes, keys: list[dict[str, Any]], client_id: str, jti: str
) -> dict[str, Any]:
    """The answer's claims, once its JWS verifies and they pass (RFC 8725 §3.1, §3.3, §3.11)."""
    # A nested JWT (RFC 7519 §5.2, cty "JWT"): the JWE's plaintext is a compact JWS, 3 parts.
    if nested.count(b".") != 2:
        raise RecipeError("jws", "the answer's JWE does not hold a compact JWS")
    # joserfc reads the JWS header with json.loads, which keeps the last of a member given twice
    # (a second typ another reader would not see): it is read strictly here first, as the stage
    # recipe reads it; the claims are read strictly once the signature verifies.
    encoded_header, encoded_claims, _ = nested.decode("ascii", "replace").split(".")
    jws_part_json(encoded_header, "the answer's JWS header")
    try:  # read to pick the key; not yet trusted
        header = jws.extract_compact(nested, registry=jws_registry(["PS256", "ES256"])).headers()
    except BAD_INPUT:
        raise RecipeError("jws", "the answer's JWS is malformed") from None
    alg, kid = header.get("alg"), header.get("kid")
    # No member beyond these three: no crit, no b64, no embedded jwk / jku / x5u / x5c (the key
    # comes from the server's JWKS alone), as the stage recipe has it.
    if alg not in ("PS256", "ES256") or set(header) - {"alg", "kid", "typ"}:
        raise RecipeError("jws", "expected alg PS256 or ES256 and no members but alg, kid, typ")
    if not isinstance(kid, str) or not kid:
        raise RecipeError("jws", "the answer's JWS header names no kid")
    # Explicit typing: another kind of token signed by the same key is not taken for an answer.
    if not says_jwt(header.get("typ")):
        raise RecipeError("jws", "the answer's JWS header does not say typ 'JWT'")
    found = [signing_key(jwk, alg) for jwk in keys if jwk.get("kid") == kid]
    usable = [key for key in found if key is not None]
    if len(usable) > 1:  # RFC 7517 §4.5: two keys of one kind under one kid are ambiguous
        raise RecipeError("jwks", "the server's JWKS has more than one signing key with this kid")
    if not usable:
        raise RecipeError("jws", "no usable signing key in the server's JWKS has this kid and alg")
    key = usable[0]
    # The signature alone first (jwt.decode would also refuse claims that are no JSON object,
    # under the same exception), then the signed claims, read strictly: each failure is named.
    try:
        jws.deserialize_compact(nested, key, registry=jws_registry([alg]))
    except BAD_INPUT:
        raise RecipeError("jws", "the server's signature does not verify") from None
    claims = jws_part_json(encoded_claims, "the answer's JWT claims set")
    try:
        jwt.JWTClaimsRegistry(
            leeway=SKEW,  # exp not passed, iat and nbf (if any) not in the future
            iss={"essential": True, "value": AUDIENCE},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
            iat={"essential": True},
        ).validate(claims)
    except BAD_INPUT:
        raise RecipeError(
            "claims", "the answer is not from the server to us, or not fresh"
        ) from None
    # What the registry leaves to us: integer times (it takes floats too; True is an int), a
    # bounded lifetime, so a leaked answer cannot be replayed for days, and `in_reply_to` equal
    # to our jti (its "value" would also match a list that holds the jti).
    exp, iat, nbf = claims["exp"], claims["iat"], claims.get("nbf", 0)
    if type(exp) is not int or type(iat) is not int or type(nbf) is not int:
        raise RecipeError("claims", "the answer's exp and iat (and nbf, if any) are not integers")
    if not 0 < exp - iat <= MAX_ANSWER_LIFETIME:  # expiring before it was issued, too
        raise RecipeError("claims", f"the answer's exp - iat is not 1 to {MAX_ANSWER_LIFETIME} s")
    if claims.get("in_reply_to") != jti:
        raise RecipeError("claims", "the answer does not reply to this request's jti")
    return claims


def kyc(base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    check_url(base)  # before any key is made or any connection opened
    tag = secrets.token_hex(4)
    # Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
    enc_key = RSAKey.generate_key(
        2048, {"kid": f"demo-python-lib-enc-{tag}", "use": "enc", "alg": ALG}
    )
    sig_key = ECKey.generate_key(
        "P-256", {"kid": f"demo-python-lib-sig-{tag}", "use": "sig", "alg": "ES256"}
    )

    # This one-shot program fetches the JWKS once per run. A long-running client would cache it,
    # with bounds: for the answer's Cache-Control max-age but at most 3600 s (60 s when none is
    # given), re-fetched at most once per 30 s, and re-fetched once when an answer's signing kid
    # is unknown (a key rotation) -- never on every unknown kid, which a forger could send at will.
    body = expect(http("GET", f"{base}/.well-known/jwks.json", None, {}), 200, "application/json")
    listed = json_object(body, "the server's JWKS").get("keys")
    if not isinstance(listed, list):
        raise RecipeError("jwks", "the server's JWKS has no list of keys")
    # Each entry is loaded on its own (not KeySet.import_key_set, which fails on the first it
    # cannot load), so one we cannot use is skipped (RFC 7517 §5).
    keys = [k for k in listed if isinstance(k, dict)]
    server_key, server_kid = encryption_key(keys)  # the first usable one listed is current

    jwks = {"keys": [enc_key.as_dict(private=False), sig_key.as_dict(private=False)]}
    body = expect(http("POST", f"{base}/v1/clients", json.dumps({"jwks": jwks}).encode(),
                       {"Content-Type": "application/json"}), 201, "application/json")  # fmt: skip
    client_id = checked_client_id(json_object(body, "the registration answer").get("client_id"))

    now = int(time.time())
    jti = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()  # fresh per request
    claims = {"iss": client_id, "aud": AUDIENCE, "iat": now, "exp": now + LIFETIME, "jti": jti,
              "pan": "ABCDE1234F", "name": "Asha Rao"}  # fmt: skip
    # Sign (ES256: joserfc writes the raw r || s JWS wants), then encrypt with cty "JWT".
    signed = jws.serialize_compact({"alg": "ES256", "typ": "JWT", "kid": sig_key.kid},
                                   json.dumps(claims, separators=(",", ":")), sig_key,
                                   algorithms=["ES256"])  # fmt: skip
    request_token = encrypt(signed.encode(), server_key, server_kid, cty="JWT")

    headers = {"Content-Type": "application/jose", "X-Client-Id": client_id}
    reply = http("POST", f"{base}/v1/kyc/pan", request_token.encode(), headers)
    body = expect(reply, 200, "application/jose")
    # The answer must be a JWE (only the server and we can read it) holding a JWS (only the
    # server can have made it): anyone can encrypt to our public key, so a JWE of bare claims
    # proves nothing, and a bare JWS is readable by all on the way.
    nested, header = decrypt(body.decode("ascii", "replace").strip(" \t\r\n"), enc_key, enc_key.kid)
    if not says_jwt(header.get("cty")):
        raise RecipeError("header", "the answer's JWE does not say cty 'JWT'")
    return verify_answer(nested, keys, client_id, jti)


def read_json_file(path: str) -> dict[str, Any]:
    name = ascii(path)[:200]  # as typed, but a line break or ESC in it is shown escaped
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_INPUT + 1)  # bounded: `encrypt /dev/zero` fails at once
    except OSError as error:
        raise RecipeError("jwk", f"cannot read {name}: {error.strerror}") from None
    if len(data) > MAX_INPUT:
        raise RecipeError("jwk", f"{name} holds more than {MAX_INPUT} bytes: no JWK is that big")
    return json_object(data, f"the JWK in {name}")


def read_stdin(limit: int) -> bytes:
    if sys.stdin is None:  # started with stdin closed (`<&-`)
        raise RecipeError("input", "cannot read stdin: it is closed")
    try:
        data = sys.stdin.buffer.read(limit + 1)
    except OSError as error:
        raise RecipeError("input", f"cannot read stdin: {error.strerror}") from None
    if len(data) > limit:
        raise RecipeError("input", f"the input is larger than {limit} bytes")
    return data


def write_stdout(data: bytes) -> None:
    """Write the result and see that it arrived: a full disk, a closed stdout or a reader that
    left is an error (exit status 1), never a silent loss or a traceback."""
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise RecipeError("output", "cannot write to stdout: it is closed")
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()  # the write happens here at the latest, so its error is caught here
    except OSError as error:
        # What did not arrive would be flushed again at exit, with a second error and a
        # traceback: let it go to /dev/null instead.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise RecipeError("output", f"cannot write to stdout: {error.strerror}") from None


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
            write_stdout(encrypt(read_stdin(MAX_INPUT), key, jwk["kid"]).encode() + b"\n")
        elif command == "decrypt":
            jwk = read_json_file(argument)
            key = rsa_key(jwk, private=True)
            token = read_stdin(MAX_TOKEN).decode("ascii", "replace").strip(" \t\r\n")
            kid = jwk.get("kid")
            write_stdout(decrypt(token, key, kid if isinstance(kid, str) else None)[0])
        else:
            write_stdout(json.dumps(kyc(argument), indent=2).encode() + b"\n")
    except RecipeError as error:
        print(f"python-lib recipe: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
