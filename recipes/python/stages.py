"""RSA-OAEP-256 + A256GCM compact JWE, stage by stage, with pyca/cryptography (no JOSE library).

    recipes/run python encrypt PUBLIC_JWK_FILE  < plaintext > token
    recipes/run python decrypt PRIVATE_JWK_FILE < token > plaintext
    recipes/run python kyc BASE_URL             # a signed-then-encrypted call to the practice API

Each stage is marked ``# --- stage: NAME ---`` ... ``# --- end stage ---`` and names its step of
RFC 7516 §5.1 (encrypt) or §5.2 (decrypt) and its notebook, which shows these very lines.

Written the way a careful integrator ships it: strict JWK and token parsing, an allow-list of one
``alg`` and one ``enc``, the recipient's ``kid`` in the header, a fresh ``jti`` and a short ``exp``
per request, https only (plain http to loopback alone), each HTTP call held to one deadline and a
size cap, every input read bounded, errors as one line on stderr with a non-zero exit, nothing
secret (CEK, plaintext, private key) ever printed. ``kyc`` makes DEMO keys only.
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
MAX_INPUT = 1 << 20  # the most of a JWK file or of a plaintext on stdin read; larger is refused
MAX_TOKEN = 3 << 19  # a token of MAX_INPUT plaintext bytes fits: 4/3 of it + header, key, IV, tag
MAX_ANSWER_LIFETIME = 300  # seconds: the most exp - iat of an answer may be
MAX_RSA_BITS = 16384  # the largest modulus taken: a million-bit one would keep RSA busy for minutes
MAX_DEPTH = 32  # the deepest JSON nesting accepted in any JSON read (a JWKS is 3 deep)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # what json.loads leaves of an unpaired \uD800
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


class RecipeError(Exception):
    """A problem with the input: printed as one line on stderr, exit status 1."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")


def shown(value: object, limit: int = 40) -> str:
    """Input text as a message may quote it: escaped (ascii() writes a line break, ESC or any
    non-ASCII as \\n, \\x1b, \\u...) and cut short, so that a token or a key file can neither add
    lines nor send terminal escapes to stderr, nor fill it."""
    text = ascii(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


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
    """UTF-8 JSON, one object, no member name twice, at most MAX_DEPTH deep, no lone surrogate."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in pairs]
        if len(set(names)) != len(names):
            raise RecipeError("json", f"{what} repeats a member name")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise RecipeError("json", f"{what} contains {name}, which JSON does not allow")

    # json.loads refuses data after the top-level value ("Extra data"). RecursionError: a value
    # nested some thousands deep (a hostile server's answer) overflows the parser's stack.
    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants
        )
    except RecursionError:
        raise RecipeError("json", f"{what} is nested more than {MAX_DEPTH} deep") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecipeError("json", f"{what} is not UTF-8 JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise RecipeError("json", f"{what} is not a JSON object")
    if nesting(value) > MAX_DEPTH:
        raise RecipeError("json", f"{what} is nested more than {MAX_DEPTH} deep")
    # A \uD800-\uDFFF escape that is not half of a pair is no character (RFC 8259 §8.2):
    # json.loads keeps it, other readers make it U+FFFD or "?". A pair is one character by now.
    if LONE_SURROGATE.search(json.dumps(value, ensure_ascii=False)):
        raise RecipeError("json", f"{what} holds a \\u escape of a lone surrogate")
    return value


def nesting(value: object) -> int:
    """How many objects and arrays deep ``value`` goes: 1 for {} or [], 0 for a string."""
    depth, level = 0, [value]
    while level := [item for item in level if isinstance(item, dict | list)]:
        depth += 1
        level = [
            inner for item in level for inner in (item.values() if isinstance(item, dict) else item)
        ]
    return depth


def member(jwk: dict[str, Any], name: str, what: str) -> str:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise RecipeError("jwk", f"{what} has no string member {name!r}")
    return value


def uint(jwk: dict[str, Any], name: str, what: str) -> int:
    return int.from_bytes(b64url_decode(member(jwk, name, what), f"{what} {name!r}"), "big")


def check_kty(jwk: dict[str, Any]) -> None:
    """kty "RSA" (RFC 7518 §6.1). Another value is named only when it is a short name: a kty of
    any other shape could hold anything, even a private member pasted in the wrong place."""
    kty = jwk.get("kty")
    if kty != "RSA":
        short = isinstance(kty, str) and re.fullmatch(r"[A-Za-z0-9-]{1,16}", kty)
        found = repr(kty) if short else "a value that is no key type name"
        raise RecipeError("jwk", f"expected kty 'RSA', found {found}")


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


def check_rsa_numbers(n: int, e: int) -> None:
    """RFC 8017 §3.1: n is a product of odd primes, so odd; e is odd, 3 <= e < n. The size comes
    first, before any work with the key: RSA's cost grows fast with the size of n."""
    bits = n.bit_length()
    if not 2048 <= bits <= MAX_RSA_BITS:
        raise RecipeError(
            "jwk", f"expected an RSA key of 2048 to {MAX_RSA_BITS} bits, found {bits}"
        )
    if n % 2 == 0:
        raise RecipeError("jwk", "the JWK's modulus n is even: no RSA key has one")
    if e % 2 == 0 or not 1 < e < n:
        raise RecipeError("jwk", "the JWK's exponent e is not odd with 1 < e < n")


# --- stage: jwk ---
# RFC 7517 §4 + RFC 7518 §6.3: read the recipient's public RSA JWK strictly (notebook 02).
# Refuse what a careful integrator never uses: another key type, a key under 2048 bits (or over
# 16384), numbers that are no RSA key, a key bound to another `use`/`alg`/`key_ops`, private
# members in a file meant to hold a public key, no `kid`.
def public_key_from_jwk(jwk: dict[str, Any]) -> tuple[rsa.RSAPublicKey, str]:
    check_kty(jwk)
    if any(name in jwk for name in PRIVATE_MEMBERS):
        raise RecipeError("jwk", "this file holds a private key; encrypt needs the public JWK")
    if jwk.get("use", "enc") != "enc" or jwk.get("alg", ALG) != ALG:
        raise RecipeError("jwk", f"the key is not for use 'enc' with alg {ALG!r}")
    check_key_ops(jwk, ("wrapKey", "encrypt"))
    kid = member(jwk, "kid", "the recipient's JWK")  # the recipient picks its key by kid
    n, e = uint(jwk, "n", "the JWK"), uint(jwk, "e", "the JWK")
    check_rsa_numbers(n, e)
    try:
        return rsa.RSAPublicNumbers(e, n).public_key(), kid
    except ValueError:  # e.g. e >= n: numbers that are no RSA key
        raise RecipeError("jwk", "the JWK's n and e do not form an RSA key") from None


# --- end stage ---


def private_key_from_jwk(jwk: dict[str, Any]) -> tuple[rsa.RSAPrivateKey, str | None]:
    """The private RSA JWK with every CRT member (RFC 7518 §6.3.2), checked for consistency."""
    check_kty(jwk)
    if "oth" in jwk:
        raise RecipeError("jwk", "multi-prime RSA keys ('oth') are not supported")
    if jwk.get("use", "enc") != "enc" or jwk.get("alg", ALG) != ALG:
        raise RecipeError("jwk", f"the key is not for use 'enc' with alg {ALG!r}")
    check_key_ops(jwk, ("unwrapKey", "decrypt"))
    names = ("n", "e", "d", "p", "q", "dp", "dq", "qi")
    n, e, d, p, q, dp, dq, qi = (uint(jwk, name, "the private JWK") for name in names)
    check_rsa_numbers(n, e)  # before cryptography checks the members against each other
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
    understood = {"alg", "enc", "kid", "cty", "typ"}  # so "zip" and "crit" are refused too
    unexpected = sorted(set(header) - understood)
    if unexpected:  # named escaped and short: a member's name is the sender's text
        more = f" and {len(unexpected) - 1} more" if len(unexpected) > 1 else ""
        raise RecipeError("header", f"unexpected header member {shown(unexpected[0])}{more}")
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


def says_jwt(value: object) -> bool:
    """A `typ` or `cty` naming the media type application/jwt: media type names are
    case-insensitive, and RFC 7515 §4.1.9-10 let the "application/" prefix be left out."""
    return isinstance(value, str) and value.lower().removeprefix("application/") == "jwt"


# --- stage: verify ---
# RFC 7515 §5.2, RFC 8725 §3.1 and §3.11 (notebook 11): verify the server's JWS with the key its
# `kid` names in the server's JWKS, allowing only PS256 (an RSA key of >= 2048 bits) and ES256 (a
# P-256 key), and only `typ` "JWT": explicit typing, so that another kind of token signed by the
# same key is not taken for an answer. PS256 = RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 bytes;
# ES256 arrives as raw r||s and must be turned back into DER for `cryptography`. A JWKS entry that
# cannot be this key (another kty, alg or use, or members that do not load) is passed over.
def signing_key(
    jwk: dict[str, Any], alg: str
) -> ec.EllipticCurvePublicKey | rsa.RSAPublicKey | None:
    """A JWKS entry as the key to verify ``alg`` with, or None when it cannot be that key."""
    if jwk.get("use") != "sig" or jwk.get("alg", alg) != alg:
        return None
    try:
        if alg == "ES256" and jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            x, y = uint(jwk, "x", "the server key"), uint(jwk, "y", "the server key")
            # ValueError unless (x, y) is a point on P-256.
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        if alg == "PS256" and jwk.get("kty") == "RSA":
            n, e = uint(jwk, "n", "the server key"), uint(jwk, "e", "the server key")
            if n.bit_length() >= 2048:
                return rsa.RSAPublicNumbers(e, n).public_key()
    except (RecipeError, ValueError):
        pass  # malformed members, or numbers that are no key
    return None


def verify_jws(token: str, jwks_keys: list[dict[str, Any]]) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise RecipeError("jws", f"expected 3 parts in a compact JWS, found {len(parts)}")
    header = strict_json_object(b64url_decode(parts[0], "JWS header"), "the JWS header")
    signature = b64url_decode(parts[2], "JWS signature")
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ("PS256", "ES256") or set(header) - {"alg", "kid", "typ"}:
        raise RecipeError("jws", "expected alg PS256 or ES256 and no members but alg, kid, typ")
    if not says_jwt(header.get("typ")):
        raise RecipeError("jws", "the answer's JWS header does not say typ 'JWT'")
    if not isinstance(kid, str) or not kid:  # else it could match an entry that has no kid
        raise RecipeError("jws", "the answer's JWS header names no kid")
    found = [signing_key(jwk, alg) for jwk in jwks_keys if jwk.get("kid") == kid]
    usable = [key for key in found if key is not None]
    if len(usable) > 1:  # RFC 7517 §4.5: two keys of one kind under one kid are ambiguous
        raise RecipeError("jwks", "the server's JWKS has more than one signing key with this kid")
    if not usable:
        raise RecipeError("jws", "no usable signing key in the server's JWKS has this kid and alg")
    key = usable[0]
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                raise InvalidSignature
            der = encode_dss_signature(
                int.from_bytes(signature[:32]), int.from_bytes(signature[32:])
            )
            key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        else:
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            key.verify(signature, signed, pss, hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise RecipeError("jws", "the server's signature does not verify") from None
    return strict_json_object(b64url_decode(parts[1], "JWS payload"), "the JWS payload")


# --- end stage ---


# --- stage: claims ---
# RFC 7519 §4.1, RFC 8725 §3.3 (notebooks 09, 11): check the answer's claims before trusting it:
# who sent it (`iss`), that it is for us (`aud`), that it is fresh (`exp` not passed, `iat` and
# `nbf` not in the future, each within SKEW, and a lifetime exp - iat of at most
# MAX_ANSWER_LIFETIME, so a leaked answer cannot be replayed for days), and that it answers *our*
# request (`in_reply_to` = the request's `jti`), so a replayed or swapped answer is refused.
def check_answer_claims(claims: dict[str, Any], client_id: str, jti: str, now: int) -> None:
    aud = claims.get("aud")
    if claims.get("iss") != AUDIENCE or not (
        aud == client_id or (isinstance(aud, list) and client_id in aud)
    ):
        raise RecipeError("claims", "the answer is not from the practice server to this client")
    exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf", now)
    if type(exp) is not int or type(iat) is not int or type(nbf) is not int:  # True is an int
        raise RecipeError("claims", "the answer's exp and iat (and nbf, if any) are not integers")
    if exp <= now - SKEW or iat > now + SKEW or nbf > now + SKEW:
        raise RecipeError("claims", "the answer is expired or from the future")
    if not 0 < exp - iat <= MAX_ANSWER_LIFETIME:  # expiring before it was issued, too
        raise RecipeError("claims", f"the answer's exp - iat is not 1 to {MAX_ANSWER_LIFETIME} s")
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


def api_error(status: int, body: bytes) -> RecipeError:
    """The server's JSON error {"error": {"code", "stage", "message"}}, without echoing data.

    Only a code that looks like one (``replay.jti_seen``) is shown: raw server text could carry a
    newline or a terminal escape sequence and forge or hide lines of this program's output.
    """
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError, RecursionError):
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


def jwks_entries(jwks: dict[str, Any]) -> list[dict[str, Any]]:
    """The JWKS's entries that are JSON objects; another entry is skipped (RFC 7517 §5)."""
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        raise RecipeError("jwks", "the server's JWKS has no list of keys")
    return [key for key in keys if isinstance(key, dict)]


def encryption_key(keys: list[dict[str, Any]]) -> tuple[rsa.RSAPublicKey, str]:
    """The first entry we can encrypt to: use "enc", RSA of >= 2048 bits, alg RSA-OAEP-256 (or
    none), members that load. An entry we cannot use (a new key type, another alg, a broken
    key) is skipped, not fatal: a partner adding a key must not stop every client."""
    for jwk in keys:
        if jwk.get("use") == "enc":
            try:
                return public_key_from_jwk(jwk)
            except RecipeError:
                continue
    raise RecipeError("jwks", "the server's JWKS has no usable RSA-OAEP-256 encryption key")


def kyc(base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    check_url(base)  # before any key is made or any connection opened
    enc_key, sig_key, enc_kid, sig_kid = demo_keys()

    # This one-shot program fetches the JWKS once per run. A long-running client would cache it,
    # with bounds: for the answer's Cache-Control max-age but at most 3600 s (60 s when none is
    # given), re-fetched at most once per 30 s, and re-fetched once when an answer's signing kid
    # is unknown (a key rotation) -- never on every unknown kid, which a forger could send at will.
    body = expect(http("GET", f"{base}/.well-known/jwks.json", None, {}), 200, "application/json")
    server_keys = jwks_entries(strict_json_object(body, "the server's JWKS"))
    server_key, server_kid = encryption_key(server_keys)  # the first usable one listed is current

    registration = json.dumps({"jwks": public_jwks(enc_key, sig_key, enc_kid, sig_kid)}).encode()
    headers = {"Content-Type": "application/json"}
    registered = http("POST", f"{base}/v1/clients", registration, headers)
    body = expect(registered, 201, "application/json")
    client_id = checked_client_id(
        strict_json_object(body, "the registration answer").get("client_id")
    )

    now = int(time.time())
    jti = b64url(secrets.token_bytes(16))  # fresh per request: the server refuses a jti it has seen
    claims = {"iss": client_id, "aud": AUDIENCE, "iat": now, "exp": now + LIFETIME, "jti": jti,
              "pan": "ABCDE1234F", "name": "Asha Rao"}  # fmt: skip
    request_token = encrypt(
        sign_es256(claims, sig_key, sig_kid).encode("ascii"), server_key, server_kid, "JWT"
    )

    headers = {"Content-Type": "application/jose", "X-Client-Id": client_id}
    reply = http("POST", f"{base}/v1/kyc/pan", request_token.encode(), headers)
    body = expect(reply, 200, "application/jose")
    # The answer must be a JWE (only the server and we can read it) holding a JWS (only the
    # server can have made it): anyone can encrypt to our public key, so a JWE of bare claims
    # proves nothing, and a bare JWS is readable by all on the way.
    nested, header = decrypt(body.decode("ascii", "replace").strip(" \t\r\n"), enc_key, enc_kid)
    if not says_jwt(header.get("cty")):
        raise RecipeError("header", "the answer's JWE does not say cty 'JWT'")
    answer = verify_jws(nested.decode("ascii", "replace"), server_keys)
    check_answer_claims(answer, client_id, jti, int(time.time()))
    return answer


def read_json_file(path: str) -> dict[str, Any]:
    name = shown(path, 200)  # as typed, but a line break or ESC in it is shown escaped
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_INPUT + 1)  # bounded: `encrypt /dev/zero` fails at once
    except OSError as error:
        raise RecipeError("jwk", f"cannot read {name}: {error.strerror}") from None
    if len(data) > MAX_INPUT:
        raise RecipeError("jwk", f"{name} holds more than {MAX_INPUT} bytes: no JWK is that big")
    return strict_json_object(data, f"the JWK in {name}")


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
    usage = "usage: stages.py encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL"
    if len(argv) != 2 or argv[0] not in ("encrypt", "decrypt", "kyc"):
        print(usage, file=sys.stderr)
        return 2
    command, argument = argv
    try:
        if command == "encrypt":
            public_key, kid = public_key_from_jwk(read_json_file(argument))
            token = encrypt(read_stdin(MAX_INPUT), public_key, kid, None)
            write_stdout(token.encode("ascii") + b"\n")
        elif command == "decrypt":
            private_key, private_kid = private_key_from_jwk(read_json_file(argument))
            token = read_stdin(MAX_TOKEN).decode("ascii", "replace").strip(" \t\r\n")
            write_stdout(decrypt(token, private_key, private_kid)[0])
        else:
            write_stdout(json.dumps(kyc(argument), indent=2).encode("utf-8") + b"\n")
    except RecipeError as error:
        print(f"python recipe: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
