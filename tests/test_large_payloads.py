"""Large parts take other code paths, chosen for memory and speed (benchmarks/bench_memory.py):
base64url decoded piece by piece, a compact ciphertext decoded where it lies in the token, and
AES-GCM through the streaming interface. They must give exactly what the small paths give and
refuse exactly what they refuse."""

from __future__ import annotations

import base64
import os

import pytest
from conftest import raises_code
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st
from jwcrypto import jwe as jw_jwe
from jwcrypto import jwk as jw_jwk

import jwe_steps
from jwe_steps import b64, compact_path, pipeline
from jwe_steps.algorithms import aes_gcm
from jwe_steps.b64 import b64url_decode, b64url_decode_slice, b64url_encode
from jwe_steps.errors import Base64urlError, DecryptionFailedError, Stage
from jwe_steps.serialization import parse_compact

PIECE = b64._PIECE
LARGE = 3 * PIECE + 123  # bytes: several pieces and a ragged end


def _standard(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("size", [LARGE, LARGE + 1, LARGE + 2, 3 * PIECE // 4 * 4])
def test_large_parts_decode_piece_by_piece_to_the_same_bytes(size):
    data = os.urandom(size)
    encoded = b64url_encode(data)
    assert len(encoded) > PIECE
    assert encoded == _standard(data)
    assert b64url_decode(encoded) == data
    assert b64url_decode(encoded.encode("ascii")) == data


@pytest.mark.parametrize(
    ("where", "char", "code"),
    [
        (PIECE + 5, "=", "base64url.padding"),
        (2 * PIECE + 7, "+", "base64url.alphabet"),
        (2 * PIECE + 9, "/", "base64url.alphabet"),
        (PIECE, " ", "base64url.character"),
        (3 * PIECE + 1, ".", "base64url.character"),
        (2 * PIECE - 1, "é", "base64url.character"),
    ],
)
def test_a_bad_character_deep_in_a_large_part_is_refused_at_its_position(where, char, code):
    text = b64url_encode(os.urandom(LARGE))
    text = text[:where] + char + text[where + 1 :]
    with pytest.raises(Base64urlError) as caught:
        b64url_decode(text, part="ciphertext")
    assert caught.value.code == code
    assert caught.value.stage == Stage.BASE64URL
    assert caught.value.found == f"{char!r} at character {where}"


def test_large_parts_keep_the_canonical_and_length_rules():
    text = b64url_encode(os.urandom(LARGE + 2))  # length % 4 == 3: two spare bits
    assert len(text) % 4 == 3
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sibling = text[:-1] + alphabet[alphabet.index(text[-1]) ^ 1]
    with raises_code("base64url.noncanonical", Base64urlError):
        b64url_decode(sibling)
    with raises_code("base64url.length", Base64urlError):
        b64url_decode(text + "AA")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200), st.binary(max_size=200), st.sampled_from(["", "é", "=", "+"]))
def test_decoding_a_slice_in_place_equals_decoding_the_copied_slice(before, middle, extra):
    prefix, part = b64url_encode(before) + ".", b64url_encode(middle) + extra
    token = prefix + part + ".tail"
    start, end = len(prefix), len(prefix) + len(part)
    try:
        expected: bytes | str = b64url_decode(token[start:end], part="IV")
    except Base64urlError as error:
        expected = str(error)
    try:
        got: bytes | str = b64url_decode_slice(token, start, end, part="IV")
    except Base64urlError as error:
        got = str(error)
    assert got == expected


def test_a_large_compact_token_parses_without_copying_and_gives_back_its_parts():
    key = jwe_steps.generate_key("RSA")  # a DEMO key
    plaintext = os.urandom(LARGE)
    token = jwe_steps.encrypt(plaintext, key.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    parts = token.split(".")
    parsed = parse_compact(token)
    assert parsed.encoded_protected_header == parts[0]
    assert parsed.recipients[0].encoded_encrypted_key == parts[1]
    assert (parsed.encoded_iv, parsed.encoded_ciphertext, parsed.encoded_tag) == tuple(parts[2:])
    assert jwe_steps.decrypt(token, key).plaintext == plaintext


@pytest.mark.parametrize("size", [aes_gcm.STREAMING_FROM - 1, aes_gcm.STREAMING_FROM, LARGE])
def test_aes_gcm_gives_the_one_shot_result_on_both_sides_of_the_streaming_size(size):
    key = jwe_steps.generate_key("RSA")  # a DEMO key
    cek, iv, plaintext = os.urandom(32), os.urandom(12), os.urandom(size)
    trace = jwe_steps.encrypt(
        plaintext, key.public_key(), alg="RSA-OAEP-256", enc="A256GCM", cek=cek, iv=iv
    )
    sealed = AESGCM(cek).encrypt(iv, plaintext, trace["aad"])
    assert trace["ciphertext"] + trace["tag"] == sealed
    assert jwe_steps.decrypt(trace.token, key).plaintext == plaintext


@pytest.mark.parametrize("size", [aes_gcm.STREAMING_FROM - 1, LARGE])
@pytest.mark.parametrize("part", [3, 4])  # the ciphertext, the tag
def test_tampering_fails_at_the_tag_on_both_sides_of_the_streaming_size(size, part):
    key = jwe_steps.generate_key("RSA")  # a DEMO key
    token = jwe_steps.encrypt(
        os.urandom(size), key.public_key(), alg="RSA-OAEP-256", enc="A256GCM"
    ).token
    parts = token.split(".")
    raw = bytearray(b64url_decode(parts[part]))
    raw[len(raw) // 2] ^= 0x01
    parts[part] = b64url_encode(bytes(raw))
    with pytest.raises(DecryptionFailedError):
        jwe_steps.decrypt(".".join(parts), key)


def test_a_peer_reads_our_large_tokens_and_we_read_theirs():
    ours = jwe_steps.generate_key("RSA")  # a DEMO key
    theirs = jw_jwk.JWK(**ours.to_jwk(private=True))
    plaintext = os.urandom(LARGE)
    token = jwe_steps.encrypt(plaintext, ours.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    received = jw_jwe.JWE()
    received.deserialize(token, theirs)
    assert received.payload == plaintext
    sent = jw_jwe.JWE(plaintext, protected='{"alg":"RSA-OAEP-256","enc":"A256GCM"}')
    sent.add_recipient(theirs)
    assert jwe_steps.decrypt(sent.serialize(compact=True), ours).plaintext == plaintext


def test_one_translate_pass_still_names_each_refusal_precisely():
    cases = {
        "AQ==": ("base64url.padding", "'=' at character 2"),
        "ab+c-_": ("base64url.alphabet", "'+' at character 2"),
        "abc/": ("base64url.alphabet", "'/' at character 3"),
        "abcde": ("base64url.length", "5 characters"),
        "AB": ("base64url.noncanonical", "last character 'B'"),
        "ab\tc": ("base64url.character", "'\\t' at character 2"),
        "abé": ("base64url.character", "'é' at character 2"),
    }
    for text, (code, found) in cases.items():
        with pytest.raises(Base64urlError) as caught:
            b64url_decode(text, part="tag")
        assert caught.value.code == code and caught.value.found == found, text


@pytest.mark.parametrize("extra", [-1, 0, 1, 2, 3])
@pytest.mark.parametrize("pieces", [1, 3])
def test_large_input_is_encoded_piece_by_piece_to_the_same_text(pieces, extra):
    size = pieces * b64._ENCODE_PIECE + extra
    data = os.urandom(size)
    expected = _standard(data)
    assert b64url_encode(data) == expected
    assert b64url_encode(bytearray(data)) == expected
    assert b64url_encode(memoryview(data)) == expected
    assert b64url_decode(expected) == data


@pytest.mark.parametrize("size", [0, 1, 2, 3, b64._ENCODE_PIECE - 1, b64._ENCODE_PIECE,
                                  b64._ENCODE_PIECE + 1, 3 * b64._ENCODE_PIECE + 5])  # fmt: skip
def test_the_encoding_in_pieces_joins_to_the_whole_encoding(size):
    data = os.urandom(size)
    pieces = list(b64.b64url_encode_pieces(data))
    assert b"".join(pieces).decode("ascii") == _standard(data)
    assert all(type(piece) is bytes for piece in pieces)
    assert len(pieces) == max(1, -(-size // b64._ENCODE_PIECE))


@pytest.mark.parametrize("extra", [-1, 0, 1, 2 * b64._ENCODE_PIECE + 7])
def test_a_large_ciphertext_is_joined_into_the_token_as_the_small_ones_are(extra, monkeypatch):
    key = jwe_steps.generate_key("RSA")  # a DEMO key
    public = key.public_key()
    jwe_steps.encrypt(b"warm", public, alg="RSA-OAEP-256", enc="A256GCM")  # the plan is kept
    # From here on the compact path must make the token: the general path is not reached.
    monkeypatch.setattr(pipeline, "perform_encrypt", lambda *args, **kwargs: pytest.fail())
    plaintext = os.urandom(compact_path.LARGE_CIPHERTEXT + extra)
    sent = jwe_steps.encrypt(plaintext, public, alg="RSA-OAEP-256", enc="A256GCM")
    parts = sent.token.split(".")
    values = ("encrypted_key", "iv", "ciphertext", "tag")
    assert parts[0] == sent["encoded_protected_header"]
    assert parts[1:] == [_standard(sent[name]) for name in values]
    assert jwe_steps.decrypt(sent.token, key).plaintext == plaintext
