"""Exercises for notebooks/06_decrypting_and_verifying.ipynb.

q1 and q3 ask how ``jwe_steps.decrypt`` behaves, so their checkers run ``jwe_steps.decrypt`` on
the altered token. q2 is checked against the CEK that ``cryptography``'s RSA-OAEP recovers from
RFC 7516 A.1's published encrypted key, q4 against what ``cryptography``'s AES-GCM appends.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import JWEError
from ..examples import RFC7516_A1
from ..examples.rfc7520_keys import frodo_demo_key
from . import Exercise, equals

ALLOWED = ["RSA-OAEP", "A256GCM"]


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


def _cek_by_cryptography() -> bytes:
    # RSA-OAEP is OAEP with SHA-1 (RFC 7518 §4.3), as RFC 7516 A.1 uses it.
    sha1 = hashes.SHA1()  # noqa: S303 - the algorithm the published example uses
    oaep = padding.OAEP(mgf=padding.MGF1(sha1), algorithm=sha1, label=None)
    return bytes(RFC7516_A1.demo_key().material.decrypt(RFC7516_A1.encrypted_key, oaep))


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
    "Decrypt the RFC 7516 A.1 token and give the CEK that step 9 recovered. (bytes)",
    equals(_cek_by_cryptography),
    "jwe_steps.decrypt returns a DecryptTrace; index it by step name.",
    "import jwe_steps\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "trace = jwe_steps.decrypt(RFC7516_A1.token, RFC7516_A1.demo_key(), "
    "algorithms=['RSA-OAEP', 'A256GCM'])\n"
    "answer = trace['cek']",
)

q3 = Exercise(
    3,
    "Decrypt the RFC 7516 A.1 token with the wrong private key: Frodo's RFC 7520 demo key "
    "(jwe_steps.examples.rfc7520_keys.frodo_demo_key()). At which stage does jwe_steps.decrypt "
    "reject it? (a str)",
    equals(lambda: _stage(RFC7516_A1.token, frodo_demo_key())),
    "RFC 7516 §11.5: a CEK that cannot be recovered must not be reported as such.",
    "import jwe_steps\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "from jwe_steps.examples.rfc7520_keys import frodo_demo_key\n"
    "try:\n"
    "    jwe_steps.decrypt(RFC7516_A1.token, frodo_demo_key(), "
    "algorithms=['RSA-OAEP', 'A256GCM'])\n"
    "except jwe_steps.JWEError as error:\n"
    "    answer = str(error.stage)",
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
