"""Exercises for notebooks/00_start_here.ipynb.

q1 is about :func:`exercise_recipient_jwk`, a public RSA key made for this session with a size
drawn at random (2056 to 3072 bits), so neither the notebook nor the RFC shows its answer: the
length of an encrypted key made to it, which is the byte length of its modulus ``n``
(``base64``).

q2 and q3 are about :func:`exercise_token`, a token made for this session with ``cryptography``
(RSA-OAEP-256 + A256GCM to the A.1 demo key, a random CEK and IV, a header with a random
``kid`` written with spaces), so no published value answers them:

- q2 asks for its AAD, compared with its first part's text (``str.split``, ``str.encode``);
- q3 asks for a *function* that decodes a base64url part; the checker runs it on each of the
  token's five parts and on fresh random bytes of every length modulo 3, and compares what it
  returns with the bytes that ``base64`` encoded.

No jwe_steps code is involved.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import secrets
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..examples import RFC7516_A1
from . import Exercise, b64u_encode, equals, rsa_private_key, runs_on

PLAINTEXT = b'{"greeting":"a token of your own"}'


def _modulus_bytes(jwk: dict[str, str]) -> int:
    """The byte length of an RSA JWK's modulus n (RFC 7518 §6.3.1.1), with base64 only."""
    text = jwk["n"]
    return len(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@functools.cache
def exercise_recipient_jwk() -> dict[str, str]:
    """A DEMO recipient's public RSA key in a JWK, made for this session: question 1.

    Its size is drawn at random, a whole number of bytes between 2056 and 3072 bits, so the
    answer is not one the notebook or an RFC shows."""
    bits = 8 * (257 + secrets.randbelow(128))
    numbers = rsa.generate_private_key(65537, bits).public_key().public_numbers()

    def member(value: int) -> str:
        return b64u_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    return {
        "kty": "RSA",
        "kid": f"demo-recipient-{os.urandom(4).hex()}",
        "n": member(numbers.n),
        "e": member(numbers.e),
    }


def _session_token() -> str:
    """RSA-OAEP-256 + A256GCM to the A.1 demo key, made with cryptography directly."""
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": f"demo-{os.urandom(4).hex()}"}
    # json.dumps' default separators (", " and ": "): not the compact form a library writes.
    encoded_header = b64u_encode(json.dumps(header).encode("utf-8"))
    cek, iv = AESGCM.generate_key(bit_length=256), os.urandom(12)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    encrypted_key = rsa_private_key(RFC7516_A1.demo_key_jwk).public_key().encrypt(cek, oaep)
    sealed = AESGCM(cek).encrypt(iv, PLAINTEXT, encoded_header.encode("ascii"))
    parts = (encrypted_key, iv, sealed[:-16], sealed[-16:])
    return ".".join([encoded_header, *(b64u_encode(part) for part in parts)])


_TOKEN = _session_token()


def exercise_token() -> str:
    """A compact JWE made for this session (to the A.1 demo key): questions 2 and 3."""
    return _TOKEN


def _token_aad() -> bytes:
    return exercise_token().split(".")[0].encode("ascii")


def _describe_aad(answer: Any) -> str:
    first = exercise_token().split(".")[0]
    header = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
    if bytes(answer) == header:
        return "That is the header's JSON itself: the AAD is what the token carries for it."
    if bytes(answer) == exercise_token().encode("ascii"):
        return "That is the whole token: the AAD is one part of it."
    return "Right type, wrong value: which part of the token is the header, and as what text?"


def _decoding_cases() -> list[tuple[str, bytes]]:
    """(base64url text without padding, the bytes it encodes): the token's five parts, and
    fresh random bytes of lengths that leave 0, 1 and 2 bytes over a multiple of 3."""
    data = [base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in exercise_token().split(".")]
    data += [os.urandom(n) for n in (1, 2, 3, 31, 32, 33)]
    return [(b64u_encode(raw), raw) for raw in data]


q1 = Exercise(
    1,
    "exercise_recipient_jwk() is a DEMO partner's public RSA key (a JWK made for this session, "
    "of a size drawn at random). How many bytes long is the JWE Encrypted Key of a token "
    "encrypted to it with RSA-OAEP-256? (an int)",
    equals(lambda: _modulus_bytes(exercise_recipient_jwk())),
    "RSA encryption produces a number smaller than the modulus, written out in as many bytes "
    "as the modulus takes. The modulus is the JWK's 'n', base64url-encoded.",
    "import base64\n"
    "from jwe_steps.exercises.start_here import exercise_recipient_jwk\n"
    "n = exercise_recipient_jwk()['n']\n"
    "answer = len(base64.urlsafe_b64decode(n + '=' * (-len(n) % 4)))",
)

q2 = Exercise(
    2,
    "exercise_token() is a token made for you when this notebook runs, with a header of its "
    "own. What exactly is its Additional Authenticated Data? (bytes)",
    equals(_token_aad, _describe_aad),
    "RFC 7516 §5.1 step 14: it is not the header JSON, but the text of the token's first part, "
    "as ASCII bytes.",
    "from jwe_steps.exercises.start_here import exercise_token\n"
    "answer = exercise_token().split('.')[0].encode('ascii')",
)

q3 = Exercise(
    3,
    "Write decode(part): the bytes that one base64url part of a compact JWE (written without "
    "'=' padding) encodes, with the standard library's base64 module. The checker runs it on "
    "every part of exercise_token() and on fresh random bytes. (a function)",
    runs_on(_decoding_cases, lambda part: f"a part of {len(part)} characters", bytes),
    "base64.urlsafe_b64decode wants the '=' padding back: add '=' until the length is a "
    "multiple of 4 (-len(part) % 4 of them).",
    "import base64\n"
    "def decode(part):\n"
    "    return base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))\n"
    "answer = decode",
)

EXERCISES = [q1, q2, q3]
