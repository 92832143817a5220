"""Strict base64url: one token, one meaning."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jwe_steps.b64 import b64url_decode, b64url_decode_parts, b64url_decode_slice, b64url_encode
from jwe_steps.errors import Base64urlError, Stage


@given(st.binary(max_size=300))
def test_round_trip_matches_the_standard_library(data):
    encoded = b64url_encode(data)
    assert encoded == base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert b64url_decode(encoded) == data


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("AQ==", "'=' padding"),
        ("AQAB=", "'=' padding"),
        ("ab+c", "standard base64 alphabet"),
        ("ab/c", "standard base64 alphabet"),
        ("ab c", "outside the base64url alphabet"),
        ("ab\nc", "outside the base64url alphabet"),
        ("abé", "outside the base64url alphabet"),
        ("a.bc", "outside the base64url alphabet"),
        ("abcde", "impossible length"),
        ("AB", "not canonical"),  # 'B' sets a bit the single byte cannot carry
        ("AAB", "not canonical"),
    ],
)
def test_rejects_non_canonical_or_foreign_encodings(text, fragment):
    with pytest.raises(Base64urlError) as caught:
        b64url_decode(text, part="IV")
    assert caught.value.stage == Stage.BASE64URL
    assert fragment in str(caught.value)
    assert "IV" in str(caught.value)


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


@given(st.lists(_PART_TEXT, min_size=1, max_size=4))
def test_parts_decoded_in_one_call_as_each_would_be_alone(parts):
    # b64url_decode_parts (the compact path's four parts) keeps b64url_decode_slice's answer
    # for every part, the first refused part's error included.
    text = "." + ".".join(parts)
    bounds, start = [], 1
    for index, part in enumerate(parts):
        bounds.append((start, start + len(part), f"part {index}"))
        start += len(part) + 1

    def one_by_one():
        return [b64url_decode_slice(text, a, b, part=name) for a, b, name in bounds]

    assert _outcome(lambda: b64url_decode_parts(text, bounds)) == _outcome(one_by_one)
