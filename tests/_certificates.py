"""A self-signed X.509 certificate, made at test time, for the key-loading tests."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID


def make_certificate(key, *, days: int = 30, common_name: str = "api.partner.example") -> bytes:
    """A self-signed PEM certificate for ``key`` (a DEMO partner certificate), valid from
    2026-01-01 for ``days`` days, serial 0x1234ABCD."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Partner (DEMO)"),
        ]
    )
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.material.public_key())
        .serial_number(0x1234ABCD)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .sign(key.material, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)
