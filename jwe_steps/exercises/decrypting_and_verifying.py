"""Exercises for notebooks/06_decrypting_and_verifying.ipynb.

q1 and q3 ask how ``jwe_steps.decrypt`` behaves, so their checkers run ``jwe_steps.decrypt`` on
the altered token (q3 also ``jwe_steps.explain``: where it finds the failure is the pair's second
half). q2 asks for the CEK of :func:`exercise_token`, a token made for this session with
``cryptography`` (RSA-OAEP + A256GCM to the A.1 demo key, a random CEK that is kept nowhere),
so the published A.1 CEK does not answer it; the answer is checked by opening the token's
content with ``cryptography``'s AES-GCM under it. q4 is checked against what ``cryptography``'s
AES-GCM appends.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import JWEError, Stage
from ..examples import RFC7516_A1
from ..examples.rfc7520_keys import frodo_demo_key
from . import Exercise, b64u_decode, b64u_encode, equals, pair_of, rsa_private_key

ALLOWED = ["RSA-OAEP", "A256GCM"]
STAGES = frozenset(str(stage) for stage in Stage)
PLAINTEXT = b'{"note":"a token made for your session"}'


def _stage(token: str, key: object) -> str:
    """The stage at which jwe_steps.decrypt rejects ``token`` (or "accepted")."""
    from .. import decrypt

    try:
        decrypt(token, key, algorithms=ALLOWED)
    except JWEError as error:
        return str(error.stage)
    return "accepted"


def _with_part(index: int, text: str) -> str:
    parts = RFC7516_A1.token.split(".")
    parts[index] = text
    return ".".join(parts)


def _sixteen_byte_iv_token() -> str:
    return _with_part(2, base64.urlsafe_b64encode(bytes(16)).rstrip(b"=").decode("ascii"))


def _oaep_sha1() -> padding.OAEP:
    # RSA-OAEP is OAEP with SHA-1 (RFC 7518 §4.3), as RFC 7516 A.1 uses it.
    sha1 = hashes.SHA1()  # noqa: S303 - the algorithm the published example uses
    return padding.OAEP(mgf=padding.MGF1(sha1), algorithm=sha1, label=None)


def _session_token() -> str:
    """RSA-OAEP + A256GCM to the A.1 demo key, with a fresh CEK and IV, made with cryptography."""
    header = {"alg": "RSA-OAEP", "enc": "A256GCM"}
    encoded_header = b64u_encode(json.dumps(header, separators=(",", ":")).encode())
    cek, iv = AESGCM.generate_key(bit_length=256), os.urandom(12)
    public = rsa_private_key(RFC7516_A1.demo_key_jwk).public_key()
    sealed = AESGCM(cek).encrypt(iv, PLAINTEXT, encoded_header.encode("ascii"))
    parts = (public.encrypt(cek, _oaep_sha1()), iv, sealed[:-16], sealed[-16:])
    return ".".join([encoded_header, *(b64u_encode(part) for part in parts)])


_TOKEN = _session_token()


def exercise_token() -> str:
    """Question 2's token: made for this session, to the A.1 demo key, with a random CEK."""
    return _TOKEN


def _opens_exercise_token(answer: Any) -> str | None:
    """q2: the CEK, checked by opening the session token's content with AES-GCM under it."""
    if not isinstance(answer, bytes | bytearray):
        return f"Expected bytes (the CEK), got a {type(answer).__name__}."
    parts = exercise_token().split(".")
    sealed = b64u_decode(parts[3]) + b64u_decode(parts[4])
    try:
        opened = AESGCM(bytes(answer)).decrypt(
            b64u_decode(parts[2]), sealed, parts[0].encode("ascii")
        )
    except (ValueError, InvalidTag):
        return "AES-GCM does not open exercise_token()'s content with that as the CEK."
    return None if opened == PLAINTEXT else "It opens, but not to the sender's message."


def _wrong_key_stages() -> tuple[str, str]:
    """q3: where decrypt stops with Frodo's key, and where explain finds the failure."""
    from .. import explain

    explained = explain(RFC7516_A1.token, frodo_demo_key(), algorithms=ALLOWED)
    return _stage(RFC7516_A1.token, frodo_demo_key()), str(explained.failed_stage)


def _gcm_tag_size() -> int:
    """What AES-256-GCM adds to a message, measured with cryptography itself."""
    return len(AESGCM(os.urandom(32)).encrypt(os.urandom(12), b"measure", None)) - len(b"measure")


q1 = Exercise(
    1,
    "Replace the IV part of the RFC 7516 A.1 token with BASE64URL of 16 zero bytes. At which "
    "stage does jwe_steps.decrypt (with the right key) reject it? (the error's .stage, a str)",
    equals(lambda: _stage(_sixteen_byte_iv_token(), RFC7516_A1.demo_key())),
    "The IV is checked against what A256GCM expects before any decryption runs.",
    "import jwe_steps\n"
    "from jwe_steps.b64 import b64url_encode\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "parts = RFC7516_A1.token.split('.')\n"
    "parts[2] = b64url_encode(bytes(16))\n"
    "try:\n"
    "    jwe_steps.decrypt('.'.join(parts), RFC7516_A1.demo_key(), "
    "algorithms=['RSA-OAEP', 'A256GCM'])\n"
    "except jwe_steps.JWEError as error:\n"
    "    answer = str(error.stage)",
)

q2 = Exercise(
    2,
    "exercise_token() is a token made for you when this notebook runs: RSA-OAEP + A256GCM to "
    "the same demo key, with a CEK drawn at random. Decrypt it and give the CEK that step 9 "
    "recovered. (bytes)",
    _opens_exercise_token,
    "jwe_steps.decrypt returns a DecryptTrace; index it by step name.",
    "import jwe_steps\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "from jwe_steps.exercises.decrypting_and_verifying import exercise_token\n"
    "trace = jwe_steps.decrypt(exercise_token(), RFC7516_A1.demo_key(), "
    "algorithms=['RSA-OAEP', 'A256GCM'])\n"
    "answer = trace['cek']",
)

q3 = Exercise(
    3,
    "Decrypt the RFC 7516 A.1 token with the wrong private key: Frodo's RFC 7520 demo key "
    "(jwe_steps.examples.rfc7520_keys.frodo_demo_key()). At which stage does jwe_steps.decrypt "
    "reject it, and at which stage does jwe_steps.explain, run on the same token and key, "
    "locate the failure? (a pair of str: (decrypt's error.stage, explain's failed_stage))",
    pair_of(
        _wrong_key_stages,
        (STAGES, STAGES),
        "(decrypt's error.stage, explain's failed_stage), each a stage name",
    ),
    "RFC 7516 §11.5: a CEK that cannot be recovered must not be reported as such, by a "
    "recipient that answers others. explain is for your own tokens: it says where the steps "
    "really failed.",
    "import jwe_steps\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "from jwe_steps.examples.rfc7520_keys import frodo_demo_key\n"
    "ALLOWED = ['RSA-OAEP', 'A256GCM']\n"
    "try:\n"
    "    jwe_steps.decrypt(RFC7516_A1.token, frodo_demo_key(), algorithms=ALLOWED)\n"
    "except jwe_steps.JWEError as error:\n"
    "    stage = str(error.stage)\n"
    "explained = jwe_steps.explain(RFC7516_A1.token, frodo_demo_key(), algorithms=ALLOWED)\n"
    "answer = (stage, explained.failed_stage)",
)

q4 = Exercise(
    4,
    "How many bytes must the authentication tag part decode to for A256GCM? (an int)",
    equals(_gcm_tag_size),
    "Count the tag bytes in the RFC 7516 A.1 token, or see what AESGCM appends to a ciphertext.",
    "from jwe_steps.b64 import b64url_decode\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "answer = len(b64url_decode(RFC7516_A1.token.split('.')[4]))",
)

EXERCISES = [q1, q2, q3, q4]
