"""The per-call work that was made cheaper (benchmarks/ measures how much) still behaves exactly
as before: cached allow-lists follow the registry, steps stay frozen, the header JSON is read and
written as json.dumps/json.loads would, and a key's private/public answer does not go stale."""

from __future__ import annotations

import dataclasses
import hmac
import json
import struct

import pytest
from conftest import P256_PRIME, p256_point_with_small_x, raises_code

import jwe_steps
from jwe_steps import algorithms as registry
from jwe_steps.algorithms.aes_gcm import AESGCMContent
from jwe_steps.errors import HeaderError
from jwe_steps.header import parse_header, serialize_header
from jwe_steps.trace import Step


def test_the_cached_default_allow_list_follows_register():
    algs, encs = registry.default_allow_lists()
    assert "RSA1_5" not in algs and "RSA-OAEP-256" in algs and "A256GCM" in encs
    assert algs | encs == registry.default_algorithms()
    extra = AESGCMContent(128)
    extra.name = "A128GCM-BENCH-TEST"
    try:
        registry.register(extra)
        assert "A128GCM-BENCH-TEST" in registry.default_allow_lists()[1]
    finally:
        del registry.CONTENT_ENCRYPTION["A128GCM-BENCH-TEST"]
        registry.default_allow_lists.cache_clear()
    assert "A128GCM-BENCH-TEST" not in registry.default_allow_lists()[1]


def test_generates_cek_only_for_the_direct_modes():
    direct = {name for name, km in registry.KEY_MANAGEMENT.items() if km.generates_cek}
    assert direct == {"dir", "ECDH-ES"}


def test_a_step_is_still_a_frozen_dataclass():
    step = Step("cek", b"\x01", "the CEK", "RFC 7516 §5.1 step 2", inputs=("a",), operation="op")
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.value = b"\x02"  # type: ignore[misc]
    assert [f.name for f in dataclasses.fields(Step)] == [
        "name", "value", "meaning", "rfc", "inputs", "operation", "detail",
    ]  # fmt: skip
    assert step == Step("cek", b"\x01", "the CEK", "RFC 7516 §5.1 step 2", ("a",), "op", {})
    assert dataclasses.replace(step, detail={"x": 1}).detail == {"x": 1}
    assert Step("a", 1, "m").detail is not Step("a", 1, "m").detail  # no shared default dict


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "démo"},
        {"enc": "A128GCM", "alg": "dir", "crit": ["x"], "x": [1, 2.5, None, True, {"a": "b"}]},
    ],
)
def test_header_json_is_written_and_read_as_json_dumps_and_loads_would(header):
    written = serialize_header(header)
    assert written == json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    assert parse_header(written) == json.loads(written) == header


@pytest.mark.parametrize(
    ("raw", "code", "found"),
    [
        (b"\xef\xbb\xbf{}", "header.json", None),  # found: Python's json words
        (b'{"a":1,"a":2}', "header.duplicate_member", "'a' twice"),
        (b'{"a":NaN}', "header.json", "NaN"),
        (b'{"a":1', "header.json", None),
    ],
)
def test_header_json_refusals_are_unchanged(raw, code, found):
    with pytest.raises(HeaderError) as caught:
        parse_header(raw)
    assert caught.value.code == code
    if found is not None:  # (the json module's own words are not ours to pin)
        assert caught.value.found == found


def test_a_header_member_json_cannot_carry_is_still_an_input_error():
    with raises_code("input.header"):
        serialize_header({"alg": float("nan")})


def test_oaep_padding_is_built_once_and_matches_the_alg():
    oaep = registry.key_management("RSA-OAEP-256")
    assert oaep.padding() is oaep.padding()  # type: ignore[attr-defined]
    assert oaep.padding().algorithm.name == "sha256"  # type: ignore[attr-defined]
    assert registry.key_management("RSA-OAEP").padding().algorithm.name == "sha1"  # type: ignore[attr-defined]


def test_is_private_is_cached_per_key_and_never_stale():
    key = jwe_steps.generate_key("EC")  # a DEMO key
    public = key.public_key()
    assert key.is_private and not public.is_private
    assert key.is_private and not public.is_private  # second (cached) answer agrees
    swapped = dataclasses.replace(key, material=public.material)
    assert not swapped.is_private
    assert jwe_steps.load_key(b"\x00" * 16).is_private  # oct keys are secret


def _cbc_ctx() -> registry.Context:
    return registry.Context(trace=jwe_steps.Trace("test"), limits=jwe_steps.DEFAULT_LIMITS)


@pytest.mark.parametrize("length", range(0, 34))
def test_cbc_padding_by_hand_matches_pkcs7_and_comes_off_again(length):
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    enc = registry.content_encryption("A128CBC-HS256")
    cek, iv, aad, plaintext = bytes(range(32)), bytes(range(16)), b"aad", bytes(range(length))
    ciphertext, tag = enc.encrypt(cek, iv, plaintext, aad, _cbc_ctx())
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(cek[16:]), modes.CBC(iv)).encryptor()
    assert ciphertext == encryptor.update(padded) + encryptor.finalize()
    assert enc.decrypt(cek, iv, ciphertext, tag, aad, _cbc_ctx()) == plaintext


@pytest.mark.parametrize("last_block", [bytes(16), bytes(15) + b"\x11", b"\x01" * 14 + b"\x03\x02"])
def test_cbc_bad_padding_under_a_valid_tag_fails_at_content_decryption(last_block):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    enc = registry.content_encryption("A128CBC-HS256")
    cek, iv, aad = bytes(range(32)), bytes(16), b"aad"
    encryptor = Cipher(algorithms.AES(cek[16:]), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(b"x" * 16 + last_block) + encryptor.finalize()
    al = struct.pack(">Q", 8 * len(aad))
    tag = hmac.new(cek[:16], aad + iv + ciphertext + al, "sha256").digest()[:16]
    with raises_code("decryption.failed") as caught:
        enc.decrypt(cek, iv, ciphertext, tag, aad, _cbc_ctx())
    assert caught.value.stage == jwe_steps.Stage.CONTENT_DECRYPTION


@pytest.mark.parametrize(
    ("kty", "crv"),
    [("EC", "P-256"), ("EC", "P-384"), ("EC", "P-521"), ("OKP", "X25519"), ("OKP", "X448")],
)
def test_decrypt_records_the_epk_as_public_jwk_would_rebuild_it(kty, crv):
    from jwe_steps.algorithms.ecdh_es import public_jwk

    key = jwe_steps.generate_key(kty, crv=crv)  # a DEMO key
    sent = jwe_steps.encrypt(b"hi", key.public_key(), alg="ECDH-ES+A128KW", enc="A128GCM")
    received = jwe_steps.decrypt(sent.token, key)
    recorded = received["ephemeral_public_key"]
    assert recorded == sent["ephemeral_public_key"]
    assert list(recorded.items()) == list(public_jwk(jwe_steps.load_key(recorded)).items())


@pytest.mark.parametrize(
    ("kty", "crv"), [("EC", "P-256"), ("EC", "P-384"), ("EC", "P-521"), ("OKP", "X25519"),
                     ("OKP", "X448")],
)  # fmt: skip
def test_a_fresh_ephemeral_key_is_sent_as_load_key_would_export_it(kty, crv):
    from jwe_steps.algorithms.ecdh_es import epk_public_key, public_jwk

    key = jwe_steps.generate_key(kty, crv=crv)  # a DEMO key
    sent = jwe_steps.encrypt(b"hi", key.public_key(), alg="ECDH-ES+A128KW", enc="A128GCM")
    epk = sent.header["epk"]
    assert epk == public_jwk(jwe_steps.load_key(epk)) == sent["ephemeral_public_key"]
    assert epk_public_key(epk) is not None
    assert jwe_steps.decrypt(sent.token, key).plaintext == b"hi"


@pytest.mark.parametrize(
    "change",
    [
        {"x": "AAAA"},  # a coordinate too short
        {"y": None},  # y missing on an EC curve
        {"x": 7},  # not a string
        {"crv": "P-384"},  # another curve's size
    ],
)
def test_an_unusual_epk_takes_load_keys_path_and_its_error(change):
    from jwe_steps.algorithms.ecdh_es import epk_public_key

    key = jwe_steps.generate_key("EC")  # a DEMO key
    epk = dict(
        jwe_steps.encrypt(b"x", key.public_key(), alg="ECDH-ES", enc="A128GCM").header["epk"]
    )
    epk.update(change)
    epk = {name: value for name, value in epk.items() if value is not None}
    assert epk_public_key(epk) is None


def test_an_epk_coordinate_not_below_the_field_prime_is_refused():
    key = jwe_steps.generate_key("EC")  # a DEMO key
    sent = jwe_steps.encrypt(b"x", key.public_key(), alg="ECDH-ES", enc="A128GCM")
    x, y = p256_point_with_small_x()
    encode = jwe_steps.b64.b64url_encode
    header = dict(sent.header)
    header["epk"] = {
        "kty": "EC",
        "crv": "P-256",
        "x": encode((x + P256_PRIME).to_bytes(32, "big")),  # the point (x, y), written unreduced
        "y": encode(y.to_bytes(32, "big")),
    }
    parts = sent.token.split(".")
    parts[0] = encode(serialize_header(header))
    with pytest.raises(HeaderError) as caught:
        jwe_steps.decrypt(".".join(parts), key)
    assert caught.value.code == "header.epk_invalid"


def test_an_epk_off_the_curve_is_refused_with_its_code():
    key = jwe_steps.generate_key("EC")  # a DEMO key
    sent = jwe_steps.encrypt(b"x", key.public_key(), alg="ECDH-ES", enc="A128GCM")
    header = dict(sent.header)
    epk = dict(header["epk"])
    y = bytearray(jwe_steps.b64.b64url_decode(epk["y"]))
    y[-1] ^= 1
    epk["y"] = jwe_steps.b64.b64url_encode(bytes(y))
    header["epk"] = epk
    parts = sent.token.split(".")
    parts[0] = jwe_steps.b64.b64url_encode(serialize_header(header))
    with pytest.raises(HeaderError) as caught:
        jwe_steps.decrypt(".".join(parts), key)
    assert caught.value.code == "header.epk_invalid"
