"""Strict base64url: one token, one meaning."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jwe_steps.b64 import b64url_decode, b64url_decode_quiet, b64url_encode
from jwe_steps.errors import Base64urlError, Stage


@given(st.binary(max_size=300))
def test_round_trip_matches_the_standard_library(data):
    encoded = b64url_encode(data)
    assert encoded == base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert b64url_decode(encoded) == data


@pytest.mark.parametrize(
    ("text", "code", "found"),
    [
        ("AQ==", "base64url.padding", "'=' at character 2"),
        ("AQAB=", "base64url.padding", "'=' at character 4"),
        ("ab+c", "base64url.alphabet", "'+' at character 2"),
        ("ab/c", "base64url.alphabet", "'/' at character 2"),
        ("ab c", "base64url.character", "' ' at character 2"),
        ("ab\nc", "base64url.character", "'\\n' at character 2"),
        ("abé", "base64url.character", "'é' at character 2"),
        ("a.bc", "base64url.character", "'.' at character 1"),
        ("abcde", "base64url.length", "5 characters"),
        ("AB", "base64url.noncanonical", "last character 'B'"),  # a bit one byte cannot carry
        ("AAB", "base64url.noncanonical", "last character 'B'"),
    ],
)
def test_rejects_non_canonical_or_foreign_encodings(text, code, found):
    with pytest.raises(Base64urlError) as caught:
        b64url_decode(text, part="IV")
    assert caught.value.stage == Stage.BASE64URL
    assert caught.value.code == code
    assert caught.value.found == found


def test_canonical_short_forms_decode():
    assert b64url_decode("AA") == b"\x00"
    assert b64url_decode("AAA") == b"\x00\x00"
    assert b64url_decode("") == b""
    assert b64url_decode(b"_-8") == b"\xff\xef"


@given(st.binary(min_size=1, max_size=40), st.integers(0, 3))
def test_every_non_canonical_sibling_is_rejected(data, flip):
    encoded = b64url_encode(data)
    if len(encoded) % 4 == 0:
        return  # no spare bits to set
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spare = 4 if len(encoded) % 4 == 2 else 2
    value = alphabet.index(encoded[-1]) | (1 << (flip % spare))
    sibling = encoded[:-1] + alphabet[value]
    if sibling == encoded:
        return
    with pytest.raises(Base64urlError):
        b64url_decode(sibling)


def test_error_positions_point_at_the_offending_character():
    with pytest.raises(Base64urlError) as caught:
        b64url_decode("abcd+efg")
    assert caught.value.found == "'+' at character 4"


_PART_TEXT = st.text(
    alphabet=st.sampled_from(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \né"
    ),
    max_size=40,
)


def _outcome(decode):
    try:
        return ("decoded", decode())
    except Base64urlError as error:
        return ("refused", error.code, error.stage, error.expected, error.found)


@given(st.one_of(_PART_TEXT, st.binary(max_size=40).map(b64url_encode)))
def test_the_quiet_decoder_answers_as_the_strict_one(text):
    # b64url_decode_quiet (the fast paths' decoder, which hands any failure to the general
    # path) decodes exactly what b64url_decode decodes and refuses exactly what it refuses.
    strict = _outcome(lambda: b64url_decode(text))
    try:
        quiet = b64url_decode_quiet(text)
    except ValueError:
        assert strict[0] == "refused"
    else:
        assert strict == ("decoded", quiet)


@pytest.mark.parametrize("text", ["AQ==", "ab+c", "a.bc", "abé", "abcde", "AB", "AAB", "=", "A"])
def test_the_quiet_decoder_refuses_with_a_bare_value_error(text):
    with pytest.raises(ValueError) as caught:
        b64url_decode_quiet(text)
    assert not isinstance(caught.value, Base64urlError)
