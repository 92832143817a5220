"""Claim rules checked once are kept (nested._checked_rules): the usual caller passes the same
issuer, audience, leeway, max_lifetime and required names on every call, and only ``now``
changes. Keeping them must never let a setting through that the checks refuse, nor apply one
caller's rules to another's, whatever was kept before."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps import nested
from jwe_steps.errors import JWEError

NOW = 1_800_000_000
CLAIMS = nested.fresh_claims(issuer="me", audience="you", now=NOW, lifetime=300)


def _code(**options: Any) -> str:
    try:
        nested.validate_claims(CLAIMS, **options)
    except JWEError as error:
        return error.code
    return "ok"


@pytest.fixture(autouse=True)
def _nothing_kept():
    nested._kept_rules.clear()
    yield
    nested._kept_rules.clear()


def test_the_usual_rules_are_kept_once():
    for _ in range(3):
        assert _code(issuer="me", audience="you", now=NOW) == "ok"
    assert len(nested._kept_rules) == 1


@pytest.mark.parametrize("now", [float("nan"), float("inf"), "soon", True, 2**2000])
def test_now_is_checked_on_every_call_even_with_the_rules_kept(now):
    assert _code(issuer="me", audience="you", now=NOW) == "ok"
    assert _code(issuer="me", audience="you", now=now) == "input.invalid"


@pytest.mark.parametrize(
    ("kept", "given", "code"),
    [
        ({"leeway": 1}, {"leeway": True}, "input.invalid"),  # True == 1, but is no number
        ({"leeway": 0}, {"leeway": -0.5}, "input.invalid"),
        ({"max_lifetime": 300}, {"max_lifetime": float("nan")}, "input.invalid"),
        ({"leeway": 30}, {"leeway": float("nan")}, "input.invalid"),
        ({"issuer": "me"}, {"issuer": b"me"}, "input.invalid"),
        ({"issuer": "me"}, {"issuer": "someone else"}, "claims.issuer"),
        ({"audience": "you"}, {"audience": "them"}, "claims.audience"),
        ({"required": ("iss",)}, {"required": ("iss", "sub")}, "claims.missing"),
        ({"required": ("iss",)}, {"required": "iss"}, "input.invalid"),
        ({"max_lifetime": 300}, {"max_lifetime": 10}, "claims.lifetime"),
    ],
)
def test_kept_rules_are_only_ever_the_same_rules(kept, given, code):
    assert _code(now=NOW, **kept) == "ok"
    assert _code(now=NOW, **given) == code
    assert _code(now=NOW, **kept) == "ok"


class _LooseIssuer(str):
    """A str subclass with its own ==: not a plain value, so it is checked on every call and
    never kept (a kept key compares its members with their own ==)."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


def test_only_plain_values_are_kept():
    assert _code(issuer=_LooseIssuer("anyone"), now=NOW) == "claims.issuer"
    assert _code(required=["iss", "aud"], now=NOW) == "ok"  # a list: checked, not kept
    assert _code(required=(name for name in ("iss", "sub")), now=NOW) == "claims.missing"
    assert _code(required=(name for name in ("iss",)), now=NOW) == "ok"
    assert nested._kept_rules == {}


def test_the_kept_rules_are_bounded():
    for leeway in range(nested.MAX_KEPT_RULES * 2):
        assert _code(leeway=leeway, now=NOW) == "ok"
    assert len(nested._kept_rules) <= nested.MAX_KEPT_RULES


_SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "issuer": st.sampled_from(["me", "you", None, b"me", 1]),
        "audience": st.sampled_from(["you", "me", None, ["you"]]),
        "leeway": st.sampled_from([0, 1, 1.0, 30, -1, True, float("nan"), "30"]),
        "max_lifetime": st.sampled_from([None, 0, 10, 300, 300.0, float("inf"), False]),
        "required": st.sampled_from([(), ("iss",), ("sub",), ("iss", "jti"), ("iss", 1), "iss"]),
        "now": st.sampled_from([None, NOW, NOW + 10_000, float("nan")]),
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SETTINGS, min_size=1, max_size=6))
def test_any_sequence_of_calls_answers_as_each_would_alone(calls):
    expected = []
    for options in calls:
        nested._kept_rules.clear()
        expected.append(_code(**options))
    nested._kept_rules.clear()
    assert [_code(**options) for options in calls] == expected
