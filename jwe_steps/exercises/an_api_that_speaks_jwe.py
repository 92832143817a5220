"""Exercises for notebooks/09_an_api_that_speaks_jwe.ipynb.

How each checker decides, without jwe_steps:

- q1 spells the PAN format out with ``str`` methods (not the server's regular expression).
- q2 measures the tag AES-256-GCM appends, with ``cryptography``'s AESGCM.
- q3's response token is made once per session with a request id drawn at random then; the id
  is kept nowhere but inside the encrypted token. The checker opens the token itself with
  ``cryptography`` (RSA-OAEP-256, then AES-GCM with the first part as AAD) and compares.

Feedback says what kind of mistake was made, never the answer or its length.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..examples import RFC7516_A1
from ..keys import Key
from . import Exercise, equals

CANDIDATE_PANS = ["ABCDE1234F", "ABCDE12345", "abcde1234f", "PQRST6789U", "AB1DE2345F"]


def _has_pan_format(text: str) -> bool:
    """AAAAA9999A, spelled out with str methods (independently of the server's regex)."""
    letters, digits, last = text[:5], text[5:9], text[9:]
    return (
        len(text) == 10
        and letters.isascii()
        and letters.isalpha()
        and letters.isupper()
        and digits.isascii()
        and digits.isdigit()
        and last.isascii()
        and last.isalpha()
        and last.isupper()
    )


def _gcm_tag_length() -> int:
    """What AES-256-GCM appends to the ciphertext, measured with ``cryptography`` itself."""
    return len(AESGCM(os.urandom(32)).encrypt(os.urandom(12), b"", None))


@cache
def exercise_client_key() -> Key:
    """The client's private key for question 3: the RFC 7516 A.1 key (published: a DEMO key)."""
    return RFC7516_A1.demo_key()


@cache
def exercise_response() -> str:
    """A response as the practice server (encrypt-only) would send it, encrypted to the
    exercise client key, with a request id drawn at random for this session."""
    from .. import encrypt

    answer = {
        "pan": "ABCDE1234F",
        "valid_format": True,
        "request_id": "req-" + secrets.token_hex(8),
    }
    plaintext = json.dumps(answer, separators=(",", ":"))
    public = exercise_client_key().public_key()
    token: Any = encrypt(plaintext, public, alg="RSA-OAEP-256", enc="A256GCM").token
    return str(token)


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _request_id_by_cryptography() -> str:
    """Open exercise_response() with ``cryptography`` alone: RSA-OAEP-256, then AES-256-GCM."""
    header, encrypted_key, iv, ciphertext, tag = exercise_response().split(".")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    cek = exercise_client_key().material.decrypt(_b64url_decode(encrypted_key), oaep)
    plaintext = AESGCM(cek).decrypt(
        _b64url_decode(iv), _b64url_decode(ciphertext) + _b64url_decode(tag), header.encode()
    )
    request_id: str = json.loads(plaintext)["request_id"]
    return request_id


def _describe_request_id(answer: Any) -> str:
    if isinstance(answer, str) and answer.startswith("req-"):
        return "That has the shape of a request id, but not this response's."
    return "A request id starts with 'req-': read it from the decrypted JSON."


q1 = Exercise(
    1,
    "Which of CANDIDATE_PANS will the server answer with valid_format true? Give them as a "
    "list, in the order they appear. (a list of str)",
    equals(lambda: [pan for pan in CANDIDATE_PANS if _has_pan_format(pan)]),
    "The pattern AAAAA9999A means: five capital letters, four digits, one capital letter; "
    "nothing more, nothing less.",
    "from jwe_steps.exercises.an_api_that_speaks_jwe import CANDIDATE_PANS\n"
    "import re\n"
    "answer = [p for p in CANDIDATE_PANS if re.fullmatch(r'[A-Z]{5}[0-9]{4}[A-Z]', p)]",
)

q2 = Exercise(
    2,
    "Every response the server sends is A256GCM. How many bytes long is the authentication tag "
    "(the fifth part, decoded) of every response? (an int)",
    equals(_gcm_tag_length),
    "The tag's size belongs to the content encryption algorithm, not to the message: "
    "RFC 7518 §5.3 fixes it for AES-GCM.",
    "answer = 128 // 8",
)

q3 = Exercise(
    3,
    "exercise_response() is a response token, encrypted to the client whose private demo key "
    "is exercise_client_key(). Decrypt it as the client does and return its request_id. (a str)",
    equals(_request_id_by_cryptography, _describe_request_id),
    "jwe_steps.decrypt(token, key) gives a trace; its .plaintext is JSON bytes.",
    "import json, jwe_steps\n"
    "from jwe_steps.exercises.an_api_that_speaks_jwe import exercise_client_key, "
    "exercise_response\n"
    "trace = jwe_steps.decrypt(exercise_response(), exercise_client_key())\n"
    "answer = json.loads(trace.plaintext)['request_id']",
)

EXERCISES = [q1, q2, q3]
