"""The JWS algorithms of RFC 7518 §3 and the keys they accept: one table, one place.

:mod:`jwe_steps.jws` signs and verifies with these; this module says which ``alg`` names exist,
what a received header's members must be (RFC 7515 §4.1: ``crit``, ``b64``, the registered
members' JSON types, ``typ``), which names an allow-list may hold, what key each alg needs
(type, curve, size; RFC 7518 §3.2-3.5), what a JWK's ``use``, ``alg`` and ``key_ops`` allow
(RFC 7517 §4.2-4.4), how a key set picks the signer's key by ``kid``, and makes DEMO signing
keys. Values quoted from a header in errors are bounded (:mod:`jwe_steps.display`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import algorithms as jwe_registry
from . import strict_json
from .allow_list import allow_list_names
from .display import brief, name_or_kind
from .errors import AlgorithmError, HeaderError, InputError, InvalidKeyError, Stage
from .header import STRING_MEMBERS, TYPED_MEMBERS, is_certificate_chain
from .keys import DEMO_KID_PREFIX, Key, KeySet, load_key, load_key_set

Family = Literal["rsa_pkcs1", "rsa_pss", "ecdsa", "hmac"]

_MIN_RSA_BITS = 2048  # RFC 7518 §3.3 and §3.5


@dataclass(frozen=True)
class SignatureAlgorithm:
    """One JWS ``alg`` of RFC 7518 §3: its family, hash and the key it needs."""

    name: str
    family: Family
    hash_name: Literal["sha256", "sha384", "sha512"]
    rfc: str
    curve: str | None = None  # for ECDSA: the only curve this alg may use

    @property
    def key_type(self) -> str:
        return {"rsa_pkcs1": "RSA", "rsa_pss": "RSA", "ecdsa": "EC", "hmac": "oct"}[self.family]

    @property
    def hash_bytes(self) -> int:
        return {"sha256": 32, "sha384": 48, "sha512": 64}[self.hash_name]

    @property
    def coordinate_bytes(self) -> int:
        """For ECDSA, the length of R and of S (the curve's order size, rounded up to bytes)."""
        return {"P-256": 32, "P-384": 48, "P-521": 66}[self.curve or ""]

    def hash(self) -> hashes.HashAlgorithm:
        if self.hash_name == "sha256":
            return hashes.SHA256()
        return hashes.SHA384() if self.hash_name == "sha384" else hashes.SHA512()


ALGORITHMS: dict[str, SignatureAlgorithm] = {
    algorithm.name: algorithm
    for bits, hash_name in ((256, "sha256"), (384, "sha384"), (512, "sha512"))
    for algorithm in (
        SignatureAlgorithm(f"RS{bits}", "rsa_pkcs1", hash_name, "RFC 7518 §3.3"),  # type: ignore[arg-type]
        SignatureAlgorithm(f"PS{bits}", "rsa_pss", hash_name, "RFC 7518 §3.5"),  # type: ignore[arg-type]
        SignatureAlgorithm(
            f"ES{bits}",
            "ecdsa",
            hash_name,  # type: ignore[arg-type]
            "RFC 7518 §3.4",
            curve={256: "P-256", 384: "P-384", 512: "P-521"}[bits],
        ),
        SignatureAlgorithm(f"HS{bits}", "hmac", hash_name, "RFC 7518 §3.2"),  # type: ignore[arg-type]
    )
}

# What verify() accepts when no allow-list is given: the asymmetric algorithms only.
DEFAULT_ALGORITHMS = frozenset(n for n, a in ALGORITHMS.items() if a.family != "hmac")


def signature_algorithm(name: object) -> SignatureAlgorithm:
    """The JWS algorithm called ``name``; ``none`` and unknown names raise AlgorithmError."""
    if not isinstance(name, str) or name not in ALGORITHMS:
        raise AlgorithmError(
            "unknown or refused JWS 'alg'",
            code="jws.algorithm_unknown",
            expected="one of " + ", ".join(sorted(ALGORITHMS)),
            found="no alg (or null)" if name is None else name_or_kind(name, 32),
            hint="'none' is never accepted: an unsigned JWS proves nothing."
            if name == "none"
            else None,
            stage=Stage.SIGNATURE,
        )
    return ALGORITHMS[name]


# ---------------------------------------------------------------- a received header (RFC 7515 §4.1)


def check_received_header(header: Mapping[str, Any]) -> None:
    """The members a verifier must understand or refuse (``b64``, ``crit``), and the registered
    ones of the wrong JSON type: each member that is present is checked, whatever its value
    (a test for "is not None" once let ``"crit": null`` through)."""
    if "b64" in header and header["b64"] is not True:
        _check_b64(header["b64"])
    if "crit" in header:
        _check_crit(header["crit"])
    if not TYPED_MEMBERS.isdisjoint(header):
        _check_member_types(header)


def _check_b64(b64: Any) -> None:
    """RFC 7797 §3: ``b64`` is a boolean. ``false`` (an unencoded payload) is understood and
    not supported; anything else but ``true`` is a malformed header."""
    if b64 is False:
        raise HeaderError(
            "unencoded payloads are not supported",
            code="jws.unencoded_payload",
            expected="no 'b64' member (or true)",
            found='"b64": false',
            stage=Stage.SIGNATURE,
        )
    raise HeaderError(
        "the JWS header's b64 is not a boolean",
        code="jws.header",
        expected="no 'b64' member, or true (RFC 7797 §3)",
        found=f'"b64": {strict_json.json_kind(b64)}',
        stage=Stage.SIGNATURE,
    )


def _check_crit(crit: Any) -> None:
    """RFC 7515 §4.1.11: ``crit`` is a non-empty array of extension names. This implementation
    understands no extension, so any ``crit`` is refused; a malformed one is named as such."""
    if type(crit) is not list or not crit or not all(type(name) is str for name in crit):
        raise HeaderError(
            "the JWS header's crit is malformed",
            code="jws.crit",
            expected="a non-empty array of extension names (RFC 7515 §4.1.11)",
            found=_kind(crit),
            stage=Stage.SIGNATURE,
        )
    shown_names = ", ".join(name_or_kind(name, 40) for name in crit[:3])
    raise HeaderError(
        "the JWS header names critical extensions this implementation does not understand",
        code="jws.crit",
        expected="no 'crit' member",
        found=f"crit {shown_names}" + (f" and {len(crit) - 3} more" if len(crit) > 3 else ""),
        stage=Stage.SIGNATURE,
    )


def _check_member_types(header: Mapping[str, Any]) -> None:
    """RFC 7515 §4.1: the registered members that jws.sign refuses to write (header.py's list:
    kid, typ, cty, jku, x5u, x5t, x5t#S256 strings; x5c an array of strings) are refused here
    too, so a wrong type is named at the header, not where a key set or a typ check trips."""
    for name in STRING_MEMBERS:
        if name in header and type(header[name]) is not str:
            _wrong_type(name, "a string (RFC 7515 §4.1)", header[name])
    if "x5c" in header and not is_certificate_chain(header["x5c"]):
        _wrong_type("x5c", "a non-empty array of base64 strings (RFC 7515 §4.1.6)", header["x5c"])


def _wrong_type(name: str, expected: str, value: Any) -> None:
    raise HeaderError(
        f"the JWS header member {name!r} has the wrong type",
        code="jws.header",
        expected=expected,
        found=_kind(value),
        stage=Stage.SIGNATURE,
    )


def _kind(value: Any) -> str:
    """The JSON kind of ``value`` (never the value itself); for an array that should hold
    strings, what is wrong with it: it is empty, or holds something else."""
    if type(value) is not list:
        return strict_json.json_kind(value)
    if not value:
        return "an empty array"
    strays = [item for item in value if type(item) is not str]
    return f"an array holding {strict_json.json_kind(strays[0])}" if strays else "an array"


def check_typ(header: Mapping[str, Any], typ: str | None) -> None:
    """When verify() is asked for a ``typ``, the header's is that one (RFC 8725 §3.11: a token
    of another kind, signed by the same key, is not accepted in its place)."""
    if typ is None:
        return
    found = header.get("typ")
    # RFC 7515 §4.1.9: "application/" may be omitted, and media types compare case-insensitively.
    normal = str(found).lower().removeprefix("application/") if isinstance(found, str) else None
    if normal != typ.lower().removeprefix("application/"):
        raise HeaderError(
            "the JWS header's typ is not the one required",
            code="jws.typ",
            expected=f'"typ": {typ!r} (RFC 8725 §3.11)',
            found=f'"typ": {name_or_kind(found, 64)}' if found is not None else "no typ",
            stage=Stage.SIGNATURE,
        )


# ---------------------------------------------------------------- the allow-list (RFC 8725 §3.1)

_NAMES = frozenset(ALGORITHMS)
_SHOWN_NAMES = 5  # unknown names an error quotes


def signing_allow_list(algorithms: Any) -> frozenset[str]:
    """verify()'s allow-list as a set of JWS alg names: None is :data:`DEFAULT_ALGORITHMS`, and
    one str is one name (not the set of its characters).

    A list that is empty, or names anything but a JWS algorithm of this module (``none``, a
    typo, a JWE name, another case), is refused up front with ``input.allow_list``: taken as
    given, it would refuse every token with ``jws.algorithm_not_allowed``, an error that points
    at the token rather than at the list.
    """
    if algorithms is None:
        return DEFAULT_ALGORITHMS
    if isinstance(algorithms, str):
        algorithms = [algorithms]
    return _signing_names(allow_list_names(algorithms))


@functools.lru_cache(maxsize=64)
def _signing_names(names: frozenset[str]) -> frozenset[str]:
    """``names`` once each is known to be a JWS algorithm: checked once per distinct set (a
    service passes the same list on every call, and verify is on its hot path)."""
    if not names:
        raise InputError(
            "the JWS allow-list is empty",
            code="input.allow_list",
            expected="the JWS algorithms to accept, e.g. {'ES256'}, or None for RS*, PS* and ES*",
            found="an empty list",
            hint="An empty allow-list would refuse every token.",
        )
    unknown = sorted(names - _NAMES)
    if unknown:
        more = len(unknown) - _SHOWN_NAMES
        raise InputError(
            "the JWS allow-list names something that is not a JWS algorithm",
            code="input.allow_list",
            expected="JWS algorithms: " + ", ".join(sorted(ALGORITHMS)),
            found=", ".join(name_or_kind(name, 32) for name in unknown[:_SHOWN_NAMES])
            + (f" and {more} more" if more > 0 else ""),
            hint=_allow_list_hint(unknown),
        )
    return names


def _allow_list_hint(unknown: list[str]) -> str | None:
    """What an unknown name most likely is: ``none`` (never allowed), a JWS name in another
    case (names are case-sensitive, RFC 7515 §4.1.1), or a JWE name in the wrong list."""
    if any(name.lower() == "none" for name in unknown):
        return "'none' is never allowed: an unsigned JWS proves nothing (RFC 8725 §3.2)."
    upper = {name.upper(): name for name in _NAMES}
    for name in unknown:
        if name.upper() in upper:
            return (
                f"alg names are case-sensitive (RFC 7515 §4.1.1): {upper[name.upper()]!r}, "
                f"not {brief(name, 32)!r}."
            )
    jwe_names = jwe_registry.KEY_MANAGEMENT.keys() | jwe_registry.CONTENT_ENCRYPTION.keys()
    for name in unknown:
        if name in jwe_names:
            return (
                f"{name!r} is a JWE algorithm: name it in decrypt()'s allow-list (or a nested "
                "JWT's encryption_algorithms), not in the JWS one."
            )
    return None


def check_key(
    algorithm: SignatureAlgorithm, key: Key, operation: Literal["sign", "verify"]
) -> None:
    """The key fits the alg (type, curve, size) and its JWK metadata allows ``operation``.

    A key is immutable, so a pair that passed once is remembered on the key (``Key._memo``)
    and not worked out again on every signature."""
    passed: set[tuple[str, str]] | None = key._memo.get("jws_key_checked")
    if passed is not None and (algorithm.name, operation) in passed:
        return
    _check_key(algorithm, key, operation)
    if passed is None:
        passed = key._memo["jws_key_checked"] = set()
    passed.add((algorithm.name, operation))


def _check_key(
    algorithm: SignatureAlgorithm, key: Key, operation: Literal["sign", "verify"]
) -> None:
    if key.kty != algorithm.key_type:
        raise InvalidKeyError(
            # "an": each key type (RSA, EC, oct) is said starting with a vowel sound.
            f"{algorithm.name} needs an {algorithm.key_type} key",
            code="jws.key_type",
            expected=f"kty {algorithm.key_type!r}",
            found=f"kty {key.kty!r}",
            stage=Stage.SIGNATURE,
        )
    if algorithm.family == "ecdsa" and key.curve != algorithm.curve:
        raise InvalidKeyError(
            f"{algorithm.name} signs on one curve only (RFC 7518 §3.4)",
            code="jws.key_type",
            expected=f"curve {algorithm.curve}",
            found=f"curve {key.curve}",
            stage=Stage.SIGNATURE,
        )
    if algorithm.key_type == "RSA" and key.size_bits < _MIN_RSA_BITS:
        raise InvalidKeyError(
            f"{algorithm.name} needs an RSA key of at least {_MIN_RSA_BITS} bits (RFC 7518 §3.3)",
            code="jws.key_type",
            expected=f">= {_MIN_RSA_BITS} bits",
            found=f"{key.size_bits} bits",
            stage=Stage.SIGNATURE,
        )
    if algorithm.family == "hmac" and key.size_bits < 8 * algorithm.hash_bytes:
        raise InvalidKeyError(
            f"{algorithm.name} needs a key at least as long as its hash (RFC 7518 §3.2)",
            code="jws.key_type",
            expected=f">= {8 * algorithm.hash_bytes} bits",
            found=f"{key.size_bits} bits",
            stage=Stage.SIGNATURE,
        )
    if operation == "sign" and not key.is_private:
        raise InvalidKeyError(
            "signing needs the private key",
            code="jws.key_type",
            expected=f"a private {key.kty} key",
            found="a public key",
            stage=Stage.SIGNATURE,
        )
    _check_key_metadata(algorithm, key, operation)


def _check_key_metadata(
    algorithm: SignatureAlgorithm, key: Key, operation: Literal["sign", "verify"]
) -> None:
    """RFC 7517 §4.2-4.4: a key marked for another use, alg or operation is refused."""
    if key.use is not None and key.use != "sig":
        raise InvalidKeyError(
            "the key is marked for another use",
            code="jws.key_use",
            expected='"use": "sig"',
            found=f'"use": {key.use!r}',
            hint="Keep separate keys for signing and for encryption (RFC 7517 §4.2).",
            stage=Stage.SIGNATURE,
        )
    if key.alg is not None and key.alg != algorithm.name:
        raise InvalidKeyError(
            "the key is bound to another algorithm",
            code="jws.key_use",
            expected=f'"alg": {algorithm.name!r}',
            found=f'"alg": {key.alg!r}',
            stage=Stage.SIGNATURE,
        )
    if key.key_ops is not None and operation not in key.key_ops:
        raise InvalidKeyError(
            f"the key's key_ops do not allow {operation!r}",
            code="jws.key_use",
            expected=f"key_ops containing {operation!r}",
            found=f"key_ops {list(key.key_ops)!r}",
            stage=Stage.SIGNATURE,
        )


def generate_signing_key(alg: str = "PS256", *, kid: str | None = None) -> Key:
    """A new DEMO signing key for ``alg`` (``use: "sig"``, ``alg`` set), for learning only.

    Its kid is ``demo-sig-`` and the start of its RFC 7638 thumbprint, or ``kid`` if given,
    prefixed with ``demo-`` unless it already starts so (as :func:`jwe_steps.generate_key` does):
    the kid is the label that travels with a demo key.
    """
    algorithm = signature_algorithm(alg)
    material: Any
    if algorithm.family in ("rsa_pkcs1", "rsa_pss"):
        material = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif algorithm.family == "ecdsa":
        curves: dict[str | None, ec.EllipticCurve] = {
            "P-256": ec.SECP256R1(),
            "P-384": ec.SECP384R1(),
            "P-521": ec.SECP521R1(),
        }
        material = ec.generate_private_key(curves[algorithm.curve])
    else:
        material = os.urandom(algorithm.hash_bytes)
    draft = Key(algorithm.key_type, material, alg=alg, use="sig", demo=True)
    if kid is None:
        chosen = f"{DEMO_KID_PREFIX}sig-{draft.thumbprint()[:8]}"
    else:
        chosen = kid if kid.startswith(DEMO_KID_PREFIX) else DEMO_KID_PREFIX + kid
    return Key(algorithm.key_type, material, kid=chosen, alg=alg, use="sig", demo=True)


def as_key(key: Any) -> Key | KeySet:
    if type(key) is Key or type(key) is KeySet:  # the usual call, without an isinstance
        return key
    if isinstance(key, Key | KeySet):
        return key
    if isinstance(key, Mapping) and "keys" in key:
        return load_key_set(key)
    return load_key(key)


def select_key(
    keys: Key | KeySet, header: Mapping[str, Any], algorithm: SignatureAlgorithm | None = None
) -> Key:
    """The verification key: ``keys`` itself, or the signing key of a set that the header's kid
    names (among keys sharing that kid, the one of ``algorithm``'s key type)."""
    if isinstance(keys, Key):
        return keys
    kid = header.get("kid")
    candidates = [k for k in keys.keys if k.use in (None, "sig")]
    if kid is not None:
        matching = [k for k in candidates if k.kid == kid]
        key_types = None if algorithm is None else (algorithm.key_type,)
        # A skipped entry with this kid that the alg could use, and no loaded one that fits.
        keys.raise_if_skipped(kid, key_types=key_types, use="sig", stage=Stage.SIGNATURE)
        if len(matching) > 1 and algorithm is not None:
            matching = [k for k in matching if k.kty == algorithm.key_type] or matching
        if not matching:
            known = ", ".join(repr(k.kid) for k in candidates) or "none"
            raise InvalidKeyError(
                "no verification key has the JWS header's kid",
                code="jws.kid_unknown",
                expected=f"one of {known}",
                found=name_or_kind(kid, 64),
                stage=Stage.SIGNATURE,
            )
        return matching[0]
    if len(candidates) == 1:
        return candidates[0]
    raise InvalidKeyError(
        "the JWS header has no kid, so the key set cannot pick a key",
        code="jws.kid_unknown",
        expected="a 'kid' header member, or one signing key",
        found=f"{len(candidates)} signing keys and no kid",
        stage=Stage.SIGNATURE,
    )
