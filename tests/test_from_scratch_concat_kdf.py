"""From-scratch Concat KDF (RFC 7518 Appendix C) and PBES2 salt/PBKDF2 (RFC 7518 §4.8)."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps.b64 import b64url_decode
from jwe_steps.errors import AlgorithmError, HeaderError, InputError
from jwe_steps.examples.rfc7517 import DERIVED_KEY, P2C, P2S, PASSWORD
from jwe_steps.examples.rfc7518 import APPENDIX_C
from jwe_steps.from_scratch import concat_kdf, pbes2


def as_int(text: str) -> int:
    return int.from_bytes(b64url_decode(text), "big")


# RFC 7518 Appendix C: Alice's ephemeral key, Bob's key (published example keys: DEMO keys), Z.
C = APPENDIX_C
Z = C.z


def private(key: dict[str, str]) -> ec.EllipticCurvePrivateKey:
    public = ec.EllipticCurvePublicNumbers(as_int(key["x"]), as_int(key["y"]), ec.SECP256R1())
    return ec.EllipticCurvePrivateNumbers(as_int(key["d"]), public).private_key()


def test_rfc7518_appendix_c() -> None:
    alice, bob = private(C.alice_ephemeral_jwk), private(C.bob_jwk)
    # Z is the same from either side, and is the RFC's Z.
    assert alice.exchange(ec.ECDH(), bob.public_key()) == Z
    assert bob.exchange(ec.ECDH(), alice.public_key()) == Z

    result = concat_kdf.derive(Z, "A128GCM", 128, apu=b"Alice", apv=b"Bob")
    assert result["AlgorithmID"] == C.algorithm_id
    assert result["PartyUInfo"] == C.party_u_info
    assert result["PartyVInfo"] == C.party_v_info
    assert result["SuppPubInfo"] == C.supp_pub_info
    assert result["SuppPrivInfo"] == b""
    assert result.names().count("K[1]") == 1 and "K[2]" not in result
    assert result.key == C.derived_key


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
    p2s = b64url_decode(P2S)
    result = pbes2.derive(PASSWORD, "PBES2-HS256+A128KW", p2s, P2C)
    assert result.salt == b"PBES2-HS256+A128KW\x00" + p2s
    assert result["salt"] == result.salt
    assert result.key == DERIVED_KEY
    assert result.key == pbes2.reference(PASSWORD, "PBES2-HS256+A128KW", p2s, P2C)


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
