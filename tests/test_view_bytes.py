"""Annotated bytes: every byte of every part of every token we display is attributed to a field."""

from __future__ import annotations

import itertools
import json
import re

import pytest

import jwe_steps
from jwe_steps import algorithms as registry
from jwe_steps.b64 import b64url_encode
from jwe_steps.examples import RFC7516_A1
from jwe_steps.view import annotate, annotate_token, assert_fully_explained, unexplained_bytes
from jwe_steps.view.bytes import AnnotatedBytes, Field, json_member_fields, scan_header
from jwe_steps.widgets import demo_key_for


def _key(alg: str, enc: str):
    return demo_key_for(alg, enc)


ALL_PAIRS = list(
    itertools.product(sorted(registry.KEY_MANAGEMENT), sorted(registry.CONTENT_ENCRYPTION))
)


@pytest.mark.parametrize(("alg", "enc"), ALL_PAIRS)
def test_every_registered_alg_and_enc_leaves_no_unexplained_bytes(alg, enc):
    key = _key(alg, enc)
    recipient = key.public_key() if key.kty != "oct" else key
    trace = jwe_steps.encrypt(
        "a message of more than one block, to have several blocks",
        recipient,
        alg=alg,
        enc=enc,
        header={"cty": "text/plain", "x-ünïcode": "é"},
        algorithms=[alg, enc],
    )
    assert unexplained_bytes(trace) == []
    assert_fully_explained(trace)
    names = [item.name for item in annotate_token(trace)]
    # dir and ECDH-ES have an empty encrypted key: nothing to explain, and nothing shown.
    expected = ["protected_header", "encrypted_key", "iv", "ciphertext", "tag"]
    assert names == expected
    for item in annotate_token(trace):
        assert sum(field.size for field in item.fields) == len(item.data)


@pytest.mark.parametrize("serialization", ["flattened", "general"])
def test_json_serializations_are_explained_too(serialization):
    key = _key("A128KW", "A128GCM")
    trace = jwe_steps.encrypt(
        b"json", key, alg="A128KW", enc="A128GCM", serialization=serialization, aad=b"extra"
    )
    assert isinstance(trace.token, dict)
    assert_fully_explained(trace)


def test_rfc7516_a1_header_members_are_found_by_scanning_the_bytes():
    fields = json_member_fields(RFC7516_A1.protected_header)
    names = [f.name for f in fields]
    assert names == ["{", "member alg", ",", "member enc", "}"]
    alg = fields[1]
    assert RFC7516_A1.protected_header[alg.start : alg.end] == b'"alg":"RSA-OAEP"'
    enc = fields[3]
    assert RFC7516_A1.protected_header[enc.start : enc.end] == b'"enc":"A256GCM"'


def test_non_ascii_member_offsets_are_byte_offsets():
    raw = json.dumps({"alg": "dir", "nåme": "välue"}, ensure_ascii=False).encode()
    fields = json_member_fields(raw)
    member = next(f for f in fields if f.name == "member nåme")
    assert raw[member.start : member.end].decode() == '"nåme": "välue"'
    assert AnnotatedBytes("protected_header", raw, tuple(fields)).unexplained() == []


@pytest.mark.parametrize("raw", [b"{}", b'  {"a" : 1 }  ', b'{"alg":"dir",\n "enc":"A128GCM"}'])
def test_a_json_object_header_is_fully_attributed(raw):
    fields, problem = scan_header(raw)
    assert problem == ""
    assert unexplained_bytes(AnnotatedBytes("protected_header", raw, tuple(fields))) == []


@pytest.mark.parametrize(
    ("raw", "first_unexplained"),
    [
        (b"not json", 0),
        (b"\xff\xfe", 0),
        (b"[1,2]", 0),
        (b"", 0),
        (b'{"a":1', 6),  # nothing closes the object: the gap is at its end
        (b'{"a":1} x', 8),  # trailing junk after the object
        (b'{"a":1}{"b":2}', 7),
        (b'{"a":1,"a":2}', 7),  # a repeated member is not explained
        (b'{"a":1,,"b":2}', 7),
    ],
)
def test_header_bytes_that_are_not_one_json_object_are_reported(raw, first_unexplained):
    fields, problem = scan_header(raw)
    assert problem
    item = AnnotatedBytes("protected_header", raw, tuple(fields), problem=problem)
    gaps = unexplained_bytes(item)
    assert gaps and gaps[0].start == first_unexplained and gaps[0].reason == problem
    with pytest.raises(AssertionError, match="unexplained bytes: protected_header"):
        assert_fully_explained(item)


def test_a_gap_is_reported_with_its_range():
    item = AnnotatedBytes("tag", bytes(16), (Field(0, 4, "a", ""), Field(8, 12, "b", "")))
    assert item.unexplained() == [(0 + 4, 8), (12, 16)]
    assert [tuple(gap[:3]) for gap in unexplained_bytes(item)] == [("tag", 4, 8), ("tag", 12, 16)]
    with pytest.raises(AssertionError, match=r"tag\[4:8\] .*; tag\[12:16\]"):
        assert_fully_explained(item)


def test_gcm_blocks_and_cbc_padding_are_named(rsa_key):
    gcm = jwe_steps.encrypt(b"x" * 40, rsa_key, alg="RSA-OAEP-256", enc="A256GCM")
    blocks = annotate(gcm, "ciphertext").fields
    assert [(f.start, f.end) for f in blocks] == [(0, 16), (16, 32), (32, 40)]
    assert "counter 2" in blocks[0].description and "counter 4" in blocks[2].description
    if "A128CBC-HS256" not in registry.CONTENT_ENCRYPTION:
        pytest.skip("jwe_steps/algorithms/aes_cbc_hmac.py does not register A128CBC-HS256")
    cbc = jwe_steps.encrypt(b"x" * 40, rsa_key, alg="RSA-OAEP-256", enc="A128CBC-HS256")
    last = annotate(cbc, "ciphertext").fields[-1]
    assert "8 bytes of PKCS#7 padding" in last.description  # 40 = 2*16 + 8: 8 bytes of padding
    cek = annotate(cbc, "cek").fields
    assert [f.name for f in cek] == ["MAC_KEY", "ENC_KEY"]


def test_html_labels_each_field_on_hover_in_every_format(rsa_key):
    trace = jwe_steps.encrypt(
        b"hover", rsa_key, alg="RSA-OAEP-256", enc="A256GCM", header={"cty": "x"}
    )
    item = annotate(trace, "protected_header")
    for fmt in ("hex", "base64url", "decimal"):
        html = item.html(fmt)
        assert html.count('class="jwe-field"') == len(item.fields)
        assert 'title="member cty' in html
    first = item.html("hex").split('class="jwe-field"')[1]
    assert 'data-field="{"' in first and ">7b</span>" in first  # "{" is 0x7b
    encoded = b64url_encode(trace["protected_header"])
    visible = re.sub(r"<[^>]+>", "", item.html("base64url", legend=False))
    assert encoded in visible
    decimal = item.html("decimal")
    assert ">123<" in decimal or ">123 " in decimal  # "{" is 123


def test_highlighted_bytes_are_marked():
    item = AnnotatedBytes(
        "tag", bytes(range(16)), (Field(0, 16, "tag", "t"),), highlight=frozenset({3})
    )
    html = item.html("hex")
    assert html.count("<mark") == 1 and ">03</mark>" in html


def _from_scratch_traces():
    from jwe_steps.from_scratch import gcm, oaep

    key = RFC7516_A1.demo_key()
    seed = bytes(range(32))
    sealed = oaep.encrypt(key.public_key(), RFC7516_A1.cek, "SHA-256", seed=seed)
    run = gcm.encrypt(RFC7516_A1.cek, RFC7516_A1.iv, RFC7516_A1.plaintext, RFC7516_A1.aad)
    return (
        jwe_steps.Trace("RSA-OAEP-256, from scratch", sealed.steps),
        jwe_steps.Trace("AES-256-GCM from scratch", run.steps),
    )


@pytest.mark.parametrize("name", ["ciphertext", "tag"])
def test_a_step_of_a_from_scratch_trace_is_not_taken_for_the_jwe_part(name):
    """Notebook 03 cell 44, 04 cell 27: "the content encrypted with None" / "tag of None"."""
    from jwe_steps.view import step_card

    traces = [trace for trace in _from_scratch_traces() if name in trace]
    assert traces  # the OAEP run has a "ciphertext" step, the GCM run both
    for trace in traces:
        item = annotate(trace, name)
        assert [f.description for f in item.fields] == [trace.step(name).meaning]
        html = step_card(trace, name).html()
        assert "None" not in html and "GCM block" not in html and "GCM tag" not in html
        assert unexplained_bytes(item) == []


def test_a_jwe_trace_still_labels_its_ciphertext_by_its_enc(rsa_key):
    trace = jwe_steps.encrypt(b"x" * 20, rsa_key, alg="RSA-OAEP-256", enc="A256GCM")
    assert annotate(trace, "ciphertext").fields[0].name == "GCM block 1"
    assert annotate(trace, "tag").fields[0].name == "GCM tag"
