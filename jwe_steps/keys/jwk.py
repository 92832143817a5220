"""JWK parsing, one function per key type (RFC 7517, RFC 7518 §6, RFC 8037): every member
checked, so a key that loads can be used."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519

from .. import strict_json
from ..b64 import b64url_decode
from ..errors import Base64urlError, InvalidKeyError
from .key import (
    _CURVES,
    DEMO_KID_PREFIX,
    Key,
    _check_okp_public,
    _check_rsa_public,
    name_found,
)
from .x5c import check_certificates

# The members that hold private key material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): an
# error about one of them says what is wrong with its value, never a character of it.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
"""The members only a private (or symmetric) JWK carries: a published JWKS holds none of them."""
_NOT_BASE64URL = re.compile(r"[^A-Za-z0-9_-]")


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
            found=_private_problem(error, value) if name in _PRIVATE_MEMBERS else error.found,
        ) from None


def _private_problem(error: Base64urlError, value: str) -> str:
    """What is wrong with a private member's base64url, without any character of it (the
    decoder's own ``found`` quotes the offending character, which may be key material)."""
    if error.code == "base64url.padding":
        return "padding characters"
    if error.code == "base64url.alphabet":
        return "characters of the standard base64 alphabet, not base64url's"
    if error.code == "base64url.length":
        return f"{len(value)} characters, a length base64 cannot have"
    if error.code == "base64url.noncanonical":
        return "non-zero unused bits in the last character"
    foreign = _NOT_BASE64URL.search(value)
    if foreign is not None:
        return f"a character outside the base64url alphabet at position {foreign.start()}"
    return "a value that is not base64url"


def _uint(jwk: Mapping[str, Any], name: str) -> int:
    raw = _member(jwk, name)
    assert raw is not None
    return int.from_bytes(raw, "big")


# RFC 7518 §6.3.2: the CRT members come all together or not at all ("oth", for keys of more
# than two primes, is not supported).
_RSA_CRT_MEMBERS = ("p", "q", "dp", "dq", "qi")
# Without the CRT members the primes are recovered from d in Python, one modular exponentiation
# per try: about 20 ms for a 2048-bit modulus, 0.15 s for 4096 bits, 7 s for 16384 bits. Past
# this size a private JWK must carry them (OpenSSL then checks them in its own time).
MAX_RSA_RECOVERY_BITS = 4096
# Bases tried, each with Jacobi symbol -1 modulo n: such a base is a non-residue modulo exactly
# one of the primes, and splits n at least half the time (always when p-1 and q-1 hold the same
# power of 2). The bases are fixed small primes, so this is a heuristic bound: 16 tries leave
# about one real key in 65 000 unrecovered, and that key is refused with the hint to export its
# CRT members (as most exporters do anyway). A crafted n on which every try fails (a prime, or
# an odd power of one) is recognised after the first try (_refuse_prime_power); past that, 16
# tries bound what any n costs: about 0.6 s at 2048 bits, 6 s at 4096 bits with an e near n.
_RECOVERY_TRIES = 16
_RECOVERY_BASES = tuple(
    number
    for number in range(2, 1000)
    if all(number % factor for factor in range(2, math.isqrt(number) + 1))
)


def _rsa_from_jwk(jwk: Mapping[str, Any]) -> Any:
    public = rsa.RSAPublicNumbers(_uint(jwk, "e"), _uint(jwk, "n"))
    _check_rsa_public(public.n, public.e)
    if "oth" in jwk:
        raise InvalidKeyError(
            "multi-prime RSA keys (the 'oth' member) are not supported",
            code="key.unsupported",
            expected="a two-prime RSA key (RFC 7518 §6.3.2.7)",
            found="an 'oth' member",
        )
    given = [name for name in _RSA_CRT_MEMBERS if name in jwk]
    if "d" not in jwk:
        if given:
            raise InvalidKeyError(
                "the RSA JWK has CRT members but no private exponent 'd'",
                code="key.member_missing",
                expected="'d' with p, q, dp, dq, qi (RFC 7518 §6.3.2.1: d is required)",
                found=f"{', '.join(given)} without d",
            )
        try:
            return public.public_key()
        except ValueError:
            raise InvalidKeyError(
                "the RSA public key is invalid",
                code="key.rsa_public",
                expected="valid n and e",
                found="values rejected",
            ) from None
    if given and len(given) < len(_RSA_CRT_MEMBERS):
        missing = [name for name in _RSA_CRT_MEMBERS if name not in given]
        raise InvalidKeyError(
            "the RSA JWK has some of the CRT members but not all",
            code="key.member_missing",
            expected="all of p, q, dp, dq, qi, or none of them (RFC 7518 §6.3.2)",
            found=f"{', '.join(given)} without {', '.join(missing)}",
            hint="Export the private key again with all its members, or keep only n, e and d.",
        )
    n, e = public.n, public.e
    d = _private_uint(jwk, "d", n)
    if given:
        p, q, dmp1, dmq1, iqmp = (_private_uint(jwk, name, n) for name in _RSA_CRT_MEMBERS)
        if p * q != n or p == q:
            raise InvalidKeyError(
                "the RSA primes 'p' and 'q' are not the factors of the modulus",
                code="key.rsa_private",
                expected="p * q = n, with p and q distinct",
                found="p and q of another modulus",
                hint="The JWK may mix the members of two keys; export the key pair again.",
            )
    else:
        if n.bit_length() > MAX_RSA_RECOVERY_BITS:
            raise InvalidKeyError(
                "a large RSA private key without its CRT members is not supported",
                code="key.member_missing",
                expected=f"p, q, dp, dq, qi for a modulus over {MAX_RSA_RECOVERY_BITS} bits",
                found=f"n, e and d only, for a {n.bit_length()}-bit modulus",
                hint="Export the private key with all its members (RFC 7518 §6.3.2 asks "
                "producers to include them).",
            )
        p, q = _recover_factors(n, e, d)
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


def _private_uint(jwk: Mapping[str, Any], name: str, n: int) -> int:
    """A private RSA member, which is below the modulus: refused (by its length, before any
    arithmetic) when it cannot be."""
    raw = _member(jwk, name)
    assert raw is not None
    size = (n.bit_length() + 7) // 8
    value = int.from_bytes(raw, "big") if len(raw) <= size else n
    if value >= n:
        raise InvalidKeyError(
            f"the RSA private member '{name}' is not below the modulus 'n'",
            code="key.rsa_private",
            expected=f"{name} < n (at most {size} bytes)",
            found=f"{len(raw)} bytes" if len(raw) > size else f"{len(raw)} bytes, not below n",
            hint="The JWK may mix the members of two keys; export the key pair again.",
        )
    return value


def _recover_factors(n: int, e: int, d: int) -> tuple[int, int]:
    """p and q from n, e and d (Handbook of Applied Cryptography §8.2.2 (i)), with bounded work.

    ``e*d - 1 = t * 2**s`` is a multiple of the order of every ``a`` modulo n = p*q, so the
    sequence ``a**t, a**(2t), ...`` reaches 1; the term before, when it is not -1, is a square
    root of 1 other than +-1, which shares a factor with n. At most :data:`_RECOVERY_TRIES`
    exponentiations, and a sequence that never reaches 1 proves at once that d does not fit
    (``cryptography``'s ``rsa_recover_prime_factors`` tries up to 1000 bases: 20 s for a
    crafted 2048-bit key).
    """
    tries = 0
    if d > 1 and d % 2 == 1:  # e*d - 1 is a multiple of the even lambda(n): e and d are odd
        multiple = e * d - 1
        s = (multiple & -multiple).bit_length() - 1
        t = multiple >> s
        for a in _RECOVERY_BASES:
            symbol = _jacobi(a, n)
            if symbol == 0:  # a divides n: not a product of two large primes
                break
            if symbol == 1:
                continue
            tries += 1
            x = pow(a, t, n)
            for _ in range(s):
                y = x * x % n
                if y == 1 and x not in (1, n - 1):
                    factor = math.gcd(x - 1, n)
                    return max(factor, n // factor), min(factor, n // factor)  # p > q, as usual
                x = y
            if x != 1:
                break  # a**(e*d - 1) is not 1: d is not e's inverse for this n
            if tries == 1:
                _refuse_prime_power(n)  # the usual reason a first try fails, found at once
            if tries == _RECOVERY_TRIES:
                raise InvalidKeyError(
                    "the RSA primes could not be recovered from the private exponent",
                    code="key.rsa_private",
                    expected="n, e and d of a two-prime RSA key",
                    found=f"no factor in {tries} tries",
                    hint="Export the private key with its CRT members (p, q, dp, dq, qi).",
                )
    raise InvalidKeyError(
        "the RSA private exponent does not match the modulus",
        code="key.rsa_private",
        expected="d that fits n and e",
        found="factors could not be recovered",
    )


def _refuse_prime_power(n: int) -> None:
    """Refuse an ``n`` that is a prime or an odd power of one: 1 has no square roots but +-1
    modulo such an n, so no try could ever split it (an even power never gets a try: no base
    has Jacobi symbol -1 modulo a square). One exponentiation, and integer roots."""
    if pow(2, n - 1, n) == 1:  # Fermat: an RSA modulus (p*q) practically never passes
        found = "a prime"
    else:
        powers = (k for k in range(3, _MAX_PRIME_POWER + 1, 2) if _integer_root(n, k) ** k == n)
        if next(powers, None) is None:
            return
        found = "a power of a prime"
    raise InvalidKeyError(
        "the RSA modulus 'n' is not a product of two primes",
        code="key.rsa_modulus",
        expected="n = p*q, with p and q distinct primes",
        found=found,
        hint="The key was made to be refused slowly, or its n was replaced; export it again.",
    )


_MAX_PRIME_POWER = 15  # p**15 of 2048 bits has a p of 136 bits; higher powers: tries bound it


def _integer_root(n: int, k: int) -> int:
    """The integer part of the k-th root of n > 0 (Newton's method from above)."""
    x = 1 << -(-n.bit_length() // k)  # above the root
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            return x
        x = y


def _jacobi(a: int, n: int) -> int:
    """The Jacobi symbol (a/n) for odd n > 0 (quadratic reciprocity; cheap for a small a)."""
    a %= n
    result = 1
    while a:
        while a % 2 == 0:
            a //= 2
            if n % 8 in (3, 5):
                result = -result
        a, n = n, a
        if a % 4 == 3 and n % 4 == 3:
            result = -result
        a %= n
    return result if n == 1 else 0


def _ec_from_jwk(jwk: Mapping[str, Any]) -> Any:
    curve_name = jwk.get("crv")
    if type(curve_name) is not str or curve_name not in _CURVES:
        raise InvalidKeyError(
            "unsupported EC curve",
            code="key.unsupported",
            expected=" or ".join(_CURVES),
            found=name_found(curve_name, "crv"),
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
    if type(curve_name) is not str or curve_name not in classes:
        raise InvalidKeyError(
            "unsupported OKP curve for encryption",
            code="key.unsupported",
            expected="X25519 or X448",
            found=name_found(curve_name, "crv"),
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
        public = public_cls.from_public_bytes(x)
        _check_okp_public(public)
        return public
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
            found=name_found(kty, "kty"),
        )
    check_certificates(jwk, material)
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
