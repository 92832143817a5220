"""Hostile compact JWS headers and allow-lists: jws.verify is as strict as the JWE side.

A fuzzing pass found verify looser than decrypt's header checks: ``"crit": null`` passed, as
did registered members of the wrong JSON type, a header of 800 000 members, a 1 MB typ quoted
whole in the error, and allow-lists naming ``none``, a typo or a JWE alg (accepted, and then
every token refused as if the token were at fault). Each token here is signed for real (HS256,
computed with hmac), so a check that is missing shows up as a token that verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from jwe_steps import jws, jws_algorithms, nested
from jwe_steps.b64 import b64url_encode
from jwe_steps.errors import CODES, InputError, JWEError
from jwe_steps.header import MAX_HEADER_MEMBERS
from jwe_steps.keys import Key, KeySet

HS256 = {"HS256"}
SMALL_MESSAGE = 1000  # characters: what an error about a 1 MB value may take at most


@pytest.fixture(scope="module")
def key() -> Key:
    return jws.generate_signing_key("HS256")  # a DEMO key


def _signed(key: Key, header: dict[str, Any], payload: bytes = b"x") -> str:
    """A compact JWS of ``header`` (written by hand: jws.sign refuses most of these), HS256."""
    encoded = b64url_encode(json.dumps({"alg": "HS256", **header}).encode())
    signing_input = f"{encoded}.{b64url_encode(payload)}"
    mac = hmac.new(key.material, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url_encode(mac)}"


def _refusal(call: Any, *args: Any, **kwargs: Any) -> JWEError:
    with pytest.raises(JWEError) as caught:
        call(*args, **kwargs)
    assert caught.value.code in CODES
    return caught.value


def _members(count: int) -> dict[str, int]:
    return {f"x-{index}": 0 for index in range(count)}


def test_the_hand_made_tokens_verify_when_nothing_is_wrong(key: Key) -> None:
    token = _signed(key, {"kid": key.kid, "typ": "JWT", "x5c": ["MIIB"], "b64": True})
    assert jws.verify(token, key, algorithms=HS256, typ="JWT").payload == b"x"


# ---------------------------------------------------------------- 1. crit, whatever its value


@pytest.mark.parametrize(
    "crit",
    [None, [], "exp", ["exp"], [1], [None], {"exp": 1}, 0, False, ["exp", 5]],
    ids=repr,
)
def test_any_crit_member_is_refused(key: Key, crit: Any) -> None:
    # Once, "crit": null passed (the check was `crit is not None`).
    token = _signed(key, {"crit": crit, "exp": 1})
    assert _refusal(jws.verify, token, key, algorithms=HS256).code == "jws.crit"
    assert _refusal(jws.read_unverified, token).code == "jws.crit"


# ---------------------------------------------------------------- 2. registered members' types


@pytest.mark.parametrize(
    "member",
    [
        {"kid": {"a": 1}},
        {"kid": 5},
        {"typ": ["JWT"]},
        {"cty": 1},
        {"cty": None},
        {"x5c": "MIIB"},
        {"x5c": []},
        {"x5c": ["MIIB", 1]},
        {"jku": 5},
        {"x5u": ["https://x.example"]},
        {"x5t": None},
        {"x5t#S256": {"a": "b"}},
    ],
    ids=lambda member: json.dumps(member),
)
def test_a_registered_member_of_the_wrong_type_is_refused(key: Key, member: dict) -> None:
    token = _signed(key, member)
    assert _refusal(jws.verify, token, key, algorithms=HS256).code == "jws.header"
    assert _refusal(jws.read_unverified, token).code == "jws.header"


def test_a_kid_object_is_refused_before_a_key_set_looks_it_up(key: Key) -> None:
    token = _signed(key, {"kid": {"a": 1}})
    refused = _refusal(jws.verify, token, KeySet((key,)), algorithms=HS256)
    assert refused.code == "jws.header"


@pytest.mark.parametrize(
    ("b64", "code"),
    [
        (False, "jws.unencoded_payload"),  # understood, not supported (RFC 7797)
        (None, "jws.header"),
        (0, "jws.header"),
        (1, "jws.header"),  # 1 == True in Python, but not in JSON
        ("true", "jws.header"),
        ([True], "jws.header"),
    ],
    ids=repr,
)
def test_b64_other_than_true_is_refused(key: Key, b64: Any, code: str) -> None:
    token = _signed(key, {"b64": b64})
    assert _refusal(jws.verify, token, key, algorithms=HS256).code == code


# ---------------------------------------------------------------- 3. the member cap


def test_a_header_at_the_member_cap_verifies(key: Key) -> None:
    token = _signed(key, _members(MAX_HEADER_MEMBERS - 1))  # and alg
    assert len(jws.verify(token, key, algorithms=HS256).header) == MAX_HEADER_MEMBERS
    assert len(jws.read_unverified(token)[0]) == MAX_HEADER_MEMBERS


def test_one_member_more_is_refused_by_verify_and_read_unverified(key: Key) -> None:
    token = _signed(key, _members(MAX_HEADER_MEMBERS))
    assert _refusal(jws.verify, token, key, algorithms=HS256).code == "header.too_many_members"
    assert _refusal(jws.read_unverified, token).code == "header.too_many_members"


def test_sign_does_not_write_a_header_verify_refuses(key: Key) -> None:
    assert key.kid is not None  # sign adds it: alg, kid and the members given
    at_cap = jws.sign(b"x", key, alg="HS256", header=_members(MAX_HEADER_MEMBERS - 2))
    assert len(jws.verify(at_cap.token, key, algorithms=HS256).header) == MAX_HEADER_MEMBERS
    refused = _refusal(jws.sign, b"x", key, alg="HS256", header=_members(MAX_HEADER_MEMBERS - 1))
    assert refused.code == "header.too_many_members"


# ---------------------------------------------------------------- 4. bounded messages

HUGE = "J" * 1_000_000


@pytest.mark.parametrize(
    ("header", "typ", "code"),
    [
        ({"typ": HUGE}, "JWT", "jws.typ"),
        ({"typ": [HUGE]}, None, "jws.header"),
        ({"kid": {HUGE: HUGE}}, None, "jws.header"),
        ({"b64": HUGE}, None, "jws.header"),
        ({"crit": [HUGE, HUGE, HUGE, HUGE], HUGE: 1}, None, "jws.crit"),
        ({"crit": HUGE}, None, "jws.crit"),
    ],
    ids=["typ", "typ-array", "kid-object", "b64", "crit-names", "crit-string"],
)
def test_errors_about_huge_values_stay_small(key: Key, header: dict, typ: Any, code: str) -> None:
    refused = _refusal(jws.verify, _signed(key, header), key, algorithms=HS256, typ=typ)
    assert refused.code == code
    assert len(str(refused)) < SMALL_MESSAGE
    assert len(json.dumps(refused.to_dict())) < SMALL_MESSAGE


def test_an_unknown_huge_alg_or_kid_is_not_quoted_whole(key: Key) -> None:
    encoded = b64url_encode(json.dumps({"alg": HUGE}).encode())
    refused = _refusal(jws.verify, f"{encoded}.eA.AA", key, algorithms=HS256)
    assert refused.code == "jws.algorithm_unknown" and len(str(refused)) < SMALL_MESSAGE
    refused = _refusal(jws.verify, _signed(key, {"kid": HUGE}), KeySet((key,)), algorithms=HS256)
    assert refused.code == "jws.kid_unknown" and len(str(refused)) < SMALL_MESSAGE


# ---------------------------------------------------------------- 5. the allow-list's names


@pytest.mark.parametrize(
    "algorithms",
    [
        ["none"],
        {"none", "ES256"},
        "none",
        ["NONE"],
        [],
        set(),
        (),
        ["ES265"],  # a typo
        ["RSA-OAEP-256"],  # a JWE alg
        ["A256GCM"],  # a JWE enc
        ["es256"],  # names are case-sensitive
        ["ES256", "PS256", "x1", "x2", "x3", "x4", "x5", "x6", "x7"],
        ["E" * 1_000_000],
    ],
    ids=lambda algorithms: repr(algorithms)[:40],
)
def test_an_allow_list_naming_no_jws_algorithm_is_refused_up_front(key: Key, algorithms) -> None:
    token = _signed(key, {})
    refused = _refusal(jws.verify, token, key, algorithms=algorithms)
    assert isinstance(refused, InputError)
    assert refused.code == "input.allow_list"
    assert len(str(refused)) < SMALL_MESSAGE


def test_the_none_refusal_has_a_hint(key: Key) -> None:
    refused = _refusal(jws.verify, _signed(key, {}), key, algorithms=["none"])
    assert refused.code == "input.allow_list" and refused.hint is not None


@pytest.mark.parametrize(
    "algorithms",
    [HS256, frozenset(HS256), ["HS256"], ("HS256", "ES256"), "HS256", {"HS256", "RS256"}],
    ids=repr,
)
def test_allow_lists_of_jws_names_are_taken_in_any_container(key: Key, algorithms) -> None:
    assert jws.verify(_signed(key, {}), key, algorithms=algorithms).payload == b"x"


def test_the_default_allow_list_is_unchanged(key: Key) -> None:
    asymmetric = {f"{family}{bits}" for family in ("RS", "PS", "ES") for bits in (256, 384, 512)}
    assert asymmetric == jws.DEFAULT_ALGORITHMS
    refused = _refusal(jws.verify, _signed(key, {}), key)
    assert refused.code == "jws.algorithm_not_allowed"  # HS* only when named
    signer = jws.generate_signing_key("ES256")
    token = jws.sign(b"x", signer, alg="ES256").token
    assert jws.verify(token, signer.public_key()).payload == b"x"


def test_the_names_are_checked_once_per_distinct_allow_list(key: Key) -> None:
    token = _signed(key, {})
    jws.verify(token, key, algorithms={"HS256", "HS384"})
    before = jws_algorithms._signing_names.cache_info()
    for _ in range(3):
        jws.verify(token, key, algorithms={"HS384", "HS256"})  # a new set, equal to the first
    after = jws_algorithms._signing_names.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 3


def test_a_nested_jwt_with_a_jwe_name_as_signing_algorithm_is_refused() -> None:
    from jwe_steps import generate_key

    signer, receiver = jws.generate_signing_key("PS256"), generate_key("RSA")  # DEMO keys
    sealed = nested.sign_then_encrypt(
        nested.fresh_claims(issuer="me", audience="you"),
        signing_key=signer,
        signing_alg="PS256",
        encryption_key=receiver.public_key(),
    )
    settings: dict[str, Any] = {
        "decryption_key": receiver,
        "verification_keys": signer.public_key(),
        "issuer": "me",
        "audience": "you",
    }
    opened = nested.decrypt_then_verify(sealed.token, signing_algorithms={"PS256"}, **settings)
    assert opened.claims["iss"] == "me"
    refused = _refusal(
        nested.decrypt_then_verify, sealed.token, signing_algorithms=["RSA-OAEP-256"], **settings
    )
    assert refused.code == "input.allow_list"
