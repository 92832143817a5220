"""Exercises for notebooks/11_signing_inside_encryption.ipynb.

How each checker decides:

- q1 computes the length of an ES256 signature from the curve itself: ``r`` and ``s`` are each as
  long as P-256's order, read from ``cryptography``'s ``SECP256R1().key_size``.
- q2 asks what the practice server would accept, which only the server's own rules can say:
  after requiring exactly the claims the question names, it runs the checks the server runs on
  a verified request (``jwe_steps.server_kyc``), with the server's own values from
  ``jwe_steps.server_protocol``: ``jwe_steps.nested.validate_claims`` (``iss``, ``aud``, the
  clock window with ``LEEWAY``, the ``MAX_LIFETIME``), then ``text_field`` for ``jti`` and
  ``check_pan_fields`` for ``pan`` and ``name``. Many claims sets are right; the checker names
  the first rule broken (by the server's error), never a value to copy.
- q3 splits the learner's compact JWS itself, compares its header and payload with what was
  asked, and verifies the signature with ``cryptography``'s RSASSA-PKCS1-v1_5 / SHA-256 and the
  public half of the published RFC 7515 A.2 key, read from its ``n`` and ``e``: no jwe_steps.

Feedback says which rule failed, never the answer or its length.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding

from ..errors import JWEError
from ..examples.rfc7515 import RFC7515_A2_RSA_JWK
from ..nested import claims_json, validate_claims
from ..server_errors import ApiError
from ..server_protocol import (
    AUDIENCE,
    LEEWAY,
    MAX_JTI_CHARS,
    MAX_LIFETIME,
    check_pan_fields,
    text_field,
)
from . import Exercise

EXERCISE_CLIENT_ID = "client-00000000000000e1"
EXERCISE_NOW = 1_800_000_000
"""The time, in seconds since the epoch, at which the server checks question 2's claims."""
REQUEST_CLAIMS = ("iss", "aud", "iat", "exp", "jti", "pan", "name")
# The claims the server requires of every verified request (jwe_steps.server_kyc); pan and name
# are then checked by check_pan_fields.
SERVER_REQUIRED = ("iss", "aud", "iat", "exp", "jti")


def _es256_signature_length() -> int:
    order_bytes = (ec.SECP256R1().key_size + 7) // 8
    return 2 * order_bytes


def _check_signature_length(answer: Any) -> str | None:
    if not isinstance(answer, int) or isinstance(answer, bool):
        return f"Expected an int, got a {type(answer).__name__}."
    if answer == _es256_signature_length():
        return None
    return (
        "Not that. A JWS carries r and s side by side, each as long as the curve's order: no DER."
    )


def _check_claims(answer: Any) -> str | None:
    """The claims exactly as the question asks, then the server's own checks at EXERCISE_NOW."""
    if not isinstance(answer, dict):
        return f"Expected a dict of claims, got a {type(answer).__name__}."
    for name in REQUEST_CLAIMS:
        if name not in answer:
            return f"The claims lack {name!r}."
    if set(answer) != set(REQUEST_CLAIMS):
        return "A request carries exactly the claims the README lists, no others."
    try:
        claims_json(answer)  # what sign_then_encrypt would sign: it must be JSON at all
        # What jwe_steps.server_kyc checks once the request's signature has verified.
        validate_claims(
            answer,
            issuer=EXERCISE_CLIENT_ID,
            audience=AUDIENCE,
            now=EXERCISE_NOW,
            leeway=LEEWAY,
            max_lifetime=MAX_LIFETIME,
            required=SERVER_REQUIRED,
        )
        text_field(answer, "jti", MAX_JTI_CHARS)
        check_pan_fields(answer)
    except (JWEError, ApiError) as error:
        return f"The practice server would refuse these claims ({error.code}): {error}"
    return None


EXERCISE_SIGNING_JWK: dict[str, Any] = dict(RFC7515_A2_RSA_JWK)
"""Question 3's private key: RFC 7515 A.2's RSA key, printed in the RFC, so a DEMO key."""


def _public_key_from_jwk() -> rsa.RSAPublicKey:
    """The public half of EXERCISE_SIGNING_JWK, read from its n and e with cryptography."""
    n = int.from_bytes(_b64url_decode(RFC7515_A2_RSA_JWK["n"]), "big")
    e = int.from_bytes(_b64url_decode(RFC7515_A2_RSA_JWK["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def exercise_claims() -> dict[str, Any]:
    """The claims question 3 asks you to sign."""
    return {"iss": EXERCISE_CLIENT_ID, "aud": AUDIENCE, "pan": "PQRST6789U"}


def _b64url_decode(text: str) -> bytes:
    if "=" in text:
        raise ValueError("base64url in JOSE has no '=' padding")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _check_jws(answer: Any) -> str | None:
    if not isinstance(answer, str):
        return f"Expected a compact JWS as a str, got a {type(answer).__name__}."
    parts = answer.split(".")
    if len(parts) != 3:
        return "A compact JWS has three parts separated by '.'."
    try:
        header = json.loads(_b64url_decode(parts[0]))
        payload = json.loads(_b64url_decode(parts[1]))
        signature = _b64url_decode(parts[2])
    except ValueError:
        return "Each part must be base64url (no padding) of JSON, JSON, and the signature bytes."
    if header != {"alg": "RS256", "typ": "JWT"}:
        return 'The protected header must be exactly {"alg": "RS256", "typ": "JWT"} (no kid).'
    if payload != exercise_claims():
        return "The payload must be exercise_claims(), as JSON."
    try:
        _public_key_from_jwk().verify(
            signature,
            f"{parts[0]}.{parts[1]}".encode("ascii"),
            asymmetric_padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return "The signature does not verify with the public half of EXERCISE_SIGNING_JWK."
    return None


q1 = Exercise(
    1,
    "How many bytes long is the signature of an ES256 JWS (its third part, decoded)? (an int)",
    _check_signature_length,
    "ES256 is ECDSA on P-256; RFC 7518 §3.4 puts r and s side by side, each the size of the "
    "curve's order.",
    "answer = 2 * (256 // 8)",
)

q2 = Exercise(
    2,
    "Build the claims of a request from EXERCISE_CLIENT_ID that the practice server would accept "
    "at the time EXERCISE_NOW: exactly iss, aud, iat, exp, jti, pan and name. (a dict)",
    _check_claims,
    "The README's request table lists every claim; iat is 'now', and exp at most 300 s later.",
    "from jwe_steps.exercises.signing_inside_encryption import EXERCISE_CLIENT_ID, "
    "EXERCISE_NOW\n"
    "answer = {'iss': EXERCISE_CLIENT_ID, 'aud': 'jwe-steps-practice', 'iat': EXERCISE_NOW,\n"
    "          'exp': EXERCISE_NOW + 120, 'jti': 'exercise-jti-1', 'pan': 'ABCDE1234F',\n"
    "          'name': 'Asha Rao'}",
)

q3 = Exercise(
    3,
    "Sign exercise_claims() with the private key EXERCISE_SIGNING_JWK as RS256, with the "
    "protected header "
    'exactly {"alg": "RS256", "typ": "JWT"}, and return the compact JWS. (a str)',
    _check_jws,
    "jwe_steps.load_key(EXERCISE_SIGNING_JWK) reads the key; jws.sign(payload_bytes, key, "
    "alg='RS256', header={'typ': 'JWT'}) adds the alg itself, and no kid (the key has none).",
    "import json\n"
    "from jwe_steps import jws, load_key\n"
    "from jwe_steps.exercises.signing_inside_encryption import EXERCISE_SIGNING_JWK, "
    "exercise_claims\n"
    "payload = json.dumps(exercise_claims()).encode()\n"
    "key = load_key(EXERCISE_SIGNING_JWK)\n"
    "answer = jws.sign(payload, key, alg='RS256', header={'typ': 'JWT'}).token",
)

EXERCISES = [q1, q2, q3]
