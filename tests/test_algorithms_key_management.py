"""Key management families with published numbers where they exist: AES Key Wrap (RFC 3394
§4), PBES2 (RFC 7517 Appendix C), AES-GCM key wrapping, dir, RSA-OAEP-384/512 and RSA1_5
(and its RFC 7516 §11.5 countermeasure)."""

from __future__ import annotations

import json

import pytest
from conftest import raises_code
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import jwe_steps
from jwe_steps import DEFAULT_LIMITS, JWEError, Limits, Stage
from jwe_steps import algorithms as registry
from jwe_steps.algorithms import Context
from jwe_steps.algorithms.aes_kw import unwrap_cek, wrap_cek
from jwe_steps.b64 import b64url_decode, b64url_encode
from jwe_steps.errors import KeyManagementError
from jwe_steps.examples.rfc3394 import RFC3394_VECTORS
from jwe_steps.examples.rfc7517 import DERIVED_KEY, P2C, P2S, PASSWORD, RFC7517_C
from jwe_steps.trace import Trace


def _ctx(limits: Limits = DEFAULT_LIMITS) -> Context:
    return Context(trace=Trace("test"), limits=limits)


@pytest.mark.parametrize("vector", RFC3394_VECTORS, ids=[v.source for v in RFC3394_VECTORS])
def test_aes_key_wrap_reproduces_rfc_3394(vector):
    assert wrap_cek(vector.kek, vector.key_data) == vector.ciphertext
    assert unwrap_cek(vector.kek, vector.ciphertext, "test") == vector.key_data
    altered = bytes([vector.ciphertext[0] ^ 1]) + vector.ciphertext[1:]
    with raises_code("key_management.failed", KeyManagementError):
        unwrap_cek(vector.kek, altered, "test")
    with raises_code("key_management.encrypted_key_length", KeyManagementError):
        unwrap_cek(vector.kek, vector.ciphertext[:-1], "test")


@pytest.mark.parametrize("bits", [128, 192, 256])
def test_each_aes_kw_takes_exactly_its_key_size(bits):
    for wrong in (bits - 64, bits + 64):
        with pytest.raises(JWEError) as caught:
            jwe_steps.encrypt(b"x", bytes(wrong // 8), alg=f"A{bits}KW", enc="A128GCM")
        assert caught.value.stage == Stage.KEY and caught.value.code == "key.size"
        assert caught.value.expected == f"{bits // 8} bytes"
        assert caught.value.found == f"{wrong // 8} bytes"
    trace = jwe_steps.encrypt(b"x", bytes(bits // 8), alg=f"A{bits}KW", enc="A128GCM")
    assert trace.step("key_wrap_parameters").value["kek_bits"] == bits


def test_pbes2_reproduces_rfc_7517_appendix_c():
    received = jwe_steps.decrypt(RFC7517_C.token, PASSWORD)
    assert received.plaintext == RFC7517_C.plaintext
    assert received["derived_key"] == DERIVED_KEY
    assert received["pbes2_salt_input"] == b"PBES2-HS256+A128KW\x00" + b64url_decode(P2S)
    assert received["cek"] == RFC7517_C.cek
    header = json.loads(RFC7517_C.protected_header)
    rebuilt = jwe_steps.encrypt(
        RFC7517_C.plaintext,
        PASSWORD,
        alg=RFC7517_C.alg,
        enc=RFC7517_C.enc,
        header=header,
        cek=RFC7517_C.cek,
        iv=RFC7517_C.iv,
    )
    assert rebuilt.token == RFC7517_C.token
    assert rebuilt["derived_key"] == DERIVED_KEY and header["p2c"] == P2C


def test_pbes2_defaults_and_bounds():
    trace = jwe_steps.encrypt(b"x", b"pw", alg="PBES2-HS256+A128KW", enc="A128GCM",
                              header={"p2c": 1000})  # fmt: skip
    header = json.loads(trace["protected_header"])
    assert len(b64url_decode(header["p2s"])) == 16 and header["p2c"] == 1000
    pbes2 = registry.key_management("PBES2-HS512+A256KW")
    with raises_code("input.p2c"):
        pbes2.iterations({"p2c": 999}, _ctx(), decrypting=False)
    for value in (None, "1000", 1.5, True, 0, -5):
        with pytest.raises(JWEError) as caught:
            pbes2.iterations({"p2c": value}, _ctx(), decrypting=True)
        assert caught.value.stage == Stage.HEADER
    with raises_code("limits.p2c"):
        pbes2.iterations({"p2c": 310_001}, _ctx(), decrypting=True)
    assert pbes2.iterations({"p2c": 310_001}, _ctx(Limits(max_p2c=400_000)), decrypting=True)
    with raises_code("input.p2s"):
        jwe_steps.encrypt(b"x", b"pw", alg="PBES2-HS256+A128KW", enc="A128GCM",
                          header={"p2c": 1000, "p2s": b64url_encode(b"short")})  # fmt: skip
    with raises_code("key.password_empty"):
        jwe_steps.encrypt(b"x", {"kty": "oct", "k": ""}, alg="PBES2-HS256+A128KW", enc="A128GCM")


def test_pbes2_default_iteration_count_is_accepted_by_the_default_cap():
    from jwe_steps.algorithms.pbes2 import DEFAULT_P2C

    assert DEFAULT_LIMITS.max_p2c >= DEFAULT_P2C


def test_aes_gcm_key_wrap_puts_iv_and_tag_in_the_header():
    key = bytes(range(32))
    trace = jwe_steps.encrypt(b"gcmkw", key, alg="A256GCMKW", enc="A128CBC-HS256")
    header = json.loads(trace["protected_header"])
    assert b64url_decode(header["iv"]) == trace["key_wrap_iv"] and len(trace["key_wrap_iv"]) == 12
    assert b64url_decode(header["tag"]) == trace["key_wrap_tag"]
    assert len(trace["encrypted_key"]) == 32  # GCM does not expand the CEK
    assert jwe_steps.decrypt(trace.token, key).plaintext == b"gcmkw"
    parts = trace.token.split(".")
    for change in ({"iv": None}, {"tag": 5}, {"iv": "AAAA"}, {"tag": b64url_encode(bytes(16))}):
        edited = {k: v for k, v in {**header, **change}.items() if v is not None}
        forged = ".".join([b64url_encode(json.dumps(edited).encode()), *parts[1:]])
        with pytest.raises(JWEError):
            jwe_steps.decrypt(forged, key)


def test_dir_uses_the_key_as_the_cek_and_sends_no_encrypted_key():
    key = bytes(range(16))
    trace = jwe_steps.encrypt(b"dir", key, alg="dir", enc="A128GCM")
    assert trace["cek"] == key and trace["encrypted_key"] == b""
    assert trace.token.split(".")[1] == ""
    with pytest.raises(JWEError) as caught:
        jwe_steps.encrypt(b"dir", bytes(32), alg="dir", enc="A128GCM")
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.size"
    assert caught.value.expected == "16 bytes (128 bits)"
    with raises_code("input.cek"):
        jwe_steps.encrypt(b"dir", key, alg="dir", enc="A128GCM", cek=key)
    # An encrypted key smuggled into a dir token fails like any altered token.
    parts = trace.token.split(".")
    parts[1] = b64url_encode(b"smuggled")
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(".".join(parts), key)
    assert caught.value.stage == Stage.CONTENT_DECRYPTION


def test_a_dir_key_may_be_bound_to_its_enc():
    jwk = {"kty": "oct", "k": b64url_encode(bytes(16)), "alg": "A128GCM"}
    token = jwe_steps.encrypt(b"bound", jwk, alg="dir", enc="A128GCM").token
    assert jwe_steps.decrypt(token, jwk).plaintext == b"bound"
    with raises_code("key.alg_binding"):
        jwe_steps.encrypt(b"x", dict(jwk, alg="A256GCM"), alg="dir", enc="A128GCM")


@pytest.mark.parametrize("alg", ["RSA-OAEP-384", "RSA-OAEP-512"])
def test_rsa_oaep_with_larger_hashes(rsa_key, alg):
    trace = jwe_steps.encrypt(b"oaep", rsa_key.public_key(), alg=alg, enc="A256GCM")
    assert trace.step("key_encryption_parameters").value["hash"] == f"SHA-{alg[-3:]}"
    assert jwe_steps.decrypt(trace.token, rsa_key).plaintext == b"oaep"
    other = "RSA-OAEP-512" if alg == "RSA-OAEP-384" else "RSA-OAEP-384"
    with raises_code("key.alg_binding"):
        jwe_steps.decrypt(trace.token, dict(rsa_key.to_jwk(private=True), alg=other))


def test_rsa1_5_unwrap_raises_key_management_error_for_bad_padding_and_wrong_lengths(rsa_key):
    rsa1_5 = registry.key_management("RSA1_5")
    enc = registry.content_encryption("A128GCM")
    public = rsa_key.public_key().material
    cases = {
        "random bytes": b"\x00" + bytes(range(255)),
        "valid padding, CEK too short": public.encrypt(b"short", padding.PKCS1v15()),
        "OAEP, not PKCS #1 v1.5": public.encrypt(
            bytes(16), padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)
        ),
        "wrong length": bytes(100),
    }
    messages = set()
    for label, encrypted_key in cases.items():
        with pytest.raises(KeyManagementError) as caught:
            rsa1_5.unwrap(rsa_key, encrypted_key, enc, {}, _ctx())
        messages.add(str(caught.value))
        assert label  # each case raised
    assert len(messages) == 1  # every failure reads the same


def test_rsa1_5_failures_and_tampered_tags_look_the_same(rsa_key):
    allowed = ["RSA1_5", "A128GCM"]
    token = jwe_steps.encrypt(
        b"s", rsa_key.public_key(), alg="RSA1_5", enc="A128GCM", algorithms=allowed
    ).token
    parts = token.split(".")
    errors = []
    for index, replacement in ((1, b"\x00" * 256), (4, bytes(16))):
        forged = list(parts)
        forged[index] = b64url_encode(replacement)
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(".".join(forged), rsa_key, algorithms=allowed)
        errors.append(caught.value)
    assert {type(e) for e in errors} == {type(errors[0])}
    assert str(errors[0]) == str(errors[1]) and errors[0].stage == Stage.CONTENT_DECRYPTION
    assert jwe_steps.decrypt(token, rsa_key, algorithms=allowed).plaintext == b"s"


@pytest.mark.parametrize("alg", sorted(registry.KEY_MANAGEMENT))
def test_the_registry_declares_the_layout_encrypt_produces(alg):
    """What the views label comes from the registry: the encrypted key's length, the header
    parameters the alg adds and their decoded sizes (issue 12)."""
    from jwe_steps.b64 import b64url_decode

    management = registry.key_management(alg)
    enc = "A192CBC-HS384" if management.family != "dir" else "A128GCM"
    content = registry.content_encryption(enc)
    if management.family == "pbes2":
        key: object = b"a demo password"
    elif "oct" in management.key_types:
        key = bytes(content.key_size if management.key_size is None else management.key_size)
    elif "RSA" in management.key_types:
        key = jwe_steps.generate_key("RSA")
    else:
        key = jwe_steps.generate_key("EC", crv="P-384")
    trace = jwe_steps.encrypt(b"layout", key, alg=alg, enc=enc, algorithms=[alg, enc])
    key_bits = getattr(getattr(key, "material", None), "key_size", None)
    expected = management.encrypted_key_size(content.key_size, key_bits)
    assert len(trace["encrypted_key"]) == expected
    assert (expected == 0) == (management.encrypted_key_kind == "empty")
    added = {name for name in trace.header if name not in ("alg", "enc", "kid")}
    assert added == set(management.header_params)
    for name, size in management.header_param_sizes.items():
        assert len(b64url_decode(trace.header[name])) == size
    assert management.generates_cek == (management.encrypted_key_kind == "empty")
    if management.key_wrap is not None:
        assert management.key_wrap.startswith("A") and management.key_size is not None


@pytest.mark.parametrize("enc", sorted(registry.CONTENT_ENCRYPTION))
def test_the_cek_layout_covers_the_cek(enc):
    content = registry.content_encryption(enc)
    assert sum(length for _, length in content.cek_layout) == content.key_size
    assert (content.mac_hash is not None) == (content.family == "aes_cbc_hmac")
    assert [label for label, _ in content.cek_layout] == (
        ["MAC_KEY", "ENC_KEY"] if content.family == "aes_cbc_hmac" else ["CEK"]
    )


@pytest.mark.parametrize("alg", ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"])
def test_an_rsa_ciphertext_not_below_the_modulus_still_costs_the_private_key_operation(
    rsa_key, alg, monkeypatch
):
    """OpenSSL refuses c >= n (and a wrong length) in microseconds, without the exponentiation:
    a token made for a larger key would then fail faster than a tampered one (RFC 7516 §11.5).
    Such a part is swapped for zeros of the modulus size, and the private-key operation runs."""
    from jwe_steps.primitives import CryptographyPrimitives

    method = "rsa_pkcs1v15_decrypt" if alg == "RSA1_5" else "rsa_oaep_decrypt"
    original = getattr(CryptographyPrimitives, method)
    operands: list[bytes] = []

    def recording(self, private, ciphertext, *rest):
        operands.append(ciphertext)
        return original(self, private, ciphertext, *rest)

    monkeypatch.setattr(CryptographyPrimitives, method, recording)
    management = registry.key_management(alg)
    enc = registry.content_encryption("A128GCM")
    modulus = rsa_key.material.public_key().public_numbers().n
    size = (modulus.bit_length() + 7) // 8
    refused = (modulus.to_bytes(size, "big"), b"\xff" * size, bytes(size - 1), bytes(size + 1))
    for encrypted_key in refused:
        assert management.try_unwrap(rsa_key, encrypted_key, enc, {}, _ctx()) is None
    assert operands == [bytes(size)] * len(refused)
    below = (modulus - 1).to_bytes(size, "big")
    assert management.try_unwrap(rsa_key, below, enc, {}, _ctx()) is None
    assert operands[-1] == below  # a value below n is decrypted as it is
