"""Answering ``POST /v1/kyc/pan``: read the request token, check what its header alone decides
(``zip``, which server key), then either profile's work: decrypt the unsigned JSON, or decrypt
the nested JWT, verify it with the client's registered key, remember its ``jti`` and seal a
signed answer to the client. No HTTP here: :mod:`jwe_steps.server` calls
:func:`answer_pan_request` on its event loop with the body it has read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import decrypt, encrypt, nested
from .compact_path import read_header
from .errors import ClaimsError, JWEError, Stage
from .header import parse_header
from .keys import KeySet
from .limits import Limits
from .serialization import parse, separators
from .server_errors import answer_for, api_error
from .server_protocol import (
    ALG,
    ANSWER_LIFETIME,
    AUDIENCE,
    ENC,
    LEEWAY,
    MAX_BODY_BYTES,
    MAX_JTI_CHARS,
    MAX_LIFETIME,
    PAN_PATTERN,
    check_pan_fields,
    parse_json_object,
    text_field,
)
from .server_registration import CLIENT_SIGNING_ALGS
from .server_state import SIGNING_ALG, ClientRecord, Practice


def _token_text(body: bytes) -> str:
    """The body as a compact token; the JSON serializations are refused before any work
    (each recipient of a general JSON token can cost a private-key operation)."""
    if body.lstrip()[:1] == b"{":
        raise api_error(
            400,
            "format.json_serialization",
            "the JSON serialization is not accepted here: expected a compact JWE "
            "(five base64url parts separated by '.').",
            stage=str(Stage.SERIALIZATION),
        )
    return body.decode("utf-8", "replace")


def _protected_header(token: str) -> Mapping[str, Any]:
    """The compact token's protected header (public: anyone can read it), strictly parsed
    by the same functions decrypt uses, so its errors carry the same codes.

    A header text decrypt has already parsed and checked is read from its table (the one the
    decryption below then uses); a wrong part elsewhere in the token is then refused by the
    decryption, with the same code as here.
    """
    dots = separators(token, 4)
    if dots is not None and dots[0] > 0:
        received = read_header(token[: dots[0]])
        if received is not None:
            return received.members  # read only: shared with the decryption's table
    try:
        return parse_header(parse(token, max_recipients=1).protected_header)
    except JWEError as error:
        raise answer_for(error) from None


def _check_header(practice: Practice, header: Mapping[str, Any], now: float) -> None:
    """What the header alone decides: zip, and which server key (current, in grace, retired)."""
    if "zip" in header and practice.profile == "signed":
        raise api_error(
            400,
            "api.zip",
            "compressed requests are refused: expected no 'zip' header member (RFC 8725 §3.6: "
            "compressing before encrypting can leak the plaintext).",
            stage=str(Stage.HEADER),
        )
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise api_error(
            400,
            "api.kid_missing",
            "the JWE header has no 'kid': expected the kid of a current key from "
            "/.well-known/jwks.json.",
            stage=str(Stage.KEY),
        )
    if kid not in {key.kid for key in practice.keys.accepted(now).keys} and not (
        practice.keys.is_retired(kid, now)
    ):
        # The server's kids are public (the JWKS): naming this failure tells nobody anything.
        raise api_error(
            400,
            "key.kid_unknown",
            "the JWE header's 'kid' names no key of this server: expected one of the kids "
            "in /.well-known/jwks.json.",
            stage=str(Stage.KEY),
        )
    if practice.keys.is_retired(kid, now):
        raise api_error(
            400,
            "api.key_retired",
            "the request is encrypted to a retired server key: its grace period is over. "
            "Fetch /.well-known/jwks.json again and encrypt to the current key.",
            stage=str(Stage.KEY),
        )


def answer_pan_request(
    practice: Practice, client: ClientRecord, body: bytes, request_id: str
) -> str:
    """Read the request, check the PAN's format, build the answer's token.

    Bounded CPU work (one private-key operation, a signature check, a public-key operation,
    on a body the caller has capped): the server runs it on its event loop.
    """
    now = practice.clock()
    token = _token_text(body)
    _check_header(practice, _protected_header(token), now)
    if practice.profile == "encrypt-only":
        return _answer_unsigned(practice, client, token, request_id, now)
    return _answer_signed(practice, client, token, request_id, now)


def _answer_unsigned(
    practice: Practice, client: ClientRecord, token: str, request_id: str, now: float
) -> str:
    try:
        trace = decrypt(
            token,
            practice.keys.accepted(now),
            algorithms=[ALG, ENC],
            limits=Limits(max_token_bytes=MAX_BODY_BYTES, max_decompressed_bytes=MAX_BODY_BYTES),
        )
    except JWEError as error:
        raise answer_for(error) from None
    content = parse_json_object(trace.plaintext, "the decrypted content")
    pan = check_pan_fields(content)
    answer = {
        "pan": pan,
        "valid_format": PAN_PATTERN.fullmatch(pan) is not None,
        "request_id": request_id,
    }
    plaintext = json.dumps(answer, separators=(",", ":")).encode("utf-8")
    result: str = encrypt(plaintext, client.encryption, alg=ALG, enc=ENC).token
    return result


def _answer_signed(
    practice: Practice, client: ClientRecord, token: str, request_id: str, now: float
) -> str:
    """The signed profile: verify the nested token, remember its jti, sign and encrypt the
    answer to the client."""
    claims = _verified_claims(practice, client, token, now)
    jti = text_field(claims, "jti", MAX_JTI_CHARS)
    pan = check_pan_fields(claims)
    _remember_jti(practice, client, claims, jti, now)
    return _sealed_answer(practice, client, jti, pan, request_id, now)


def _verified_claims(
    practice: Practice, client: ClientRecord, token: str, now: float
) -> Mapping[str, Any]:
    """Decrypt with a current server key, then verify with the client's registered signing
    key: the claims, checked (iss, aud, iat, exp, jti), or an API error."""
    if client.signing is None:
        raise api_error(
            401,
            "api.client_unknown",
            "this client registered without a signing key (encrypt-only profile): register "
            'again with {"jwks": {"keys": [<enc key>, <sig key>]}}.',
        )
    signing_keys = KeySet((client.signing,))

    def registered_key_of_issuer(header: Mapping[str, Any], claims: Mapping[str, Any]) -> KeySet:
        # The token names its sender in iss; the request names one in X-Client-Id. A token
        # re-sent under another client's id (the confused deputy) is refused here, by name,
        # before any signature work; otherwise the key registered for iss must verify it.
        if claims.get("iss") != client.client_id:
            raise ClaimsError(
                "the token's iss is not the client that sent it",
                code="claims.issuer",
                expected="iss equal to the X-Client-Id header",
                found="another issuer",
            )
        return signing_keys

    try:
        verified = nested.decrypt_then_verify(
            token,
            decryption_key=practice.keys.accepted(now),
            verification_keys=registered_key_of_issuer,
            issuer=client.client_id,
            audience=AUDIENCE,
            max_lifetime=MAX_LIFETIME,
            leeway=LEEWAY,
            now=now,
            required=("iss", "aud", "iat", "exp", "jti"),
            signing_algorithms=CLIENT_SIGNING_ALGS,
            encryption_algorithms={ALG, ENC},
        )
    except JWEError as error:
        raise answer_for(error) from None
    return verified.claims


def _remember_jti(
    practice: Practice, client: ClientRecord, claims: Mapping[str, Any], jti: str, now: float
) -> None:
    """Replay protection: a jti is answered once, and only for tokens this server's replay
    cache can vouch for (issued after it started, when it keeps state). The claims passed
    nested.validate_claims with iat and exp required: both are numbers float() takes."""
    if practice.store is not None and float(claims["iat"]) < practice.started_at - LEEWAY:
        raise api_error(
            401,
            "replay.before_start",
            "the token was issued before this server started, so its replay cache cannot "
            "vouch for it: expected a token made after the start. Make a new one.",
        )
    refusal = practice.replay.remember(
        client.client_id, jti, keep_until=float(claims["exp"]) + LEEWAY, now=now
    )
    if refusal == "replay.jti_seen":
        raise api_error(
            409,
            refusal,
            "replayed request: this client already sent a token with this jti. Every request "
            "needs a fresh, unique jti.",
        )
    if refusal is not None:
        raise api_error(
            429,
            refusal,
            "the replay cache is full: retry in a few minutes, when older tokens have expired.",
        )


def _sealed_answer(
    practice: Practice, client: ClientRecord, jti: str, pan: str, request_id: str, now: float
) -> str:
    """The answer's claims, signed with the server's key, encrypted to the client's."""
    iat = int(now)
    answer = {
        "iss": AUDIENCE,
        "aud": client.client_id,
        "iat": iat,
        "exp": iat + ANSWER_LIFETIME,
        "in_reply_to": jti,
        "pan": pan,
        "valid_format": PAN_PATTERN.fullmatch(pan) is not None,
        "request_id": request_id,
    }
    signing = practice.keys.signing
    sealed = nested.sign_then_encrypt(
        answer,
        signing_key=signing,
        signing_alg=SIGNING_ALG,
        encryption_key=client.encryption,
        alg=ALG,
        enc=ENC,
        signing_header={"kid": signing.kid},
        encryption_header={"kid": client.encryption.kid},
    )
    result: str = sealed.token
    return result


__all__ = ["answer_pan_request"]
