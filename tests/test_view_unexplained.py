""" "No unexplained bytes" is falsifiable: published tokens pass, crafted ones are reported.

The header must be one JSON object with unique members; the encrypted key, IV, ciphertext and
tag must have the lengths their alg and enc give (read from the registry)."""

from __future__ import annotations

import json
import random

import pytest

import jwe_steps
from jwe_steps.b64 import b64url_decode, b64url_encode
from jwe_steps.examples import RFC7516_A1
from jwe_steps.examples.rfc7516_json import RFC7516_A2, RFC7516_A3, RFC7516_A4, RFC7516_A5
from jwe_steps.examples.rfc7520 import EXAMPLES
from jwe_steps.view import assert_fully_explained, unexplained_bytes
from jwe_steps.view.bytes import Unexplained

PARTS = ("protected_header", "encrypted_key", "iv", "ciphertext", "tag")


def _parts(token: str) -> list[str]:
    return token.split(".")


def _with(token: str, index: int, data: bytes) -> str:
    parts = _parts(token)
    parts[index] = b64url_encode(data)
    return ".".join(parts)


def _reported(token: object) -> set[str]:
    return {gap.part for gap in unexplained_bytes(token)}


def _kw_token(enc: str = "A128GCM", alg: str = "A128KW") -> str:
    key = jwe_steps.generate_key("oct", size=128 if alg != "dir" else 8 * 16)
    return str(jwe_steps.encrypt(b"twenty bytes of text", key, alg=alg, enc=enc).token)


@pytest.mark.parametrize("example", [RFC7516_A1, RFC7516_A2, RFC7516_A3], ids=["A1", "A2", "A3"])
def test_the_rfc7516_compact_examples_are_fully_explained(example):
    assert unexplained_bytes(example.token) == []
    assert_fully_explained(example.token)


@pytest.mark.parametrize("example", [RFC7516_A4, RFC7516_A5], ids=["A4", "A5"])
def test_the_rfc7516_json_examples_are_fully_explained(example):
    assert unexplained_bytes(example.token) == []


@pytest.mark.parametrize("number", sorted(EXAMPLES))
def test_every_rfc7520_section_5_example_is_fully_explained(number):
    example = EXAMPLES[number]
    token = example.get("compact") or example.get("general")
    assert unexplained_bytes(token) == [], number


@pytest.mark.parametrize("seed", range(5))
def test_five_random_base64url_parts_are_reported(seed):
    rng = random.Random(seed)
    sizes = (40, 256, 12, 37, 16)
    token = ".".join(b64url_encode(rng.randbytes(size)) for size in sizes)
    gaps = unexplained_bytes(token)
    assert {gap.part for gap in gaps} == set(PARTS)
    header = next(gap for gap in gaps if gap.part == "protected_header")
    assert header.start == 0 and header.end == 40  # not one byte of it is explained
    with pytest.raises(AssertionError, match="unexplained bytes"):
        assert_fully_explained(token)


def test_a_header_with_trailing_junk_is_reported_after_the_object():
    header = b64url_decode(_parts(RFC7516_A1.token)[0])
    token = _with(RFC7516_A1.token, 0, header + b"junk!")
    gaps = unexplained_bytes(token)
    assert (gaps[0].part, gaps[0].start, gaps[0].end) == (
        "protected_header",
        len(header),
        len(header) + 5,
    )
    assert "follow the JSON object" in gaps[0].reason
    # A header that is not one JSON object names no alg or enc: nothing after it is explained.
    assert {g.part for g in gaps[1:]} == {"encrypted_key", "iv", "ciphertext", "tag"}


def test_a_header_with_a_repeated_member_is_reported():
    token = _with(RFC7516_A1.token, 0, b'{"alg":"RSA-OAEP","enc":"A256GCM","alg":"dir"}')
    gaps = unexplained_bytes(token)
    assert gaps[0].part == "protected_header" and "twice" in gaps[0].reason
    assert gaps[0].start == len(b'{"alg":"RSA-OAEP","enc":"A256GCM",')


@pytest.mark.parametrize("size", [0, 8, 15, 17, 32])
def test_a_tag_of_the_wrong_length_is_reported(size):
    token = _with(RFC7516_A1.token, 4, bytes(size))
    gaps = unexplained_bytes(token)
    assert [(g.part, g.start, g.end) for g in gaps] == [("tag", 0, size)]
    assert "16-byte tag" in gaps[0].reason


@pytest.mark.parametrize("size", [0, 8, 16])
def test_an_iv_of_the_wrong_length_is_reported(size):
    assert _reported(_with(RFC7516_A1.token, 2, bytes(size))) == {"iv"}


@pytest.mark.parametrize("delta", [-8, -1, 1, 8])
def test_an_aes_kw_encrypted_key_of_the_wrong_length_is_reported(delta):
    token = _kw_token()
    wrapped = b64url_decode(_parts(token)[1])
    assert _reported(token) == set()
    changed = wrapped[:delta] if delta < 0 else wrapped + bytes(delta)
    assert _reported(_with(token, 1, changed)) == {"encrypted_key"}


def test_an_encrypted_key_where_the_alg_sends_none_is_reported():
    token = _kw_token(alg="dir")
    assert _parts(token)[1] == "" and _reported(token) == set()
    assert _reported(_with(token, 1, bytes(24))) == {"encrypted_key"}


def test_an_rsa_encrypted_key_shorter_than_a_2048_bit_modulus_is_reported():
    assert _reported(_with(RFC7516_A1.token, 1, bytes(128))) == {"encrypted_key"}


def test_a_trace_knows_its_modulus_and_checks_the_encrypted_key_against_it():
    trace = jwe_steps.encrypt(
        b"x", RFC7516_A1.demo_key().public_key(), alg="RSA-OAEP", enc="A256GCM"
    )
    assert unexplained_bytes(trace) == []
    assert _reported(_with(str(trace.token), 1, bytes(384))) == set()  # a 3072-bit modulus fits
    params = trace["key_encryption_parameters"]
    assert params["modulus_bits"] == 2048


@pytest.mark.parametrize("size", [0, 15, 17, 33])
def test_a_cbc_ciphertext_that_is_not_whole_blocks_is_reported(size):
    token = _kw_token(enc="A128CBC-HS256")
    assert _reported(token) == set()
    assert _reported(_with(token, 3, bytes(size))) == {"ciphertext"}


def test_a_ciphertext_that_does_not_match_the_recorded_plaintext_is_reported():
    key = jwe_steps.generate_key("oct", size=128)
    trace = jwe_steps.encrypt(b"exactly 20 bytes....", key, alg="A128KW", enc="A128GCM")
    assert unexplained_bytes(trace) == []
    longer = jwe_steps.trace.EncryptTrace(steps=list(trace.steps), header=trace.header)
    longer.token = _with(str(trace.token), 3, bytes(21))
    longer.record(jwe_steps.trace.Step("ciphertext", bytes(21), "a longer ciphertext"))
    assert _reported(longer) == {"ciphertext"}


def test_an_unregistered_enc_leaves_the_content_parts_unexplained():
    header = json.dumps({"alg": "A128KW", "enc": "A128GCM-ish"}).encode()
    token = _with(_kw_token(), 0, header)
    assert _reported(token) == {"encrypted_key", "iv", "ciphertext", "tag"}


def test_a_header_without_alg_is_reported():
    token = _with(RFC7516_A1.token, 0, b'{"enc":"A256GCM"}')
    gaps = unexplained_bytes(token)
    assert {g.part for g in gaps} == {"encrypted_key"} and "no 'alg'" in gaps[0].reason


@pytest.mark.parametrize(("count", "reported"), [(4, {"tag"}), (6, {"extra_part_6"})])
def test_a_compact_token_with_the_wrong_number_of_parts_is_reported(count, reported):
    parts = _parts(RFC7516_A1.token)
    token = ".".join(parts[:count] if count < 5 else [*parts, "AAAA"])
    assert _reported(token) == reported


def test_a_part_that_is_not_base64url_is_reported_in_characters():
    parts = _parts(RFC7516_A1.token)
    parts[2] = "not+base64/url="
    gaps = unexplained_bytes(".".join(parts))
    assert [(g.part, g.start, g.end) for g in gaps] == [("iv", 0, len(parts[2]))]
    assert "not base64url" in gaps[0].reason


def test_a_gcmkw_header_without_its_iv_is_reported():
    key = jwe_steps.generate_key("oct", size=128)
    token = str(jwe_steps.encrypt(b"x", key, alg="A128GCMKW", enc="A128GCM").token)
    assert unexplained_bytes(token) == []
    header = json.loads(b64url_decode(_parts(token)[0]))
    del header["iv"]
    gaps = unexplained_bytes(_with(token, 0, json.dumps(header).encode()))
    assert gaps == [Unexplained("protected_header", 0, 0, "A128GCMKW needs the header member 'iv'")]


def test_each_gap_is_a_named_record():
    gap = unexplained_bytes(_with(RFC7516_A1.token, 4, bytes(3)))[0]
    assert gap == Unexplained("tag", 0, 3, gap.reason) and gap.reason
