"""A token given as a Python dict may hold what no JSON text can: values that contain
themselves, numbers too large to print, keys that are not strings. decrypt and explain record
such a token in a bounded copy, and describe what cannot be a JOSE value by its type (found by
a fuzzing pass: a list holding itself twice made decrypt run for ever, an epk kty of 10**5000
raised ValueError)."""

from __future__ import annotations

import base64

import pytest
from conftest import nested_list

import jwe_steps
from jwe_steps import strict_json


@pytest.fixture(scope="module")
def ec_key():
    return jwe_steps.generate_key("EC", crv="P-256")


def _flattened(ec_key, **members):
    token = jwe_steps.encrypt(
        b"hi", ec_key.public_key(), alg="ECDH-ES+A128KW", enc="A128GCM", serialization="flattened"
    ).token
    return dict(token, **members)


def test_a_value_that_holds_itself_is_recorded_bounded_not_walked_for_ever(ec_key):
    looped: list[object] = []
    looped += [looped, looped]  # copied level by level, this doubles 64 times
    token = _flattened(ec_key, unprotected={"a": looped})  # an unknown member: ignored
    assert jwe_steps.decrypt(token, ec_key).plaintext == b"hi"
    assert jwe_steps.explain(token, ec_key).failed_stage is None
    assert strict_json.json_safe(looped) is not None  # bounded: it returns


@pytest.mark.parametrize(
    "kty", [10**5000, nested_list(2000), {"a": 1}], ids=["huge number", "deep", "object"]
)
def test_an_epk_kty_that_is_no_name_is_described(ec_key, kty):
    protected = base64.urlsafe_b64encode(b'{"alg":"ECDH-ES+A128KW","enc":"A128GCM"}')
    epk = {"kty": kty, "crv": "P-256", "x": "AA", "y": "AA"}
    token = _flattened(ec_key, protected=protected.rstrip(b"=").decode(), unprotected={"epk": epk})
    with pytest.raises(jwe_steps.JWEError) as caught:
        jwe_steps.decrypt(token, ec_key)
    assert caught.value.code == "header.epk_curve"
    assert jwe_steps.explain(token, ec_key).failed_stage == "header"


def test_member_names_that_are_not_strings_are_recorded_by_their_type():
    copied = strict_json.json_safe({1: "a", 10**5000: "b", None: "c", (1, 2): "d"})
    assert copied == {"1": "a", "<int>": "b", "None": "c", "<tuple>": "d"}
