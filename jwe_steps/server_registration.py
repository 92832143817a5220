"""Registration for the practice API: which client keys are accepted, and why.

A registered key must be fit for the operations it will serve: the encryption key is proven by
encrypting a probe to it (a key encrypt cannot use is refused now, not on every later answer),
the signing key by its type, curve, size and ``key_ops`` against its ``alg``. Private members
are refused without being echoed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import encrypt
from .errors import JWEError, Stage
from .keys import Key, load_key
from .keys.jwk import PRIVATE_JWK_MEMBERS  # a client must never send them
from .server_errors import ApiError, api_error
from .server_state import ENCRYPTION_ALG, ClientRecord, Profile, new_client_id

ALG = ENCRYPTION_ALG
ENC = "A256GCM"
CLIENT_SIGNING_ALGS = frozenset({"RS256", "PS256", "ES256"})
MAX_KID_CHARS = 128


def _is_kid(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_KID_CHARS and value.isprintable()


def _jwk_error(message: str) -> ApiError:
    return api_error(400, "api.jwk_invalid", message, stage=str(Stage.KEY))


def _public_jwk(jwk: Any, what: str) -> dict[str, Any]:
    if not isinstance(jwk, dict):
        raise _jwk_error(f"the {what} is not a JSON object: expected a public JWK.")
    if any(name in jwk for name in PRIVATE_JWK_MEMBERS):
        # Refuse without looking further, and without echoing any of it.
        raise api_error(
            400,
            "api.jwk_private",
            f"the {what} carries private members: expected only the public half. Keep the "
            "private key to yourself; treat the one you sent as exposed.",
            stage=str(Stage.KEY),
        )
    return jwk


def _encryption_key(jwk: Any, *, strict: bool) -> Key:
    """A client's public encryption key, proven usable: a probe is encrypted to it."""
    jwk = _public_jwk(jwk, "encryption key")
    if strict and (jwk.get("use") != "enc" or jwk.get("alg") != ALG or not _is_kid(jwk.get("kid"))):
        raise _jwk_error(
            f"the encryption key must say what it is for: expected 'use' 'enc', 'alg' {ALG!r} "
            "and a 'kid' (a string of at most 128 characters)."
        )
    try:
        key = load_key(jwk)
        if key.kty != "RSA":
            raise _jwk_error(f"the encryption key has kty {key.kty!r}: expected an RSA key.")
        if key.use not in (None, "enc") or key.alg not in (None, ALG):
            raise _jwk_error(f"the encryption key is not for {ALG} encryption (its use/alg).")
        # The operations this key will serve: if encrypt cannot use it, refuse it now rather
        # than fail every later answer.
        encrypt(b"registration probe", key, alg=ALG, enc=ENC)
    except JWEError as error:
        raise _jwk_error(f"the encryption key cannot be used: {error}") from None
    return key


def _signing_key(jwk: Any) -> Key:
    """A client's public signing key: use sig, an allowed alg, a key that alg can verify with."""
    jwk = _public_jwk(jwk, "signing key")
    alg = jwk.get("alg")
    if (
        jwk.get("use") != "sig"
        or type(alg) is not str
        or alg not in CLIENT_SIGNING_ALGS
        or not _is_kid(jwk.get("kid"))
    ):
        raise _jwk_error(
            "the signing key must say what it is for: expected 'use' 'sig', 'alg' one of "
            f"{sorted(CLIENT_SIGNING_ALGS)} and a 'kid' (a string of at most 128 characters)."
        )
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        raise _jwk_error("the signing key's key_ops do not include 'verify'.")
    try:
        key = load_key(jwk)
    except JWEError as error:
        raise _jwk_error(f"the signing key cannot be loaded: {error}") from None
    fits = (key.kty == "RSA" and alg in ("RS256", "PS256")) or (
        key.kty == "EC" and alg == "ES256" and key.curve == "P-256"
    )
    if not fits:
        raise _jwk_error(
            f"the signing key does not fit its alg {alg}: expected an RSA key (at least 2048 "
            "bits) for RS256/PS256, or a P-256 EC key for ES256."
        )
    return key


def client_record_from(document: Mapping[str, Any], profile: Profile) -> ClientRecord:
    """Validate a registration document and make the client's record (with a new id)."""
    jwks = document.get("jwks")
    if profile == "encrypt-only" and jwks is None and "jwk" in document:
        return ClientRecord(new_client_id(), _encryption_key(document["jwk"], strict=False))
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not 0 < len(keys) <= 2:
        raise api_error(
            400,
            "api.jwks_missing",
            'no client keys: expected a body {"jwks": {"keys": [<public enc JWK>, <public sig '
            "JWK>]}}.",
            stage=str(Stage.KEY),
        )
    uses = [key.get("use") if isinstance(key, dict) else None for key in keys]
    if profile == "signed" and sorted(map(str, uses)) != ["enc", "sig"]:
        raise _jwk_error(
            "the signed profile needs two keys: expected one with 'use' 'enc' and one with "
            f"'use' 'sig', found uses {uses}."
        )
    encryption = [jwk for jwk, use in zip(keys, uses, strict=True) if use == "enc"]
    signing = [jwk for jwk, use in zip(keys, uses, strict=True) if use == "sig"]
    if len(encryption) != 1 or len(signing) > 1:
        raise _jwk_error("expected exactly one key with 'use' 'enc' (and at most one 'sig').")
    return ClientRecord(
        new_client_id(),
        _encryption_key(encryption[0], strict=True),
        _signing_key(signing[0]) if signing else None,
    )


__all__ = ["CLIENT_SIGNING_ALGS", "client_record_from"]
