"""Exercises for notebooks/02_keys.ipynb.

Every checker reads JWKs with ``base64``, ``json`` and ``hashlib``, and q3 asks
``cryptography``'s ``rsa_crt_dmp1``: none uses jwe_steps' key code.

q4 is about the published JWKs (RFC 7516 A.1, RFC 7520 §3). q1, q2 and q3 ask for a
*function* (a member's integer, a thumbprint, a ``dp``), which the checker runs on values it
makes when the check runs (q1: random integers, written as a JWK writes them; q2 and q3: the
A.1 demo key's JWK and JWKs of fresh RSA keys made with ``cryptography``), so no published
value answers them: q3's JWKs have no ``dp`` member to copy, and the fresh keys are small
(1024-bit) test keys that jwe_steps refuses to load, so ``Key.thumbprint()`` cannot stand in for
q2's json, hashlib and base64.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import rsa_crt_dmp1

from ..examples import RFC7516_A1
from ..examples.rfc7520_keys import FRODO_RSA_JWK
from . import Exercise, b64u_decode, b64u_encode, equals, runs_on

# Small keys are quick to make and are refused by jwe_steps.load_key (RFC 7518 §4.2 wants
# 2048 bits): fine for a checker, never for data.
FRESH_KEY_BITS = 1024
CRT_MEMBERS = ("dp", "dq", "qi")


def _member_cases() -> list[tuple[str, int]]:
    """(a JWK integer member's text, its integer): the exponents 3 and 65537 and fresh random
    integers of 1 to 2048 bits, each written in the fewest bytes (RFC 7518 §6.3.1.1)."""
    values = [3, 65537] + [secrets.randbits(bits) | 1 << (bits - 1) for bits in (9, 24, 1024, 2048)]
    return [
        (b64u_encode(value.to_bytes((value.bit_length() + 7) // 8, "big")), value)
        for value in values
    ]


def _fresh_jwk(kid: str) -> dict[str, str]:
    """A fresh private RSA JWK, its members in an order RFC 7638 does not sort them in, with
    members that RFC 7638 leaves out (kid, use, alg)."""
    numbers = rsa.generate_private_key(65537, FRESH_KEY_BITS).private_numbers()

    def member(value: int) -> str:
        return b64u_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    public = numbers.public_numbers
    return {
        "use": "enc",
        "n": member(public.n),
        "kid": kid,
        "e": member(public.e),
        "kty": "RSA",
        "alg": "RSA-OAEP-256",
        "d": member(numbers.d),
        "p": member(numbers.p),
        "q": member(numbers.q),
        "dp": member(numbers.dmp1),
        "dq": member(numbers.dmq1),
        "qi": member(numbers.iqmp),
    }


def _jwks_to_check() -> list[dict[str, str]]:
    """The A.1 demo key's JWK and two fresh ones, made when the check runs."""
    return [dict(RFC7516_A1.demo_key_jwk), _fresh_jwk("demo-fresh-1"), _fresh_jwk("demo-fresh-2")]


def _describe(jwk: dict[str, str]) -> str:
    return f"the JWK with kid {jwk['kid']!r}" if "kid" in jwk else "the A.1 demo key's JWK"


def _thumbprint_cases() -> list[tuple[dict[str, str], str]]:
    return [(jwk, _rsa_thumbprint(jwk)) for jwk in _jwks_to_check()]


def _dp_cases() -> list[tuple[dict[str, str], int]]:
    """Each JWK without its CRT members (so dp cannot be read off), and its d mod (p - 1)."""
    cases = []
    for jwk in _jwks_to_check():
        d, p = (int.from_bytes(b64u_decode(jwk[name]), "big") for name in ("d", "p"))
        without = {name: value for name, value in jwk.items() if name not in CRT_MEMBERS}
        cases.append((without, rsa_crt_dmp1(d, p)))
    return cases


def _rsa_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 §3 for an RSA JWK, spelled out with json, hashlib and base64."""
    required = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    text = json.dumps(required, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


q1 = Exercise(
    1,
    "Write member_integer(text): the integer that a JWK integer member such as 'n' or 'e' "
    "encodes, with the standard library only. The checker runs it on the members of numbers "
    "it draws when the check runs. (a function)",
    runs_on(_member_cases, lambda text: f"a member of {len(text)} characters", int),
    "base64url-decode the text to bytes (put the '=' padding back first), then read the bytes "
    "as one big-endian unsigned integer.",
    "import base64\n"
    "def member_integer(text):\n"
    "    data = base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))\n"
    "    return int.from_bytes(data, 'big')\n"
    "answer = member_integer",
)

q2 = Exercise(
    2,
    "Write thumbprint(jwk): the RFC 7638 SHA-256 thumbprint of an RSA JWK, with json, hashlib "
    "and base64 only. The checker runs it on the RFC 7516 A.1 demo key's JWK and on fresh "
    "keys' JWKs (small test keys, which jwe_steps itself refuses to load). (a function "
    "returning a str)",
    runs_on(_thumbprint_cases, _describe, str),
    "Keep only e, kty and n; sort the names; no whitespace; UTF-8; SHA-256; base64url "
    "without padding.",
    "import base64, hashlib, json\n"
    "def thumbprint(jwk):\n"
    "    required = {'e': jwk['e'], 'kty': jwk['kty'], 'n': jwk['n']}\n"
    "    text = json.dumps(required, separators=(',', ':'), sort_keys=True)\n"
    "    digest = hashlib.sha256(text.encode('utf-8')).digest()\n"
    "    return base64.urlsafe_b64encode(digest).rstrip(b'=').decode('ascii')\n"
    "answer = thumbprint",
)

q3 = Exercise(
    3,
    "The JWK member dp is d mod (p - 1). Write dp_of(jwk), which computes it from a private "
    "RSA JWK's d and p members. The checker runs it on the A.1 demo key and on fresh keys, "
    "each without its dp, dq and qi members. (a function returning an int)",
    runs_on(_dp_cases, _describe, int),
    "Decode d and p to integers the way you decoded e in question 1 (base64url, then "
    "big-endian), then use Python's % operator.",
    "import base64\n"
    "def integer(text):\n"
    "    return int.from_bytes(base64.urlsafe_b64decode(text + '=' * (-len(text) % 4)), 'big')\n"
    "def dp_of(jwk):\n"
    "    return integer(jwk['d']) % (integer(jwk['p']) - 1)\n"
    "answer = dp_of",
)

q4 = Exercise(
    4,
    "A server's key set holds the RFC 7516 A.1 demo key (kid 'demo-server-2026') and Frodo's "
    "RFC 7520 demo key. A token arrives whose header has kid 'frodo.baggins@hobbiton.example'. "
    "Give the RFC 7638 thumbprint of the key that the key set picks. (a str)",
    equals(lambda: _rsa_thumbprint(FRODO_RSA_JWK)),
    "jwe_steps.load_key_set({'keys': [...]}) gives a KeySet; its select(kid) returns a Key, "
    "and Key.thumbprint() computes RFC 7638.",
    "import jwe_steps\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "from jwe_steps.examples.rfc7520_keys import FRODO_RSA_JWK\n"
    "server = {**RFC7516_A1.demo_key_jwk, 'kid': 'demo-server-2026'}\n"
    "keys = jwe_steps.load_key_set({'keys': [server, FRODO_RSA_JWK]})\n"
    "answer = keys.select('frodo.baggins@hobbiton.example').thumbprint()",
)

EXERCISES = [q1, q2, q3, q4]
