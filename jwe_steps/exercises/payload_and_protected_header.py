"""Exercises for notebooks/01_payload_and_protected_header.ipynb.

q1-q3 are checked with the standard library (``str.encode``, ``base64``); q3's two spellings
are drawn for the session (:func:`lenient_spellings`), so the notebook's own example does not
answer it. q4 asks how ``jwe_steps.decrypt`` behaves, so its checker runs ``jwe_steps.decrypt``
on the token whose header is written with a JSON escape (a spelling the notebook does not try)
for the stage, and ``jwe_steps.explain`` on it and on the RFC's token for the second half of the
pair: which of the content decryption's inputs differ between the two.
"""

from __future__ import annotations

import base64
import functools
import os
import secrets

from ..errors import JWEError, Stage
from ..examples import RFC7516_A1
from . import Exercise, equals, pair_of

STAGES = frozenset(str(stage) for stage in Stage)
# What authenticated decryption (RFC 7516 §5.2 step 16) takes in, by their names in a trace.
CONTENT_INPUTS = ("cek", "iv", "aad", "ciphertext", "tag")

# The header of question 2: the RFC 7516 A.1 members, but in the other order.
REORDERED_HEADER = b'{"enc":"A256GCM","alg":"RSA-OAEP"}'
# The header of question 4: A.1's, with the G of A256GCM written as the JSON escape \u0047.
ESCAPED_HEADER = b'{"alg":"RSA-OAEP","enc":"A256\\u0047CM"}'
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@functools.cache
def lenient_spellings() -> tuple[str, str]:
    """Two spellings of the same one or two random bytes, drawn for this session: question 3.

    One is what an encoder writes; the other has some of the last character's unused low bits
    set, which a lenient decoder ignores. Their order is drawn too."""
    data = b"hi"  # the notebook's own example: never the session's
    while data == b"hi":
        data = os.urandom(1 + secrets.randbelow(2))
    canonical = base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    unused_bits = 4 if len(data) == 1 else 2
    last = ALPHABET.index(canonical[-1]) + 1 + secrets.randbelow(2**unused_bits - 1)
    other = canonical[:-1] + ALPHABET[last]
    return (canonical, other) if secrets.randbelow(2) else (other, canonical)


def _canonical_of_spellings() -> str:
    first = lenient_spellings()[0]
    data = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _escaped_token() -> str:
    """The RFC 7516 A.1 token whose first part was re-encoded with a JSON escape."""
    escaped = base64.urlsafe_b64encode(ESCAPED_HEADER).rstrip(b"=")
    return ".".join([escaped.decode("ascii"), *RFC7516_A1.token.split(".")[1:]])


def _stage_and_changed_input() -> tuple[str, str]:
    """Where decrypt rejects the escaped token, and the one input of the content decryption
    that is not what the RFC's token gives it (both found by running jwe_steps)."""
    from .. import decrypt, explain

    token, key = _escaped_token(), RFC7516_A1.demo_key()
    try:
        decrypt(token, key, algorithms=["RSA-OAEP", "A256GCM"])
    except JWEError as error:
        stage = str(error.stage)
    else:
        stage = "no error"  # would mean the AAD was not protected
    sent, received = explain(RFC7516_A1.token, key).trace, explain(token, key).trace
    changed = [name for name in CONTENT_INPUTS if sent[name] != received[name]]
    return stage, ", ".join(changed)


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
    "lenient_spellings() gives two base64url spellings, drawn for this session, that a lenient "
    "decoder turns into the same bytes. Which one is the canonical spelling, the only one "
    "jwe_steps.b64 accepts? (a str)",
    equals(_canonical_of_spellings),
    "Decode either one with the standard library, then encode the bytes again yourself: an "
    "encoder always leaves the unused low bits of the last character at zero.",
    "import base64\n"
    "from jwe_steps.exercises.payload_and_protected_header import lenient_spellings\n"
    "first = lenient_spellings()[0]\n"
    "data = base64.urlsafe_b64decode(first + '=' * (-len(first) % 4))\n"
    "answer = base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')",
)

q4 = Exercise(
    4,
    "Take the RFC 7516 A.1 token and replace its first part with BASE64URL of the same header "
    "with one letter written as a JSON escape: "
    'b\'{"alg":"RSA-OAEP","enc":"A256\\\\u0047CM"}\' (\\u0047 is \'G\'). With the right key, '
    "at which stage does jwe_steps.decrypt reject it, and which input of that stage is no "
    "longer what the sender used? (a pair of str: the error's .stage, and one of 'cek', 'iv', "
    "'aad', 'ciphertext', 'tag')",
    pair_of(
        _stage_and_changed_input,
        (STAGES, CONTENT_INPUTS),
        "(the error's .stage, one of 'cek', 'iv', 'aad', 'ciphertext', 'tag')",
    ),
    "json.loads reads the escape as a plain 'G', so the header still parses and names the same "
    "algorithms, and the key still recovers the CEK. What does the first part of the token "
    "feed into, and which check reads it?",
    "import jwe_steps\n"
    "from jwe_steps.b64 import b64url_encode\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    'first = b64url_encode(rb\'{"alg":"RSA-OAEP","enc":"A256\\u0047CM"}\')\n'
    "token = '.'.join([first, *RFC7516_A1.token.split('.')[1:]])\n"
    "try:\n"
    "    jwe_steps.decrypt(token, RFC7516_A1.demo_key(), algorithms=['RSA-OAEP', 'A256GCM'])\n"
    "except jwe_steps.JWEError as error:\n"
    "    stage = str(error.stage)\n"
    "# The header parses to the same members, so the CEK, IV, ciphertext and tag are the\n"
    "# sender's; but the AAD is the first part's text (RFC 7516 §5.2 step 15), and that changed.\n"
    "answer = (stage, 'aad')",
)

EXERCISES = [q1, q2, q3, q4]
