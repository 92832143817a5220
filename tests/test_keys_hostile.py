"""Keys made to break the loader, from a fuzzing pass: each is refused with a code at load time
(never a raw `cryptography` exception, never a key that loads and then fails to encrypt), and
the ones made to be expensive are refused without running the whole bounded search."""

from __future__ import annotations

import base64
import datetime

import pytest
from conftest import raises_code, run_cli
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519
from cryptography.x509.oid import NameOID

import jwe_steps
from jwe_steps.keys import jwk as jwk_module
from jwe_steps.keys.loading import MAX_KEY_SET_ENTRIES

P256_OID = bytes.fromhex("06082a8648ce3d030107")  # 1.2.840.10045.3.1.7, DER


def _unknown_curve(der: bytes) -> bytes:
    """The same DER with P-256's OID changed to one no library knows (1.2.840.10045.3.1.73)."""
    at = der.index(P256_OID) + len(P256_OID) - 1
    return der[:at] + b"\x49" + der[at + 1 :]


def _pem(label: str, der: bytes) -> bytes:
    return (
        f"-----BEGIN {label}-----\n".encode()
        + base64.encodebytes(der)
        + (f"-----END {label}-----\n".encode())
    )


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def p256():
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DEMO (jwe-steps tests)")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(private.public_key()).serial_number(7)
        .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=1))
        .sign(private, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    )  # fmt: skip
    return private, certificate


def test_pem_keys_on_a_curve_nobody_supports_are_unsupported(p256, tmp_path, monkeypatch, capsys):
    private, certificate = p256
    spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for label, der in (("PUBLIC KEY", spki), ("PRIVATE KEY", pkcs8), ("CERTIFICATE", certificate)):
        with raises_code("key.unsupported"):
            jwe_steps.load_key(_pem(label, _unknown_curve(der)))
    key_file = tmp_path / "unknown-curve.pem"
    key_file.write_bytes(_pem("PUBLIC KEY", _unknown_curve(spki)))
    code, out = run_cli(["encrypt", "--key", str(key_file)], "hi", monkeypatch, capsys)
    assert code == 2 and out == ""  # a usage error, one line on stderr (it was a traceback)


def test_an_x5c_certificate_whose_key_cannot_load_is_refused_and_skipped_in_a_set(p256, rsa_key):
    private, certificate = p256
    jwk = jwe_steps.load_key(private).public_key().to_jwk()
    point = certificate.index(b"\x03\x42\x00\x04") + 5  # the first byte of x in the SPKI
    off_curve = certificate[:point] + bytes([certificate[point] ^ 1]) + certificate[point + 1 :]
    for der in (_unknown_curve(certificate), off_curve):
        broken = dict(jwk, kid="broken", x5c=[base64.b64encode(der).decode()])
        with raises_code("key.x5c"):
            jwe_steps.load_key(broken)
        keys = jwe_steps.load_key_set({"keys": [broken, rsa_key.public_key().to_jwk()]})
        assert [(entry.kid, entry.code) for entry in keys.skipped] == [("broken", "key.x5c")]


@pytest.mark.parametrize(
    ("crv", "size", "public_class"),
    [("X25519", 32, x25519.X25519PublicKey), ("X448", 56, x448.X448PublicKey)],
)
def test_an_okp_public_key_of_small_order_is_refused_at_load(crv, size, public_class):
    low_order = (bytes(size), b"\x01" + bytes(size - 1))  # the points 0 and 1 (RFC 7748 §6)
    for x in low_order:
        jwk = {"kty": "OKP", "crv": crv, "x": base64.urlsafe_b64encode(x).rstrip(b"=").decode()}
        with raises_code("key.okp_low_order"):
            jwe_steps.load_key(jwk)
        with raises_code("key.okp_low_order"):
            jwe_steps.load_key(public_class.from_public_bytes(x))
    # A real public key, and a private key (whose x is derived), still load and encrypt.
    real = jwe_steps.generate_key("OKP", crv=crv)
    sealed = jwe_steps.encrypt(b"hi", real.public_key(), alg="ECDH-ES", enc="A128GCM")
    assert jwe_steps.decrypt(sealed.token, real).plaintext == b"hi"


@pytest.mark.parametrize("member", ["kty", "crv"])
def test_a_huge_number_where_a_name_belongs_is_described_not_printed(member):
    jwk = {"kty": "EC", "crv": "P-256", member: 10**5000}
    with raises_code("key.unsupported"):
        jwe_steps.load_key(jwk)


def _count_tries(monkeypatch) -> list[int]:
    """Record how many bases _recover_factors runs, by counting its Jacobi symbols of -1."""
    tries: list[int] = []
    jacobi = jwk_module._jacobi

    def counted(a: int, n: int) -> int:
        symbol = jacobi(a, n)
        if symbol == -1:
            tries.append(a)
        return symbol

    monkeypatch.setattr(jwk_module, "_jacobi", counted)
    return tries


def test_a_prime_modulus_is_refused_after_one_try(monkeypatch):
    # A 2048-bit prime made by OpenSSL: the p of a 4096-bit RSA key. (A prime power: in
    # tests/test_keys.py.)
    prime = rsa.generate_private_key(65537, 4096).private_numbers().p
    tries = _count_tries(monkeypatch)
    # d fits e for this n (e*d = 1 modulo n - 1), so every try reaches 1 without splitting:
    # the old search ran all 16 tries (seconds, at 4096 bits).
    d = pow(65537, -1, prime - 1)
    with raises_code("key.rsa_modulus"):
        jwe_steps.load_key({"kty": "RSA", "n": _b64url(prime), "e": "AQAB", "d": _b64url(d)})
    assert len(tries) == 1


def test_a_real_key_without_its_crt_members_still_loads(rsa_key):
    private = rsa_key.to_jwk(private=True)
    bare = {name: private[name] for name in ("kty", "n", "e", "d")}
    assert jwe_steps.load_key(bare).thumbprint() == rsa_key.thumbprint()


def test_a_key_set_holds_a_bounded_number_of_entries(rsa_key):
    entry = rsa_key.public_key().to_jwk()
    entries = [dict(entry, kid=f"k{index}") for index in range(MAX_KEY_SET_ENTRIES)]
    assert len(jwe_steps.load_key_set({"keys": entries}).keys) == MAX_KEY_SET_ENTRIES
    with raises_code("key.too_many"):
        jwe_steps.load_key_set({"keys": [*entries, dict(entry, kid="one more")]})
