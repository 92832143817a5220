"""Exercises for notebooks/05_assembling_and_parsing.ipynb."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import JWEError
from ..examples.rfc7516_json import RFC7516_A4, RFC7516_A5
from ..pipeline import decrypt
from . import Exercise, equals

Q2_PROTECTED = "eyJlbmMiOiJBMjU2R0NNIn0"
Q2_AAD = "ZGVtbw"


def _ascii(text: str) -> bytes:
    return text.encode("ascii")


def _check_general(answer: Any) -> str | None:
    """The answer must be a general JSON token (a dict with ``recipients``) that decrypts to
    A.5's plaintext with A.5's demo key, with nothing left at the top level that belongs to a
    recipient."""
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
    try:
        opened = decrypt(dict(answer), RFC7516_A5.demo_keys()[0])
    except JWEError as error:
        return f"It does not decrypt: {error}"
    if opened.plaintext != RFC7516_A5.plaintext:
        return "It decrypts, but not to A.5's plaintext."
    if opened.header != {
        **RFC7516_A5.unprotected,
        **RFC7516_A5.recipient_headers[0],
        "enc": RFC7516_A5.enc,
    }:
        return "It decrypts, but its JOSE header is not A.5's: keep every header member."
    return None


def _q1_mistake(answer: bytes) -> str:
    if bytes(answer) == RFC7516_A4.protected_header:
        return "That is the header's JSON; the AAD is its base64url-encoded text."
    return "Right type, wrong value."


def _q2_mistake(answer: bytes) -> str:
    if bytes(answer) == _ascii(Q2_PROTECTED):
        return "With an 'aad' member, the AAD is more than the protected header."
    if b"{" in bytes(answer) or bytes(answer) == b"demo":
        return "Both pieces go in as their base64url text, not decoded."
    return "Right type, wrong value."


q1 = Exercise(
    1,
    "What exact bytes are the AAD of RFC 7516 A.4's general JSON token, which has no 'aad' "
    "member? (bytes)",
    equals(lambda: _ascii(RFC7516_A4.token["protected"]), _q1_mistake),
    "Only the protected header is authenticated, and as its encoded text, not as JSON. "
    "Look at the token's 'protected' member.",
    "from jwe_steps.examples.rfc7516_json import RFC7516_A4 as A4\n"
    "answer = A4.token['protected'].encode('ascii')",
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
