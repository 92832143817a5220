"""Keys: load a JWK, JWKS or PEM once, use it many times; make demo keys; RFC 7638 thumbprints.

Loading validates the key (for an RSA private key that is the costly part), so parse once with
:func:`load_key` and pass the result to every call.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519

from .b64 import b64url_decode, b64url_encode
from .errors import Base64urlError, InvalidKeyError

MIN_RSA_BITS = 2048
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

    Attributes:
        kty: ``"RSA"``, ``"EC"``, ``"OKP"`` or ``"oct"``.
        material: a ``cryptography`` key object, or the raw bytes of a symmetric key.
        kid, alg, use: the JWK members of those names, when present.
        demo: True for keys made by :func:`generate_key` — never use them for real data.
    """

    kty: str
    material: Any
    kid: str | None = None
    alg: str | None = None
    use: str | None = None
    key_ops: tuple[str, ...] | None = None
    demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

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
        return f"<{label}{self.kty} {self.size_bits}-bit {half} key{kid}>"


@dataclass(frozen=True)
class KeySet:
    """A JWKS: several keys, of which a token's ``kid`` picks one."""

    keys: tuple[Key, ...]

    def select(self, kid: str | None) -> Key:
        """The key whose ``kid`` matches; without a kid, the only key there is."""
        if kid is not None:
            for key in self.keys:
                if key.kid == kid:
                    return key
            known = ", ".join(repr(k.kid) for k in self.keys) or "none"
            raise InvalidKeyError(
                "no key in the key set has the token's kid",
                expected=f"one of {known}",
                found=repr(kid),
                hint="Check which key the sender used, or add it to the key set.",
            )
        if len(self.keys) == 1:
            return self.keys[0]
        raise InvalidKeyError(
            "the token has no kid, so the key set cannot pick a key",
            expected="a 'kid' header member, or a key set with one key",
            found=f"{len(self.keys)} keys and no kid",
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
            expected="a base64url string",
            found=type(value).__name__,
        )
    try:
        return b64url_decode(value, part=f"JWK member '{name}'")
    except Base64urlError as error:
        raise InvalidKeyError(
            f"the JWK member '{name}' is not strict base64url",
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
            expected=f"at least {MIN_RSA_BITS} bits (RFC 7518 §4.2/§4.3)",
            found=f"{bits} bits",
            hint="Generate a 2048-bit or larger key.",
        )


def _rsa_from_jwk(jwk: Mapping[str, Any]) -> Any:
    public = rsa.RSAPublicNumbers(_uint(jwk, "e"), _uint(jwk, "n"))
    _check_rsa_size(public.n.bit_length())
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
    raw = _member(jwk, "d") if "d" in jwk else _member(jwk, "x")
    assert raw is not None
    if len(raw) != size:
        raise InvalidKeyError(
            f"{curve_name} key has the wrong length",
            expected=f"{size} bytes",
            found=f"{len(raw)} bytes",
        )
    return private_cls.from_private_bytes(raw) if "d" in jwk else public_cls.from_public_bytes(raw)


def _from_jwk(jwk: Mapping[str, Any]) -> Key:
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
            expected="kty 'RSA', 'EC', 'OKP' or 'oct'",
            found=repr(kty),
        )
    for name in ("kid", "alg", "use"):
        if name in jwk and not isinstance(jwk[name], str):
            raise InvalidKeyError(
                f"the JWK member '{name}' is not a string",
                expected="a string",
                found=type(jwk[name]).__name__,
            )
    key_ops = jwk.get("key_ops")
    kid = jwk.get("kid")
    return Key(
        str(kty),
        material,
        kid=kid,
        alg=jwk.get("alg"),
        use=jwk.get("use"),
        key_ops=tuple(key_ops) if isinstance(key_ops, list) else None,
        demo=isinstance(kid, str) and kid.startswith(DEMO_KID_PREFIX),
    )


def _from_object(obj: Any) -> Key | None:
    if isinstance(obj, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        _check_rsa_size(obj.key_size)
        return Key("RSA", obj)
    if isinstance(obj, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if obj.curve.name not in _CURVE_NAMES:
            raise InvalidKeyError(
                "unsupported EC curve", expected=" or ".join(_CURVES), found=obj.curve.name
            )
        return Key("EC", obj)
    if isinstance(
        obj,
        x25519.X25519PrivateKey | x25519.X25519PublicKey | x448.X448PrivateKey | x448.X448PublicKey,
    ):
        return Key("OKP", obj)
    return None


def _from_pem(data: bytes) -> Key:
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
            expected="an unencrypted PKCS#8/PKCS#1 private key or a SubjectPublicKeyInfo",
            found=reason,
        ) from None
    key = _from_object(loaded)
    if key is None:
        raise InvalidKeyError(
            "the PEM holds a key type JWE cannot use",
            expected="RSA, EC (P-256/384/521), X25519 or X448",
            found=type(loaded).__name__,
        )
    return key


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidKeyError(
            "the key text is neither PEM nor JSON",
            expected="a JWK or JWKS in JSON, or a PEM block",
            found=f"{len(text)} characters that do not parse",
        ) from None


def _from_bytes(data: bytes) -> Key:
    """PEM, else a JSON object (a JWK), else a raw symmetric key; see :func:`load_key`."""
    if b"-----BEGIN" in data:
        return _from_pem(data)
    parsed: Any = None
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        parsed = None
    if isinstance(parsed, dict):
        return load_key(parsed)
    if not data:
        raise InvalidKeyError(
            "the key is empty",
            expected="PEM, a JWK, or a non-empty raw symmetric key or password",
            found="0 bytes",
        )
    return Key("oct", data)


def load_key(material: Any) -> Key:
    """Parse key material once into a reusable :class:`Key`.

    Accepts a :class:`Key`, a JWK dict, JWK JSON text (str), PEM (bytes or str), a
    ``cryptography`` key object, or raw bytes. RSA keys under 2048 bits are refused.
    For a JWKS use :func:`load_key_set`.

    Bytes are read by one unambiguous rule, in this order:

    1. bytes that contain ``-----BEGIN`` are PEM;
    2. bytes that decode as UTF-8 and parse as a JSON *object* are a JWK;
    3. any other non-empty bytes are a raw symmetric key (``kty "oct"``): an AES key for
       ``dir``/``AxxxKW``/``AxxxGCMKW``, or the password for ``PBES2-*``.

    A random key or a password practically never meets rule 1 or 2; to be certain, pass
    ``{"kty": "oct", "k": base64url(secret)}`` instead. A ``str`` is never a raw key: it is
    PEM or JSON, so a password must be given as bytes (``"pw".encode()``).
    """
    if isinstance(material, Key):
        return material
    if isinstance(material, Mapping):
        if "keys" in material:
            raise InvalidKeyError(
                "this is a key set (JWKS), not a single key",
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
        parsed = _parse_json(material)
        if not isinstance(parsed, dict):
            raise InvalidKeyError("the key JSON is not an object", found=type(parsed).__name__)
        return load_key(parsed)
    key = _from_object(material)
    if key is not None:
        return key
    raise InvalidKeyError(
        "unsupported key material",
        expected="a JWK dict or JSON, PEM, a cryptography key object, or a Key",
        found=type(material).__name__,
    )


def load_key_set(material: Any) -> KeySet:
    """Parse a JWKS (dict or JSON), a single key, or a list of keys into a :class:`KeySet`."""
    if isinstance(material, KeySet):
        return material
    if isinstance(material, bytes | bytearray) and b"-----BEGIN" not in material:
        # A JSON object (JWK or JWKS) in bytes, else raw key bytes (see load_key).
        try:
            parsed = json.loads(bytes(material).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            parsed = None
        material = parsed if isinstance(parsed, dict) else bytes(material)
    if isinstance(material, str) and "-----BEGIN" not in material:
        material = _parse_json(material)
    if isinstance(material, Mapping) and "keys" in material:
        entries = material["keys"]
        if not isinstance(entries, list):
            raise InvalidKeyError(
                "the JWKS 'keys' member is not a list", found=type(entries).__name__
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
    """Make a new DEMO key (its kid starts with ``demo-``). For learning, not for real data.

    ``size`` is the RSA modulus size in bits, or the symmetric key size in bits for ``oct``.
    ``crv`` picks the curve for EC (P-256/384/521) and OKP (X25519/X448) keys.
    """

    material: Any
    if kty == "RSA":
        _check_rsa_size(size)
        material = rsa.generate_private_key(public_exponent=65537, key_size=size)
    elif kty == "EC":
        if crv not in _CURVES:
            raise InvalidKeyError("unsupported EC curve", expected=" or ".join(_CURVES), found=crv)
        material = ec.generate_private_key(_CURVES[crv][0]())
    elif kty == "OKP":
        generators: dict[str, Any] = {
            "X25519": x25519.X25519PrivateKey,
            "X448": x448.X448PrivateKey,
        }
        if crv not in generators:
            raise InvalidKeyError("unsupported OKP curve", expected="X25519 or X448", found=crv)
        material = generators[crv].generate()
    elif kty == "oct":
        if size % 8 or size <= 0:
            raise InvalidKeyError("symmetric key size must be whole bytes", found=f"{size} bits")
        material = os.urandom(size // 8)
    else:
        raise InvalidKeyError("unknown key type", expected="RSA, EC, OKP or oct", found=repr(kty))
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
    bound_to_enc = alg == "dir" and enc is not None and key.alg == enc
    if key.alg is not None and key.alg != alg and not bound_to_enc:
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
