"""Exercises for notebooks/00_start_here.ipynb.

q1 counts the bytes of the RSA modulus in the A.1 demo key's published JWK (``base64``), q2 and
q3 read the published token with ``str.split`` and ``base64``: no jwe_steps code is involved.
"""

from __future__ import annotations

import base64

from ..examples import RFC7516_A1
from . import Exercise, equals


def _modulus_bytes(jwk: dict[str, str]) -> int:
    """The byte length of an RSA JWK's modulus n (RFC 7518 §6.3.1.1), with base64 only."""
    text = jwk["n"]
    return len(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


q1 = Exercise(
    1,
    "The RFC's recipient key is a 2048-bit RSA key. How many bytes long is the JWE Encrypted "
    "Key? (an int)",
    equals(lambda: _modulus_bytes(RFC7516_A1.demo_key_jwk)),
    "RSA encryption produces a number smaller than the modulus, written out in as many bytes "
    "as the modulus takes.",
    "answer = 2048 // 8",
)

q2 = Exercise(
    2,
    "What exactly is the Additional Authenticated Data for the RFC's token? (bytes)",
    equals(lambda: RFC7516_A1.token.split(".")[0].encode("ascii")),
    "RFC 7516 §5.1 step 14: it is not the header JSON, but the text of the token's first part.",
    "from jwe_steps.examples import RFC7516_A1\n"
    "answer = RFC7516_A1.token.split('.')[0].encode('ascii')",
)

q3 = Exercise(
    3,
    "Decode the third part of the RFC's token (the IV) yourself, with the standard library's "
    "base64 module. (bytes)",
    equals(lambda: RFC7516_A1.iv),
    "base64.urlsafe_b64decode wants '=' padding back: add '=' until the length is a multiple of 4.",
    "import base64\nfrom jwe_steps.examples import RFC7516_A1\n"
    "part = RFC7516_A1.token.split('.')[2]\n"
    "answer = base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))",
)

EXERCISES = [q1, q2, q3]
