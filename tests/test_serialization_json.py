"""The JSON serializations (RFC 7516 §7.2): flattened and general, several recipients, the
shared and per-recipient headers, the ``aad`` member, and the rules on their shapes."""

from __future__ import annotations

import json
import os

import pytest
from conftest import raises_code

import jwe_steps
from jwe_steps import JWEError, Stage
from jwe_steps.b64 import b64url_decode
from jwe_steps.serialization import parse

KW = os.urandom(16)
GCMKW = os.urandom(32)
PASSWORD = b"json serialization demo password"


@pytest.fixture(scope="module")
def three(rsa_key):
    """A general JSON token to three recipients with different algs, plus an aad member."""
    trace = jwe_steps.encrypt(
        b"to three recipients",
        enc="A256GCM",
        recipients=[
            {"key": rsa_key.public_key(), "alg": "RSA-OAEP-256"},
            {"key": KW, "alg": "A128KW", "header": {"kid": "kw"}},
            {"key": PASSWORD, "alg": "PBES2-HS384+A192KW", "header": {"kid": "pw", "p2c": 1000}},
        ],
        unprotected={"cty": "text/plain"},
        aad=b"authenticated, not encrypted",
        serialization="general",
    )
    return trace


def test_general_json_has_the_rfc_shape(three, rsa_key):
    token = three.token
    assert list(token) == [
        "protected",
        "unprotected",
        "recipients",
        "aad",
        "iv",
        "ciphertext",
        "tag",
    ]
    assert json.loads(b64url_decode(token["protected"])) == {"enc": "A256GCM"}
    headers = [r["header"] for r in token["recipients"]]
    assert [h["alg"] for h in headers] == ["RSA-OAEP-256", "A128KW", "PBES2-HS384+A192KW"]
    assert headers[0]["kid"] == rsa_key.kid  # the key's kid lands beside its alg
    assert set(headers[2]) == {"alg", "kid", "p2c", "p2s"}  # PBES2's parameters too
    assert three["aad"] == (token["protected"] + "." + token["aad"]).encode("ascii")
    assert [s.detail for s in three.steps if s.name == "encrypted_key"] == [
        {"recipient": 0}, {"recipient": 1}, {"recipient": 2},
    ]  # fmt: skip


def test_each_recipient_opens_the_general_token_with_its_own_key(three, rsa_key):
    for key, alg in ((rsa_key, "RSA-OAEP-256"), (KW, "A128KW"), (PASSWORD, "PBES2-HS384+A192KW")):
        for form in (three.token, json.dumps(three.token), json.dumps(three.token).encode()):
            trace = jwe_steps.decrypt(form, key)
            assert trace.plaintext == b"to three recipients"
            assert trace.header["alg"] == alg and trace.header["cty"] == "text/plain"
            assert trace["jwe_aad"] == b"authenticated, not encrypted"
            assert trace["cek"] == three["cek"]


def test_a_key_set_picks_the_recipient_by_kid(three):
    keyset = {
        "keys": [{"kty": "oct", "kid": "kw", "k": jwe_steps.load_key(KW).to_jwk(private=True)["k"]}]
    }
    assert jwe_steps.decrypt(three.token, keyset).header["kid"] == "kw"


def test_a_key_no_recipient_fits_is_named_and_a_wrong_key_fails_at_the_tag(three):
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(three.token, jwe_steps.generate_key("EC"))
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.no_recipient"
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(three.token, os.urandom(16))
    assert caught.value.stage == Stage.CONTENT_DECRYPTION


def test_the_aad_member_and_the_protected_header_are_authenticated(three):
    for name, value in (("aad", "dGFtcGVyZWQ"), ("protected", "eyJlbmMiOiJBMjU2R0NNIiB9")):
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(dict(three.token, **{name: value}), KW)
        assert caught.value.stage == Stage.CONTENT_DECRYPTION, name
    # Unprotected headers are not: an extra member there changes nothing.
    relaxed = dict(three.token, unprotected={"cty": "text/plain", "x-note": "unauthenticated"})
    assert jwe_steps.decrypt(relaxed, KW).plaintext == b"to three recipients"


def test_flattened_json_and_members_left_out_when_empty():
    trace = jwe_steps.encrypt(b"flat", KW, alg="A128KW", enc="A128GCM", serialization="flattened")
    assert list(trace.token) == ["protected", "encrypted_key", "iv", "ciphertext", "tag"]
    direct = jwe_steps.encrypt(
        b"d", os.urandom(16), alg="dir", enc="A128GCM", serialization="general"
    )
    assert direct.token["recipients"] == [{}]  # no header, no encrypted key
    everything_shared = jwe_steps.encrypt(
        b"u", KW, alg="A128KW", enc="A128GCM", serialization="flattened",
        unprotected={"alg": "A128KW", "enc": "A128GCM"},
    )  # fmt: skip
    assert "protected" not in everything_shared.token  # RFC 7516 §7.2.1: absent when empty
    assert everything_shared["aad"] == b""
    assert jwe_steps.decrypt(everything_shared.token, KW).plaintext == b"u"


def test_header_names_must_be_disjoint_on_both_sides():
    with raises_code("header.not_disjoint"):
        jwe_steps.encrypt(b"x", KW, alg="A128KW", enc="A128GCM", serialization="flattened",
                          header={"cty": "a"}, unprotected={"cty": "b"})  # fmt: skip
    token = jwe_steps.encrypt(
        b"x", KW, alg="A128KW", enc="A128GCM", serialization="flattened"
    ).token
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(dict(token, header={"enc": "A128GCM"}), KW)
    assert caught.value.stage == Stage.HEADER and caught.value.code == "header.not_disjoint"


def test_zip_and_crit_must_be_protected():
    with raises_code("header.zip"):
        jwe_steps.encrypt(b"x", KW, alg="A128KW", enc="A128GCM", serialization="flattened",
                          unprotected={"zip": "DEF"})  # fmt: skip
    zipped = jwe_steps.encrypt(b"z" * 100, KW, alg="A128KW", enc="A128GCM", serialization="general",
                               header={"zip": "DEF"})  # fmt: skip
    assert jwe_steps.decrypt(zipped.token, KW).plaintext == b"z" * 100


def test_what_compact_cannot_carry_is_refused():
    for extra in ({"unprotected": {"a": 1}}, {"aad": b"x"}, {"recipient_header": {"a": 1}}):
        with raises_code("input.compact_headers"):
            jwe_steps.encrypt(b"x", KW, alg="A128KW", enc="A128GCM", **extra)
    with raises_code("input.recipients"):
        jwe_steps.encrypt(b"x", enc="A128GCM", serialization="flattened",
                          recipients=[{"key": KW, "alg": "A128KW"}] * 2)  # fmt: skip
    with raises_code("input.recipients"):
        jwe_steps.encrypt(b"x", enc="A128GCM", serialization="general",
                          recipients=[{"key": bytes(16), "alg": "dir"}] * 2)  # fmt: skip
    with raises_code("input.serialization"):
        jwe_steps.encrypt(b"x", KW, alg="A128KW", enc="A128GCM", serialization="json")
    with raises_code("input.recipients"):
        jwe_steps.encrypt(
            b"x", KW, alg="A128KW", enc="A128GCM", recipients=[{"key": KW, "alg": "A128KW"}]
        )


def _valid() -> dict:
    return jwe_steps.encrypt(b"x", KW, alg="A128KW", enc="A128GCM", serialization="general").token


SHAPES = {
    "empty recipients": lambda t: dict(t, recipients=[]),
    "recipients not a list": lambda t: dict(t, recipients={"0": {}}),
    "recipient not an object": lambda t: dict(t, recipients=["key"]),
    "header beside recipients": lambda t: dict(t, header={"kid": "x"}),
    "empty protected": lambda t: dict(t, protected=""),
    "protected not a string": lambda t: dict(t, protected={"enc": "A128GCM"}),
    "no ciphertext": lambda t: {k: v for k, v in t.items() if k != "ciphertext"},
    "null ciphertext": lambda t: dict(t, ciphertext=None),
    "unprotected not an object": lambda t: dict(t, unprotected="cty"),
    "padded iv": lambda t: dict(t, iv=t["iv"] + "="),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_malformed_json_fails_at_the_serialization_stage(shape):
    token = SHAPES[shape](_valid())
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, KW)
    assert caught.value.stage in (Stage.SERIALIZATION, Stage.BASE64URL), shape


def test_the_recipient_count_is_capped_and_configurable():
    token = _valid()
    many = dict(token, recipients=token["recipients"] * 101)
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(many, KW)
    assert caught.value.stage == Stage.LIMITS and caught.value.code == "limits.recipients"
    assert caught.value.expected == "at most 100 recipients" and caught.value.found == "101"
    few = dict(token, recipients=token["recipients"] * 3)
    with raises_code("limits.recipients"):
        jwe_steps.decrypt(few, KW, limits=jwe_steps.Limits(max_recipients=2))
    assert jwe_steps.decrypt(few, KW, limits=jwe_steps.Limits(max_recipients=3)).plaintext == b"x"


def test_json_text_is_parsed_strictly_and_unknown_members_are_ignored():
    token = _valid()
    text = json.dumps(token)
    for bad in (text[:-1], text.replace('"iv"', '"iv":"AAAA","iv"', 1), "[" + text + "]"):
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(bad, KW)
        assert caught.value.stage == Stage.SERIALIZATION
    parsed = parse(dict(token, extension="ignored"))
    assert parsed.serialization == "general" and parsed.extra == {"extension": "ignored"}
    assert jwe_steps.decrypt(dict(token, extension="ignored"), KW).plaintext == b"x"


def test_decrypt_records_the_json_parts_as_steps(three):
    trace = jwe_steps.decrypt(three.token, KW)
    names = trace.names()
    for name in ("token", "protected_header", "unprotected_header", "jwe_aad", "iv", "ciphertext",
                 "tag", "header", "encrypted_key", "cek", "aad", "plaintext"):  # fmt: skip
        assert name in names, name
    assert trace.step("encrypted_key").detail == {"recipient": 1}


def test_pbes2_work_is_capped_across_recipients():
    """Many PBES2 recipients must not multiply the work a token can demand."""
    recipients = [
        {"key": PASSWORD, "alg": "PBES2-HS256+A128KW", "header": {"p2c": 2000, "kid": str(i)}}
        for i in range(2)
    ]
    token = jwe_steps.encrypt(
        b"x", enc="A128GCM", recipients=[*recipients[:1], {"key": KW, "alg": "A128KW"}],
        serialization="general",
    ).token  # fmt: skip
    token["recipients"].insert(0, dict(token["recipients"][0], header=dict(
        token["recipients"][0]["header"], kid="copy")))  # fmt: skip
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, KW, limits=jwe_steps.Limits(max_p2c=3000))
    assert caught.value.stage == Stage.HEADER and caught.value.code == "limits.p2c"
    assert caught.value.expected == "at most 3000 iterations in all (Limits.max_p2c)"
    assert jwe_steps.decrypt(token, KW, limits=jwe_steps.Limits(max_p2c=4000)).plaintext == b"x"


@pytest.mark.parametrize("count", [1, 2])
def test_go_jose_general_json_with_a_top_level_encrypted_key_copy_is_accepted(count):
    """go-jose's FullSerialize writes general JSON and copies recipients[0].encrypted_key to
    the top level. RFC 7516 §7.2.1: members an implementation does not use are ignored; the
    trace says it was (issue 13)."""
    other = bytes(range(16))
    recipients = [{"key": KW, "alg": "A128KW"}, {"key": other, "alg": "A128KW"}][:count]
    token = jwe_steps.encrypt(
        b"x", enc="A128GCM", serialization="general", recipients=recipients
    ).token
    copied = dict(token, encrypted_key=token["recipients"][0]["encrypted_key"])
    for key in (KW, other)[:count]:
        trace = jwe_steps.decrypt(copied, key)
        assert trace.plaintext == b"x"
        assert trace["ignored_members"] == ["encrypted_key"]
        assert trace.step("ignored_members").rfc == "RFC 7516 §7.2.1"
    assert "ignored_members" not in jwe_steps.decrypt(token, KW)
    # The top-level copy is not read: a different (even malformed) value changes nothing.
    assert jwe_steps.decrypt(dict(token, encrypted_key="AAAA"), KW).plaintext == b"x"
    assert jwe_steps.decrypt(dict(token, encrypted_key=7), KW).plaintext == b"x"
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(dict(copied, header={"kid": "x"}), KW)
    assert caught.value.code == "format.json_top_level_member"
