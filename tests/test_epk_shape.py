"""ECDH-ES headers by shape (jwe_steps/epk_shape.py): a header taken by its shape is exactly
what the strict parser reads, a header written from a shape is exactly what serialize_header
writes, and the compact path that uses them records and refuses what the general path does."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
from conftest import raises_code
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import jwe_steps
from jwe_steps import compact_path, pipeline
from jwe_steps.algorithms import ecdh_es
from jwe_steps.b64 import b64url_decode, b64url_encode
from jwe_steps.epk_shape import cut_shape, shape_key, with_coordinates
from jwe_steps.header import parse_header, serialize_header
from jwe_steps.trace import DecryptTrace

B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
coordinate = st.text(alphabet=B64URL, min_size=1, max_size=96)


def parse(text: str) -> dict:
    return parse_header(text.encode("utf-8"))


def general_decrypt(token, key) -> DecryptTrace:
    trace = DecryptTrace()
    pipeline.perform_decrypt(token, key, trace, reveal=False)
    return trace


def header_of(token: str) -> str:
    return b64url_decode(token.split(".")[0]).decode("utf-8")


def with_header(token: str, text: str) -> str:
    return ".".join([b64url_encode(text.encode("utf-8")), *token.split(".")[1:]])


# ------------------------------------------------------------------ the shape itself


def test_a_written_header_has_a_shape_and_refills_to_what_serialize_header_writes():
    epk = {"kty": "EC", "crv": "P-256", "x": "x" * 43, "y": "y" * 43}
    members = {"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "kid": "k1", "epk": epk}
    text = serialize_header(members).decode()
    shape = cut_shape(text, members, parse)
    assert shape is not None and shape.names == ("x", "y")
    fresh = {**epk, "x": "Q" * 43, "y": "R-_" * 14 + "S"}
    assert shape.fill(fresh) == serialize_header({**members, "epk": fresh}).decode()
    assert shape_key(shape.fill(fresh)) == shape.key
    assert shape.coordinates(shape.fill(fresh)) == (fresh["x"], fresh["y"])


def test_an_okp_header_has_a_one_hole_shape():
    members = {"alg": "ECDH-ES+A128KW", "enc": "A128GCM",
               "epk": {"kty": "OKP", "crv": "X25519", "x": "a" * 43}}  # fmt: skip
    shape = cut_shape(serialize_header(members).decode(), members, parse)
    assert shape is not None and shape.names == ("x",)
    assert shape.coordinates(shape.fill({"x": "b" * 43})) == ("b" * 43,)


@pytest.mark.parametrize(
    "text",
    [
        # A member whose name ends in "x": its value would be taken for the epk's x.
        r'{"alg":"ECDH-ES","enc":"A128GCM","a\"x":"ABC","epk":{"kty":"EC","crv":"P-256",'
        r'"x":"\u0041BC","y":"DEF"}}',
        # The coordinate written with an escape: it is not where its text is.
        r'{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":"\u0041BC",'
        r'"y":"DEF"}}',
        # The same text twice.
        '{"alg":"ECDH-ES","enc":"A128GCM","kid":"ABC","epk":{"kty":"EC","crv":"P-256",'
        '"x":"ABC","y":"DEF"}}',
        # y before x, and members other than the public ones.
        '{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","y":"DEF","x":"ABC"}}',
        '{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":"ABC","y":"DEF",'
        '"d":"GHI"}}',
        # Not base64url, not a string.
        '{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":"A+C","y":"DEF"}}',
        '{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":7,"y":"DEF"}}',
        # A space before the value: the text is not looked up by the opening it has.
        '{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x": "ABC","y":"DEF"}}',
    ],
)
def test_headers_whose_coordinates_are_not_plainly_where_their_text_is_have_no_shape(text):
    assert cut_shape(text, parse(text), parse) is None


members_strategy = st.fixed_dictionaries(
    {"alg": st.just("ECDH-ES+A256KW"), "enc": st.just("A256GCM")},
    optional={
        "kid": st.text(max_size=12),
        "x": st.text(alphabet=B64URL + '"\\:', max_size=6),
        'a"x': st.text(alphabet=B64URL, max_size=6),
        "typ": st.sampled_from(["JWT", '"x":"', "\\"]),
    },
)


@settings(max_examples=300, deadline=None)
@given(
    members=members_strategy,
    x=coordinate,
    y=coordinate,
    fresh=st.tuples(coordinate, coordinate),
    ensure_ascii=st.booleans(),
    spaced=st.booleans(),
)
def test_what_a_shape_matches_is_what_the_strict_parser_reads(
    members, x, y, fresh, ensure_ascii, spaced
):
    members = {**members, "epk": {"kty": "EC", "crv": "P-256", "x": x, "y": y}}
    separators = (", ", ": ") if spaced else (",", ":")
    text = json.dumps(members, ensure_ascii=ensure_ascii, separators=separators)
    shape = cut_shape(text, parse(text), parse)
    if shape is None:
        return
    filled = shape.fill({"x": fresh[0], "y": fresh[1]})
    assert shape_key(filled) == shape.key
    assert shape.coordinates(filled) == fresh
    assert parse(filled) == with_coordinates(members, fresh)
    assert list(parse(filled)) == list(members)


@settings(max_examples=300, deadline=None)
@given(
    x=st.text(alphabet=B64URL, min_size=12, max_size=96),
    y=st.text(alphabet=B64URL, min_size=12, max_size=96),
    at=st.integers(min_value=0),
    inserted=st.text(alphabet=B64URL + '"\\,:{} ', min_size=0, max_size=3),
    cut=st.integers(min_value=0, max_value=3),
)
def test_an_altered_text_that_still_matches_parses_to_the_same_members(x, y, at, inserted, cut):
    members = {"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "kid": "k\"x\":\"",
               "epk": {"kty": "EC", "crv": "P-256", "x": x, "y": y}}  # fmt: skip
    text = serialize_header(members).decode()
    shape = cut_shape(text, members, parse)
    assume(shape is not None)  # x and y differ, and neither is inside the other
    assert shape is not None
    at %= len(text) + 1
    altered = text[:at] + inserted + text[at + cut :]
    if shape_key(altered) != shape.key:
        return
    coordinates = shape.coordinates(altered)
    if coordinates is None:
        return
    assert parse(altered) == with_coordinates(members, coordinates)


# ------------------------------------------------------------------ the compact path's use


@pytest.fixture()
def ec_pair(request):
    curve = getattr(request, "param", "P-256")
    kty = "EC" if curve.startswith("P-") else "OKP"
    private = jwe_steps.generate_key(kty, crv=curve)  # a DEMO key
    return private.public_key(), private


@pytest.mark.parametrize("ec_pair", ["P-256", "P-384", "P-521", "X25519", "X448"], indirect=True)
@pytest.mark.parametrize("alg", ["ECDH-ES+A128KW", "ECDH-ES+A256KW"])
def test_each_token_after_the_first_is_written_and_read_by_shape_as_the_general_path_would(
    ec_pair, alg
):
    public, private = ec_pair
    sender = dataclasses.replace(public)
    tokens = [jwe_steps.encrypt(b"m", sender, alg=alg, enc="A256GCM") for _ in range(3)]
    plan = next(iter(sender._memo["sending"].values()))
    assert plan.epk_shape is not None and plan.seal_epk is not None
    for sent in tokens[1:]:  # written from the shape
        assert sent["protected_header"] == serialize_header(sent.header)
        general = jwe_steps.encrypt(b"m", sender, alg=alg, enc="A256GCM", header={"cty": "x"})
        assert [s.name for s in sent.steps] == [s.name for s in general.steps]
        fast = compact_path.decrypt_compact(sent.token, private, None, None)
        assert fast is not None  # read by shape after the first
        assert fast.steps == general_decrypt(sent.token, private).steps
    assert len(compact_path._shapes) >= 1


def test_with_the_same_random_values_the_shape_writes_the_general_path_s_token(
    ec_pair, monkeypatch
):
    public, private = ec_pair
    sender = dataclasses.replace(public)
    jwe_steps.encrypt(b"warm", sender, alg="ECDH-ES+A256KW", enc="A256GCM")  # the plan is kept
    ephemeral = jwe_steps.generate_key("EC", crv="P-256")  # a DEMO key
    cek, iv = os.urandom(32), os.urandom(12)
    monkeypatch.setattr(
        ecdh_es,
        "fresh_ephemeral",
        lambda curve: (ephemeral.material, ecdh_es.public_jwk(ephemeral)),
    )
    monkeypatch.setattr(compact_path.os, "urandom", {32: cek, 12: iv}.__getitem__)
    fast = jwe_steps.encrypt(b"message", sender, alg="ECDH-ES+A256KW", enc="A256GCM")
    monkeypatch.undo()
    general = jwe_steps.encrypt(
        b"message", sender, alg="ECDH-ES+A256KW", enc="A256GCM",
        ephemeral_key=ephemeral, cek=cek, iv=iv,
    )  # fmt: skip
    assert fast.steps == general.steps
    assert fast.token == general.token
    assert jwe_steps.decrypt(fast.token, private).plaintext == b"message"


def test_a_header_with_apu_is_written_the_general_way(ec_pair):
    public, private = ec_pair
    sender = dataclasses.replace(public)
    header = {"apu": b64url_encode(b"Alice")}
    for _ in range(2):
        sent = jwe_steps.encrypt(b"m", sender, alg="ECDH-ES+A128KW", enc="A128GCM", header=header)
        assert jwe_steps.decrypt(sent.token, private).plaintext == b"m"
    plan = next(iter(sender._memo["sending"].values()))
    assert plan.seal_epk is None
    assert b"Alice" in sent["kdf_other_info"]


@pytest.mark.parametrize(
    ("coordinates", "code"),
    [
        (("A" * 43, "A" * 43), "header.epk_invalid"),  # not a point on P-256
        (("A" * 42, "A" * 43), "header.epk_invalid"),  # a coordinate too short
    ],
)
def test_a_token_of_a_known_shape_with_a_bad_epk_is_refused_as_the_general_path_refuses_it(
    ec_pair, coordinates, code
):
    public, private = ec_pair
    for _ in range(2):  # the shape is known
        token = jwe_steps.encrypt(b"m", public, alg="ECDH-ES+A128KW", enc="A128GCM").token
        jwe_steps.decrypt(token, private)
    text = header_of(token)
    shape = compact_path._shapes[shape_key(text)][0]
    bad = with_header(token, shape.fill(dict(zip(("x", "y"), coordinates, strict=True))))
    assert compact_path.decrypt_compact(bad, private, None, None) is None
    with raises_code(code):
        jwe_steps.decrypt(bad, private)
    with raises_code(code):
        general_decrypt(bad, private)


def test_the_shape_table_stays_bounded(ec_pair):
    public, private = ec_pair
    for index in range(compact_path.MAX_REMEMBERED_SHAPES + 5):
        header = {"kid": f"key-{index}"}
        token = jwe_steps.encrypt(b"m", public, alg="ECDH-ES+A128KW", enc="A128GCM", header=header)
        assert jwe_steps.decrypt(token.token, private).plaintext == b"m"
    assert len(compact_path._shapes) <= compact_path.MAX_REMEMBERED_SHAPES


def test_verifying_one_trace_s_kdf_step_leaves_the_next_trace_s_alone(ec_pair):
    from jwe_steps.verification import verify

    public, _ = ec_pair
    first = jwe_steps.encrypt(b"m", public, alg="ECDH-ES+A128KW", enc="A128GCM")
    second = jwe_steps.encrypt(b"m", public, alg="ECDH-ES+A128KW", enc="A128GCM")
    verify(first, "kdf_other_info", first["kdf_other_info"], "the same value", kind="given")
    assert "verified" in first.step("kdf_other_info").detail
    assert "verified" not in second.step("kdf_other_info").detail
