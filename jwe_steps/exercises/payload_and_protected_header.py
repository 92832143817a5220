"""Exercises for notebooks/01_payload_and_protected_header.ipynb.

q1-q3 are checked with the standard library (``str.encode``, ``base64``); q4 asks how
``jwe_steps.decrypt`` behaves, so its checker runs ``jwe_steps.decrypt`` on the re-spaced token.
"""

from __future__ import annotations

import base64

from ..errors import JWEError
from ..examples import RFC7516_A1
from . import Exercise, equals

# The header of question 2: the RFC 7516 A.1 members, but in the other order.
REORDERED_HEADER = b'{"enc":"A256GCM","alg":"RSA-OAEP"}'


def _stage_of_respaced_token() -> str:
    """Decrypt the RFC 7516 A.1 token whose first part was re-encoded with spaces; the stage."""
    from .. import decrypt

    spaced = base64.urlsafe_b64encode(b'{"alg": "RSA-OAEP", "enc": "A256GCM"}').rstrip(b"=")
    token = ".".join([spaced.decode("ascii"), *RFC7516_A1.token.split(".")[1:]])
    try:
        decrypt(token, RFC7516_A1.demo_key(), algorithms=["RSA-OAEP", "A256GCM"])
    except JWEError as error:
        return str(error.stage)
    return "no error"  # would mean the AAD was not protected


q1 = Exercise(
    1,
    "How many bytes long is the UTF-8 encoding of the text 'Zürich'? (an int)",
    equals(lambda: len("Zürich".encode())),
    "ASCII letters take one byte each; a code point from U+0080 to U+07FF takes two.",
    "answer = len('Zürich'.encode('utf-8'))",
)

q2 = Exercise(
    2,
    "A sender serialized its protected header as exactly "
    'b\'{"enc":"A256GCM","alg":"RSA-OAEP"}\'. What is the AAD? (bytes)',
    equals(lambda: base64.urlsafe_b64encode(REORDERED_HEADER).rstrip(b"=")),
    "The AAD is ASCII(BASE64URL(UTF8(header))): base64url without '=' padding, of these "
    "exact bytes, in this order.",
    "from jwe_steps.b64 import b64url_encode\n"
    'answer = b64url_encode(b\'{"enc":"A256GCM","alg":"RSA-OAEP"}\').encode(\'ascii\')',
)

q3 = Exercise(
    3,
    "A lenient decoder turns both 'aGk' and 'aGl' into b'hi'. Which one is the canonical "
    "base64url spelling of b'hi', the only one jwe_steps.b64 accepts? (a str)",
    equals(lambda: base64.urlsafe_b64encode(b"hi").rstrip(b"=").decode("ascii")),
    "Encode b'hi' yourself: an encoder always leaves the unused low bits of the last "
    "character at zero.",
    "import base64\nanswer = base64.urlsafe_b64encode(b'hi').rstrip(b'=').decode('ascii')",
)

q4 = Exercise(
    4,
    "Take the RFC 7516 A.1 token and replace its first part with BASE64URL of the same header "
    'written with spaces: b\'{"alg": "RSA-OAEP", "enc": "A256GCM"}\'. With the right key, '
    "at which stage does jwe_steps.decrypt reject it? (the error's .stage, as a str)",
    equals(_stage_of_respaced_token),
    "The header still parses and names the same algorithms, and the key still recovers the "
    "CEK. What does the AAD feed into?",
    "import jwe_steps\n"
    "from jwe_steps.b64 import b64url_encode\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    'first = b64url_encode(b\'{"alg": "RSA-OAEP", "enc": "A256GCM"}\')\n'
    "token = '.'.join([first, *RFC7516_A1.token.split('.')[1:]])\n"
    "try:\n"
    "    jwe_steps.decrypt(token, RFC7516_A1.demo_key(), algorithms=['RSA-OAEP', 'A256GCM'])\n"
    "except jwe_steps.JWEError as error:\n"
    "    answer = str(error.stage)",
)

EXERCISES = [q1, q2, q3, q4]
