"""explain() beyond RSA-OAEP + AES-GCM: every key management family and AES-CBC-HMAC.

Valid tokens from every family are reported clean; a flipped ciphertext bit is tag.mismatch;
a wrong key is key.mismatch where an encrypted key can prove it, and tag.mismatch (with the kid
that disagrees) in the direct modes, where any key yields some CEK. AES-CBC-HMAC mistakes are
built with pyca/cryptography and hmac directly, as a hand-written sender would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as symmetric_padding
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import jwe_steps
from jwe_steps import explain

# Generated once per module. DEMO keys, for tests only.
RSA = jwe_steps.generate_key("RSA")
RSA_OTHER = jwe_steps.generate_key("RSA")
EC = jwe_steps.generate_key("EC", crv="P-256")
EC_OTHER = jwe_steps.generate_key("EC", crv="P-256")
X25519 = jwe_steps.generate_key("OKP", crv="X25519")
X25519_OTHER = jwe_steps.generate_key("OKP", crv="X25519")
PLAINTEXT = b"demo message for every family"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def oct_key(size: int) -> dict[str, str]:
    return {"kty": "oct", "k": b64u(os.urandom(size))}


def codes(token: Any, key: Any) -> set[str]:
    report = explain(token, key)
    assert not report.ok
    return {f.code for f in report.diagnosis}


def flip_ciphertext(token: str) -> str:
    parts = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(parts[3] + "=" * (-len(parts[3]) % 4)))
    raw[0] ^= 1
    parts[3] = b64u(bytes(raw))
    return ".".join(parts)


# (alg, enc, recipient key for encrypt, private key, another private key, codes for the other key)
FAMILIES = [
    (
        "RSA-OAEP-256",
        "A128CBC-HS256",
        RSA.public_key(),
        RSA,
        RSA_OTHER,
        {"key.mismatch", "kid.mismatch"},
    ),
    ("RSA-OAEP-384", "A256GCM", RSA.public_key(), RSA, RSA_OTHER, {"key.mismatch", "kid.mismatch"}),
    ("A128KW", "A128GCM", "kw128", "kw128", "kw128-other", {"key.mismatch"}),
    ("A256GCMKW", "A256CBC-HS512", "kw256", "kw256", "kw256-other", {"key.mismatch"}),
    ("dir", "A128GCM", "dir16", "dir16", "dir16-other", {"tag.mismatch"}),
    ("dir", "A256CBC-HS512", "dir64", "dir64", "dir64-other", {"tag.mismatch"}),
    ("ECDH-ES", "A256GCM", EC.public_key(), EC, EC_OTHER, {"tag.mismatch", "kid.mismatch"}),
    (
        "ECDH-ES",
        "A128GCM",
        X25519.public_key(),
        X25519,
        X25519_OTHER,
        {"tag.mismatch", "kid.mismatch"},
    ),
    ("ECDH-ES+A128KW", "A128GCM", EC.public_key(), EC, EC_OTHER, {"key.mismatch", "kid.mismatch"}),
    ("PBES2-HS256+A128KW", "A128GCM", "password", "password", "password-other", {"key.mismatch"}),
]
SYMMETRIC = {
    "kw128": oct_key(16),
    "kw128-other": oct_key(16),
    "kw256": oct_key(32),
    "kw256-other": oct_key(32),
    "dir16": oct_key(16),
    "dir16-other": oct_key(16),
    "dir64": oct_key(64),
    "dir64-other": oct_key(64),
    "password": b"correct horse battery staple",
    "password-other": b"incorrect horse battery staple",
}


def material(name: Any) -> Any:
    return SYMMETRIC[name] if isinstance(name, str) else name


@pytest.mark.parametrize(
    "alg, enc, recipient, private, other, wrong_key_codes",
    FAMILIES,
    ids=[f"{alg}-{enc}-{getattr(p, 'kty', 'oct')}" for alg, enc, _, p, _, _ in FAMILIES],
)
def test_every_family(
    alg: str, enc: str, recipient: Any, private: Any, other: Any, wrong_key_codes: set[str]
) -> None:
    token = jwe_steps.encrypt(PLAINTEXT, material(recipient), alg=alg, enc=enc).token
    report = explain(token, material(private))
    assert report.ok and report.diagnosis == []
    assert codes(flip_ciphertext(token), material(private)) == {"tag.mismatch"}
    assert codes(token, material(other)) == wrong_key_codes


def test_an_ec_key_for_an_x25519_token() -> None:
    """The pipeline stops at the header (epk on another curve); explain names the key."""
    token = jwe_steps.encrypt(PLAINTEXT, X25519.public_key(), alg="ECDH-ES", enc="A128GCM").token
    assert codes(token, EC) == {"key.type", "kid.mismatch"}  # the token's kid names the X25519 key


def test_a_p384_key_for_a_p256_token() -> None:
    token = jwe_steps.encrypt(
        PLAINTEXT, EC.public_key(), alg="ECDH-ES+A128KW", enc="A128GCM", header={"kid": "x"}
    ).token
    p384 = jwe_steps.generate_key("EC", crv="P-384")
    assert codes(token, {**p384.to_jwk(private=True), "kid": "x"}) == {"key.type"}


# ---------------------------------------------------------------- AES-CBC-HMAC by hand

CBC_HEADER = {"alg": "RSA-OAEP-256", "enc": "A128CBC-HS256"}


def cbc_hmac_peer(
    *, aad: bytes | None = None, truncate: bool = True, glue_tag: bool = False
) -> str:
    """RSA-OAEP-256 + A128CBC-HS256 written by hand (RFC 7518 §5.2.2.1), with its mistakes."""
    encoded_header = b64u(json.dumps(CBC_HEADER, separators=(",", ":")).encode())
    cek, iv = os.urandom(32), os.urandom(16)
    mac_key, enc_key = cek[:16], cek[16:]
    padder = symmetric_padding.PKCS7(128).padder()
    padded = padder.update(PLAINTEXT) + padder.finalize()
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    authenticated = encoded_header.encode() if aad is None else aad
    al = (8 * len(authenticated)).to_bytes(8, "big")
    full = hmac.new(mac_key, authenticated + iv + ciphertext + al, hashlib.sha256).digest()
    tag = full[:16] if truncate else full
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    encrypted_key = RSA.public_key().material.encrypt(cek, oaep)
    if glue_tag:
        ciphertext, tag = ciphertext + tag, b""
    return ".".join([encoded_header, *(b64u(p) for p in (encrypted_key, iv, ciphertext, tag))])


def test_cbc_hmac_peer_done_right_is_clean() -> None:
    report = explain(cbc_hmac_peer(), RSA)
    assert report.ok and report.diagnosis == []


def test_cbc_hmac_untruncated_tag() -> None:
    """The whole 32-byte HMAC-SHA-256 sent, where A128CBC-HS256 keeps the first 16 bytes."""
    assert codes(cbc_hmac_peer(truncate=False), RSA) == {"tag.length"}


def test_cbc_hmac_empty_aad() -> None:
    assert codes(cbc_hmac_peer(aad=b""), RSA) == {"aad.missing"}


def test_cbc_hmac_tag_appended() -> None:
    assert codes(cbc_hmac_peer(glue_tag=True), RSA) == {"tag.appended_to_ciphertext"}


def test_cbc_hmac_aad_from_a_reserialized_header() -> None:
    aad = b64u(json.dumps(CBC_HEADER).encode()).encode()
    assert codes(cbc_hmac_peer(aad=aad), RSA) == {"aad.reserialized_header"}
