"""JWK parsing, one function per key type (RFC 7517, RFC 7518 §6, RFC 8037): every member
checked, so a key that loads can be used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519

from .. import strict_json
from ..b64 import b64url_decode
from ..errors import Base64urlError, InvalidKeyError
from .key import _CURVES, DEMO_KID_PREFIX, Key, _check_rsa_public


def _member(jwk: Mapping[str, Any], name: str, *, required: bool = True) -> bytes | None:
    value = jwk.get(name)
    if value is None:
        if required:
            raise InvalidKeyError(
                f"the {jwk.get('kty')} JWK lacks the '{name}' member",
                code="key.member_missing",
                expected=f"a base64url '{name}' member",
                found="none",
            )
        return None
    if not isinstance(value, str):
        raise InvalidKeyError(
            f"the JWK member '{name}' is not a string",
            code="key.member",
            expected="a base64url string",
            found=type(value).__name__,
        )
    try:
        return b64url_decode(value, part=f"JWK member '{name}'")
    except Base64urlError as error:
        raise InvalidKeyError(
            f"the JWK member '{name}' is not strict base64url",
            code="key.member",
            expected="unpadded base64url",
            found=error.found,
        ) from None


def _uint(jwk: Mapping[str, Any], name: str) -> int:
    raw = _member(jwk, name)
    assert raw is not None
    return int.from_bytes(raw, "big")


def _rsa_from_jwk(jwk: Mapping[str, Any]) -> Any:
    public = rsa.RSAPublicNumbers(_uint(jwk, "e"), _uint(jwk, "n"))
    _check_rsa_public(public.n, public.e)
    if "d" not in jwk:
        try:
            return public.public_key()
        except ValueError:
            raise InvalidKeyError(
                "the RSA public key is invalid",
                code="key.rsa_public",
                expected="valid n and e",
                found="values rejected",
            ) from None
    d = _uint(jwk, "d")
    if all(name in jwk for name in ("p", "q", "dp", "dq", "qi")):
        p, q = _uint(jwk, "p"), _uint(jwk, "q")
        dmp1, dmq1, iqmp = _uint(jwk, "dp"), _uint(jwk, "dq"), _uint(jwk, "qi")
    else:
        try:
            p, q = rsa.rsa_recover_prime_factors(public.n, public.e, d)
        except ValueError:
            raise InvalidKeyError(
                "the RSA private exponent does not match the modulus",
                code="key.rsa_private",
                expected="d that fits n and e",
                found="factors could not be recovered",
            ) from None
        dmp1, dmq1, iqmp = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
    try:
        return rsa.RSAPrivateNumbers(p, q, d, dmp1, dmq1, iqmp, public).private_key()
    except ValueError:
        raise InvalidKeyError(
            "the RSA private key is inconsistent",
            code="key.rsa_private",
            expected="p, q, d, dp, dq, qi that match n and e",
            found="values that do not fit together",
            hint="The JWK may have been truncated or mixed with another key.",
        ) from None


def _ec_from_jwk(jwk: Mapping[str, Any]) -> Any:
    curve_name = jwk.get("crv")
    if curve_name not in _CURVES:
        raise InvalidKeyError(
            "unsupported EC curve",
            code="key.unsupported",
            expected=" or ".join(_CURVES),
            found=repr(curve_name),
        )
    curve_cls, size = _CURVES[curve_name]
    x, y = _member(jwk, "x"), _member(jwk, "y")
    assert x is not None and y is not None
    if len(x) != size or len(y) != size:
        raise InvalidKeyError(
            f"EC coordinates have the wrong length for {curve_name}",
            code="key.ec_point",
            expected=f"{size} bytes each",
            found=f"x {len(x)} B, y {len(y)} B",
        )
    d = _member(jwk, "d") if "d" in jwk else None
    if d is not None and len(d) != size:  # RFC 7518 §6.2.2.1: the full size, as x and y
        raise InvalidKeyError(
            f"the EC private key d has the wrong length for {curve_name}",
            code="key.ec_point",
            expected=f"{size} bytes",
            found=f"{len(d)} B",
        )
    try:
        # As SEC 1's uncompressed point 04 || X || Y, which OpenSSL reads only when each
        # coordinate is below the field prime and the point is on the curve: one point, one
        # encoding (from numbers, x + p would be taken for x).
        public = ec.EllipticCurvePublicKey.from_encoded_point(curve_cls(), b"\x04" + x + y)
        if d is not None:
            numbers = ec.EllipticCurvePrivateNumbers(
                int.from_bytes(d, "big"), public.public_numbers()
            )
            return numbers.private_key()
        return public
    except ValueError:
        raise InvalidKeyError(
            f"the point is not on {curve_name} or a coordinate is not below the field prime"
            + (", or d does not match the point" if d is not None else ""),
            code="key.ec_point",
            expected=f"a valid {curve_name} key",
            found="values rejected",
        ) from None


def _okp_from_jwk(jwk: Mapping[str, Any]) -> Any:
    curve_name = jwk.get("crv")
    classes: dict[str, tuple[Any, Any, int]] = {
        "X25519": (x25519.X25519PrivateKey, x25519.X25519PublicKey, 32),
        "X448": (x448.X448PrivateKey, x448.X448PublicKey, 56),
    }
    if curve_name not in classes:
        raise InvalidKeyError(
            "unsupported OKP curve for encryption",
            code="key.unsupported",
            expected="X25519 or X448",
            found=repr(curve_name),
        )
    private_cls, public_cls, size = classes[curve_name]
    x = _member(jwk, "x")
    d = _member(jwk, "d", required=False)
    assert x is not None
    for name, raw in (("x", x), ("d", d)):
        if raw is not None and len(raw) != size:
            raise InvalidKeyError(
                f"the {curve_name} JWK member '{name}' has the wrong length",
                code="key.member",
                expected=f"{size} bytes",
                found=f"{len(raw)} bytes",
            )
    if d is None:
        return public_cls.from_public_bytes(x)
    private = private_cls.from_private_bytes(d)
    derived = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    if derived != x:
        raise InvalidKeyError(
            f"the {curve_name} JWK's 'd' is not the private key of its 'x'",
            code="key.okp_mismatch",
            expected="x = the public key computed from d (RFC 8037 §2)",
            found="another public key in 'x'",
            hint="The JWK mixes two keys; export the key pair again.",
        )
    return private


def _from_jwk(jwk: Mapping[str, Any]) -> Key:
    _check_metadata(jwk)
    _key_ops(jwk)
    kty = jwk.get("kty")
    if kty == "RSA":
        material = _rsa_from_jwk(jwk)
    elif kty == "EC":
        material = _ec_from_jwk(jwk)
    elif kty == "OKP":
        material = _okp_from_jwk(jwk)
    elif kty == "oct":
        material = _member(jwk, "k")
    else:
        raise InvalidKeyError(
            "unknown JWK key type",
            code="key.unsupported",
            expected="kty 'RSA', 'EC', 'OKP' or 'oct'",
            found=repr(kty)[:64],
        )
    kid = jwk.get("kid")
    return Key(
        str(kty),
        material,
        kid=kid,
        alg=jwk.get("alg"),
        use=jwk.get("use"),
        key_ops=_key_ops(jwk),
        demo=isinstance(kid, str) and kid.startswith(DEMO_KID_PREFIX),
    )


def _check_metadata(jwk: Mapping[str, Any]) -> None:
    """kid, alg, use are strings (RFC 7517 §4), and no string holds a lone surrogate."""
    for name in ("kid", "alg", "use"):
        if name in jwk and not isinstance(jwk[name], str):
            raise InvalidKeyError(
                f"the JWK member '{name}' is not a string",
                code="key.member",
                expected="a string (RFC 7517 §4)",
                found=type(jwk[name]).__name__,
            )
    strict_json.check_text(dict(jwk), error=InvalidKeyError, subject="the JWK")


def _key_ops(jwk: Mapping[str, Any]) -> tuple[str, ...] | None:
    """RFC 7517 §4.3: an array of distinct strings."""
    if "key_ops" not in jwk:
        return None
    value = jwk["key_ops"]
    if not isinstance(value, list) or not all(isinstance(op, str) for op in value):
        raise InvalidKeyError(
            "the JWK member 'key_ops' is not an array of strings",
            code="key.member",
            expected='an array such as ["encrypt", "wrapKey"] (RFC 7517 §4.3)',
            found=type(value).__name__ if not isinstance(value, list) else "a non-string entry",
        )
    if len(set(value)) != len(value):
        raise InvalidKeyError(
            "the JWK member 'key_ops' repeats an operation",
            code="key.member",
            expected="each operation once (RFC 7517 §4.3)",
            found=", ".join(value)[:120],
        )
    return tuple(value)
