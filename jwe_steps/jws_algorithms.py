"""The JWS algorithms of RFC 7518 §3 and the keys they accept: one table, one place.

:mod:`jwe_steps.jws` signs and verifies with these; this module says which ``alg`` names exist,
what key each needs (type, curve, size; RFC 7518 §3.2-3.5), what a JWK's ``use``, ``alg`` and
``key_ops`` allow (RFC 7517 §4.2-4.4), how a key set picks the signer's key by ``kid``, and makes
DEMO signing keys.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .errors import AlgorithmError, InvalidKeyError, Stage
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
        shown = repr(name[:32]) if isinstance(name, str) else type(name).__name__
        raise AlgorithmError(
            "unknown or refused JWS 'alg'",
            code="jws.algorithm_unknown",
            expected="one of " + ", ".join(sorted(ALGORITHMS)),
            found=shown,
            hint="'none' is never accepted: an unsigned JWS proves nothing."
            if name == "none"
            else None,
            stage=Stage.SIGNATURE,
        )
    return ALGORITHMS[name]


def check_key(
    algorithm: SignatureAlgorithm, key: Key, operation: Literal["sign", "verify"]
) -> None:
    """The key fits the alg (type, curve, size) and its JWK metadata allows ``operation``."""
    if key.kty != algorithm.key_type:
        raise InvalidKeyError(
            f"{algorithm.name} needs a {algorithm.key_type} key",
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
                found=repr(str(kid)[:64]),
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
