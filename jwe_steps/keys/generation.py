"""``generate_key``: new DEMO keys, their kid always starting with ``demo-``."""

from __future__ import annotations

import os
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519

from .. import strict_json
from ..errors import InvalidKeyError
from .key import _CURVES, DEMO_KID_PREFIX, Key, _check_rsa_size, name_found

# RFC 7518 §3's JWS algorithm names (jwe_steps.jws_algorithms has the table; it imports keys).
_JWS_ALGS = frozenset(
    f"{family}{bits}" for family in ("RS", "PS", "ES", "HS") for bits in (256, 384, 512)
)


def _check_arguments(size: Any, crv: Any, alg: Any, kid: Any) -> None:
    """generate_key's arguments have the types it documents (a bool is no size)."""
    for name, value, wanted in (("size", size, int), ("crv", crv, str)):
        if type(value) is not wanted:
            raise InvalidKeyError(
                f"generate_key's {name} has the wrong type",
                code="key.member",
                expected=f"{name} as {wanted.__name__}",
                found=type(value).__name__,
            )
    for name, value in (("alg", alg), ("kid", kid)):
        if value is None:
            continue
        if type(value) is not str:
            raise InvalidKeyError(
                f"generate_key's {name} has the wrong type",
                code="key.member",
                expected=f"{name} as str, or None",
                found=type(value).__name__,
            )
        strict_json.check_text(value, error=InvalidKeyError, subject=f"generate_key's {name}")


def generate_key(
    kty: Literal["RSA", "EC", "OKP", "oct"] = "RSA",
    *,
    size: int = 2048,
    crv: str | None = None,
    alg: str | None = None,
    kid: str | None = None,
) -> Key:
    """Make a new DEMO key. For learning, not for real data.

    The kid it sets always starts with ``demo-``: ``kid="mine"`` gives the kid
    ``"demo-mine"`` (a kid that already starts with ``demo-`` is kept as it is), and without
    ``kid`` it is ``demo-<kty>-<first 8 characters of the RFC 7638 thumbprint>``. Read the
    result's ``.kid`` (its repr shows it too) for the value to put in a header or JWKS. The
    prefix is how the demo label travels: a JWKS, a token's header and a log line carry the kid,
    not the ``Key`` object, and :func:`load_key` marks any key whose kid starts with ``demo-``
    as a demo key.

    ``size`` is the RSA modulus size in bits (2048 to :data:`MAX_RSA_BITS`), or the symmetric
    key size in bits for ``oct`` (a whole number of bytes). ``crv`` picks the curve for EC
    (P-256/384/521; P-256 when not given) and OKP (X25519/X448; X25519 when not given) keys.
    Bad values raise :class:`InvalidKeyError`.
    The key is marked ``use: "enc"``, or ``use: "sig"`` when ``alg`` names a JWS algorithm
    (``PS256``, ``ES256``...): one key, one use (RFC 7517 §4.2).
    """

    if crv is None:
        crv = "X25519" if kty == "OKP" else "P-256"
    _check_arguments(size, crv, alg, kid)
    material: Any
    if kty == "RSA":
        _check_rsa_size(size)
        material = rsa.generate_private_key(public_exponent=65537, key_size=size)
    elif kty == "EC":
        if crv not in _CURVES:
            raise InvalidKeyError(
                "unsupported EC curve",
                code="key.unsupported",
                expected=" or ".join(_CURVES),
                found=name_found(crv, "crv"),
            )
        material = ec.generate_private_key(_CURVES[crv][0]())
    elif kty == "OKP":
        generators: dict[str, Any] = {
            "X25519": x25519.X25519PrivateKey,
            "X448": x448.X448PrivateKey,
        }
        if crv not in generators:
            raise InvalidKeyError(
                "unsupported OKP curve",
                code="key.unsupported",
                expected="X25519 or X448",
                found=name_found(crv, "crv"),
            )
        material = generators[crv].generate()
    elif kty == "oct":
        if size % 8 or size <= 0 or size > 8 * 1024:
            raise InvalidKeyError(
                "symmetric key size must be whole bytes",
                code="key.member",
                expected="a positive multiple of 8 bits, at most 8192",
                found=f"{size} bits",
            )
        material = os.urandom(size // 8)
    else:
        raise InvalidKeyError(
            "unknown key type",
            code="key.unsupported",
            expected="RSA, EC, OKP or oct",
            found=name_found(kty, "kty"),
        )
    use = "sig" if alg in _JWS_ALGS else "enc"
    draft = Key(kty, material, alg=alg, use=use, demo=True)
    if kid is None:
        kid = f"{DEMO_KID_PREFIX}{kty.lower()}-{draft.thumbprint()[:8]}"
    elif not kid.startswith(DEMO_KID_PREFIX):
        kid = DEMO_KID_PREFIX + kid
    return Key(kty, material, kid=kid, alg=alg, use=use, demo=True)
