"""Token anatomy: five parts, coloured and labelled, with lengths in characters and bytes."""

from __future__ import annotations

import re

import pytest

import jwe_steps
from jwe_steps import explain
from jwe_steps.examples import RFC7516_A1
from jwe_steps.view import PARTS, TOKEN_PARTS, token_anatomy
from jwe_steps.view.palette import part, text_on


def test_rfc7516_a1_token_parts_and_sizes():
    anatomy = token_anatomy(RFC7516_A1.token)
    rows = anatomy.rows()
    assert [row["name"] for row in rows] == list(TOKEN_PARTS)
    texts = RFC7516_A1.token.split(".")
    assert [row["chars"] for row in rows] == [len(t) for t in texts]
    assert [row["bytes"] for row in rows] == [
        len(RFC7516_A1.protected_header),
        len(RFC7516_A1.encrypted_key),
        len(RFC7516_A1.iv),
        len(RFC7516_A1.ciphertext),
        len(RFC7516_A1.tag),
    ]


def test_html_colours_and_labels_every_part_in_text():
    html = token_anatomy(RFC7516_A1.token).html()
    for number, name in enumerate(TOKEN_PARTS, 1):
        drawn = part(name)
        assert f'data-part="{name}"' in html
        assert drawn.color in html  # its colour ...
        assert f"<b>{drawn.label}</b>" in html  # ... and always its label in words
        assert f"part {number}: {drawn.label}" in html
    for text in RFC7516_A1.token.split("."):
        assert text[:40] in html
    assert "http" not in html.replace("http://www.w3.org", "")  # no network assets


def test_the_trace_values_are_used_when_recorded(rsa_key):
    trace = jwe_steps.encrypt(b"hello", rsa_key, alg="RSA-OAEP-256", enc="A128GCM")
    anatomy = token_anatomy(trace)
    assert anatomy.part("iv").data == trace["iv"]
    assert anatomy.part("tag").data == trace["tag"]
    assert anatomy.part("encrypted_key").size == 256
    assert "256" in str(anatomy) and "authentication tag" in str(anatomy)


@pytest.mark.parametrize("serialization", ["flattened", "general"])
def test_json_views_of_a_compact_token(serialization):
    html = token_anatomy(RFC7516_A1.token, serialization=serialization).html()
    assert '"protected": "' in html and '"ciphertext": "' in html
    assert ('"recipients": [' in html) is (serialization == "general")
    assert f"{serialization} JSON serialization" in html


def test_json_tokens_from_the_pipeline_keep_their_extra_members():
    key = jwe_steps.generate_key("oct", size=128)
    trace = jwe_steps.encrypt(
        b"j", key, alg="A128KW", enc="A128GCM", serialization="flattened", aad=b"more"
    )
    anatomy = token_anatomy(trace)
    assert anatomy.serialization == "flattened"
    assert "aad" in anatomy.extra_members
    assert '"aad"' in anatomy.html()


def test_a_part_that_is_not_base64url_is_shown_and_named():
    token = RFC7516_A1.token.split(".")
    token[2] = "not*base64"
    anatomy = token_anatomy(".".join(token))
    assert anatomy.part("iv").data is None
    assert "not base64url" in anatomy.html()


def test_highlight_marks_the_characters_of_a_byte():
    html = token_anatomy(RFC7516_A1.token, highlight={"iv": {0}}).html()
    # byte 0 lives in characters 0 and 1 of the IV part
    iv_html = html.split('data-part="iv"')[1].split("</span>")[0]
    marked = re.findall(r"<mark[^>]*>([^<]*)</mark>", iv_html)
    assert marked == [RFC7516_A1.token.split(".")[2][:2]]


def test_an_explanation_shows_the_token_it_was_given(rsa_key):
    trace = jwe_steps.encrypt(b"x", rsa_key, alg="RSA-OAEP", enc="A128GCM")
    anatomy = token_anatomy(explain(trace.token, rsa_key))
    assert [p.encoded for p in anatomy.parts] == trace.token.split(".")


def test_palette_is_one_distinct_colour_per_part_with_readable_numbers():
    colors = [p.color for p in PARTS.values()]
    assert len(set(colors)) == len(colors)
    assert text_on("#0072B2") == "#fff" and text_on("#F0E442") == "#000"
