"""RSA-OAEP-256 + A256GCM compact JWE, stage by stage, with pyca/cryptography (no JOSE library).

    recipes/run python encrypt PUBLIC_JWK_FILE  < plaintext > token
    recipes/run python decrypt PRIVATE_JWK_FILE < token > plaintext
    recipes/run python kyc BASE_URL             # a signed-then-encrypted call to the practice API

Each stage is marked ``# --- stage: NAME ---`` ... ``# --- end stage ---`` and names its step of
RFC 7516 §5.1 (encrypt) or §5.2 (decrypt) and its notebook, which shows these very lines.

Written the way a careful integrator ships it: strict JWK and token parsing, an allow-list of one
``alg`` and one ``enc``, the recipient's ``kid`` in the header, a fresh ``jti`` and a short ``exp``
per request, each HTTP call held to one deadline and a size cap, errors on stderr with a non-zero
exit, nothing secret (CEK, plaintext, private key) ever printed. ``kyc`` makes DEMO keys only.
"""

from __future__ import annotations

import base64
import io
import json
import secrets
import socket
import sys
import time
import urllib.request
from http.client import HTTPConnection, HTTPException, HTTPResponse, HTTPSConnection
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALG, ENC = "RSA-OAEP-256", "A256GCM"
AUDIENCE = "jwe-steps-practice"  # the practice server's name in `aud` / `iss`
LIFETIME = 120  # seconds a request token lives (the server accepts at most 300)
SKEW = 30  # seconds of clock difference tolerated when checking the answer
MAX_BODY = 1 << 20  # the most of an answer read; larger is refused (the API takes <= 64 KiB)
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


class RecipeError(Exception):
    """A problem with the input: printed as one line on stderr, exit status 1."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, what: str) -> bytes:
    """Strict base64url (RFC 7515 §2): URL alphabet, no padding, canonical trailing bits."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    if not isinstance(text, str) or any(c not in alphabet for c in text) or len(text) % 4 == 1:
        raise RecipeError("base64url", f"{what} is not unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(data) != text:
        raise RecipeError("base64url", f"{what} has non-canonical trailing bits")
    return data


def strict_json_object(data: bytes, what: str) -> dict[str, Any]:
    """UTF-8 JSON with no duplicate member names, and an object at the top."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in pairs]
        if len(set(names)) != len(names):
            raise RecipeError("json", f"{what} repeats a member name")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise RecipeError("json", f"{what} contains {name}, which JSON does not allow")

    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecipeError("json", f"{what} is not UTF-8 JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise RecipeError("json", f"{what} is not a JSON object")
    return value


def member(jwk: dict[str, Any], name: str, what: str) -> str:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise RecipeError("jwk", f"{what} has no string member {name!r}")
    return value


def uint(jwk: dict[str, Any], name: str, what: str) -> int:
    return int.from_bytes(b64url_decode(member(jwk, name, what), f"{what} {name!r}"), "big")


# --- stage: jwk ---
# RFC 7517 §4 + RFC 7518 §6.3: read the recipient's public RSA JWK strictly (notebook 02).
# Refuse what a careful integrator never uses: another key type, a key under 2048 bits, a key
# bound to another `use`/`alg`, private members in a file meant to hold a public key, no `kid`.
def public_key_from_jwk(jwk: dict[str, Any]) -> tuple[rsa.RSAPublicKey, str]:
    if jwk.get("kty") != "RSA":
        raise RecipeError("jwk", f"expected kty 'RSA', found {jwk.get('kty')!r}")
    if any(name in jwk for name in PRIVATE_MEMBERS):
        raise RecipeError("jwk", "this file holds a private key; encrypt needs the public JWK")
    if jwk.get("use", "enc") != "enc" or jwk.get("alg", ALG) != ALG:
        raise RecipeError("jwk", f"the key is not for use 'enc' with alg {ALG!r}")
    kid = member(jwk, "kid", "the recipient's JWK")  # the recipient picks its key by kid
    n, e = uint(jwk, "n", "the JWK"), uint(jwk, "e", "the JWK")
    if n.bit_length() < 2048 or e < 3 or e % 2 == 0:
        raise RecipeError("jwk", f"expected an RSA key of >= 2048 bits, found {n.bit_length()}")
    return rsa.RSAPublicNumbers(e, n).public_key(), kid


# --- end stage ---


def private_key_from_jwk(jwk: dict[str, Any]) -> tuple[rsa.RSAPrivateKey, str | None]:
    """The private RSA JWK with every CRT member (RFC 7518 §6.3.2), checked for consistency."""
    if jwk.get("kty") != "RSA":
        raise RecipeError("jwk", f"expected kty 'RSA', found {jwk.get('kty')!r}")
    if "oth" in jwk:
        raise RecipeError("jwk", "multi-prime RSA keys ('oth') are not supported")
    if jwk.get("use", "enc") != "enc" or jwk.get("alg", ALG) != ALG:
        raise RecipeError("jwk", f"the key is not for use 'enc' with alg {ALG!r}")
    names = ("n", "e", "d", "p", "q", "dp", "dq", "qi")
    n, e, d, p, q, dp, dq, qi = (uint(jwk, name, "the private JWK") for name in names)
    if n.bit_length() < 2048:
        raise RecipeError("jwk", f"expected an RSA key of >= 2048 bits, found {n.bit_length()}")
    try:
        key = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, rsa.RSAPublicNumbers(e, n)).private_key()
    except ValueError:
        raise RecipeError("jwk", "the private JWK's members do not form one RSA key") from None
    kid = jwk.get("kid")
    return key, kid if isinstance(kid, str) else None


def encrypt(plaintext: bytes, public_key: rsa.RSAPublicKey, kid: str, cty: str | None) -> str:
    # --- stage: header ---
    # RFC 7516 §5.1 steps 1-2 and 11-13: the JOSE header, its exact UTF-8 bytes, base64url
    # (notebook 01). These bytes are also the AAD, so keep the encoded form; never re-serialize.
    header = {"alg": ALG, "enc": ENC, "kid": kid}
    if cty is not None:
        header["cty"] = cty  # "JWT": the plaintext is itself a JWT (a nested, signed token)
    protected = b64url(json.dumps(header, separators=(",", ":")).encode("utf-8"))
    # --- end stage ---

    # --- stage: cek ---
    # RFC 7516 §5.1 step 2: a fresh random Content Encryption Key, 32 bytes for A256GCM
    # (notebook 03). One CEK per message, from the OS CSPRNG.
    cek = secrets.token_bytes(32)
    # --- end stage ---

    # --- stage: encrypted_key ---
    # RFC 7516 §5.1 step 4, RFC 7518 §4.3: RSAES-OAEP with SHA-256 *and* MGF1-SHA-256
    # (notebook 03). Both hashes must be SHA-256 for RSA-OAEP-256; SHA-1 in either is RSA-OAEP.
    encrypted_key = public_key.encrypt(
        cek,
        padding.OAEP(
            mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        ),
    )
    # --- end stage ---

    # --- stage: iv ---
    # RFC 7516 §5.1 step 9, RFC 7518 §5.3: a fresh random 96-bit IV (notebook 04). Never reuse
    # an IV with the same key: GCM's confidentiality and integrity both fall.
    iv = secrets.token_bytes(12)
    # --- end stage ---

    # --- stage: aad ---
    # RFC 7516 §5.1 step 14: AAD = ASCII(BASE64URL(UTF8(protected header))) (notebooks 01, 04).
    aad = protected.encode("ascii")
    # --- end stage ---

    # --- stage: content ---
    # RFC 7516 §5.1 step 15: AES-256-GCM over the plaintext with the CEK, IV and AAD
    # (notebook 04). `cryptography` returns ciphertext || tag: the last 16 bytes are the tag.
    sealed = AESGCM(cek).encrypt(iv, plaintext, aad)
    ciphertext, tag = sealed[:-16], sealed[-16:]
    # --- end stage ---

    # --- stage: compact ---
    # RFC 7516 §5.1 step 19, §7.1: the compact serialization, five base64url parts joined by
    # '.' (notebook 05).
    return ".".join((protected, b64url(encrypted_key), b64url(iv), b64url(ciphertext), b64url(tag)))
    # --- end stage ---


def decrypt(
    token: str, private_key: rsa.RSAPrivateKey, kid: str | None
) -> tuple[bytes, dict[str, Any]]:
    # --- stage: parse ---
    # RFC 7516 §5.2 steps 1-5: split the compact form, decode each part strictly, read the
    # header, and check it against an allow-list before any key is used (notebooks 05, 06).
    parts = token.split(".")
    if len(parts) != 5:
        raise RecipeError("parse", f"expected 5 parts in a compact JWE, found {len(parts)}")
    names = ("protected header", "encrypted key", "IV", "ciphertext", "tag")
    protected, encrypted_key, iv, ciphertext, tag = (
        b64url_decode(part, name) for part, name in zip(parts, names, strict=True)
    )
    header = strict_json_object(protected, "the protected header")
    if header.get("alg") != ALG or header.get("enc") != ENC:
        raise RecipeError("header", f"expected alg {ALG} and enc {ENC}, found another pair")
    understood = {"alg", "enc", "kid", "cty", "typ"}
    if "zip" in header or "crit" in header or not set(header) <= understood:
        raise RecipeError(
            "header", f"unexpected header members: {sorted(set(header) - understood)}"
        )
    if kid is not None and header.get("kid") != kid:
        raise RecipeError("header", "the token's kid is not this key's kid")
    if len(iv) != 12 or len(tag) != 16:
        raise RecipeError("parse", "expected a 12-byte IV and a 16-byte tag")
    # --- end stage ---

    # --- stage: decrypt_key ---
    # RFC 7516 §5.2 steps 9-10: RSA-OAEP-256 decryption of the CEK, SHA-256 and MGF1-SHA-256
    # (notebook 06). A wrong key and a tampered token get one and the same answer (§11.5).
    try:
        cek = private_key.decrypt(
            encrypted_key,
            padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
        )
    except ValueError:
        cek = b""  # fall through to the one uniform failure below
    # --- end stage ---

    # --- stage: decrypt_content ---
    # RFC 7516 §5.2 steps 14-16: AAD from the header *as received*, then AES-256-GCM
    # decryption, which checks the tag before releasing any plaintext (notebook 06).
    aad = parts[0].encode("ascii")
    try:
        if len(cek) != 32:
            raise InvalidTag
        plaintext = AESGCM(cek).decrypt(iv, ciphertext + tag, aad)  # it wants ciphertext || tag
    except InvalidTag:
        raise RecipeError("decrypt", "the token does not decrypt with this key") from None
    # --- end stage ---
    return plaintext, header


# ---------------------------------------------------------------- the practice API (kyc)


def demo_keys() -> tuple[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, str, str]:
    """Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests."""
    tag = secrets.token_hex(4)
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec.generate_private_key(ec.SECP256R1()),
        f"demo-python-enc-{tag}",
        f"demo-python-sig-{tag}",
    )


def public_jwks(
    enc_key: rsa.RSAPrivateKey, sig_key: ec.EllipticCurvePrivateKey, enc_kid: str, sig_kid: str
) -> dict[str, Any]:
    def n_bytes(value: int, length: int) -> str:
        return b64url(value.to_bytes(length, "big"))

    rsa_pub = enc_key.public_key().public_numbers()
    ec_pub = sig_key.public_key().public_numbers()
    return {
        "keys": [
            {"kty": "RSA", "kid": enc_kid, "use": "enc", "alg": ALG,
             "n": n_bytes(rsa_pub.n, 256), "e": n_bytes(rsa_pub.e, 3)},
            {"kty": "EC", "kid": sig_kid, "use": "sig", "alg": "ES256", "crv": "P-256",
             "x": n_bytes(ec_pub.x, 32), "y": n_bytes(ec_pub.y, 32)},
        ]
    }  # fmt: skip


# --- stage: sign ---
# RFC 7515 §5.1 + RFC 7518 §3.4 (notebook 11): the JWS of the claims, ES256, inside the JWE. The
# trap: ECDSA libraries return a DER SEQUENCE { r, s }; JWS wants the raw 64 bytes r||s, each
# left-padded to 32 bytes. Sending DER makes every other JOSE library refuse it.
def sign_es256(claims: dict[str, Any], key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    header = {"alg": "ES256", "typ": "JWT", "kid": kid}
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":")).encode("utf-8")) for part in (header, claims)
    )
    der = key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)  # DER -> the two integers
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # -> fixed-width r || s (64 bytes)
    return f"{signing_input}.{b64url(raw)}"


# --- end stage ---


# --- stage: verify ---
# RFC 7515 §5.2 (notebook 11): verify the server's JWS with the key its `kid` names in the
# server's JWKS, allowing only PS256 and ES256. PS256 = RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32
# bytes; ES256 arrives as raw r||s and must be turned back into DER for `cryptography`.
def verify_jws(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise RecipeError("jws", f"expected 3 parts in a compact JWS, found {len(parts)}")
    header = strict_json_object(b64url_decode(parts[0], "JWS header"), "the JWS header")
    signature = b64url_decode(parts[2], "JWS signature")
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ("PS256", "ES256") or set(header) - {"alg", "kid", "typ"}:
        raise RecipeError("jws", f"expected alg PS256 or ES256 and no other members, found {alg!r}")
    keys = [k for k in jwks.get("keys", []) if isinstance(k, dict) and k.get("use") == "sig"]
    jwk = next((k for k in keys if k.get("kid") == kid and k.get("alg", alg) == alg), None)
    if jwk is None:
        raise RecipeError("jws", "no signing key in the server's JWKS has this kid and alg")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    try:
        if alg == "ES256" and jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            if len(signature) != 64:
                raise InvalidSignature
            ec_key = ec.EllipticCurvePublicNumbers(
                uint(jwk, "x", "the server key"), uint(jwk, "y", "the server key"), ec.SECP256R1()
            ).public_key()
            der = encode_dss_signature(
                int.from_bytes(signature[:32]), int.from_bytes(signature[32:])
            )
            ec_key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        elif alg == "PS256" and jwk.get("kty") == "RSA":
            rsa_key = rsa.RSAPublicNumbers(
                uint(jwk, "e", "the server key"), uint(jwk, "n", "the server key")
            ).public_key()
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            rsa_key.verify(signature, signed, pss, hashes.SHA256())
        else:
            raise RecipeError("jws", "the server's key does not match the JWS alg")
    except (InvalidSignature, ValueError):
        raise RecipeError("jws", "the server's signature does not verify") from None
    return strict_json_object(b64url_decode(parts[1], "JWS payload"), "the JWS payload")


# --- end stage ---


# --- stage: claims ---
# RFC 7519 §4.1, RFC 8725 §3.3 (notebooks 09, 11): check the answer's claims before trusting it:
# who sent it (`iss`), that it is for us (`aud`), that it is fresh (`iat`, `exp`), and that it
# answers *our* request (`in_reply_to` = the request's `jti`), so a replayed or swapped answer is
# refused.
def check_answer_claims(claims: dict[str, Any], client_id: str, jti: str, now: int) -> None:
    aud = claims.get("aud")
    if claims.get("iss") != AUDIENCE or not (
        aud == client_id or (isinstance(aud, list) and client_id in aud)
    ):
        raise RecipeError("claims", "the answer is not from the practice server to this client")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int) or exp + SKEW < now or iat - SKEW > now:
        raise RecipeError("claims", "the answer is expired, from the future, or lacks exp/iat")
    if claims.get("in_reply_to") != jti:
        raise RecipeError("claims", "the answer does not reply to this request's jti")


# --- end stage ---


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


def api_error(status: int, body: bytes) -> RecipeError:
    """The server's JSON error {"error": {"code", "stage", "message"}}, without echoing data."""
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = "unknown"
    return RecipeError("api", f"the practice server answered {status} with code {code!r}")


def kyc(base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    enc_key, sig_key, enc_kid, sig_kid = demo_keys()

    # One JWKS fetch per run. A long-lived client caches it for its Cache-Control max-age
    # and fetches it again, once, on key.kid_unknown or api.key_retired (a key rotation).
    status, _, body = http("GET", f"{base}/.well-known/jwks.json", None, {})
    if status != 200:
        raise api_error(status, body)
    server_jwks = strict_json_object(body, "the server's JWKS")
    enc_keys = [
        k for k in server_jwks.get("keys", []) if isinstance(k, dict) and k.get("use") == "enc"
    ]
    if not enc_keys:
        raise RecipeError("jwks", "the server's JWKS has no encryption key")
    server_key, server_kid = public_key_from_jwk(enc_keys[0])  # the first listed is current

    registration = json.dumps({"jwks": public_jwks(enc_key, sig_key, enc_kid, sig_kid)}).encode()
    status, _, body = http(
        "POST", f"{base}/v1/clients", registration, {"Content-Type": "application/json"}
    )
    if status != 201:
        raise api_error(status, body)
    client_id = strict_json_object(body, "the registration answer").get("client_id")
    if not isinstance(client_id, str):
        raise RecipeError("api", "the registration answer has no client_id")

    now = int(time.time())
    jti = b64url(secrets.token_bytes(16))  # fresh per request: the server refuses a jti it has seen
    claims = {"iss": client_id, "aud": AUDIENCE, "iat": now, "exp": now + LIFETIME, "jti": jti,
              "pan": "ABCDE1234F", "name": "Asha Rao"}  # fmt: skip
    request_token = encrypt(
        sign_es256(claims, sig_key, sig_kid).encode("ascii"), server_key, server_kid, "JWT"
    )

    headers = {"Content-Type": "application/jose", "X-Client-Id": client_id}
    status, media_type, body = http("POST", f"{base}/v1/kyc/pan", request_token.encode(), headers)
    if status != 200 or media_type != "application/jose" or len(body) > MAX_BODY:
        raise api_error(status, body)
    nested, header = decrypt(body.decode("ascii", "replace").strip(), enc_key, enc_kid)
    if header.get("cty") != "JWT":
        raise RecipeError("header", "the answer's JWE does not say cty 'JWT'")
    answer = verify_jws(nested.decode("ascii", "replace"), server_jwks)
    check_answer_claims(answer, client_id, jti, int(time.time()))
    return answer


def read_json_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BODY + 1)
    except OSError as error:
        raise RecipeError("jwk", f"cannot read {path}: {error.strerror}") from None
    return strict_json_object(data, f"the JWK in {path}")


def main(argv: list[str]) -> int:
    usage = "usage: stages.py encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL"
    if len(argv) != 2 or argv[0] not in ("encrypt", "decrypt", "kyc"):
        print(usage, file=sys.stderr)
        return 2
    command, argument = argv
    try:
        if command == "encrypt":
            public_key, kid = public_key_from_jwk(read_json_file(argument))
            sys.stdout.write(encrypt(sys.stdin.buffer.read(), public_key, kid, None) + "\n")
        elif command == "decrypt":
            private_key, private_kid = private_key_from_jwk(read_json_file(argument))
            token = sys.stdin.buffer.read().decode("ascii", "replace").strip()
            sys.stdout.buffer.write(decrypt(token, private_key, private_kid)[0])
        else:
            sys.stdout.write(json.dumps(kyc(argument), indent=2) + "\n")
    except RecipeError as error:
        print(f"python recipe: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
