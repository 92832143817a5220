"""PEM keys and X.509 certificates (read, not verified), and ``cryptography`` key objects."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519

from ..errors import InvalidKeyError
from .key import _CURVE_NAMES, _CURVES, Key, _check_okp_public, _check_rsa_public


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
        if isinstance(obj, x25519.X25519PublicKey | x448.X448PublicKey):
            _check_okp_public(obj)
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
        described = Certificate.from_x509(certificate)
    except UnsupportedAlgorithm:
        raise _unsupported_algorithm("certificate") from None
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
    return Key(key.kty, key.material, certificate=described)


def _unsupported_algorithm(holder: str) -> InvalidKeyError:
    """For a key whose curve or algorithm ``cryptography`` itself cannot load (SM2, brainpool,
    an unknown OID): JWE has no use for it either."""
    return InvalidKeyError(
        f"the {holder} holds a key on a curve or of a type that cannot be loaded",
        code="key.unsupported",
        expected="RSA, EC (P-256/384/521), X25519 or X448",
        found="an unsupported curve or algorithm",
    )


def _from_der(data: bytes) -> Key | None:
    """The key in DER bytes (SubjectPublicKeyInfo, PKCS#1, PKCS#8 or an X.509 certificate),
    or None when they are not DER, so that they are a raw symmetric key.

    A public key's DER must never become an HMAC secret or an AES key: anyone has those bytes,
    and an HS256 token "signed" with them would verify (RFC 8725 §2.1). A raw 16-64 byte
    key is practically never a whole DER structure.
    """
    if data[:1] != b"\x30":  # every one of these is an ASN.1 SEQUENCE
        return None
    loaded: Any = None
    for load in (
        serialization.load_der_public_key,
        lambda der: serialization.load_der_private_key(der, password=None),
        x509.load_der_x509_certificate,
    ):
        try:
            loaded = load(data)
            break
        except UnsupportedAlgorithm:
            raise _unsupported_algorithm("DER") from None
        except TypeError:  # a password-protected PKCS#8 key
            raise InvalidKeyError(
                "the DER private key is password-protected",
                code="key.format",
                expected="an unencrypted PKCS#8 or PKCS#1 private key",
                found="an encrypted private key",
            ) from None
        except ValueError:
            continue
    if loaded is None:
        return None
    if isinstance(loaded, x509.Certificate):
        return _from_certificate(loaded)
    return _usable(loaded, "DER")


def _from_pem(data: bytes) -> Key:
    if _CERTIFICATE_PEM.search(data) and b"PRIVATE KEY" not in data:
        return _from_certificate(data)
    loaded: Any
    try:
        if b"PRIVATE KEY" in data:
            loaded = serialization.load_pem_private_key(data, password=None)
        else:
            loaded = serialization.load_pem_public_key(data)
    except UnsupportedAlgorithm:
        raise _unsupported_algorithm("PEM") from None
    except (ValueError, TypeError) as error:
        reason = "it is password-protected" if isinstance(error, TypeError) else "it did not parse"
        raise InvalidKeyError(
            "the PEM key could not be loaded",
            code="key.format",
            expected="an unencrypted PKCS#8/PKCS#1 private key, a SubjectPublicKeyInfo, or an "
            "X.509 certificate",
            found=reason,
        ) from None
    return _usable(loaded, "PEM")


def _usable(loaded: Any, form: str) -> Key:
    """The Key for a ``cryptography`` key read from PEM or DER, or ``key.unsupported``."""
    key = _from_object(loaded)
    if key is None:
        raise InvalidKeyError(
            f"the {form} holds a key type JWE cannot use",
            code="key.unsupported",
            expected="RSA, EC (P-256/384/521), X25519 or X448",
            found=type(loaded).__name__,
        )
    return key
