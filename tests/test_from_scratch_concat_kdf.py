"""From-scratch Concat KDF (RFC 7518 Appendix C) and PBES2 salt/PBKDF2 (RFC 7518 §4.8)."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps.errors import AlgorithmError, HeaderError, InputError
from jwe_steps.from_scratch import concat_kdf, pbes2


def b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def as_int(text: str) -> int:
    return int.from_bytes(b64(text), "big")


# RFC 7518 Appendix C: Alice's ephemeral key and Bob's key (published example keys).
ALICE = {
    "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
    "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
    "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo",
}
BOB = {
    "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
    "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
    "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw",
}
Z = bytes(
    [158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156,
     251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196]
)  # fmt: skip


def private(key: dict[str, str]) -> ec.EllipticCurvePrivateKey:
    public = ec.EllipticCurvePublicNumbers(as_int(key["x"]), as_int(key["y"]), ec.SECP256R1())
    return ec.EllipticCurvePrivateNumbers(as_int(key["d"]), public).private_key()


def test_rfc7518_appendix_c() -> None:
    alice, bob = private(ALICE), private(BOB)
    # Z is the same from either side, and is the RFC's Z.
    assert alice.exchange(ec.ECDH(), bob.public_key()) == Z
    assert bob.exchange(ec.ECDH(), alice.public_key()) == Z

    result = concat_kdf.derive(Z, "A128GCM", 128, apu=b"Alice", apv=b"Bob")
    assert result["AlgorithmID"] == bytes([0, 0, 0, 7, 65, 49, 50, 56, 71, 67, 77])
    assert result["PartyUInfo"] == bytes([0, 0, 0, 5, 65, 108, 105, 99, 101])
    assert result["PartyVInfo"] == bytes([0, 0, 0, 3, 66, 111, 98])
    assert result["SuppPubInfo"] == bytes([0, 0, 0, 128])
    assert result["SuppPrivInfo"] == b""
    assert result.names().count("K[1]") == 1 and "K[2]" not in result
    assert result.key == bytes(
        [86, 170, 141, 234, 248, 35, 109, 32, 92, 34, 40, 205, 113, 167, 16, 26]
    )
    assert base64.urlsafe_b64encode(result.key).rstrip(b"=") == b"VqqN6vgjbSBcIijNcacQGg"


@settings(max_examples=40, deadline=None)
@given(
    z=st.binary(min_size=1, max_size=66),
    algorithm=st.sampled_from(["A128GCM", "A256GCM", "ECDH-ES+A128KW", "A256CBC-HS512"]),
    key_bits=st.sampled_from([128, 192, 256, 384, 512, 520]),
    apu=st.binary(max_size=20),
    apv=st.binary(max_size=20),
)
def test_agrees_with_cryptography(z, algorithm, key_bits, apu, apv) -> None:
    info = concat_kdf.other_info(algorithm, key_bits, apu, apv)
    expected = ConcatKDFHash(hashes.SHA256(), key_bits // 8, info).derive(z)
    result = concat_kdf.derive(z, algorithm, key_bits, apu, apv)
    assert result.key == expected
    assert result["OtherInfo"] == info
    assert sum(1 for name in result.names() if name.startswith("K[")) == -(-key_bits // 256)


def test_concat_kdf_bad_length() -> None:
    with pytest.raises(InputError):
        concat_kdf.derive(Z, "A128GCM", 127)


# ------------------------------------------------------------------ PBES2 (RFC 7518 §4.8)


def test_pbes2_salt_input_and_rfc7517_appendix_c() -> None:
    # RFC 7517 Appendix C.4: PBES2-HS256+A128KW, p2s and p2c from the example's header.
    password = b"Thus from my lips, by yours, my sin is purged."
    p2s = b64("2WCTcJZ1Rvd_CJuJripQ1w")
    result = pbes2.derive(password, "PBES2-HS256+A128KW", p2s, 4096)
    assert result.salt == b"PBES2-HS256+A128KW\x00" + p2s
    assert result["salt"] == result.salt
    assert result.key == bytes(
        [110, 171, 169, 92, 129, 92, 109, 117, 233, 242, 116, 233, 170, 14, 24, 75]
    )
    assert result.key == pbes2.reference(password, "PBES2-HS256+A128KW", p2s, 4096)


@settings(max_examples=15, deadline=None)
@given(
    password=st.binary(max_size=40),
    alg=st.sampled_from(sorted(pbes2.VARIANTS)),
    p2s=st.binary(min_size=8, max_size=32),
    p2c=st.integers(1, 60),
)
def test_pbes2_agrees_with_hashlib(password, alg, p2s, p2c) -> None:
    assert pbes2.derive(password, alg, p2s, p2c).key == pbes2.reference(password, alg, p2s, p2c)


def test_pbes2_bad_input() -> None:
    with pytest.raises(HeaderError):
        pbes2.derive(b"pw", "PBES2-HS256+A128KW", os.urandom(7), 1000)
    with pytest.raises(AlgorithmError):
        pbes2.derive(b"pw", "A128KW", os.urandom(8), 1000)
    with pytest.raises(InputError):
        pbes2.derive(b"pw", "PBES2-HS256+A128KW", os.urandom(8), 0)
