"""Hostile input to `inspect` and the views it shares with the debugging page (fuzzing F4, F5).

A header decrypt accepts may nest hundreds of levels deep; inspect must show it (cut off), not
raise RecursionError. A token of a million dots must not become a million parts. Sizes are
asserted through the structure that bounds the work (how many parts, findings and characters
come out), never through timings.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import nested_list, raises_code, run_cli

import jwe_steps
import jwe_steps.view
from jwe_steps.inspection import inspect_token

KEY = jwe_steps.load_key({"kty": "oct", "k": "A" * 43})


def depth_of(value: Any) -> int:
    """How many levels of objects and arrays ``value`` nests (iteratively: it may be deep)."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level + 1)
            pending.extend((child, level + 1) for child in (
                item.values() if isinstance(item, dict) else item))  # fmt: skip
    return deepest


def deep_compact(depth: int = 600) -> str:
    """A compact token decrypt accepts, whose protected header nests ``depth`` arrays deep."""
    header = {"x": nested_list(depth)}
    token = jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM", header=header).token
    assert jwe_steps.decrypt(token, KEY).plaintext == b"hi"
    return str(token)


def deep_flattened(depth: int = 900) -> str:
    """A flattened JSON token decrypt accepts, whose unprotected header nests ``depth`` deep."""
    token = jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM", serialization="flattened")
    text = json.dumps(token.token)[:-1] + ', "unprotected": {"x": ' + "[" * depth + "]" * depth
    text += "}}"
    assert jwe_steps.decrypt(text, KEY).plaintext == b"hi"
    return text


def test_a_header_nested_600_deep_is_shown_cut_off():
    report = inspect_token(deep_compact(600))
    assert report.well_formed, report.codes
    assert report.header is not None and report.header["enc"] == "A256GCM"
    assert 1 < depth_of(report.header) <= 40
    json.loads(report.to_json())
    assert report.text()


def test_a_deep_unprotected_header_of_a_flattened_token_is_shown_cut_off():
    report = inspect_token(deep_flattened(900))
    assert report.serialization == "flattened"
    assert report.unprotected is not None and 1 < depth_of(report.unprotected) <= 40
    json.loads(report.to_json())
    assert report.text()


def test_a_deep_recipient_header_of_a_general_token_is_shown_cut_off():
    token = jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM", serialization="general").token
    token["recipients"] = [{"header": {"x": "DEEP"}}]
    text = json.dumps(token).replace('"DEEP"', "[" * 900 + "]" * 900)
    assert jwe_steps.decrypt(text, KEY).plaintext == b"hi"
    report = inspect_token(text)
    assert report.serialization == "general"
    assert 1 < depth_of(list(report.recipients)) <= 42
    json.loads(report.to_json())


@pytest.mark.parametrize("member", ["kid", "zip", "crit", "epk"])
def test_deep_members_that_inspect_quotes_in_messages(member: str):
    """kid, zip, crit and epk are quoted in implications and findings: never recursively."""
    deep = "[" * 900 + "]" * 900
    alg = "ECDH-ES" if member == "epk" else "dir"
    value = '{"kty": ' + deep + ', "crv": ' + deep + "}" if member == "epk" else deep
    header = f'{{"alg": "{alg}", "enc": "A256GCM", "{member}": {value}}}'.encode()
    token = ".".join([jwe_steps.b64.b64url_encode(header), "", "A" * 16, "AA", "A" * 22])
    report = inspect_token(token)
    assert report.header is not None
    json.loads(report.to_json())


@pytest.mark.parametrize("form", ["text", "json"])
def test_the_cli_inspects_a_deep_header(form: str, monkeypatch, capsys):
    code, out = run_cli(["inspect", "--format", form], deep_compact(600), monkeypatch, capsys)
    assert code == 0
    if form == "json":
        assert json.loads(out)["well_formed"] is True


def test_a_million_dots_make_at_most_ten_parts():
    report = inspect_token("." * 1_000_000)
    assert report.codes == ["format.segments"]
    assert len(report.parts) == 10
    assert len(report.to_json()) < 5_000 and len(report.text()) < 5_000
    seven = inspect_token(".".join(["AAAA"] * 7))  # under the cap, every part is listed
    assert [part.name for part in seven.parts] == [f"part {n}" for n in range(1, 8)]


@pytest.mark.parametrize("form", ["text", "json"])
def test_the_cli_answers_a_million_dots_in_a_few_lines(form: str, monkeypatch, capsys):
    code, out = run_cli(["inspect", "--format", form], "." * 1_000_000, monkeypatch, capsys)
    assert code == 1
    assert len(out) < 5_000
    if form == "json":
        assert len(json.loads(out)["parts"]) == 10


def test_a_general_token_with_100000_recipients_is_read_up_to_the_cap():
    token = jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM", serialization="general").token
    token["recipients"] = [{"header": {"alg": "dir"}, "encrypted_key": "A="}] * 100_000
    report = inspect_token(json.dumps(token))
    assert "limits.exceeded" in report.codes
    # Each recipient past decrypt's cap of 100 is counted, not read: its bad base64url is
    # not one more finding, and the report stays the size of a hundred recipients.
    assert report.codes.count("base64url.padding") <= jwe_steps.DEFAULT_LIMITS.max_recipients
    assert len(report.findings) < 1_000


def test_the_anatomy_view_refuses_a_million_dots_with_a_code():
    with raises_code("format.segments"):
        jwe_steps.view.token_anatomy("." * 1_000_000)
    assert len(jwe_steps.view.token_anatomy(".".join(["AAAA"] * 7)).parts) == 7


def test_the_views_read_a_json_token_nested_too_deep_for_json_loads():
    """A JSON token the parser refuses as too deep is shown as text, not a RecursionError."""
    token = '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    jwe_steps.view.token_anatomy(token).html()
    jwe_steps.view.unexplained_bytes(token)
