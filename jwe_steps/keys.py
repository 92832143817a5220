"""Keys: load a JWK, JWKS, PEM key or X.509 certificate once, use it many times; make demo
keys; RFC 7638 thumbprints.

Loading validates the key (for an RSA private key that is the costly part), so parse once with
:func:`load_key` (or the explicit :meth:`Key.from_jwk`, :meth:`Key.from_pem`,
:meth:`Key.symmetric`, :meth:`Key.password`) and pass the result to every call. A key that
loads can be used: what would only fail later (an even RSA modulus, an OKP ``d`` that is not
the private half of its ``x``, a ``key_ops`` that is not an array...) is refused here, naming
the member.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519

from . import strict_json
from .b64 import b64url_decode, b64url_encode
from .errors import Base64urlError, InvalidKeyError

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


def _name_text(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:  # an attribute cryptography cannot render
        return "(unreadable name)"


@dataclass(frozen=True)
class Certificate:
    """What an X.509 certificate says about the public key it carries (read, not verified).

    Partners often hand over their public key as a certificate. jwe-steps uses the key inside
    and keeps these fields so you can check you have the right one; it does not verify the
    signature or the chain: trust comes from how the certificate reached you.

    Attributes:
        subject, issuer: distinguished names in RFC 4514 form (``CN=api.example,O=Example``).
        serial_number: the certificate's serial number.
        not_valid_before, not_valid_after: the validity period (timezone-aware, UTC).
        sha256_fingerprint: SHA-256 of the DER certificate, hex (what ``openssl x509
            -fingerprint -sha256`` prints, without the colons).
    """

    subject: str
    issuer: str
    serial_number: int
    not_valid_before: datetime.datetime
    not_valid_after: datetime.datetime
    sha256_fingerprint: str

    @classmethod
    def from_x509(cls, certificate: x509.Certificate) -> Certificate:
        return cls(
            subject=_name_text(certificate.subject),
            issuer=_name_text(certificate.issuer),
            serial_number=certificate.serial_number,
            not_valid_before=certificate.not_valid_before_utc,
            not_valid_after=certificate.not_valid_after_utc,
            sha256_fingerprint=hashlib.sha256(
                certificate.public_bytes(serialization.Encoding.DER)
            ).hexdigest(),
        )

    def is_valid_at(self, when: datetime.datetime | None = None) -> bool:
        """True when ``when`` (default: now) lies in the validity period."""
        moment = when or datetime.datetime.now(datetime.UTC)
        return self.not_valid_before <= moment <= self.not_valid_after

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (dates in ISO 8601, the serial number in hex)."""
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial_number": format(self.serial_number, "x"),
            "not_valid_before": self.not_valid_before.isoformat(),
            "not_valid_after": self.not_valid_after.isoformat(),
            "sha256_fingerprint": self.sha256_fingerprint,
        }

    def describe(self) -> str:
        """One line: subject, issuer and validity (and "EXPIRED"/"NOT YET VALID" when so)."""
        now = datetime.datetime.now(datetime.UTC)
        status = ""
        if now > self.not_valid_after:
            status = " EXPIRED"
        elif now < self.not_valid_before:
            status = " NOT YET VALID"
        return (
            f"certificate subject {self.subject}, issuer {self.issuer}, serial "
            f"{format(self.serial_number, 'x')}, valid {self.not_valid_before:%Y-%m-%d} to "
            f"{self.not_valid_after:%Y-%m-%d}{status}"
        )


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
        raw = password.encode("utf-8") if isinstance(password, str) else password
        return cls("oct", _secret_bytes(raw, "password"), kid=kid)

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

    @property
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

    @property
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
                expected="an RSA, EC or OKP key",
                found="kty 'oct'",
            )
        if not self.is_private:
            return self
        return Key(
            self.kty,
            self.material.public_key(),
            kid=self.kid,
            alg=self.alg,
            use=self.use,
            key_ops=self.key_ops,
            demo=self.demo,
            certificate=self.certificate,
        )

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
            raise InvalidKeyError("a symmetric key has no PEM form", found="kty 'oct'")
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


@dataclass(frozen=True)
class KeySet:
    """A JWKS: several keys, of which a token's ``kid`` picks one."""

    keys: tuple[Key, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for key in self.keys:
            if key.kid is None:
                continue
            if key.kid in seen:
                raise InvalidKeyError(
                    "two keys in the key set have the same kid",
                    code="key.duplicate_kid",
                    expected="a distinct 'kid' for every key (a token's kid must pick one)",
                    found=f"kid {key.kid[:64]!r} more than once",
                    hint="Remove the stale key, or give each key its own kid.",
                )
            seen.add(key.kid)

    @property
    def kids(self) -> tuple[str | None, ...]:
        """The kid of each key, in order (None for a key without one)."""
        return tuple(key.kid for key in self.keys)

    def _known(self) -> str:
        return ", ".join(repr(kid) for kid in self.kids) or "none"

    def select(self, kid: str | None) -> Key:
        """The key whose ``kid`` matches; without a kid, the only key there is.

        Several keys and no kid is an error (code ``key.kid_required``) that lists the kids:
        the sender picks one with the header's ``kid`` (``jwe-steps encrypt --header
        '{"kid": "..."}'``).
        """
        if kid is not None:
            for key in self.keys:
                if key.kid == kid:
                    return key
            raise InvalidKeyError(
                "no key in the key set has the token's kid",
                code="key.kid_unknown",
                expected=f"one of {self._known()}",
                found=repr(kid[:64]),
                hint="Check which key the sender used, or add it to the key set.",
            )
        if len(self.keys) == 1:
            return self.keys[0]
        if not self.keys:
            raise InvalidKeyError(
                "the key set is empty", code="key.kid_required", expected="a key", found="none"
            )
        raise InvalidKeyError(
            "no kid says which key of the key set to use",
            code="key.kid_required",
            expected=f"a 'kid' header member naming one of {self._known()}",
            found=f"{len(self.keys)} keys and no kid",
            hint='Choose one by its kid in the header ({"kid": "..."}), or use a key '
            "set with one key.",
        )


def _member(jwk: Mapping[str, Any], name: str, *, required: bool = True) -> bytes | None:
    value = jwk.get(name)
    if value is None:
        if required:
            raise InvalidKeyError(
                f"the {jwk.get('kty')} JWK lacks the '{name}' member",
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


def _rsa_from_jwk(jwk: Mapping[str, Any]) -> Any:
    public = rsa.RSAPublicNumbers(_uint(jwk, "e"), _uint(jwk, "n"))
    _check_rsa_public(public.n, public.e)
    if "d" not in jwk:
        try:
            return public.public_key()
        except ValueError:
            raise InvalidKeyError(
                "the RSA public key is invalid", expected="valid n and e", found="values rejected"
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
                expected="d that fits n and e",
                found="factors could not be recovered",
            ) from None
        dmp1, dmq1, iqmp = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
    try:
        return rsa.RSAPrivateNumbers(p, q, d, dmp1, dmq1, iqmp, public).private_key()
    except ValueError:
        raise InvalidKeyError(
            "the RSA private key is inconsistent",
            expected="p, q, d, dp, dq, qi that match n and e",
            found="values that do not fit together",
            hint="The JWK may have been truncated or mixed with another key.",
        ) from None


def _ec_from_jwk(jwk: Mapping[str, Any]) -> Any:
    curve_name = jwk.get("crv")
    if curve_name not in _CURVES:
        raise InvalidKeyError(
            "unsupported EC curve",
            expected=" or ".join(_CURVES),
            found=repr(curve_name),
        )
    curve_cls, size = _CURVES[curve_name]
    x, y = _member(jwk, "x"), _member(jwk, "y")
    assert x is not None and y is not None
    if len(x) != size or len(y) != size:
        raise InvalidKeyError(
            f"EC coordinates have the wrong length for {curve_name}",
            expected=f"{size} bytes each",
            found=f"x {len(x)} B, y {len(y)} B",
        )
    try:
        public = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve_cls()
        )
        if "d" in jwk:
            d = _member(jwk, "d")
            assert d is not None
            return ec.EllipticCurvePrivateNumbers(int.from_bytes(d, "big"), public).private_key()
        return public.public_key()
    except ValueError:
        raise InvalidKeyError(
            f"the point is not on {curve_name}, or d does not match it",
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


def _from_object(obj: Any) -> Key | None:
    if isinstance(obj, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        public = obj if isinstance(obj, rsa.RSAPublicKey) else obj.public_key()
        numbers = public.public_numbers()
        _check_rsa_public(numbers.n, numbers.e)
        return Key("RSA", obj)
    if isinstance(obj, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if obj.curve.name not in _CURVE_NAMES:
            raise InvalidKeyError(
                "unsupported EC curve",
                code="key.unsupported",
                expected=" or ".join(_CURVES),
                found=obj.curve.name,
            )
        return Key("EC", obj)
    if isinstance(
        obj,
        x25519.X25519PrivateKey | x25519.X25519PublicKey | x448.X448PrivateKey | x448.X448PublicKey,
    ):
        return Key("OKP", obj)
    return None


_CERTIFICATE_PEM = re.compile(rb"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----")


def _from_certificate(data: bytes | x509.Certificate) -> Key:
    """The public key inside an X.509 certificate: PEM (the first one, for a chain) or a
    ``cryptography`` certificate object."""
    try:
        certificate = (
            data if isinstance(data, x509.Certificate) else (x509.load_pem_x509_certificate(data))
        )
        public = certificate.public_key()
    except ValueError:
        raise InvalidKeyError(
            "the PEM looks like an X.509 certificate, but it could not be read",
            code="key.certificate",
            expected="a PEM certificate (-----BEGIN CERTIFICATE-----, DER inside, RFC 5280)",
            found="a certificate block that does not parse",
            hint="Check the file was copied whole, base64 lines included.",
        ) from None
    key = _from_object(public)
    if key is None:
        raise InvalidKeyError(
            "the certificate holds a key type JWE cannot use",
            code="key.unsupported",
            expected="RSA, EC (P-256/384/521), X25519 or X448",
            found=type(public).__name__,
        )
    return Key(key.kty, key.material, certificate=Certificate.from_x509(certificate))


def _from_pem(data: bytes) -> Key:
    if _CERTIFICATE_PEM.search(data) and b"PRIVATE KEY" not in data:
        return _from_certificate(data)
    loaded: Any
    try:
        if b"PRIVATE KEY" in data:
            loaded = serialization.load_pem_private_key(data, password=None)
        else:
            loaded = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as error:
        reason = "it is password-protected" if isinstance(error, TypeError) else "it did not parse"
        raise InvalidKeyError(
            "the PEM key could not be loaded",
            code="key.format",
            expected="an unencrypted PKCS#8/PKCS#1 private key, a SubjectPublicKeyInfo, or an "
            "X.509 certificate",
            found=reason,
        ) from None
    key = _from_object(loaded)
    if key is None:
        raise InvalidKeyError(
            "the PEM holds a key type JWE cannot use",
            code="key.unsupported",
            expected="RSA, EC (P-256/384/521), X25519 or X448",
            found=type(loaded).__name__,
        )
    return key


def _secret_bytes(secret: Any, what: str) -> bytes:
    if not isinstance(secret, bytes | bytearray):
        raise InvalidKeyError(
            f"a {what} is given as bytes",
            expected="bytes",
            found=type(secret).__name__,
        )
    if not secret:
        raise InvalidKeyError(
            f"the {what} is empty", code="key.format", expected="at least one byte", found="0"
        )
    return bytes(secret)


def _parse_json(text: str, *, subject: str = "the key text") -> Any:
    """Strict JSON (no duplicate members, lone surrogates, Infinity), as an InvalidKeyError."""
    return strict_json.loads(
        text,
        error=InvalidKeyError,
        subject=subject,
        expected="a JWK or JWKS in JSON, or a PEM block",
    )


def _json_text(data: bytes) -> str | None:
    """``data`` as text when it looks like a JSON object or array (a JWK or JWKS), else None.

    Looking like JSON means: UTF-8 text whose first and last non-blank characters are ``{ }``
    or ``[ ]``. Random key bytes practically never are (UTF-8 alone rules out all but about
    one 32-byte key in a billion); a password that is would be refused, which is why
    :meth:`Key.password` exists.
    """
    stripped = data.strip(b" \t\r\n")
    if not stripped or (stripped[:1], stripped[-1:]) not in ((b"{", b"}"), (b"[", b"]")):
        return None
    try:
        return stripped.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _from_bytes(data: bytes) -> Key:
    """PEM, else JSON (which must then be a valid JWK), else a raw symmetric key; see
    :func:`load_key`."""
    if b"-----BEGIN" in data:
        return _from_pem(data)
    text = _json_text(data)
    if text is not None:
        return load_key(text)
    if not data:
        raise InvalidKeyError(
            "the key is empty",
            code="key.format",
            expected="PEM, a JWK, or a non-empty raw symmetric key or password",
            found="0 bytes",
        )
    return Key("oct", data)


def load_key(material: Any) -> Key:
    """Parse key material once into a reusable :class:`Key`.

    Accepts a :class:`Key`, a JWK dict, JWK JSON text (str), PEM (bytes or str: a private
    key, a public key or an X.509 certificate), a ``cryptography`` key or certificate object,
    or raw bytes.
    RSA keys under 2048 bits (or over :data:`MAX_RSA_BITS`) are refused. For a JWKS use
    :func:`load_key_set`. When you know the form, say so: :meth:`Key.from_jwk`,
    :meth:`Key.from_pem`, :meth:`Key.symmetric`, :meth:`Key.password`.

    Bytes are read by one unambiguous rule, in this order:

    1. bytes that contain ``-----BEGIN`` are PEM;
    2. bytes that look like JSON (UTF-8 text from ``{`` to ``}``, or ``[`` to ``]``) must be
       a valid JWK: if they do not parse, that is an error, never a raw key;
    3. any other non-empty bytes are a raw symmetric key (``kty "oct"``): an AES key for
       ``dir``/``AxxxKW``/``AxxxGCMKW``, or the password for ``PBES2-*``.

    A random key practically never meets rule 1 or 2; a password might, so pass passwords
    with :meth:`Key.password` and raw keys with :meth:`Key.symmetric`. A ``str`` is never a
    raw key: it is PEM or JSON.
    """
    if isinstance(material, Key):
        return material
    if isinstance(material, Mapping):
        if "keys" in material:
            raise InvalidKeyError(
                "this is a key set (JWKS), not a single key",
                code="key.format",
                expected="a JWK",
                found=f"a JWKS with {len(material.get('keys') or [])} keys",
                hint="Use load_key_set(), or pass the key set to decrypt() to pick by kid.",
            )
        return _from_jwk(material)
    if isinstance(material, bytes | bytearray):
        return _from_bytes(bytes(material))
    if isinstance(material, str):
        if "-----BEGIN" in material:
            return _from_pem(material.encode("ascii", "replace"))
        if not material.lstrip().startswith(("{", "[")):
            raise InvalidKeyError(
                "the key text is neither PEM nor JSON",
                code="key.format",
                expected="a JWK or JWKS in JSON, or a PEM block",
                found=f"{len(material)} characters of something else",
                hint="A str is never a raw key: pass Key.symmetric(b'...') or Key.password('...').",
            )
        parsed = _parse_json(material)
        if not isinstance(parsed, dict):
            raise InvalidKeyError(
                "the key JSON is not an object",
                code="key.format",
                expected="a JWK (a JSON object); for a list of keys use load_key_set()",
                found=f"a JSON {type(parsed).__name__}",
            )
        return load_key(parsed)
    if isinstance(material, x509.Certificate):
        return _from_certificate(material)
    key = _from_object(material)
    if key is not None:
        return key
    raise InvalidKeyError(
        "unsupported key material",
        code="key.format",
        expected="a JWK dict or JSON, PEM, a cryptography key object, or a Key",
        found=type(material).__name__,
    )


def load_key_set(material: Any) -> KeySet:
    """Parse a JWKS (dict or JSON), a single key, or a list of keys into a :class:`KeySet`."""
    if isinstance(material, KeySet):
        return material
    if isinstance(material, bytes | bytearray) and b"-----BEGIN" not in material:
        # JSON (a JWK or JWKS) in bytes, else raw key bytes (see load_key).
        text = _json_text(bytes(material))
        material = _parse_json(text) if text is not None else bytes(material)
    if isinstance(material, str) and "-----BEGIN" not in material:
        material = _parse_json(material)
    if isinstance(material, Mapping) and "keys" in material:
        entries = material["keys"]
        if not isinstance(entries, list):
            raise InvalidKeyError(
                "the JWKS 'keys' member is not a list",
                code="key.member",
                expected="an array of JWKs (RFC 7517 §5.1)",
                found=type(entries).__name__,
            )
        return KeySet(tuple(load_key(entry) for entry in entries))
    if isinstance(material, list | tuple):
        return KeySet(tuple(load_key(entry) for entry in material))
    return KeySet((load_key(material),))


def generate_key(
    kty: Literal["RSA", "EC", "OKP", "oct"] = "RSA",
    *,
    size: int = 2048,
    crv: str = "P-256",
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
    (P-256/384/521) and OKP (X25519/X448) keys. Bad values raise :class:`InvalidKeyError`.
    """

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
                found=repr(crv)[:64],
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
                found=repr(crv)[:64],
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
            found=repr(kty)[:64],
        )
    draft = Key(kty, material, alg=alg, use="enc", demo=True)
    if kid is None:
        kid = f"{DEMO_KID_PREFIX}{kty.lower()}-{draft.thumbprint()[:8]}"
    elif not kid.startswith(DEMO_KID_PREFIX):
        kid = DEMO_KID_PREFIX + kid
    return Key(kty, material, kid=kid, alg=alg, use="enc", demo=True)


# ------------------------------------------------------- key binding (RFC 7516 §5.2 step 7)
# Appended by the core: which key serves a token, and whether its JWK members allow it.

ENCRYPT_OPERATIONS = frozenset({"encrypt", "wrapKey", "deriveKey", "deriveBits"})
DECRYPT_OPERATIONS = frozenset({"decrypt", "unwrapKey", "deriveKey", "deriveBits"})


def check_key_allows(key: Key, alg: str, *, decrypting: bool, enc: str | None = None) -> None:
    """A JWK's own ``alg``, ``use`` and ``key_ops``, when present, must fit this operation
    (RFC 7517 §4.2-4.4).

    With ``dir`` the key is the CEK, so its JWK ``alg`` may name the content encryption
    algorithm instead (RFC 7520 §5.6 binds its key with ``"alg": "A128GCM"``).
    """
    if key.alg is not None and key.alg != alg and not _bound_to_enc(key, alg, enc):
        raise InvalidKeyError(
            "the key is bound to another algorithm by its JWK 'alg'",
            code="key.alg_binding",
            expected=f"a token with alg {key.alg!r}",
            found=f"alg {alg!r}",
            hint="Use the key made for this algorithm, or ask the sender which alg they used.",
        )
    if key.use is not None and key.use != "enc":
        raise InvalidKeyError(
            "the key is not for encryption",
            code="key.use",
            expected="JWK 'use' of 'enc'",
            found=f"use {key.use!r}",
            hint="A signing key ('sig') must not be used to encrypt or decrypt.",
        )
    if key.key_ops is not None:
        allowed = DECRYPT_OPERATIONS if decrypting else ENCRYPT_OPERATIONS
        if not allowed.intersection(key.key_ops):
            raise InvalidKeyError(
                "the key's 'key_ops' do not permit this operation",
                code="key.key_ops",
                expected="one of " + ", ".join(sorted(allowed)),
                found=", ".join(map(str, key.key_ops)) or "none",
            )


def _bound_to_enc(key: Key, alg: str, enc: str | None) -> bool:
    """With direct encryption a JWK's ``alg`` may name the ``enc`` its key serves."""
    from . import algorithms as registry  # here: keys must not load every algorithm module

    management = registry.KEY_MANAGEMENT.get(alg)
    direct = management is not None and management.mode is registry.Mode.DIRECT_ENCRYPTION
    return direct and enc is not None and key.alg == enc


def resolve_key(material: Any, header: Mapping[str, Any]) -> Key:
    """RFC 7516 §5.2 step 7, "a key known to the recipient": ``material`` itself, or the
    member of a key set that the header's ``kid`` names."""
    if isinstance(material, Key):  # the common case, settled before the Mapping ABC check
        return material
    if isinstance(material, KeySet) or (isinstance(material, Mapping) and "keys" in material):
        kid = header.get("kid")
        return load_key_set(material).select(kid if isinstance(kid, str) else None)
    return load_key(material)


def recipient_key(
    material: Any, header: Mapping[str, Any], alg: str, *, decrypting: bool, enc: str
) -> Key:
    """RFC 7516 §5.2 step 7 (and its sending-side twin): the key for this header, checked
    against its JWK ``alg``/``use``/``key_ops``."""
    key = resolve_key(material, header)
    check_key_allows(key, alg, decrypting=decrypting, enc=enc)
    return key
