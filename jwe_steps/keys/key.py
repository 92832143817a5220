"""The :class:`Key`: a parsed key plus its JWK metadata, its thumbprint and export forms,
and the checks every loaded key passes (RSA size, modulus and exponent)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519

from ..b64 import b64url_encode
from ..display import name_or_kind
from ..errors import InvalidKeyError

if TYPE_CHECKING:
    from .pem import Certificate

MIN_RSA_BITS = 2048
# The largest RSA modulus accepted: OpenSSL's own cap (OPENSSL_RSA_MAX_MODULUS_BITS), past
# which it refuses to encrypt. A 16384-bit key already costs about a second per decryption.
MAX_RSA_BITS = 16384
DEMO_KID_PREFIX = "demo-"

AsymmetricKey = (
    rsa.RSAPrivateKey
    | rsa.RSAPublicKey
    | ec.EllipticCurvePrivateKey
    | ec.EllipticCurvePublicKey
    | x25519.X25519PrivateKey
    | x25519.X25519PublicKey
    | x448.X448PrivateKey
    | x448.X448PublicKey
)

_CURVES: dict[str, tuple[type[ec.EllipticCurve], int]] = {
    "P-256": (ec.SECP256R1, 32),
    "P-384": (ec.SECP384R1, 48),
    "P-521": (ec.SECP521R1, 66),
}
_CURVE_NAMES = {cls().name: name for name, (cls, _) in _CURVES.items()}


def _int_to_b64(value: int, length: int | None = None) -> str:
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(size, "big"))


@dataclass(frozen=True, eq=False)
class Key:
    """A parsed key plus its JWK metadata.

    Make one with :func:`load_key` (any form), or say which form you have with
    :meth:`from_jwk`, :meth:`from_pem`, :meth:`symmetric` or :meth:`password`.

    Attributes:
        kty: ``"RSA"``, ``"EC"``, ``"OKP"`` or ``"oct"``.
        material: a ``cryptography`` key object, or the raw bytes of a symmetric key.
        kid, alg, use, key_ops: the JWK members of those names, when present.
        demo: True for keys made by :func:`generate_key` — never use them for real data.
        certificate: for a key read from an X.509 certificate, what the certificate says
            (:class:`Certificate`), else None.
    """

    kty: str
    material: Any
    kid: str | None = None
    alg: str | None = None
    use: str | None = None
    key_ops: tuple[str, ...] | None = None
    demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    certificate: Certificate | None = None

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any] | str | bytes) -> Key:
        """A key from one JWK: a dict, or its JSON text (str or UTF-8 bytes)."""
        from .loading import _parse_json, load_key  # loading builds Keys: import at call time

        if isinstance(jwk, bytes | bytearray):
            try:
                jwk = bytes(jwk).decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidKeyError(
                    "the JWK is not UTF-8 text",
                    code="key.format",
                    expected="a JWK in JSON",
                    found="bytes that are not UTF-8",
                ) from None
        if isinstance(jwk, str):
            jwk = _parse_json(jwk, subject="the JWK")
        if not isinstance(jwk, Mapping):
            raise InvalidKeyError(
                "the JWK is not a JSON object",
                code="key.format",
                expected="a JSON object {...}",
                found=type(jwk).__name__,
            )
        return load_key(jwk)

    @classmethod
    def from_pem(cls, pem: bytes | str) -> Key:
        """A key from PEM: a private key (PKCS#8/PKCS#1/SEC1, unencrypted), a public key
        (SubjectPublicKeyInfo/PKCS#1) or an X.509 certificate (its public key)."""
        from .pem import _from_pem  # pem builds Keys: import at call time

        if not isinstance(pem, str | bytes | bytearray | memoryview):
            raise InvalidKeyError(
                "PEM is text",
                code="key.format",
                expected="a str or bytes holding a '-----BEGIN ...-----' block",
                found=type(pem).__name__,
            )
        data = pem.encode("ascii", "replace") if isinstance(pem, str) else bytes(pem)
        if b"-----BEGIN" not in data:
            raise InvalidKeyError(
                "this is not PEM",
                code="key.format",
                expected="a '-----BEGIN ...-----' block",
                found=f"{len(data)} bytes without one",
            )
        return _from_pem(data)

    @classmethod
    def symmetric(cls, secret: bytes, *, kid: str | None = None, alg: str | None = None) -> Key:
        """A symmetric key (``kty "oct"``) from its raw bytes: for ``dir``, ``AxxxKW``,
        ``AxxxGCMKW``. Whatever the bytes look like, they are the key."""
        return cls("oct", _secret_bytes(secret, "symmetric key"), kid=kid, alg=alg)

    @classmethod
    def password(cls, password: bytes | str, *, kid: str | None = None) -> Key:
        """A password for ``PBES2-*`` (a str is encoded as UTF-8). Whatever it looks like, it
        is the password."""
        raw: Any = password
        if isinstance(password, str):
            try:
                raw = password.encode("utf-8")
            except UnicodeEncodeError:  # never quote it: it is the secret
                raise InvalidKeyError(
                    "the password is a str that is not Unicode text",
                    code="key.format",
                    expected="a str of Unicode characters, or bytes",
                    found="a lone surrogate",
                ) from None
        return cls("oct", _secret_bytes(raw, "password"), kid=kid)

    @functools.cached_property
    def _memo(self) -> dict[str, Any]:
        """What a pipeline worked out for this key alone (the compact path's sending plans,
        :mod:`jwe_steps.compact_path`): it lives and dies with the key and is never exported."""
        return {}

    @functools.cached_property  # an ABC isinstance check per call; pipelines ask several times
    def is_private(self) -> bool:
        """True when this key can decrypt (a private or symmetric key)."""
        if self.kty == "oct":
            return True
        return not isinstance(
            self.material,
            rsa.RSAPublicKey
            | ec.EllipticCurvePublicKey
            | x25519.X25519PublicKey
            | x448.X448PublicKey,
        )

    @functools.cached_property  # a JWS verify asks for it on every token
    def size_bits(self) -> int:
        if self.kty == "oct":
            return 8 * len(self.material)
        if self.kty == "RSA":
            return int(self.material.key_size)
        if self.kty == "EC":
            return int(self.material.curve.key_size)
        return (
            255
            if isinstance(self.material, x25519.X25519PrivateKey | x25519.X25519PublicKey)
            else 448
        )

    @functools.cached_property  # each material.curve is a new object; both sides ask per token
    def curve(self) -> str | None:
        if self.kty == "EC":
            return _CURVE_NAMES[self.material.curve.name]
        if self.kty == "OKP":
            is_x25519 = isinstance(self.material, x25519.X25519PrivateKey | x25519.X25519PublicKey)
            return "X25519" if is_x25519 else "X448"
        return None

    def public_key(self) -> Key:
        """The public half (for ``oct`` keys there is none: raises InvalidKeyError)."""
        if self.kty == "oct":
            raise InvalidKeyError(
                "a symmetric key has no public half",
                code="key.no_public_half",
                expected="an RSA, EC or OKP key",
                found="kty 'oct'",
            )
        if not self.is_private:
            return self
        public: Key | None = self._memo.get("public_key")
        if public is None:  # made once: a key is immutable, and its memo lives on the half
            public = self._memo["public_key"] = Key(
                self.kty,
                self.material.public_key(),
                kid=self.kid,
                alg=self.alg,
                use=self.use,
                key_ops=self.key_ops,
                demo=self.demo,
                certificate=self.certificate,
            )
        return public

    def _public_material(self) -> Any:
        """The ``cryptography`` public key (without building a public :class:`Key` for it)."""
        return self.material.public_key() if self.is_private else self.material

    def _public_members(self) -> dict[str, str]:
        """The required public members of RFC 7638 §3.2, in lexicographic order."""
        if self.kty == "RSA":
            numbers = self._public_material().public_numbers()
            return {"e": _int_to_b64(numbers.e), "kty": "RSA", "n": _int_to_b64(numbers.n)}
        if self.kty == "EC":
            numbers = self._public_material().public_numbers()
            size = _CURVES[self.curve or ""][1]
            return {
                "crv": self.curve or "",
                "kty": "EC",
                "x": _int_to_b64(numbers.x, size),
                "y": _int_to_b64(numbers.y, size),
            }
        if self.kty == "OKP":
            raw = self._public_material().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            return {"crv": self.curve or "", "kty": "OKP", "x": b64url_encode(raw)}
        return {"k": b64url_encode(self.material), "kty": "oct"}

    def thumbprint(self, hash_name: Literal["SHA-256", "SHA-384", "SHA-512"] = "SHA-256") -> str:
        """The RFC 7638 JWK thumbprint, base64url-encoded."""
        members = json.dumps(self._public_members(), separators=(",", ":"), sort_keys=True)
        digest = hashlib.new(hash_name.replace("-", "").lower(), members.encode("utf-8"))
        return b64url_encode(digest.digest())

    def to_jwk(self, *, private: bool = False) -> dict[str, Any]:
        """This key as a JWK dict; private members only when ``private=True``."""
        jwk: dict[str, Any] = dict(self._public_members())
        if private and self.kty == "RSA" and self.is_private:
            p = self.material.private_numbers()
            jwk.update(
                d=_int_to_b64(p.d),
                p=_int_to_b64(p.p),
                q=_int_to_b64(p.q),
                dp=_int_to_b64(p.dmp1),
                dq=_int_to_b64(p.dmq1),
                qi=_int_to_b64(p.iqmp),
            )
        elif private and self.kty == "EC" and self.is_private:
            size = _CURVES[self.curve or ""][1]
            jwk["d"] = _int_to_b64(self.material.private_numbers().private_value, size)
        elif private and self.kty == "OKP" and self.is_private:
            raw = self.material.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            jwk["d"] = b64url_encode(raw)
        elif self.kty == "oct" and not private:
            raise InvalidKeyError(
                "a symmetric key is all secret",
                code="key.export",
                expected="private=True to export it",
                found="private=False",
            )
        for name, value in (("kid", self.kid), ("alg", self.alg), ("use", self.use)):
            if value is not None:
                jwk[name] = value
        if self.key_ops is not None:
            jwk["key_ops"] = list(self.key_ops)
        return jwk

    def to_pem(self, *, private: bool = False) -> bytes:
        """PEM (SubjectPublicKeyInfo, or unencrypted PKCS#8 with ``private=True``)."""
        if self.kty == "oct":
            raise InvalidKeyError(
                "a symmetric key has no PEM form", code="key.export", found="kty 'oct'"
            )
        if private:
            return bytes(
                self.material.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        return bytes(
            self.public_key().material.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def __repr__(self) -> str:
        label = "DEMO " if self.demo else ""
        half = "private" if self.is_private and self.kty != "oct" else "public"
        if self.kty == "oct":
            half = "symmetric"
        kid = f" kid={self.kid!r}" if self.kid else ""
        subject = f" from certificate {self.certificate.subject}" if self.certificate else ""
        return f"<{label}{self.kty} {self.size_bits}-bit {half} key{kid}{subject}>"

    def describe(self) -> str:
        """A few lines for a person: type, size, half, kid/alg/use, thumbprint, certificate."""
        lines = [repr(self)[1:-1]]
        members = [
            f"{name} {value!r}"
            for name, value in (("alg", self.alg), ("use", self.use))
            if value is not None
        ]
        if self.key_ops is not None:
            members.append(f"key_ops {list(self.key_ops)!r}")
        if members:
            lines.append(", ".join(members))
        if self.kty != "oct":
            lines.append(f"RFC 7638 thumbprint {self.thumbprint()}")
        if self.certificate is not None:
            lines.append(self.certificate.describe())
        if self.demo:
            lines.append("a DEMO key: for learning only, never for real data")
        return "\n".join(lines)


def _secret_bytes(secret: Any, what: str) -> bytes:
    if not isinstance(secret, bytes | bytearray):
        raise InvalidKeyError(
            f"a {what} is given as bytes",
            code="key.format",
            expected="bytes",
            found=type(secret).__name__,
        )
    if not secret:
        raise InvalidKeyError(
            f"the {what} is empty", code="key.format", expected="at least one byte", found="0"
        )
    return bytes(secret)


def _check_rsa_size(bits: int) -> None:
    if bits < MIN_RSA_BITS:
        raise InvalidKeyError(
            "RSA key is too small",
            code="key.size",
            expected=f"at least {MIN_RSA_BITS} bits (RFC 7518 §4.2/§4.3)",
            found=f"{bits} bits",
            hint="Generate a 2048-bit or larger key.",
        )
    if bits > MAX_RSA_BITS:
        raise InvalidKeyError(
            "the RSA modulus 'n' is too large to be used",
            code="key.rsa_modulus",
            expected=f"at most {MAX_RSA_BITS} bits (OpenSSL's limit for RSA)",
            found=f"{bits} bits",
        )


def _check_rsa_public(n: int, e: int) -> None:
    """Refuse what loads but cannot encrypt: RSA needs an odd modulus and an odd e >= 3."""
    _check_rsa_size(n.bit_length())
    if n % 2 == 0:
        raise InvalidKeyError(
            "the RSA modulus 'n' is even, so it is not a product of two odd primes",
            code="key.rsa_modulus",
            expected="an odd modulus n = p*q",
            found="an even number",
            hint="The JWK's 'n' was probably altered or truncated.",
        )
    if e < 3 or e % 2 == 0 or e >= n:
        raise InvalidKeyError(
            "the RSA public exponent 'e' cannot be used",
            code="key.rsa_exponent",
            expected="an odd exponent 3 <= e < n (usually 65537, 'AQAB')",
            found=f"e = {e}" if e < 1 << 64 else f"a {e.bit_length()}-bit e",
        )


@functools.cache
def _probe(private_class: Any) -> Any:
    """One private key per curve, to try an X25519/X448 public key with."""
    return private_class.generate()


def _check_okp_public(public: Any) -> None:
    """Refuse an X25519/X448 public key of small order: every agreement with it yields the
    all-zero secret, which RFC 7748 §6 tells implementations to refuse (so encrypting to it
    could only fail). Any private scalar shows it, clamped as they all are to a multiple of 8."""
    x25519_key = isinstance(public, x25519.X25519PublicKey)
    private_class = x25519.X25519PrivateKey if x25519_key else x448.X448PrivateKey
    try:
        _probe(private_class).exchange(public)
    except ValueError:
        raise InvalidKeyError(
            "the OKP public key 'x' is a point of small order, so no agreement with it is secret",
            code="key.okp_low_order",
            expected="an X25519/X448 public key of the main subgroup (RFC 7748 §6)",
            found="a low-order point",
            hint="The key was altered or made to attack; ask its owner for their public key again.",
        ) from None


def name_found(value: Any, member: str) -> str:
    """What an unusable ``kty`` or ``crv`` was, in a few words: the name (cut short), or the
    JSON type it had (never the repr of a value, which for a huge int cannot even be made)."""
    return f"no {member!r} member" if value is None else name_or_kind(value, 32)
