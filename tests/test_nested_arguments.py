"""The claims checks' own settings are checked before any work (found by a fuzzing pass).

A NaN leeway read from a configuration file made every expired token pass (``now >= exp +
nan`` is false), an infinite one too, and ``max_lifetime=nan`` let a three-year token through.
Strings and huge integers raised bare TypeError and OverflowError, and ``required="iss"`` was
read as the claims ``i``, ``s``, ``s``. Each is now ``input.invalid``.
"""

from __future__ import annotations

from typing import Any

import pytest

from jwe_steps import Limits, encrypt, generate_key, jws, nested
from jwe_steps.errors import JWEError
from jwe_steps.keys import Key

NOW = 1_800_000_000
NAN, INF = float("nan"), float("inf")


@pytest.fixture(scope="module")
def parties() -> dict[str, Key]:
    """DEMO keys: the sender signs with ES256, the receiver decrypts with RSA-OAEP-256."""
    return {"signer": jws.generate_signing_key("ES256"), "receiver": generate_key("RSA")}


def _seal(parties: dict[str, Key], lifetime: int = 300, **options: Any) -> str:
    claims = nested.fresh_claims(issuer="me", audience="you", now=NOW, lifetime=lifetime)
    return nested.sign_then_encrypt(
        claims,
        signing_key=parties["signer"],
        signing_alg="ES256",
        encryption_key=parties["receiver"].public_key(),
        **options,
    ).token


def _open_code(parties: dict[str, Key], token: str, **options: Any) -> str:
    settings: dict[str, Any] = {
        "decryption_key": parties["receiver"],
        "verification_keys": parties["signer"].public_key(),
        "issuer": "me",
        "audience": "you",
        "now": NOW + 10,
    } | options
    with pytest.raises(JWEError) as caught:
        nested.decrypt_then_verify(token, **settings)
    return caught.value.code


EXPIRED = {"now": NOW + 3600}  # an hour after a five-minute token was issued

UNUSABLE_SETTINGS = {
    "leeway NaN": {"leeway": NAN} | EXPIRED,
    "leeway infinite": {"leeway": INF} | EXPIRED,
    "leeway negative": {"leeway": -50},
    "leeway a string": {"leeway": "30"},
    "leeway None": {"leeway": None},
    "leeway a boolean": {"leeway": True},
    "now NaN": {"now": NAN},
    "now a string": {"now": "2027-01-01"},
    "now too large for a float": {"now": 10**400},
    "max_lifetime NaN": {"max_lifetime": NAN},
    "max_lifetime a string": {"max_lifetime": "300"},
    "required one string": {"required": "iss"},
    "required None": {"required": None},
    "required a number": {"required": [1]},
    "required a list in a list": {"required": [["jti"]]},
    "issuer a number": {"issuer": 5},
    "audience a list": {"audience": ["you"]},
}


@pytest.mark.parametrize("settings", UNUSABLE_SETTINGS.values(), ids=UNUSABLE_SETTINGS)
def test_a_setting_that_cannot_check_claims_is_input_invalid(parties, settings):
    assert _open_code(parties, _seal(parties), **settings) == "input.invalid"


@pytest.mark.parametrize("settings", UNUSABLE_SETTINGS.values(), ids=UNUSABLE_SETTINGS)
def test_validate_claims_checks_the_same_settings(settings):
    claims = nested.fresh_claims(issuer="me", audience="you", now=NOW)
    options = {"issuer": "me", "audience": "you", "now": NOW + 10} | settings
    with pytest.raises(JWEError) as caught:
        nested.validate_claims(claims, **options)
    assert caught.value.code == "input.invalid"


def test_the_settings_are_checked_before_the_token_is_read(parties):
    assert _open_code(parties, "not a token", leeway=NAN) == "input.invalid"


def test_a_three_year_token_is_still_too_long_lived_with_max_lifetime_checked(parties):
    token = _seal(parties, lifetime=3 * 365 * 86400)
    assert _open_code(parties, token) == "claims.lifetime"
    assert _open_code(parties, token, max_lifetime=NAN) == "input.invalid"


@pytest.mark.parametrize(
    "settings",
    [
        {"leeway": 0},
        {"leeway": 2.5, "now": float(NOW + 10)},
        {"max_lifetime": None},
        {"required": ["iss", "exp"]},
        {"required": ()},
        {"issuer": None, "audience": None},
    ],
)
def test_usable_settings_still_verify(parties, settings):
    options = {
        "decryption_key": parties["receiver"],
        "verification_keys": parties["signer"].public_key(),
        "issuer": "me",
        "audience": "you",
        "now": NOW + 10,
    } | settings
    assert nested.decrypt_then_verify(_seal(parties), **options).claims["iss"] == "me"


@pytest.mark.parametrize("name", ["signing_header", "encryption_header"])
def test_a_header_argument_that_is_no_dict_is_input_header(parties, name):
    with pytest.raises(JWEError) as caught:
        _seal(parties, **{name: 5})
    assert caught.value.code == "input.header"


def test_decrypt_then_verify_takes_limits(parties):
    assert _open_code(parties, _seal(parties), limits=Limits(max_token_bytes=100)) == (
        "limits.token_size"
    )


def test_a_huge_outer_cty_is_described_briefly(parties):
    inner = jws.sign(b"{}", parties["signer"], alg="ES256", header={"typ": "JWT"})
    token = encrypt(
        inner.token,
        parties["receiver"].public_key(),
        alg="RSA-OAEP-256",
        enc="A256GCM",
        header={"cty": "x" * 1_000_000},
    ).token
    with pytest.raises(JWEError) as caught:
        nested.decrypt_then_verify(
            token,
            decryption_key=parties["receiver"],
            verification_keys=parties["signer"].public_key(),
            audience="you",
        )
    assert caught.value.code == "nested.cty"
    assert len(str(caught.value)) < 1000
