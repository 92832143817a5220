"""Sign-then-encrypt (RFC 7519 §5.2, §11.2; RFC 8725 §3.3, §3.11): RFC 7519 A.2, claims checks by
code, both layers validated, and the same nested token read by jwcrypto and joserfc."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jwe_steps import decrypt, encrypt, generate_key, jws, nested
from jwe_steps.b64 import b64url_decode
from jwe_steps.errors import CODES, JWEError
from jwe_steps.examples import rfc7515
from jwe_steps.examples.rfc7516_json import RSA1_5_DEMO_KEY_JWK
from jwe_steps.keys import Key, load_key

NOW = 1_800_000_000


@pytest.fixture(scope="module")
def parties() -> dict[str, Key]:
    """DEMO keys: the sender signs with PS256, the receiver decrypts with RSA-OAEP-256."""
    return {"signer": jws.generate_signing_key("PS256"), "receiver": generate_key("RSA")}


def _claims(**changes: Any) -> dict[str, Any]:
    claims = nested.fresh_claims(issuer="client-1", audience="jwe-steps-practice", now=NOW)
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _seal(parties: dict[str, Key], claims: dict[str, Any], **options: Any) -> str:
    return nested.sign_then_encrypt(
        claims,
        signing_key=parties["signer"],
        signing_alg="PS256",
        encryption_key=parties["receiver"].public_key(),
        **options,
    ).token


def _open(parties: dict[str, Key], token: str, **options: Any) -> nested.VerifiedClaims:
    settings: dict[str, Any] = {
        "decryption_key": parties["receiver"],
        "verification_keys": parties["signer"].public_key(),
        "issuer": "client-1",
        "audience": "jwe-steps-practice",
        "now": NOW + 10,
    }
    settings.update(options)
    return nested.decrypt_then_verify(token, **settings)


def _code(excinfo: pytest.ExceptionInfo[JWEError]) -> str:
    assert excinfo.value.code in CODES
    return excinfo.value.code


def test_rfc7519_a2_nested_jwt_is_opened_layer_by_layer() -> None:
    verified = nested.decrypt_then_verify(
        rfc7515.RFC7519_A2_TOKEN,
        decryption_key=load_key(RSA1_5_DEMO_KEY_JWK),
        verification_keys=load_key(rfc7515.RFC7515_A2_RSA_JWK).public_key(),
        audience=None,
        now=1300819380 - 60,
        required=("iss", "exp"),
        max_lifetime=None,
        signing_algorithms={"RS256"},
        encryption_algorithms={"RSA1_5", "A128CBC-HS256"},
        inner_typ=None,  # RFC 7519 A.2's JWS predates RFC 8725's explicit typing
    )
    assert verified.claims == rfc7515.RFC7519_A2_CLAIMS
    assert verified.jwe.header == {"alg": "RSA1_5", "enc": "A128CBC-HS256", "cty": "JWT"}
    # The inner JWS is RFC 7515 A.2's token exactly: the published bytes, not a re-encoding.
    assert verified.jwe.plaintext.decode() == rfc7515.RFC7515_A2.compact


def test_round_trip_records_both_layers(parties: dict[str, Key]) -> None:
    claims = _claims(pan="ABCDE1234F")
    sealed = nested.sign_then_encrypt(
        claims,
        signing_key=parties["signer"],
        signing_alg="PS256",
        encryption_key=parties["receiver"].public_key(),
        encryption_header={"kid": parties["receiver"].kid},
    )
    assert sealed.jwe.header["cty"] == "JWT"
    assert sealed.jws.header["typ"] == "JWT"
    assert sealed.jwe["plaintext"] == sealed.jws.token.encode()
    opened = _open(parties, sealed.token)
    assert opened.claims == claims
    assert opened.signer_kid == parties["signer"].kid
    assert json.loads(b64url_decode(opened.jwe.plaintext.split(b".")[1])) == claims


@pytest.mark.parametrize(
    ("changes", "options", "code"),
    [
        ({"exp": NOW - 100}, {}, "claims.expired"),
        ({"iat": NOW + 1000, "exp": NOW + 1200}, {}, "claims.issued_in_future"),
        ({"nbf": NOW + 1000}, {}, "claims.not_yet_valid"),
        ({"exp": NOW + 3600}, {}, "claims.lifetime"),
        ({"iat": NOW + 20, "exp": NOW + 10}, {}, "claims.lifetime"),  # exp before iat
        ({"iat": NOW + 10, "exp": NOW + 10}, {}, "claims.lifetime"),  # exp at iat
        ({"aud": "someone-else"}, {}, "claims.audience"),
        ({"aud": 7}, {}, "claims.type"),
        ({"iss": "client-2"}, {}, "claims.issuer"),
        ({"jti": None}, {}, "claims.missing"),
        ({"exp": "tomorrow"}, {}, "claims.type"),
        ({"exp": True}, {}, "claims.type"),
    ],
)
def test_claims_checks_by_code(
    parties: dict[str, Key], changes: dict[str, Any], options: dict[str, Any], code: str
) -> None:
    token = _seal(parties, _claims(**changes))
    with pytest.raises(JWEError) as caught:
        _open(parties, token, **options)
    assert _code(caught) == code


def test_clock_skew_is_tolerated_within_the_leeway(parties: dict[str, Key]) -> None:
    claims = _claims()
    token = _seal(parties, claims)
    assert _open(parties, token, now=claims["exp"] + nested.DEFAULT_LEEWAY - 1).claims == claims
    with pytest.raises(JWEError) as caught:
        _open(parties, token, now=claims["exp"] + nested.DEFAULT_LEEWAY)
    assert _code(caught) == "claims.expired"


def test_an_unsigned_jwe_is_refused_even_with_good_claims(parties: dict[str, Key]) -> None:
    # Anyone can encrypt to the receiver's public key: without the JWS layer nothing says who.
    body = json.dumps(_claims()).encode()
    token = encrypt(
        body,
        parties["receiver"].public_key(),
        alg="RSA-OAEP-256",
        enc="A256GCM",
        header={"cty": "JWT"},
    ).token
    with pytest.raises(JWEError) as caught:
        _open(parties, token)
    assert _code(caught) == "jws.format"


def test_missing_cty_is_refused(parties: dict[str, Key]) -> None:
    inner = jws.sign(json.dumps(_claims()), parties["signer"], alg="PS256", header={"typ": "JWT"})
    token = encrypt(
        inner.token, parties["receiver"].public_key(), alg="RSA-OAEP-256", enc="A256GCM"
    ).token
    with pytest.raises(JWEError) as caught:
        _open(parties, token)
    assert _code(caught) == "nested.cty"


def test_inner_typ_must_say_jwt(parties: dict[str, Key]) -> None:
    token = _seal(parties, _claims(), signing_header={"typ": "at+jwt"})
    with pytest.raises(JWEError) as caught:
        _open(parties, token)
    assert _code(caught) == "jws.typ"


def test_signed_by_someone_else_is_refused(parties: dict[str, Key]) -> None:
    impostor = {"signer": jws.generate_signing_key("PS256"), "receiver": parties["receiver"]}
    token = _seal(impostor, _claims())
    with pytest.raises(JWEError) as caught:
        _open(parties, token)
    assert _code(caught) == "jws.signature_invalid"


def test_key_resolver_sees_the_claimed_issuer_before_trusting_it(parties: dict[str, Key]) -> None:
    seen: list[tuple[Any, Any]] = []
    registered = {"client-1": parties["signer"].public_key()}

    def resolve(header: Any, claims: Any) -> Key:
        seen.append((header["kid"], claims["iss"]))
        return registered[claims["iss"]]

    token = _seal(parties, _claims())
    assert _open(parties, token, verification_keys=resolve).claims["iss"] == "client-1"
    assert seen == [(parties["signer"].kid, "client-1")]


def test_jwcrypto_reads_our_nested_token_and_we_read_its(parties: dict[str, Key]) -> None:
    from jwcrypto import jwk as jwcrypto_jwk
    from jwcrypto import jwt as jwcrypto_jwt

    def jwk(key: Key) -> Any:
        return jwcrypto_jwk.JWK(**key.to_jwk(private=key.is_private))

    claims = _claims(pan="ABCDE1234F")
    token = _seal(parties, claims)
    outer = jwcrypto_jwt.JWT(jwt=token, key=jwk(parties["receiver"]), expected_type="JWE")
    inner = jwcrypto_jwt.JWT(
        jwt=outer.claims,
        key=jwk(parties["signer"].public_key()),
        check_claims=False,
        expected_type="JWS",
    )
    assert json.loads(inner.claims) == claims

    signed = jwcrypto_jwt.JWT(
        header={"alg": "PS256", "typ": "JWT", "kid": parties["signer"].kid}, claims=claims
    )
    signed.make_signed_token(jwk(parties["signer"]))
    wrapped = jwcrypto_jwt.JWT(
        header={"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"}, claims=signed.serialize()
    )
    wrapped.make_encrypted_token(jwk(parties["receiver"].public_key()))
    assert _open(parties, wrapped.serialize()).claims == claims


def test_joserfc_reads_our_nested_token(parties: dict[str, Key]) -> None:
    from joserfc import jwe as joserfc_jwe
    from joserfc import jwt as joserfc_jwt
    from joserfc.jwk import import_key

    claims = _claims()
    token = _seal(parties, claims)
    receiver = import_key(parties["receiver"].to_jwk(private=True))
    opened = joserfc_jwe.decrypt_compact(token, receiver, algorithms=["RSA-OAEP-256", "A256GCM"])
    assert opened.protected["cty"] == "JWT"
    signer = import_key(parties["signer"].public_key().to_jwk())
    inner = joserfc_jwt.decode(opened.plaintext, signer, algorithms=["PS256"])
    assert inner.claims == claims


def test_decrypt_alone_sees_only_a_jws(parties: dict[str, Key]) -> None:
    token = _seal(parties, _claims())
    assert decrypt(token, parties["receiver"]).plaintext.count(b".") == 2
