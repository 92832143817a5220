"""Exercises for notebooks/05_assembling_and_parsing.ipynb.

q1 asks about :func:`exercise_token`, a general JSON token made for the session with
``cryptography`` (A128KW + A128GCM to A.5's DEMO key, a random CEK and IV, a shared unprotected
header and a per-recipient header), so the notebook's A.4 and A.5 do not answer it; its checker
compares with the token's own ``protected`` text. q2 compares with text taken from the
question. q3 is a rewrite: its checker requires A.5's own members (protected, unprotected,
recipient header, encrypted key, IV, ciphertext, tag: a fresh token has other ones), each in
its place for the general serialization, then opens the result with ``cryptography`` alone (AES
key unwrap, HMAC-SHA-256 over AAD || IV || ciphertext || AL, AES-CBC) with A.5's demo key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from ..examples.rfc7516_json import RFC7516_A5
from . import Exercise, b64u_encode, equals

Q2_PROTECTED = "eyJlbmMiOiJBMjU2R0NNIn0"
Q2_AAD = "ZGVtbw"


def _ascii(text: str) -> bytes:
    return text.encode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.cache
def exercise_token() -> dict[str, Any]:
    """A general JSON token made for this session (to A.5's DEMO key): question 1.

    A128KW + A128GCM with a random CEK and IV; its protected header names the content
    encryption, a shared unprotected header and the recipient's own header the rest."""
    kek = _decode(RFC7516_A5.demo_key_jwks[0]["k"])
    cek, iv = AESGCM.generate_key(bit_length=128), os.urandom(12)
    protected = b64u_encode(json.dumps({"enc": "A128GCM", "typ": "JOSE+JSON"}).encode())
    sealed = AESGCM(cek).encrypt(iv, b'{"demo":"a general token"}', _ascii(protected))
    return {
        "protected": protected,
        "unprotected": {"jku": "https://server.example.com/keys.jwks"},
        "recipients": [
            {
                "header": {"alg": "A128KW", "kid": RFC7516_A5.token["header"]["kid"]},
                "encrypted_key": b64u_encode(aes_key_wrap(kek, cek)),
            }
        ],
        "iv": b64u_encode(iv),
        "ciphertext": b64u_encode(sealed[:-16]),
        "tag": b64u_encode(sealed[-16:]),
    }


def _open_a128kw_a128cbc_hs256(token: Mapping[str, Any], recipient: Mapping[str, Any]) -> bytes:
    """Open a one-recipient A128KW + A128CBC-HS256 JSON token with A.5's demo key, using
    cryptography and hmac only (RFC 7518 §4.4 and §5.2.2.2). Raises ValueError if it fails."""
    kek = _decode(RFC7516_A5.demo_key_jwks[0]["k"])
    try:
        cek = aes_key_unwrap(kek, _decode(recipient["encrypted_key"]))
    except InvalidUnwrap as error:
        raise ValueError("the encrypted key does not unwrap with A.5's key") from error
    mac_key, enc_key = cek[:16], cek[16:]
    aad = _ascii(token["protected"])
    if "aad" in token:
        aad += b"." + _ascii(token["aad"])
    iv, ciphertext = _decode(token["iv"]), _decode(token["ciphertext"])
    mac_input = aad + iv + ciphertext + (8 * len(aad)).to_bytes(8, "big")
    tag = hmac.new(mac_key, mac_input, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(tag, _decode(token["tag"])):
        raise ValueError("the tag does not verify")
    decryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def _check_general(answer: Any) -> str | None:
    """The answer must be A.5's token rewritten in the general serialization (not a new one)."""
    if not isinstance(answer, Mapping):
        return f"Expected a dict (a JSON object), got a {type(answer).__name__}."
    if "recipients" not in answer:
        return "A general JSON token lists its recipients in a 'recipients' array."
    recipients = answer["recipients"]
    if not isinstance(recipients, list) or len(recipients) != 1:
        return "'recipients' should be a list with exactly one entry here."
    for name in ("header", "encrypted_key"):
        if name in answer:
            return f"'{name}' belongs inside the recipient's entry, not at the top level."
    recipient = recipients[0]
    published = RFC7516_A5.token
    if not isinstance(recipient, Mapping) or set(recipient) != {"header", "encrypted_key"}:
        return "The recipient's entry holds exactly its 'header' and its 'encrypted_key'."
    if recipient["encrypted_key"] != published["encrypted_key"]:
        return "That is not A.5's encrypted key: rewrite A.5's token, do not make a new one."
    if recipient["header"] != published["header"]:
        return "The recipient's header must be A.5's per-recipient header, unchanged."
    for name in ("protected", "unprotected", "iv", "ciphertext", "tag"):
        if answer.get(name) != published[name]:
            return f"'{name}' is not A.5's: keep every shared member exactly as it is."
    extra = set(answer) - {"protected", "unprotected", "recipients", "iv", "ciphertext", "tag"}
    if extra:
        return "A.5 has no such member: " + ", ".join(sorted(extra)) + "."
    try:
        opened = _open_a128kw_a128cbc_hs256(answer, recipient)
    except (ValueError, KeyError) as error:
        return f"It does not open with A.5's demo key: {error}."
    if opened != RFC7516_A5.plaintext:
        return "It opens, but not to A.5's plaintext."
    return None


def _q1_mistake(answer: bytes) -> str:
    if bytes(answer) == _decode(exercise_token()["protected"]):
        return "That is the header's JSON; the AAD is its base64url-encoded text."
    if b"jku" in bytes(answer) or b"A128KW" in bytes(answer):
        return "Only one of the token's headers is authenticated as the AAD."
    return "Right type, wrong value."


def _q2_mistake(answer: bytes) -> str:
    if bytes(answer) == _ascii(Q2_PROTECTED):
        return "With an 'aad' member, the AAD is more than the protected header."
    if b"{" in bytes(answer) or bytes(answer) == b"demo":
        return "Both pieces go in as their base64url text, not decoded."
    return "Right type, wrong value."


q1 = Exercise(
    1,
    "exercise_token() is a general JSON token made for you when this notebook runs, with a "
    "protected header, a shared unprotected header, a per-recipient header and no 'aad' "
    "member. What exact bytes are its AAD? (bytes)",
    equals(lambda: _ascii(exercise_token()["protected"]), _q1_mistake),
    "Only the protected header is authenticated, and as its encoded text, not as JSON. "
    "Look at the token's 'protected' member.",
    "from jwe_steps.exercises.assembling_and_parsing import exercise_token\n"
    "answer = exercise_token()['protected'].encode('ascii')",
)

q2 = Exercise(
    2,
    f"A flattened token has protected {Q2_PROTECTED!r} and aad {Q2_AAD!r}. What exact bytes "
    "does the content encryption authenticate as its AAD? (bytes)",
    equals(lambda: _ascii(f"{Q2_PROTECTED}.{Q2_AAD}"), lambda answer: _q2_mistake(answer)),
    "RFC 7516 §5.1 step 14: the encoded protected header, a '.', then the encoded aad, all "
    "as ASCII. Both are already base64url in the token: nothing to decode.",
    "answer = ('eyJlbmMiOiJBMjU2R0NNIn0' + '.' + 'ZGVtbw').encode('ascii')",
)

q3 = Exercise(
    3,
    "Rewrite RFC 7516 A.5's flattened token as a general JSON token with one recipient (a dict).",
    _check_general,
    "Move 'header' and 'encrypted_key' into one object inside a 'recipients' list; keep every "
    "other member as it is.",
    "from jwe_steps.examples.rfc7516_json import RFC7516_A5 as A5\n"
    "answer = {name: value for name, value in A5.token.items()\n"
    "          if name not in ('header', 'encrypted_key')}\n"
    "answer['recipients'] = [{'header': A5.token['header'],\n"
    "                         'encrypted_key': A5.token['encrypted_key']}]",
)

EXERCISES = [q1, q2, q3]
