"""Strict JSON (issue 13): lone surrogates and numbers that overflow to infinity are refused in
headers, JSON serializations and keys, each with a stable code."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jwe_steps
from jwe_steps import JWEError, Stage
from jwe_steps.errors import HeaderError, InvalidKeyError, SerializationError
from jwe_steps.strict_json import loads


def b64u(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def _compact(header_json: str) -> str:
    return ".".join([b64u(header_json), "", "AAAAAAAAAAAAAAAA", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA"])


def _failure(token: str, key) -> JWEError:
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, key)
    return caught.value


OCT = jwe_steps.load_key({"kty": "oct", "k": "A" * 43})

HOSTILE = [
    ('{"alg":"dir","enc":"A256GCM","kid":"\\ud800"}', "header.json"),
    ('{"alg":"dir","enc":"A256GCM","\\udc00":1}', "header.json"),
    ('{"alg":"dir","enc":"A256GCM","x":1e400}', "header.json"),
    ('{"alg":"dir","enc":"A256GCM","x":[-1e309]}', "header.json"),
    ('{"alg":"dir","enc":"A256GCM","x":Infinity}', "header.json"),
    ('{"alg":"dir","enc":"A256GCM","alg":"dir"}', "header.duplicate_member"),
    ('{"alg":"dir","enc":"A256GCM",}', "header.json"),
]


@pytest.mark.parametrize(("header", "code"), HOSTILE)
def test_the_protected_header_is_strict(header, code):
    error = _failure(_compact(header), OCT)
    assert isinstance(error, HeaderError) and error.code == code
    json.dumps(error.to_dict(), ensure_ascii=False).encode("utf-8")  # printable, no surrogates


@pytest.mark.parametrize(
    ("member", "code"),
    [
        ('"kid":"\\ud800"', "json.surrogate"),
        ('"x":1e400', "json.number"),
        ('"ciphertext":"AAAA"', "json.duplicate_member"),
    ],
)
def test_the_json_serialization_is_strict(member, code):
    token = (
        '{"protected":"' + b64u('{"alg":"dir","enc":"A256GCM"}') + '",'
        '"iv":"AAAAAAAAAAAAAAAA","ciphertext":"AAAA","tag":"AAAAAAAAAAAAAAAAAAAAAA",' + member + "}"
    )
    error = _failure(token, OCT)
    assert isinstance(error, SerializationError) and error.code == code


def test_an_unpaired_header_is_refused_but_a_pair_is_a_character():
    pair = loads('{"kid":"\\ud83d\\ude00"}', error=HeaderError, subject="h", expected="x")
    assert pair == {"kid": "\U0001f600"}
    assert loads("[1e308, -1e-400]", error=HeaderError, subject="h", expected="x") == [1e308, -0.0]
    for text in ('"\\ud800\\u0041"', '["\\udbff"]', '"\ud800"'):
        with pytest.raises(InvalidKeyError) as caught:
            loads(text, error=InvalidKeyError, subject="the JWK", expected="x")
        assert caught.value.code == "json.surrogate" and caught.value.stage == Stage.KEY


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=20))
def test_whatever_a_string_holds_the_result_encodes_as_utf8(text):
    document = json.dumps({"kid": text}, ensure_ascii=True)  # escapes surrogates as \\udxxx
    plain = json.loads(document)["kid"]  # what Python's json makes of it (pairs joined)
    try:
        value = loads(document, error=HeaderError, subject="h", expected="x")
    except HeaderError as error:
        assert error.code == "header.json"
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in plain)
    else:
        value["kid"].encode("utf-8")
        assert value == {"kid": plain}


_NAMES = st.sampled_from(["a", "b", "c", "alg", "é"])
_MEMBERS = st.lists(st.tuples(_NAMES, st.integers(-3, 3)), max_size=6)


@given(_MEMBERS, st.booleans())
def test_an_object_is_read_exactly_when_no_name_repeats(members, nested):
    text = "{" + ",".join(f"{json.dumps(name)}:{value}" for name, value in members) + "}"
    if nested:  # the same rule holds for an object inside another
        text = '{"outer":' + text + "}"
    names = [name for name, _ in members]
    if len(set(names)) == len(names):
        parsed = loads(text, error=SerializationError, subject="x", expected="y")
        assert parsed == json.loads(text)
    else:
        with pytest.raises(SerializationError) as caught:
            loads(text, error=SerializationError, subject="x", expected="y")
        assert caught.value.code == "json.duplicate_member"
