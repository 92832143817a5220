"""Exercises for notebooks/09_an_api_that_speaks_jwe.ipynb."""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..examples import RFC7516_A1
from ..keys import Key
from . import Exercise, equals

CANDIDATE_PANS = ["ABCDE1234F", "ABCDE12345", "abcde1234f", "PQRST6789U", "AB1DE2345F"]
EXERCISE_REQUEST_ID = "req-00c0ffee00c0ffee"


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
    """A response as the practice server would send it, encrypted to the exercise client key."""
    from .. import encrypt

    answer = {"pan": "ABCDE1234F", "valid_format": True, "request_id": EXERCISE_REQUEST_ID}
    plaintext = json.dumps(answer, separators=(",", ":"))
    public = exercise_client_key().public_key()
    token: Any = encrypt(plaintext, public, alg="RSA-OAEP-256", enc="A256GCM").token
    return str(token)


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
    equals(lambda: EXERCISE_REQUEST_ID),
    "jwe_steps.decrypt(token, key) gives a trace; its .plaintext is JSON bytes.",
    "import json, jwe_steps\n"
    "from jwe_steps.exercises.an_api_that_speaks_jwe import exercise_client_key, "
    "exercise_response\n"
    "trace = jwe_steps.decrypt(exercise_response(), exercise_client_key())\n"
    "answer = json.loads(trace.plaintext)['request_id']",
)

EXERCISES = [q1, q2, q3]
