"""Hostile input to `explain` and its reports (fuzzing F3, F8).

explain must report a failing stage, never raise, and its report must always be written: a
header integer of more than 4300 digits (Python's int-to-text limit) is header.json, as
decrypt says; a dict token nested 2000 deep (which no JSON text could be) is shown cut off.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import nested_list, run_cli

import jwe_steps
import jwe_steps.view
from jwe_steps.b64 import b64url_encode

KEY = jwe_steps.load_key({"kty": "oct", "k": "A" * 43})
KEY_TEXT = json.dumps({"kty": "oct", "k": "A" * 43})


def with_header(text: str) -> str:
    """A dir token whose protected header part is ``text`` (the rest of a real token)."""
    parts = str(jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM").token).split(".")
    return ".".join([b64url_encode(text.encode()), *parts[1:]])


BIG_NUMBER = with_header('{"alg":"dir","enc":"A256GCM","x":' + "9" * 5000 + "}")


def flattened() -> dict[str, Any]:
    token = jwe_steps.encrypt(b"hi", KEY, alg="dir", enc="A256GCM", serialization="flattened")
    return copy.deepcopy(token.token)


def every_report(explanation: jwe_steps.Explanation) -> None:
    """Every form of the report, and the views of it, can be made."""
    json.loads(explanation.to_json())
    json.loads(explanation.redacted().to_json())
    assert str(explanation)
    assert explanation._repr_html_()
    assert jwe_steps.view.step_cards(explanation).html()
    assert jwe_steps.view.trace_terminal(explanation)
    jwe_steps.view.token_anatomy(explanation).html()


def test_a_header_number_of_5000_digits_is_header_json_as_decrypt_says():
    with pytest.raises(jwe_steps.JWEError) as caught:
        jwe_steps.decrypt(BIG_NUMBER, KEY)
    explanation = jwe_steps.explain(BIG_NUMBER, KEY)
    assert not explanation.ok and explanation.failed_stage == "header"
    assert explanation.error is not None and explanation.error.code == caught.value.code
    assert [finding.code for finding in explanation.diagnosis] == ["header.json"]
    every_report(explanation)


@pytest.mark.parametrize("arguments", [[], ["--format", "json", "--redact"]])
def test_the_cli_explains_a_header_number_of_5000_digits(arguments, tmp_path, monkeypatch, capsys):
    key_file = tmp_path / "key.jwk"
    key_file.write_text(KEY_TEXT)
    command = ["explain", "--key", str(key_file), *arguments]
    code, out = run_cli(command, BIG_NUMBER, monkeypatch, capsys)
    assert code == 1
    if arguments:
        report = json.loads(out)
        assert report["error"]["code"] == "header.json"
        assert [finding["code"] for finding in report["diagnosis"]] == ["header.json"]


@pytest.mark.parametrize("member", ["x", "kid", "zip", "crit"])
def test_a_dict_token_nested_2000_deep_has_every_report(member: str):
    token = flattened()
    token["unprotected"] = {member: nested_list(2000)}
    explanation = jwe_steps.explain(token, KEY)
    every_report(explanation)


def test_a_dict_token_holding_what_json_cannot_has_every_report():
    token = flattened()
    token["unprotected"] = {"x": 10**5000, "y": b"bytes", "z": [nested_list(2000), 10**5000]}
    token["aad"] = nested_list(2000)
    explanation = jwe_steps.explain(token, KEY)
    assert not explanation.ok
    every_report(explanation)
    token = flattened()
    token["iv"] = 10**5000  # a member that is not even a string
    jwe_steps.view.token_anatomy(token).html()
