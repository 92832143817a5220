"""Exercises for notebooks/10_debugging_broken_tokens.ipynb.

Each broken token is made here with pyca/cryptography directly, the way a hand-written sender
makes it, to the RFC 7516 A.1 demo key. The checkers verify answers with ``cryptography`` and
``jwe_steps.decrypt``, not against stored literals. A token is made once per session, so the
learner and the checker see the same one.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..b64 import b64url_decode, b64url_encode
from ..errors import JWEError
from ..examples import RFC7516_A1
from ..pipeline import decrypt
from . import Exercise

HEADER = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
PLAINTEXT = b'{"customer":"demo","amount":42}'
OAEP_HASHES: dict[str, Any] = {"SHA-1": hashes.SHA1, "SHA-256": hashes.SHA256}


def _oaep(name: str) -> padding.OAEP:
    factory = OAEP_HASHES[name]
    return padding.OAEP(mgf=padding.MGF1(factory()), algorithm=factory(), label=None)


def _token(
    *, header_aad: bytes | None = None, oaep: str = "SHA-256", glue_tag: bool = False
) -> str:
    """A sender's token to the A.1 demo key; each argument is one mistake it can make."""
    encoded_header = b64url_encode(json.dumps(HEADER, separators=(",", ":")).encode())
    public = RFC7516_A1.demo_key().material.public_key()
    encrypted_key = public.encrypt(RFC7516_A1.cek, _oaep(oaep))
    aad = encoded_header.encode("ascii") if header_aad is None else header_aad
    # The RFC's CEK and IV make the content reproducible; never reuse a CEK/IV pair for real data.
    sealed = AESGCM(RFC7516_A1.cek).encrypt(RFC7516_A1.iv, PLAINTEXT, aad)
    ciphertext, tag = (sealed, b"") if glue_tag else (sealed[:-16], sealed[-16:])
    parts = (encrypted_key, RFC7516_A1.iv, ciphertext, tag)
    return ".".join([encoded_header, *(b64url_encode(p) for p in parts)])


@cache
def appended_tag_token() -> str:
    """The sender sent AES-GCM's ciphertext||tag as the ciphertext, and an empty tag part."""
    return _token(glue_tag=True)


@cache
def oaep_token() -> str:
    """The header says RSA-OAEP-256; the sender's OAEP used another hash."""
    return _token(oaep="SHA-1")


@cache
def reserialized_token() -> str:
    """The sender's AAD came from json.dumps(header) with its default separators."""
    return _token(header_aad=b64url_encode(json.dumps(HEADER).encode()).encode("ascii"))


def _decrypts_to_plaintext(answer: Any) -> str | None:
    if not isinstance(answer, str):
        return f"Expected a str (a compact token), got a {type(answer).__name__}."
    try:
        result = decrypt(answer, RFC7516_A1.demo_key())
    except JWEError as error:
        return f"jwe_steps.decrypt still rejects it at stage '{error.stage}': {error.message}."
    if result.plaintext != PLAINTEXT:
        return "It decrypts, but not to the sender's message: repair this token, not another."
    return None


def _oaep_hash_used(answer: Any) -> str | None:
    if not isinstance(answer, str):
        return f"Expected a str such as 'SHA-256', got a {type(answer).__name__}."
    if answer not in OAEP_HASHES:
        return "Answer 'SHA-1' or 'SHA-256'."
    encrypted_key = b64url_decode(oaep_token().split(".")[1])
    try:
        RFC7516_A1.demo_key().material.decrypt(encrypted_key, _oaep(answer))
    except ValueError:
        return f"With OAEP-{answer} the demo key does not open the encrypted key."
    return None


def _sender_aad(answer: Any) -> str | None:
    if not isinstance(answer, bytes | bytearray):
        return f"Expected bytes, got a {type(answer).__name__}."
    sealed = b64url_decode(reserialized_token().split(".")[3]) + b64url_decode(
        reserialized_token().split(".")[4]
    )
    try:
        AESGCM(RFC7516_A1.cek).decrypt(RFC7516_A1.iv, sealed, bytes(answer))
    except InvalidTag:
        return "AES-GCM does not verify the tag with that AAD."
    return None


q1 = Exercise(
    1,
    "appended_tag_token() has an empty tag part: its sender put AES-GCM's whole output in the "
    "ciphertext part. Repair it: give a compact token that jwe_steps.decrypt accepts with the "
    "demo key. (str)",
    _decrypts_to_plaintext,
    "The tag is the last 16 bytes of the decoded ciphertext part. Decode part 4, split it, and "
    "base64url-encode both pieces as parts 4 and 5; the other parts stay as they are.",
    "import base64\n"
    "from jwe_steps.exercises.debugging_broken_tokens import appended_tag_token\n"
    "header, encrypted_key, iv, ciphertext, tag = appended_tag_token().split('.')\n"
    "raw = base64.urlsafe_b64decode(ciphertext + '=' * (-len(ciphertext) % 4))\n"
    "def b64u(data):\n"
    "    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')\n"
    "answer = '.'.join([header, encrypted_key, iv, b64u(raw[:-16]), b64u(raw[-16:])])",
)

q2 = Exercise(
    2,
    "oaep_token() says RSA-OAEP-256. Which hash did its sender's OAEP really use: 'SHA-1' or "
    "'SHA-256'? Find out with cryptography (or explain), then answer. (str)",
    _oaep_hash_used,
    "Decrypt the encrypted key (part 2) with the demo key's private key and padding.OAEP for "
    "each hash: only the hash the sender used opens it. explain names it too.",
    "from cryptography.hazmat.primitives import hashes\n"
    "from cryptography.hazmat.primitives.asymmetric import padding\n"
    "from jwe_steps.b64 import b64url_decode\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "from jwe_steps.exercises.debugging_broken_tokens import oaep_token\n"
    "private = RFC7516_A1.demo_key().material\n"
    "encrypted_key = b64url_decode(oaep_token().split('.')[1])\n"
    "def opens(name, factory):\n"
    "    scheme = padding.OAEP(mgf=padding.MGF1(factory()), algorithm=factory(), label=None)\n"
    "    try:\n"
    "        private.decrypt(encrypted_key, scheme)\n"
    "    except ValueError:\n"
    "        return False\n"
    "    return True\n"
    "answer = next(name for name, factory in [('SHA-1', hashes.SHA1), ('SHA-256', hashes.SHA256)]\n"
    "              if opens(name, factory))",
)

q3 = Exercise(
    3,
    "reserialized_token()'s sender built its AAD from json.dumps(header) with Python's default "
    "separators, not from the compact header in the token. Give the exact AAD bytes the sender "
    "used. (bytes)",
    _sender_aad,
    "Parse the header from part 1, serialize it with json.dumps(header) (spaces after ',' and "
    "':'), base64url-encode that, and take the ASCII bytes.",
    "import json\n"
    "from jwe_steps.b64 import b64url_decode, b64url_encode\n"
    "from jwe_steps.exercises.debugging_broken_tokens import reserialized_token\n"
    "header = json.loads(b64url_decode(reserialized_token().split('.')[0]))\n"
    "answer = b64url_encode(json.dumps(header).encode('utf-8')).encode('ascii')",
)

EXERCISES = [q1, q2, q3]
