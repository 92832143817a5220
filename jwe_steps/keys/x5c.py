"""A JWK's certificate members (RFC 7517 §4.7-§4.9): ``x5c``, ``x5t`` and ``x5t#S256``.

A JWK may carry the X.509 certificate chain of its public key. RFC 7517 §4.7 requires the key
in the first certificate to be the key the other members describe; a JWK whose certificate
names another key is refused rather than loaded with either of them. The thumbprints, when
given beside ``x5c``, must be those of its first certificate (§4.8, §4.9); without ``x5c`` they
can only be checked for their shape.

What is *not* done here: deciding whether to trust the chain. That needs trust anchors, which
the caller has and this library does not; a certificate that matches its key proves only that
whoever wrote the JWK had that certificate.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from .. import strict_json
from ..b64 import b64url_decode
from ..errors import Base64urlError, InvalidKeyError

MAX_CHAIN_LENGTH = 16
"""The most certificates an ``x5c`` may hold (real chains hold two to four)."""

_THUMBPRINTS = (("x5t", hashlib.sha1, "RFC 7517 §4.8"), ("x5t#S256", hashlib.sha256, "§4.9"))


def check_certificates(jwk: Mapping[str, Any], material: Any) -> None:
    """Refuse certificate members that are malformed, or that name another key than
    ``material`` (the key the JWK's other members describe)."""
    first = _first_certificate(jwk["x5c"], material) if "x5c" in jwk else None
    for name, digest, section in _THUMBPRINTS:
        if name not in jwk:
            continue
        thumbprint = _thumbprint(jwk[name], name, digest().digest_size, section)
        if first is not None and thumbprint != digest(first).digest():
            raise InvalidKeyError(
                f"the JWK's '{name}' is not the thumbprint of its first x5c certificate",
                code="key.x5c_mismatch",
                expected=f"base64url({digest().name.upper()}(DER of x5c[0])) ({section})",
                found="the thumbprint of another certificate",
                hint="The JWK mixes members of two keys or certificates; export it again.",
            )


def _first_certificate(chain: Any, material: Any) -> bytes:
    """The DER of ``x5c[0]``, once the whole chain is read and its key is ``material``'s."""
    if type(chain) is not list or not chain or len(chain) > MAX_CHAIN_LENGTH:
        raise _malformed(
            f"a non-empty array of at most {MAX_CHAIN_LENGTH} strings",
            strict_json.json_kind(chain) if type(chain) is not list else f"{len(chain)} entries",
        )
    certificates = [_certificate(entry, index) for index, entry in enumerate(chain)]
    if isinstance(material, bytes):
        raise _malformed("no x5c on a symmetric key (a certificate holds a public key)", "oct")
    public = material.public_key() if hasattr(material, "public_key") else material
    try:
        certified = certificates[0][1].public_key()
    except UnsupportedAlgorithm:
        raise _malformed("a certificate of a key this library can load", "x5c[0]'s curve or "
                         "algorithm is not supported") from None  # fmt: skip
    except ValueError:  # a point off its curve, a malformed key
        raise _malformed("a certificate holding a valid key", "x5c[0]'s key is invalid") from None
    if _spki(certified) != _spki(public):
        raise InvalidKeyError(
            "the JWK's first x5c certificate holds another public key than the JWK",
            code="key.x5c_mismatch",
            expected="the certificate of this very key (RFC 7517 §4.7)",
            found="a certificate for a different key",
            hint="The JWK was assembled from two keys, or its key was rotated without its "
            "certificate; export the key with its own certificate.",
        )
    return certificates[0][0]


def _certificate(entry: Any, index: int) -> tuple[bytes, x509.Certificate]:
    """One chain entry: base64 (not base64url, RFC 7517 §4.7) of a DER certificate."""
    if type(entry) is not str:
        raise _malformed("strings of base64 DER", f"x5c[{index}] is {strict_json.json_kind(entry)}")
    try:
        der = base64.b64decode(entry.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise _malformed(
            "base64 with padding (RFC 4648 §4, not base64url)",
            f"x5c[{index}] is not base64",
        ) from None
    try:
        return der, x509.load_der_x509_certificate(der)
    except ValueError:
        raise _malformed("DER X.509 certificates", f"x5c[{index}] does not parse") from None


def _thumbprint(value: Any, name: str, size: int, section: str) -> bytes:
    problem = None
    if type(value) is not str:
        problem = strict_json.json_kind(value)
    else:
        try:
            raw = b64url_decode(value, part=f"JWK member '{name}'")
        except Base64urlError:
            problem = "text that is not base64url"
        else:
            if len(raw) != size:
                problem = f"{len(raw)} bytes"
    if problem is not None:
        raise InvalidKeyError(
            f"the JWK member '{name}' is not a certificate thumbprint",
            code="key.member",
            expected=f"base64url of a {size}-byte digest ({section})",
            found=problem,
        )
    return raw


def _spki(public_key: Any) -> bytes:
    spki: bytes = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return spki


def _malformed(expected: str, found: str) -> InvalidKeyError:
    return InvalidKeyError(
        "the JWK's 'x5c' is not a certificate chain",
        code="key.x5c",
        expected=f"{expected} (RFC 7517 §4.7)",
        found=found,
    )
