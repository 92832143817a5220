"""Hostile input to the debugging page (fuzzing F4, F5, F9, and F3 through the page).

The page's logic runs without a browser (jwe_steps.app.DebugPage). Whatever is pasted, it
shows a coded error or the report, never raises; its output stays bounded.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import nested_list, raises_code

import jwe_steps
from jwe_steps.app import DebugPage, parse_key_text
from jwe_steps.b64 import b64url_encode
from jwe_steps.errors import InvalidKeyError

KEY = jwe_steps.load_key({"kty": "oct", "k": "A" * 43})
KEY_TEXT = json.dumps({"kty": "oct", "k": "A" * 43})


def codes(html: str) -> list[str]:
    return re.findall(r'data-code="([\w.]+)"', html)


def test_a_key_nested_100000_deep_is_json_depth_as_load_key_says():
    text = "[" * 100_000
    with raises_code("json.depth", InvalidKeyError):
        jwe_steps.load_key(text)
    with raises_code("json.depth", InvalidKeyError):
        parse_key_text(text)
    page = DebugPage(str(jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM").token), text)
    assert isinstance(page.error, InvalidKeyError) and page.error.code == "json.depth"
    assert "json.depth" in codes(page.status.value)


@pytest.mark.parametrize("key", ["", KEY_TEXT])
def test_a_header_nested_600_deep_is_shown(key: str):
    token = jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM", header={"x": nested_list(600)})
    page = DebugPage(str(token.token), key)
    assert page.error is None
    assert "jwe-app-inspection" in page.anatomy.value
    if key:
        assert page.explanation is not None and page.explanation.ok
        assert page.report_json is not None
        json.loads(page.report_json)


def test_a_flattened_token_with_an_unprotected_header_900_deep_is_explained():
    token = jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM", serialization="flattened")
    text = json.dumps(token.token)[:-1] + ', "unprotected": {"x": ' + "[" * 900 + "]" * 900
    page = DebugPage(text + "}}", KEY_TEXT)
    assert page.explanation is not None and page.explanation.ok
    assert page.report_json is not None
    json.loads(page.report_json)


def test_a_json_token_nested_too_deep_for_the_parser_is_refused_with_a_code():
    page = DebugPage('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", KEY_TEXT)
    assert page.explanation is not None and not page.explanation.ok
    assert page.explanation.error is not None and page.explanation.error.code == "json.depth"


def test_a_header_number_of_5000_digits_is_header_json():
    parts = str(jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM").token).split(".")
    header = b'{"alg":"dir","enc":"A256GCM","x":' + b"9" * 5000 + b"}"
    page = DebugPage(".".join([b64url_encode(header), *parts[1:]]), KEY_TEXT)
    assert page.explanation is not None and page.explanation.failed_stage == "header"
    assert [finding.code for finding in page.explanation.diagnosis] == ["header.json"]


def test_two_hundred_thousand_dots_give_a_short_page():
    page = DebugPage("." * 200_000)
    assert "format.segments" in codes(page.anatomy.value)
    assert len(page.anatomy.value) < 20_000


def test_a_header_of_5000_members_gives_a_bounded_page():
    """Each member is a field of the header's bytes: the first thousand are labelled, and a
    value's legend lists at most a few hundred fields, however many there are. (decrypt
    refuses more than MAX_HEADER_MEMBERS; the page still shows what the token holds.)"""
    members = {"alg": "dir", "enc": "A256GCM", **{f"m{index}": index for index in range(5000)}}
    header = b64url_encode(json.dumps(members).encode())
    token = (
        f"{header}..{b64url_encode(bytes(12))}.{b64url_encode(b'hi')}.{b64url_encode(bytes(16))}"
    )
    page = DebugPage(token, KEY_TEXT)
    assert page.explanation is not None
    assert page.explanation.error is not None
    assert page.explanation.error.code == "header.too_many_members"
    assert len(page.stages.value) < 500_000
    assert len(page.anatomy.value) < 100_000
