"""What jws.sign and jws.verify work out once (a signing plan per key and header, a parsed header
per header text), and that remembering it changes no value, no step and no refusal."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jwe_steps import jws
from jwe_steps.errors import JWEError
from jwe_steps.keys import Key
from jwe_steps.serialization import separators


@pytest.fixture(scope="module")
def signer() -> Key:
    return jws.generate_signing_key("ES256")  # a DEMO key


def _header_part(members: dict[str, object]) -> str:
    text = json.dumps(members, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).rstrip(b"=").decode()


def _steps(trace: jws.SignTrace | jws.VerifyTrace) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(step.name, step.meaning, step.rfc, step.inputs) for step in trace]


def test_a_fresh_key_and_a_remembered_plan_record_the_same_steps(signer: Key) -> None:
    first = jws.sign(b"{}", signer, alg="ES256", header={"typ": "JWT"})
    second = jws.sign(b"{}", signer, alg="ES256", header={"typ": "JWT"})
    fresh = Key(signer.kty, signer.material, kid=signer.kid, alg="ES256", use="sig", demo=True)
    third = jws.sign(b"{}", fresh, alg="ES256", header={"typ": "JWT"})
    assert _steps(first) == _steps(second) == _steps(third)
    assert first["encoded_header"] == second["encoded_header"] == third["encoded_header"]
    assert first.header == {"alg": "ES256", "typ": "JWT", "kid": signer.kid}


def test_true_and_1_are_different_headers(signer: Key) -> None:
    as_bool = jws.sign(b"{}", signer, alg="ES256", header={"x": True})
    as_int = jws.sign(b"{}", signer, alg="ES256", header={"x": 1})
    assert as_bool.header["x"] is True and type(as_int.header["x"]) is int
    assert as_bool["encoded_header"] != as_int["encoded_header"]


def test_changing_a_trace_or_a_header_dict_does_not_reach_the_next_call(signer: Key) -> None:
    header: dict[str, object] = {"typ": "JWT"}
    first = jws.sign(b"{}", signer, alg="ES256", header=header)
    first.header["typ"] = "changed"
    header["cty"] = "added after the call"
    again = jws.sign(b"{}", signer, alg="ES256", header={"typ": "JWT"})
    assert again.header == {"alg": "ES256", "typ": "JWT", "kid": signer.kid}
    public = signer.public_key()
    opened = jws.verify(again.token, public, algorithms={"ES256"})
    opened.header["alg"] = "none"
    assert jws.verify(again.token, public, algorithms={"ES256"}).header["alg"] == "ES256"


def test_headers_with_lists_or_objects_are_signed_without_a_plan(signer: Key) -> None:
    plans_before = len(signer._memo.get("jws_signing", {}))
    nested = jws.sign(b"{}", signer, alg="ES256", header={"x5c": ["AA"], "ext": {"a": 1}})
    assert nested.header["x5c"] == ["AA"] and nested.header["ext"] == {"a": 1}
    assert len(signer._memo.get("jws_signing", {})) == plans_before


def test_a_refused_alg_or_header_is_refused_every_time(signer: Key) -> None:
    for _ in range(2):
        with pytest.raises(JWEError) as wrong_alg:
            jws.sign(b"{}", signer, alg="ES384")
        assert wrong_alg.value.code == "jws.key_type"  # ES384 on a P-256 key
        with pytest.raises(JWEError) as clash:
            jws.sign(b"{}", signer, alg="ES256", header={"alg": "HS256"})
        assert clash.value.code == "jws.header"


def test_signing_plans_per_key_are_bounded(signer: Key) -> None:
    for index in range(jws.MAX_SIGNING_PLANS + 5):
        jws.sign(b"{}", signer, alg="ES256", header={"n": index})
    assert len(signer._memo["jws_signing"]) <= jws.MAX_SIGNING_PLANS


def test_a_refused_header_text_is_refused_every_time(signer: Key) -> None:
    public = signer.public_key()
    for members, code in (
        ({"alg": "ES256", "crit": ["exp"], "exp": 1}, "jws.crit"),
        ({"alg": "ES256", "b64": False}, "jws.unencoded_payload"),
    ):
        token = f"{_header_part(members)}.e30.{'A' * 86}"
        for _ in range(2):
            with pytest.raises(JWEError) as caught:
                jws.verify(token, public, algorithms={"ES256"})
            assert caught.value.code == code


def test_remembered_header_texts_are_bounded_and_still_verified(signer: Key) -> None:
    public = signer.public_key()
    for index in range(jws.MAX_REMEMBERED_HEADERS + 5):
        token = jws.sign(b"{}", signer, alg="ES256", header={"n": index}).token
        assert jws.verify(token, public, algorithms={"ES256"}).header["n"] == index
    assert len(jws._remembered_headers) <= jws.MAX_REMEMBERED_HEADERS
    token = jws.sign(b"{}", signer, alg="ES256", header={"n": 0}).token
    header, payload, signature = token.split(".")
    altered = f"{header}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}A"
    with pytest.raises(JWEError) as caught:
        jws.verify(altered, public, algorithms={"ES256"})
    assert caught.value.code == "jws.signature_invalid"


@pytest.mark.parametrize(
    ("token", "count", "expected"),
    [
        ("a.b.c.d.e", 4, (1, 3, 5, 7)),
        ("....", 4, (0, 1, 2, 3)),
        ("a.b.c.d", 4, None),
        ("a.b.c.d.e.f", 4, None),
        ("", 4, None),
        ("h.p.s", 2, (1, 3)),
        ("h.p", 2, None),
        ("h.p.s.", 2, None),
    ],
)
def test_separators_are_found_exactly(
    token: str, count: int, expected: tuple[int, ...] | None
) -> None:
    assert separators(token, count) == expected


@given(st.text(alphabet="a.", max_size=12), st.sampled_from([2, 4]))
def test_separators_are_the_dots_when_there_are_exactly_that_many(token: str, count: int) -> None:
    # (four, a compact JWE's count, is searched without the loop: the same answer)
    dots = tuple(index for index, character in enumerate(token) if character == ".")
    assert separators(token, count) == (dots if len(dots) == count else None)
