"""RFC 7516 Appendix A.1 (RSA-OAEP + A256GCM), stage by stage, byte for byte."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import jwe_steps
from jwe_steps.examples import RFC7516_A1 as A1


@pytest.fixture(scope="module")
def key():
    return jwe_steps.load_key(A1.demo_key_jwk)


def test_published_token_decrypts_with_every_value_as_published(key):
    trace = jwe_steps.decrypt(A1.token, key, algorithms=["RSA-OAEP", "A256GCM"])
    assert trace.plaintext == A1.plaintext
    assert trace["protected_header"] == A1.protected_header
    assert trace["cek"] == A1.cek
    assert trace["encrypted_key"] == A1.encrypted_key
    assert trace["iv"] == A1.iv
    assert trace["aad"] == A1.aad
    assert trace["ciphertext"] == A1.ciphertext
    assert trace["tag"] == A1.tag
    assert trace.header == {"alg": "RSA-OAEP", "enc": "A256GCM"}


def test_re_encrypts_byte_for_byte_from_the_published_cek_and_iv(key):
    trace = jwe_steps.encrypt(
        A1.plaintext, key.public_key(), alg="RSA-OAEP", enc="A256GCM", cek=A1.cek, iv=A1.iv
    )
    assert trace["protected_header"] == A1.protected_header
    assert trace["aad"] == A1.aad
    assert trace["ciphertext"] == A1.ciphertext
    assert trace["tag"] == A1.tag
    # OAEP is randomized: the encrypted key differs, so it is checked by decrypting it.
    recovered = key.material.decrypt(
        trace["encrypted_key"],
        padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),
    )
    assert recovered == A1.cek
    header_part, _, iv_part, ct_part, tag_part = trace.token.split(".")
    published = A1.token.split(".")
    assert [header_part, iv_part, ct_part, tag_part] == [published[i] for i in (0, 2, 3, 4)]
    assert (
        jwe_steps.decrypt(trace.token, key, algorithms=["RSA-OAEP", "A256GCM"]).plaintext
        == A1.plaintext
    )


def test_published_key_is_a_2048_bit_rsa_key(key):
    assert key.kty == "RSA" and key.size_bits == 2048 and key.is_private
