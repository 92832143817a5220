"""Exercises for notebooks/10_debugging_broken_tokens.ipynb.

Each broken token is made here with pyca/cryptography directly, the way a hand-written sender
makes it, to the RFC 7516 A.1 demo key. The CEK and IV are drawn once per session and stay in
a closure (not in module globals), so the learner and the checker see the same tokens and the
answers must be worked out from them. The checkers use ``cryptography`` and ``base64`` only:

- q1 (repair) requires the broken token's own header, encrypted key and IV (a fresh token is
  refused), parts 4 and 5 in canonical base64url that together hold the broken part 4, and a
  part 5 that is a whole A256GCM tag (16 bytes: an empty or shorter tag part is what the lesson
  repairs). Then it opens the repaired token as a recipient reads it, tag apart: RSA-OAEP-256
  with the demo key, then AES-GCM (``Cipher`` with ``modes.GCM(iv, tag)``) given part 4 as the
  ciphertext, part 5 as the tag and the header part as AAD, so a tag split anywhere but at the
  end does not verify.
- q2 asks for the CEK, and checks it by opening the token's content with AES-GCM under it.
- q3 asks for the sender's AAD, and checks it by verifying the token's tag with AES-GCM under it.
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..examples import RFC7516_A1
from . import Exercise, b64u_decode, b64u_encode, rsa_private_key

HEADER = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
PLAINTEXT = b'{"customer":"demo","amount":42}'
OAEP_HASHES: dict[str, Any] = {"SHA-1": hashes.SHA1, "SHA-256": hashes.SHA256}
GCM_TAG_BYTES = 128 // 8  # A256GCM's tag: 128 bits (RFC 7518 §5.3)


def _oaep(name: str) -> padding.OAEP:
    factory = OAEP_HASHES[name]
    return padding.OAEP(mgf=padding.MGF1(factory()), algorithm=factory(), label=None)


def _demo_private_key() -> rsa.RSAPrivateKey:
    """The RFC 7516 A.1 demo key, built by cryptography from its published JWK (a DEMO key)."""
    return rsa_private_key(RFC7516_A1.demo_key_jwk)


def _session() -> tuple[dict[str, str], list[Exercise]]:
    """This session's broken tokens and the questions about them (CEK and IV in this closure)."""
    cek = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(12)
    tokens = _broken_tokens(cek, iv)
    return tokens, _questions(tokens, cek)


def _broken_tokens(cek: bytes, iv: bytes) -> dict[str, str]:
    """One token per sender's mistake, all with this CEK and IV, to the A.1 demo key."""
    public = _demo_private_key().public_key()
    encoded_header = b64u_encode(json.dumps(HEADER, separators=(",", ":")).encode())

    def token(*, aad: bytes | None = None, oaep: str = "SHA-256", glue_tag: bool = False) -> str:
        """A sender's token to the A.1 demo key; each argument is one mistake it can make."""
        encrypted_key = public.encrypt(cek, _oaep(oaep))
        sealed = AESGCM(cek).encrypt(iv, PLAINTEXT, encoded_header.encode() if aad is None else aad)
        ciphertext, tag = (sealed, b"") if glue_tag else (sealed[:-16], sealed[-16:])
        parts = (encrypted_key, iv, ciphertext, tag)
        return ".".join([encoded_header, *(b64u_encode(p) for p in parts)])

    return {
        # The sender sent AES-GCM's ciphertext||tag as the ciphertext, and an empty tag part.
        "appended_tag": token(glue_tag=True),
        # The header says RSA-OAEP-256; the sender's OAEP used SHA-1.
        "oaep": token(oaep="SHA-1"),
        # The sender's AAD came from json.dumps(header) with its default separators.
        "reserialized": token(aad=b64u_encode(json.dumps(HEADER).encode()).encode("ascii")),
    }


def _open_with_separate_tag(
    cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes
) -> bytes:
    """AES-GCM decryption given the tag as its own value, as a JWE recipient has it (RFC 7516
    §5.2 step 16): InvalidTag unless that tag verifies these exact ciphertext and AAD."""
    decryptor = Cipher(
        algorithms.AES(cek), modes.GCM(iv, tag, min_tag_length=GCM_TAG_BYTES)
    ).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(ciphertext) + decryptor.finalize()


def _canonical(part: str) -> bytes | None:
    """The bytes of a base64url part written as an encoder writes it (no '=', no stray
    bits), else None."""
    try:
        data = b64u_decode(part)
    except ValueError:
        return None
    return data if b64u_encode(data) == part else None


def _repaired(answer: Any, broken_token: str) -> str | None:
    """q1: the broken token with its ciphertext part split into ciphertext and a whole tag."""
    if not isinstance(answer, str):
        return f"Expected a str (a compact token), got a {type(answer).__name__}."
    parts, broken = answer.split("."), broken_token.split(".")
    if len(parts) != 5:
        return "A compact JWE has five parts separated by dots."
    if parts[:3] != broken[:3]:
        return (
            "Keep the broken token's header, encrypted key and IV as they are: repair this "
            "token, do not make a new one."
        )
    ciphertext, tag = _canonical(parts[3]), _canonical(parts[4])
    if ciphertext is None or tag is None:
        return "Parts 4 and 5 must be base64url as an encoder writes it: no '=' padding."
    if not hmac.compare_digest(ciphertext + tag, b64u_decode(broken[3])):
        return "Parts 4 and 5 together must hold exactly the bytes of the broken part 4."
    if len(tag) != GCM_TAG_BYTES:
        return (
            "Part 5 is not a whole A256GCM tag, so a recipient refuses the token before "
            "decrypting: how long is GCM's tag, and where does GCM put it?"
        )
    try:
        recovered = _demo_private_key().decrypt(b64u_decode(parts[1]), _oaep("SHA-256"))
        opened = _open_with_separate_tag(
            recovered, b64u_decode(parts[2]), ciphertext, tag, parts[0].encode("ascii")
        )
    except (ValueError, InvalidTag):
        return "AES-GCM does not verify that split: where does GCM put its tag?"
    return None if opened == PLAINTEXT else "It opens, but not to the sender's message."


def _recovered_cek(answer: Any, oaep_token: str) -> str | None:
    """q2: the CEK, checked by opening the token's content under it."""
    if not isinstance(answer, bytes | bytearray):
        return f"Expected bytes (the CEK), got a {type(answer).__name__}."
    parts = oaep_token.split(".")
    sealed = b64u_decode(parts[3]) + b64u_decode(parts[4])
    try:
        AESGCM(bytes(answer)).decrypt(b64u_decode(parts[2]), sealed, parts[0].encode("ascii"))
    except (ValueError, InvalidTag):
        return "AES-GCM does not open the token's content with that as the CEK."
    return None


def _sender_aad(answer: Any, reserialized_token: str, cek: bytes) -> str | None:
    """q3: the sender's AAD, checked by verifying the token's tag under it."""
    if not isinstance(answer, bytes | bytearray):
        return f"Expected bytes, got a {type(answer).__name__}."
    parts = reserialized_token.split(".")
    sealed = b64u_decode(parts[3]) + b64u_decode(parts[4])
    try:
        AESGCM(cek).decrypt(b64u_decode(parts[2]), sealed, bytes(answer))
    except InvalidTag:
        return "AES-GCM does not verify the tag with that AAD."
    return None


def _questions(tokens: dict[str, str], cek: bytes) -> list[Exercise]:
    """The three questions, their checkers bound to this session's tokens (and CEK)."""
    return [
        Exercise(
            1,
            "appended_tag_token() has an empty tag part: its sender put AES-GCM's whole output "
            "in the ciphertext part. Repair that token (keep its header, encrypted key and IV) "
            "so that jwe_steps.decrypt accepts it with the demo key. (str)",
            lambda answer: _repaired(answer, tokens["appended_tag"]),
            "The tag is the last 16 bytes of the decoded ciphertext part. Decode part 4, split "
            "it, and base64url-encode both pieces as parts 4 and 5; the other parts stay as "
            "they are.",
            Q1_SOLUTION,
        ),
        Exercise(
            2,
            "oaep_token() says RSA-OAEP-256, but its sender's OAEP used another hash. Find out "
            "which (with cryptography, or explain), and give the CEK it recovers. (bytes)",
            lambda answer: _recovered_cek(answer, tokens["oaep"]),
            "Decrypt the encrypted key (part 2) with the demo key's private key and "
            "padding.OAEP for each hash RFC 7518 §4.3 names: only the hash the sender used "
            "opens it, and what it opens to is the CEK.",
            Q2_SOLUTION,
        ),
        Exercise(
            3,
            "reserialized_token()'s sender built its AAD from json.dumps(header) with Python's "
            "default separators, not from the compact header in the token. Give the exact AAD "
            "bytes the sender used. (bytes)",
            lambda answer: _sender_aad(answer, tokens["reserialized"], cek),
            "Parse the header from part 1, serialize it with json.dumps(header) (spaces after "
            "',' and ':'), base64url-encode that, and take the ASCII bytes.",
            Q3_SOLUTION,
        ),
    ]


Q1_SOLUTION = (
    "import base64\n"
    "from jwe_steps.exercises.debugging_broken_tokens import appended_tag_token\n"
    "header, encrypted_key, iv, ciphertext, tag = appended_tag_token().split('.')\n"
    "raw = base64.urlsafe_b64decode(ciphertext + '=' * (-len(ciphertext) % 4))\n"
    "def b64u(data):\n"
    "    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')\n"
    "answer = '.'.join([header, encrypted_key, iv, b64u(raw[:-16]), b64u(raw[-16:])])"
)

Q2_SOLUTION = (
    "from cryptography.hazmat.primitives import hashes\n"
    "from cryptography.hazmat.primitives.asymmetric import padding\n"
    "from jwe_steps.b64 import b64url_decode\n"
    "from jwe_steps.examples import RFC7516_A1\n"
    "from jwe_steps.exercises.debugging_broken_tokens import oaep_token\n"
    "private = RFC7516_A1.demo_key().material\n"
    "encrypted_key = b64url_decode(oaep_token().split('.')[1])\n"
    "def opened(factory):\n"
    "    scheme = padding.OAEP(mgf=padding.MGF1(factory()), algorithm=factory(), label=None)\n"
    "    try:\n"
    "        return private.decrypt(encrypted_key, scheme)\n"
    "    except ValueError:\n"
    "        return None\n"
    "answer = next(cek for cek in (opened(hashes.SHA1), opened(hashes.SHA256)) if cek)"
)

Q3_SOLUTION = (
    "import json\n"
    "from jwe_steps.b64 import b64url_decode, b64url_encode\n"
    "from jwe_steps.exercises.debugging_broken_tokens import reserialized_token\n"
    "header = json.loads(b64url_decode(reserialized_token().split('.')[0]))\n"
    "answer = b64url_encode(json.dumps(header).encode('utf-8')).encode('ascii')"
)

_TOKENS, EXERCISES = _session()
q1, q2, q3 = EXERCISES


def appended_tag_token() -> str:
    """The sender sent AES-GCM's ciphertext||tag as the ciphertext, and an empty tag part."""
    return _TOKENS["appended_tag"]


def oaep_token() -> str:
    """The header says RSA-OAEP-256; the sender's OAEP used another hash."""
    return _TOKENS["oaep"]


def reserialized_token() -> str:
    """The sender's AAD came from json.dumps(header) with its default separators."""
    return _TOKENS["reserialized"]
