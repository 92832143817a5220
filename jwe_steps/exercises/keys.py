"""Exercises for notebooks/02_keys.ipynb.

Every checker reads the published JWKs (RFC 7516 A.1, RFC 7520 §3) with ``base64``, ``json``
and ``hashlib``, and q3 asks ``cryptography``'s ``rsa_crt_dmp1``: none uses jwe_steps' key code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import rsa_crt_dmp1

from ..examples import RFC7516_A1
from ..examples.rfc7520_keys import FRODO_RSA_JWK
from . import Exercise, equals


def _integer(member: str) -> int:
    """A JWK member of the RFC 7516 A.1 demo key, as an integer (stdlib only)."""
    text = RFC7516_A1.demo_key_jwk[member]
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def _rsa_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 §3 for an RSA JWK, spelled out with json, hashlib and base64."""
    required = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    text = json.dumps(required, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


q1 = Exercise(
    1,
    "The public exponent of the RFC 7516 A.1 demo key is written 'AQAB' in its JWK. "
    "Which integer is that? (an int)",
    equals(lambda: _integer("e")),
    "base64url-decode 'AQAB' to bytes, then read the bytes as one big-endian unsigned integer.",
    "import base64\nanswer = int.from_bytes(base64.urlsafe_b64decode('AQAB'), 'big')",
)

q2 = Exercise(
    2,
    "Compute the RFC 7638 SHA-256 thumbprint of the RFC 7516 A.1 demo key yourself, with "
    "json, hashlib and base64 only. (a str)",
    equals(lambda: _rsa_thumbprint(RFC7516_A1.demo_key_jwk)),
    "Keep only e, kty and n; sort the names; no whitespace; UTF-8; SHA-256; base64url "
    "without padding.",
    "import base64, hashlib, json\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "jwk = RFC7516_A1.demo_key_jwk\n"
    "text = json.dumps({'e': jwk['e'], 'kty': 'RSA', 'n': jwk['n']}, separators=(',', ':'))\n"
    "digest = hashlib.sha256(text.encode()).digest()\n"
    "answer = base64.urlsafe_b64encode(digest).rstrip(b'=').decode()",
)

q3 = Exercise(
    3,
    "The JWK member dp is d mod (p - 1). Compute it for the RFC 7516 A.1 demo key from its d "
    "and p members. (an int)",
    equals(lambda: rsa_crt_dmp1(_integer("d"), _integer("p"))),
    "Decode d and p to integers the way you decoded e, then use Python's % operator.",
    "import base64\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "def integer(text):\n"
    "    return int.from_bytes(base64.urlsafe_b64decode(text + '=' * (-len(text) % 4)), 'big')\n"
    "jwk = RFC7516_A1.demo_key_jwk\n"
    "answer = integer(jwk['d']) % (integer(jwk['p']) - 1)",
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
