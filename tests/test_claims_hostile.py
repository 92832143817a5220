"""Hostile claims inside a correctly signed and encrypted nested JWT (RFC 7519 §4.1, §7.2).

A registered claim that is present has its registered type, whether required or not: ``exp``,
``nbf``, ``iat`` a NumericDate (null, a boolean, a string, an integer float() cannot take are
``claims.type``), ``iss``, ``sub``, ``jti`` a string, ``aud`` a string or an array of strings. A
required claim given as null satisfies nothing. The practice server answers each with a JSON
error (400 or 401), never a 500. And no error, in the library or in an answer, carries a claim's
value: the claims are plaintext.

Tests assert codes, never message text.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

import jwe_steps
from jwe_steps import errors, jws, nested
from jwe_steps.errors import JWEError
from jwe_steps.keys import Key
from jwe_steps.server import AUDIENCE, BackgroundServer

NOW = 1_800_000_000
SECRET = "SECRET-PLAINTEXT-9f3a"
SECRET_DIGITS = "98765432123456789"  # a number's digits are plaintext too
ABSENT = object()  # a claim to leave out

# Values a NumericDate claim must never be taken for. A date of 1e308 (strict JSON can carry it)
# is a number, refused by the clock checks; the others are claims.type.
HOSTILE_DATES: dict[str, Any] = {
    "null": None,
    "true": True,
    "false": False,
    "a string": "1800000000",
    "an array": [NOW],
    "an object": {"at": NOW},
    "400 digits": 10**400,
    "-400 digits": -(10**400),
    "1e308": 1e308,
    "-1e308": -1e308,
}
TYPE_ERRORS = {label: "claims.type" for label in HOSTILE_DATES if "1e308" not in label}
LIBRARY_DATE_CODES = {
    "exp": TYPE_ERRORS | {"1e308": "claims.lifetime", "-1e308": "claims.expired"},
    "iat": TYPE_ERRORS | {"1e308": "claims.issued_in_future", "-1e308": "claims.lifetime"},
    "nbf": TYPE_ERRORS | {"1e308": "claims.not_yet_valid", "-1e308": "accepted"},
}


# ---------------------------------------------------------------- the library


@pytest.fixture(scope="module")
def parties() -> dict[str, Key]:
    """DEMO keys: the sender signs with ES256, the receiver decrypts with RSA-OAEP-256."""
    return {"signer": jws.generate_signing_key("ES256"), "receiver": jwe_steps.generate_key("RSA")}


def _claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": "client-1",
        "aud": AUDIENCE,
        "iat": NOW,
        "exp": NOW + 60,
        "jti": "jti-1",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not ABSENT}


def _seal_text(parties: dict[str, Key], text: str) -> str:
    """A nested JWT whose claims are exactly the JSON ``text``, signed and encrypted."""
    inner = jws.sign(text.encode(), parties["signer"], alg="ES256", header={"typ": "JWT"})
    sealed = jwe_steps.encrypt(
        inner.token_bytes,
        parties["receiver"].public_key(),
        alg="RSA-OAEP-256",
        enc="A256GCM",
        header={"cty": "JWT"},
    )
    assert isinstance(sealed.token, str)
    return sealed.token


def _open(parties: dict[str, Key], token: str, **options: Any) -> nested.VerifiedClaims:
    settings: dict[str, Any] = {
        "decryption_key": parties["receiver"],
        "verification_keys": parties["signer"].public_key(),
        "issuer": "client-1",
        "audience": AUDIENCE,
        "now": NOW + 10,
    }
    settings.update(options)
    return nested.decrypt_then_verify(token, **settings)


def _outcome(parties: dict[str, Key], claims: dict[str, Any], **options: Any) -> str:
    """The code a nested JWT of ``claims`` is refused with, or "accepted"."""
    try:
        _open(parties, _seal_text(parties, json.dumps(claims)), **options)
    except JWEError as error:
        assert error.code in errors.CODES
        return error.code
    return "accepted"


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
def test_a_date_claim_that_is_no_numericdate_is_refused_by_code(parties, name):
    # Once, exp and iat given as null passed as if absent: a token that never expires.
    found = {label: _outcome(parties, _claims(**{name: v})) for label, v in HOSTILE_DATES.items()}
    assert found == LIBRARY_DATE_CODES[name]
    # Required or not, a date present is a NumericDate: null is not "absent".
    loose = {"required": (), "max_lifetime": None}
    assert {
        label: _outcome(parties, _claims(**{name: value}), **loose)
        for label, value in HOSTILE_DATES.items()
        if "1e308" not in label
    } == TYPE_ERRORS


def test_a_text_claim_given_as_null_or_another_type_is_refused(parties):
    # Checked when present even when nothing compares it (no issuer, no audience asked for).
    loose = {"issuer": None, "audience": None, "required": ()}
    cases = {
        "iss": [None, True, 7, ["client-1"]],
        "sub": [None, False, 7, {"id": "me"}],
        "jti": [None, True, 7, ["j"]],
        "aud": [None, True, 7, [AUDIENCE, None], [AUDIENCE, True], {"aud": AUDIENCE}],
    }
    found = {
        (name, repr(value)): _outcome(parties, _claims(**{name: value}), **loose)
        for name, values in cases.items()
        for value in values
    }
    assert found == dict.fromkeys(found, "claims.type")
    # The defaults (issuer, audience and every DEFAULT_REQUIRED claim) refuse them alike.
    for name in ("iss", "aud", "jti"):
        assert _outcome(parties, _claims(**{name: None})) == "claims.type"


def test_a_required_claim_given_as_null_is_missing(parties):
    required = (*nested.DEFAULT_REQUIRED, "pan")
    assert _outcome(parties, _claims(pan="ABCDE1234F"), required=required) == "accepted"
    assert _outcome(parties, _claims(pan=None), required=required) == "claims.missing"
    assert _outcome(parties, _claims(pan=ABSENT), required=required) == "claims.missing"
    assert _outcome(parties, _claims(pan=None)) == "accepted"  # not required: any JSON value


# What each refusal below plants: SECRET in every string claim the checks may read.
PLANTED = {
    "iss": SECRET + "-iss",
    "sub": SECRET + "-sub",
    "aud": SECRET + "-aud",
    "jti": SECRET + "-jti",
    "pan": SECRET + "-pan",
    "name": SECRET + "-name",
}
LOOSE = {"issuer": None, "audience": None}
SECRET_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("iss", {}, {"issuer": "client-1", "audience": None}, "claims.issuer"),
    ("aud", {}, {"issuer": None}, "claims.audience"),
    ("aud list", {"aud": [SECRET + "-a", SECRET + "-b"]}, {"issuer": None}, "claims.audience"),
    ("aud type", {"aud": [SECRET, 5]}, LOOSE, "claims.type"),
    ("sub type", {"sub": 5}, LOOSE, "claims.type"),
    ("exp null", {"exp": None}, LOOSE, "claims.type"),
    ("expired", {"iat": NOW - 1100, "exp": NOW - 1000}, LOOSE, "claims.expired"),
    ("lifetime", {"exp": NOW + 3600}, LOOSE, "claims.lifetime"),
    ("nbf", {"nbf": NOW + 1000}, LOOSE, "claims.not_yet_valid"),
    ("iat", {"iat": NOW + 1000, "exp": NOW + 1100}, LOOSE, "claims.issued_in_future"),
    ("no jti", {"jti": ABSENT}, LOOSE, "claims.missing"),
    ("pan null", {"pan": None}, {**LOOSE, "required": ("iss", "pan")}, "claims.missing"),
]


def _leaks(error: JWEError, *secrets: str) -> list[str]:
    fields = {
        "str": str(error),
        "found": error.found,
        "expected": error.expected,
        "hint": error.hint,
    }
    return [name for name, text in fields.items() if any(s in (text or "") for s in secrets)]


def test_no_claims_error_carries_a_claim_value(parties):
    planted = json.dumps(_claims(**PLANTED))[:-1]  # the JSON text, without its closing brace
    texts = {
        label: (json.dumps(_claims(**{**PLANTED, **changes})), options, code)
        for label, changes, options, code in SECRET_CASES
    }
    repeated = f'{planted}, "{SECRET}": 1, "{SECRET}": 2}}'
    texts["repeated member"] = (repeated, LOOSE, "json.duplicate_member")
    texts["number"] = (f'{planted}, "note": {SECRET_DIGITS}e400}}', LOOSE, "json.number")
    codes, leaks = {}, {}
    for label, (text, options, _) in texts.items():
        with pytest.raises(JWEError) as caught:
            _open(parties, _seal_text(parties, text), **options)
        codes[label] = caught.value.code
        leaks[label] = _leaks(caught.value, SECRET, SECRET_DIGITS)
    assert codes == {label: code for label, (_, _, code) in texts.items()}
    assert {label: fields for label, fields in leaks.items() if fields} == {}


# ---------------------------------------------------------------- the practice server

PAN, NAME = "PQRST6789U", "Jaya Crypto"
SERVER_DATE_CODES = {
    "exp": TYPE_ERRORS | {"1e308": "claims.lifetime", "-1e308": "claims.expired"},
    "iat": TYPE_ERRORS | {"1e308": "claims.issued_in_future", "-1e308": "claims.lifetime"},
    "nbf": TYPE_ERRORS | {"1e308": "claims.not_yet_valid", "-1e308": "accepted"},  # long past
}
MALFORMED = {"claims.invalid", "claims.missing", "claims.type"}  # and json.*: 400, else 401


class SignedClient:
    """Registers its own DEMO keys over HTTP and posts nested JWTs of any claims text."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.key = jwe_steps.generate_key("RSA", size=2048, alg="RSA-OAEP-256")
        self.signing_key = jws.generate_signing_key("ES256")
        keys = [self.key.public_key().to_jwk(), self.signing_key.public_key().to_jwk()]
        answer = http.post("/v1/clients", json={"jwks": {"keys": keys}})
        assert answer.status_code == 201, answer.text
        self.client_id = answer.json()["client_id"]
        jwks = http.get("/.well-known/jwks.json").json()["keys"]
        self.server_key = jwe_steps.load_key(next(k for k in jwks if k["use"] == "enc"))
        self.count = 0

    def claims(self, **changes: Any) -> dict[str, Any]:
        now, self.count = int(time.time()), self.count + 1
        claims = {
            "iss": self.client_id,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 120,
            "jti": f"hostile-{self.count}-{now}",
            "pan": PAN,
            "name": NAME,
            **changes,
        }
        return {name: value for name, value in claims.items() if value is not ABSENT}

    def post_text(self, text: str) -> httpx.Response:
        inner = jws.sign(
            text.encode(),
            self.signing_key,
            alg="ES256",
            header={"typ": "JWT", "kid": self.signing_key.kid},
        )
        sealed = jwe_steps.encrypt(
            inner.token_bytes,
            self.server_key,
            alg="RSA-OAEP-256",
            enc="A256GCM",
            header={"cty": "JWT", "kid": self.server_key.kid},
        )
        headers = {"Content-Type": "application/jose", "X-Client-Id": self.client_id}
        return self.http.post("/v1/kyc/pan", content=sealed.token, headers=headers)

    def post(self, **changes: Any) -> httpx.Response:
        return self.post_text(json.dumps(self.claims(**changes)))


def _answered(answer: httpx.Response) -> str:
    """The code of an error answer: JSON, 400 or 401 (never 500), or "accepted"."""
    if answer.status_code == 200:
        return "accepted"
    assert answer.headers["content-type"].startswith("application/json"), answer.text
    error = answer.json()["error"]
    assert error["code"] in errors.CODES, error
    status = 400 if error["code"] in MALFORMED or error["code"].startswith("json.") else 401
    assert answer.status_code == status, (answer.status_code, error)
    assert PAN not in answer.text and NAME not in answer.text
    return str(error["code"])


@pytest.fixture(scope="module")
def client():
    with (
        BackgroundServer() as server,
        httpx.Client(base_url=server.url, trust_env=False, timeout=30) as http,
    ):
        yield SignedClient(http)


@pytest.fixture(scope="module")
def client_with_state(tmp_path_factory):
    # With a state directory the server also compares iat with its start (replay.before_start).
    state = tmp_path_factory.mktemp("state")
    with (
        BackgroundServer(state) as server,
        httpx.Client(base_url=server.url, trust_env=False, timeout=30) as http,
    ):
        yield SignedClient(http)


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
def test_the_server_answers_a_hostile_date_claim_with_its_code_never_a_500(client, name):
    # Once: exp null was a 500 (float(None)), iat and nbf null were answered 200.
    found = {label: _answered(client.post(**{name: v})) for label, v in HOSTILE_DATES.items()}
    assert found == SERVER_DATE_CODES[name]


def test_the_server_with_state_answers_null_and_odd_claims_with_their_code(client_with_state):
    # Once: iat null was a 500 (float(None) comparing it with the server's start).
    post = client_with_state.post
    for name in ("iat", "exp"):
        found = {
            label: _answered(post(**{name: value}))
            for label, value in HOSTILE_DATES.items()
            if "1e308" not in label
        }
        assert found == TYPE_ERRORS, name
    found = {
        (name, repr(value)): _answered(post(**{name: value}))
        for name in ("aud", "jti", "sub")
        for value in (None, True, 7, [None])
    }
    assert found == dict.fromkeys(found, "claims.type")
    # iss names the sender: anything but the X-Client-Id is another client, before any check.
    assert _answered(post(iss=None)) == "claims.issuer"
    assert _answered(post(jti=ABSENT)) == "claims.missing"
    assert _answered(post()) == "accepted"


def test_no_answer_carries_a_claim_value(client):
    planted = {"sub": SECRET + "-sub", "jti": SECRET + "-jti", "name": SECRET + "-name"}
    now = int(time.time())
    cases = {
        "aud": ({"aud": SECRET + "-aud"}, "claims.audience"),
        "aud list": ({"aud": [SECRET + "-a", SECRET + "-b"]}, "claims.audience"),
        "aud type": ({"aud": [SECRET, 5]}, "claims.type"),
        "iss": ({"iss": SECRET + "-iss"}, "claims.issuer"),
        "expired": ({"iat": now - 1100, "exp": now - 1000}, "claims.expired"),
        "lifetime": ({"exp": now + 3600}, "claims.lifetime"),
        "nbf": ({"nbf": now + 1000}, "claims.not_yet_valid"),
        "iat": ({"iat": now + 1000, "exp": now + 1100}, "claims.issued_in_future"),
        "exp null": ({"exp": None}, "claims.type"),
    }
    answers = {label: client.post(**planted, **changes) for label, (changes, _) in cases.items()}
    text = json.dumps(client.claims(**planted))[:-1]
    answers["repeated member"] = client.post_text(f'{text}, "{SECRET}": 1, "{SECRET}": 2}}')
    answers["number"] = client.post_text(f'{text}, "note": {SECRET_DIGITS}e400}}')
    expected = {label: code for label, (_, code) in cases.items()}
    expected |= {"repeated member": "json.duplicate_member", "number": "json.number"}
    assert {label: _answered(answer) for label, answer in answers.items()} == expected
    leaks = [label for label, a in answers.items() if SECRET in a.text or SECRET_DIGITS in a.text]
    assert leaks == []
