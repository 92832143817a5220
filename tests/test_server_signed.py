"""The practice API's default profile: sign-then-encrypt, replay-safe, answers bound to requests.

Two clients are written here only from the README's protocol text ("A practice API that
speaks JWE"), one with jwcrypto and one with joserfc: they share no code with jwe_steps. They
complete round trips; then every way a request can be wrong is sent and must be refused with
its own code, and no answer may contain the request's PAN or name.
"""

from __future__ import annotations

import json
import logging
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from joserfc import jwe as joserfc_jwe
from joserfc import jws as joserfc_jws
from joserfc.jwk import ECKey as JoserfcECKey
from joserfc.jwk import RSAKey as JoserfcRSAKey
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws

import jwe_steps
from jwe_steps import errors, jws, nested
from jwe_steps.client import AnswerError, PracticeClient
from jwe_steps.server import AUDIENCE, MAX_BODY_BYTES, BackgroundServer

PAN, NAME = "PQRST6789U", "Jaya Crypto"


@pytest.fixture(scope="module")
def server():
    with BackgroundServer() as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as client:
        yield client


def error_of(response):
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "stage", "message"} and error["code"] in errors.CODES
    return error


# ---------------------------------------------------------------- clients from the README


class JwcryptoClient:
    """The README's protocol, written with jwcrypto: register, sign then encrypt, open answers."""

    def __init__(self, http, signing_alg="ES256"):
        self.http = http
        self.enc_key = jwcrypto_jwk.JWK.generate(
            kty="RSA", size=2048, kid="demo-jwcrypto-enc", use="enc", alg="RSA-OAEP-256"
        )
        if signing_alg == "ES256":
            self.sig_key = jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256")
        else:
            self.sig_key = jwcrypto_jwk.JWK.generate(kty="RSA", size=2048)
        self.signing_alg = signing_alg
        self.sig_kid = "demo-jwcrypto-sig"
        public_sig = dict(
            json.loads(self.sig_key.export_public()), use="sig", alg=signing_alg, kid=self.sig_kid
        )
        registration = {"jwks": {"keys": [json.loads(self.enc_key.export_public()), public_sig]}}
        answer = http.post("/v1/clients", json=registration)
        assert answer.status_code == 201, answer.text
        self.client_id = answer.json()["client_id"]
        jwks = http.get("/.well-known/jwks.json").json()["keys"]
        self.server_enc = next(k for k in jwks if k["use"] == "enc")
        self.server_sig = next(k for k in jwks if k["use"] == "sig")

    def claims(self, **changes):
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "aud": "jwe-steps-practice",
            "iat": now,
            "exp": now + 120,
            "jti": jwcrypto_jwk.JWK.generate(kty="oct", size=128).thumbprint(),
            "pan": PAN,
            "name": NAME,
        }
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}

    def sign(self, claims, key=None, kid=None):
        """A JWS of ``claims``, or of ``claims`` itself when it is already JSON text."""
        text = claims if isinstance(claims, str) else json.dumps(claims)
        signed = jwcrypto_jws.JWS(text.encode())
        header = {"alg": self.signing_alg, "typ": "JWT", "kid": kid or self.sig_kid}
        signed.add_signature(key or self.sig_key, alg=self.signing_alg, protected=header)
        return signed.serialize(compact=True)

    def encrypt(self, payload, **header):
        protected = {
            "alg": "RSA-OAEP-256",
            "enc": "A256GCM",
            "kid": self.server_enc["kid"],
            "cty": "JWT",
            **header,
        }
        protected = {name: value for name, value in protected.items() if value is not None}
        sealed = jwcrypto_jwe.JWE(payload.encode(), protected=json.dumps(protected))
        sealed.add_recipient(jwcrypto_jwk.JWK(**self.server_enc))
        return sealed.serialize(compact=True)

    def token(self, **changes):
        claims = self.claims(**changes)
        return claims, self.encrypt(self.sign(claims))

    def post(self, token, client_id=None):
        headers = {"Content-Type": "application/jose", "X-Client-Id": client_id or self.client_id}
        return self.http.post("/v1/kyc/pan", content=token, headers=headers)

    def open(self, answer, request_claims):
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/jose"
        outer = jwcrypto_jwe.JWE()
        outer.deserialize(answer.text, key=self.enc_key)
        assert json.loads(outer.objects["protected"])["cty"] == "JWT"
        inner = jwcrypto_jws.JWS()
        inner.deserialize(outer.payload.decode())
        inner.verify(jwcrypto_jwk.JWK(**self.server_sig), alg="ES256")
        assert (
            inner.jose_header["typ"] == "JWT" and inner.jose_header["kid"] == self.server_sig["kid"]
        )
        claims = json.loads(inner.payload)
        assert claims["iss"] == "jwe-steps-practice" and claims["aud"] == self.client_id
        assert claims["in_reply_to"] == request_claims["jti"]
        assert claims["request_id"] == answer.headers["x-request-id"]
        assert 0 < claims["exp"] - claims["iat"] <= 300
        return claims


@pytest.fixture(scope="module")
def peer(http):
    return JwcryptoClient(http)


@pytest.mark.parametrize("signing_alg", ["ES256", "PS256", "RS256"])
def test_a_jwcrypto_client_written_from_the_readme_completes_round_trips(http, signing_alg):
    peer = JwcryptoClient(http, signing_alg)
    for pan, valid in ((PAN, True), ("pqrst6789u", False)):
        claims, token = peer.token(pan=pan)
        answer = peer.open(peer.post(token), claims)
        assert answer["pan"] == pan and answer["valid_format"] is valid


def test_a_joserfc_client_written_from_the_readme_completes_a_round_trip(http):
    enc_key = JoserfcRSAKey.generate_key(
        2048, parameters={"kid": "demo-joserfc-enc", "use": "enc", "alg": "RSA-OAEP-256"}
    )
    sig_key = JoserfcRSAKey.generate_key(
        2048, parameters={"kid": "demo-joserfc-sig", "use": "sig", "alg": "PS256"}
    )
    keys = [enc_key.as_dict(private=False), sig_key.as_dict(private=False)]
    client_id = http.post("/v1/clients", json={"jwks": {"keys": keys}}).json()["client_id"]
    jwks = http.get("/.well-known/jwks.json").json()["keys"]
    server_enc = JoserfcRSAKey.import_key(next(k for k in jwks if k["use"] == "enc"))
    server_sig = JoserfcECKey.import_key(next(k for k in jwks if k["use"] == "sig"))
    now = int(time.time())
    claims = {"iss": client_id, "aud": "jwe-steps-practice", "iat": now, "exp": now + 60,
              "jti": "joserfc-" + str(now), "pan": PAN, "name": NAME}  # fmt: skip
    signed = joserfc_jws.serialize_compact(
        {"alg": "PS256", "typ": "JWT", "kid": "demo-joserfc-sig"},
        json.dumps(claims).encode(),
        sig_key,
        algorithms=["PS256"],
    )
    sealed = joserfc_jwe.encrypt_compact(
        {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": server_enc.kid, "cty": "JWT"},
        signed,
        server_enc,
        algorithms=["RSA-OAEP-256", "A256GCM"],
    )
    answer = http.post("/v1/kyc/pan", content=sealed,
                       headers={"Content-Type": "application/jose", "X-Client-Id": client_id})  # fmt: skip
    assert answer.status_code == 200, answer.text
    opened = joserfc_jwe.decrypt_compact(
        answer.text, enc_key, algorithms=["RSA-OAEP-256", "A256GCM"]
    )
    verified = joserfc_jws.deserialize_compact(opened.plaintext, server_sig, algorithms=["ES256"])
    answer_claims = json.loads(verified.payload)
    assert answer_claims["aud"] == client_id and answer_claims["in_reply_to"] == claims["jti"]
    assert answer_claims["valid_format"] is True


def test_the_client_helper_signs_encrypts_and_checks_the_answer(server):
    client = PracticeClient(server.url)
    client.register()
    exchange = client.verify_pan(PAN, NAME)
    assert exchange.response["valid_format"] is True
    assert exchange.response["in_reply_to"] == exchange.request["jti"]
    assert exchange.response["aud"] == client.client_id and exchange.response["iss"] == AUDIENCE
    # The server saw a JWS signed by the client's key inside a JWE to the server's key.
    outer = jwe_steps.decrypt(exchange.request_trace.token, server.state.key)
    assert outer.header["cty"] == "JWT" and outer.header["kid"] == server.state.key.kid
    inner = jws.verify(outer.plaintext, client.signing_key.public_key(), algorithms={"ES256"})
    assert json.loads(inner.payload) == exchange.request
    assert exchange.request["exp"] - exchange.request["iat"] <= 300


# ---------------------------------------------------------------- refusals


def _refused(answer, status, code):
    assert answer.status_code == status, answer.text
    error = error_of(answer)
    assert error["code"] == code, error
    assert PAN not in answer.text and NAME not in answer.text
    return error


def test_a_replayed_request_is_refused_with_409(peer):
    claims, token = peer.token()
    peer.open(peer.post(token), claims)
    for _ in range(3):
        _refused(peer.post(token), 409, "replay.jti_seen")


def test_a_request_readdressed_to_another_client_is_refused(http, peer):
    attacker = JwcryptoClient(http)
    _, victim_token = peer.token()
    _refused(peer.post(victim_token, client_id=attacker.client_id), 401, "claims.issuer")
    # The attacker cannot repair it either: a token with its own iss must carry its signature.
    claims = peer.claims(iss=attacker.client_id)
    forged = peer.encrypt(peer.sign(claims, kid=attacker.sig_kid))
    _refused(peer.post(forged, client_id=attacker.client_id), 401, "jws.signature_invalid")


def test_a_wrongly_signed_request_is_refused(peer):
    stranger = jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256")
    forged = peer.encrypt(peer.sign(peer.claims(), key=stranger))  # the client's kid, not its key
    _refused(peer.post(forged), 401, "jws.signature_invalid")
    unknown_kid = peer.encrypt(peer.sign(peer.claims(), kid="demo-someone-else"))
    _refused(peer.post(unknown_kid), 401, "jws.kid_unknown")


def test_an_unsigned_request_is_refused(peer):
    claims = peer.claims()
    _refused(peer.post(peer.encrypt(json.dumps(claims))), 401, "jws.format")
    _refused(peer.post(peer.encrypt(json.dumps(claims), cty=None)), 400, "nested.cty")
    header = jwe_steps.b64.b64url_encode(b'{"alg":"none","typ":"JWT"}')
    body = jwe_steps.b64.b64url_encode(json.dumps(claims).encode())
    _refused(peer.post(peer.encrypt(f"{header}.{body}.")), 401, "jws.algorithm_unknown")
    not_claims = peer.encrypt(peer.sign(["not", "a", "claims", "object"]))
    _refused(peer.post(not_claims), 400, "claims.invalid")


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"iat": -1000, "exp": -700}, 401, "claims.expired"),
        ({"iat": 600, "exp": 700}, 401, "claims.issued_in_future"),
        ({"iat": 0, "exp": 3600}, 401, "claims.lifetime"),
        ({"aud": "another-api"}, 401, "claims.audience"),
        ({"jti": None}, 400, "claims.missing"),
        ({"exp": None}, 400, "claims.missing"),
        ({"pan": None}, 400, "api.fields"),
        ({"pan": "A" * 33}, 400, "api.fields"),
    ],
)
def test_claims_out_of_bounds_are_refused_each_with_its_code(peer, changes, status, code):
    now = int(time.time())
    relative = {"iat", "exp"}
    changes = {k: (now + v if k in relative and v is not None else v) for k, v in changes.items()}
    _, token = peer.token(**changes)
    _refused(peer.post(token), status, code)


def _claims_text(peer, extra, **changes):
    """The JSON text of fresh claims with ``extra`` (JSON text of members) added at the end."""
    return json.dumps(peer.claims(**changes))[:-1] + ", " + extra + "}"


SECRET_NAME = "member-name-from-the-plaintext"


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ('"note": "\\ud800"', "json.surrogate"),  # an escaped lone surrogate
        (f'"{SECRET_NAME}": 1, "{SECRET_NAME}": 2', "json.duplicate_member"),
        ('"jti": "a second jti"', "json.duplicate_member"),
        ('"note": NaN', "json.number"),
        ('"note": -Infinity', "json.number"),
        ('"note": 1e400', "json.number"),  # overflows to infinity
        ('"note": tru', "json.invalid"),
    ],
)
def test_claims_that_are_not_strict_json_are_400_at_the_claims_stage(peer, extra, code):
    # The JWE decrypted and the JWS verified: not a decryption failure, the claims' own code.
    token = peer.encrypt(peer.sign(_claims_text(peer, extra)))
    error = _refused(peer.post(token), 400, code)
    assert error["stage"] == "claims"
    assert SECRET_NAME not in error["message"]  # nothing of the decrypted claims is echoed


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
def test_a_claim_date_of_hundreds_of_digits_is_400_claims_type(peer, name):
    # Once a 500: float() of a 401-digit integer overflows. A JSON integer, not a float.
    changes = {name: None} if name != "nbf" else {}
    token = peer.encrypt(peer.sign(_claims_text(peer, f'"{name}": 1{"0" * 400}', **changes)))
    error = _refused(peer.post(token), 400, "claims.type")
    assert error["stage"] == "claims"


def test_zipped_and_json_serialized_requests_are_refused_before_any_key_work(
    peer, server, monkeypatch
):
    import jwe_steps.server_kyc as kyc_module

    def never(*args, **kwargs):
        raise AssertionError("no decryption may run for these requests")

    monkeypatch.setattr(kyc_module.nested, "decrypt_then_verify", never)
    signed = peer.sign(peer.claims())
    _refused(peer.post(peer.encrypt(signed, zip="DEF")), 400, "api.zip")
    flattened = jwe_steps.encrypt(signed, server.state.key.public_key(), alg="RSA-OAEP-256",
                                  enc="A256GCM", serialization="flattened").token  # fmt: skip
    _refused(peer.post(json.dumps(flattened)), 400, "format.json_serialization")


def test_a_compressed_request_is_refused_without_inflating(peer, server):
    bomb = jwe_steps.encrypt(
        b"{" + b" " * (64 * MAX_BODY_BYTES) + b"}",
        server.state.key.public_key(),
        alg="RSA-OAEP-256",
        enc="A256GCM",
        header={"zip": "DEF", "cty": "JWT"},
    ).token
    assert len(bomb) < MAX_BODY_BYTES / 4
    tracemalloc.start()
    try:
        answer = peer.post(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _refused(answer, 400, "api.zip")
    assert peak < 8 * MAX_BODY_BYTES


def test_signed_registration_needs_both_keys_each_fit_for_its_use(http):
    enc = dict(jwe_steps.generate_key("RSA", alg="RSA-OAEP-256").public_key().to_jwk())
    sig = jws.generate_signing_key("ES256").public_key().to_jwk()

    def code(keys):
        answer = http.post("/v1/clients", json={"jwks": {"keys": keys}})
        assert answer.status_code == 400, answer.text
        return error_of(answer)["code"]

    assert http.post("/v1/clients", json={"jwks": {"keys": [enc, sig]}}).status_code == 201
    assert error_of(http.post("/v1/clients", json={"jwk": enc}))["code"] == "api.jwks_missing"
    assert code([enc]) == "api.jwk_invalid"
    assert code([enc, sig, sig]) == "api.jwks_missing"
    assert code([enc, dict(sig, alg="HS256")]) == "api.jwk_invalid"
    assert code([enc, dict(sig, alg="PS256")]) == "api.jwk_invalid"  # an EC key for RSA-PSS
    p384 = jws.generate_signing_key("ES384").public_key().to_jwk()
    assert code([enc, dict(p384, alg="ES256")]) == "api.jwk_invalid"
    assert code([enc, dict(sig, key_ops=["sign"])]) == "api.jwk_invalid"
    assert code([{k: v for k, v in enc.items() if k != "kid"}, sig]) == "api.jwk_invalid"
    assert code([dict(enc, alg="RSA-OAEP"), sig]) == "api.jwk_invalid"
    # Members of the wrong JSON type are refused like any other unusable key, never a 500.
    assert code([enc, dict(sig, alg=["ES256"])]) == "api.jwk_invalid"
    assert code([enc, dict(sig, crv=["P-256"])]) == "api.jwk_invalid"
    assert code([enc, dict(sig, crv={})]) == "api.jwk_invalid"
    private_sig = jws.generate_signing_key("ES256").to_jwk(private=True)
    answer = http.post("/v1/clients", json={"jwks": {"keys": [enc, private_sig]}})
    assert error_of(answer)["code"] == "api.jwk_private"
    assert private_sig["d"] not in answer.text


# ---------------------------------------------------------------- the client checks the answer


def test_the_client_refuses_an_answer_to_another_request(server, monkeypatch):
    client = PracticeClient(server.url)
    client.register()
    captured = []
    original = client._post

    def capture(path, token, trace):
        answer = original(path, token, trace)
        captured.append(answer)
        return answer

    monkeypatch.setattr(client, "_post", capture)
    client.verify_pan(PAN, NAME)
    monkeypatch.setattr(client, "_post", lambda path, token, trace: captured[0])
    with pytest.raises(AnswerError) as caught:
        client.verify_pan(PAN, NAME)  # a new jti, answered with the old answer
    assert caught.value.code == "answer.in_reply_to"


def test_the_client_refuses_an_answer_not_signed_by_the_server(server, monkeypatch):
    client = PracticeClient(server.url)
    client.register()
    impostor = jws.generate_signing_key("ES256", kid=client.server_signing_keys.keys[0].kid)

    def forged_answer(path, token, trace):
        request = nested.decrypt_then_verify(
            token, decryption_key=server.state.key, verification_keys=client.signing_key,
            issuer=client.client_id, audience=AUDIENCE)  # fmt: skip
        now = int(time.time())
        claims = {"iss": AUDIENCE, "aud": client.client_id, "iat": now, "exp": now + 60,
                  "in_reply_to": request.claims["jti"], "pan": PAN, "valid_format": True,
                  "request_id": "req-0"}  # fmt: skip
        sealed = nested.sign_then_encrypt(
            claims, signing_key=impostor, signing_alg="ES256",
            encryption_key=client.key.public_key(), signing_header={"kid": impostor.kid})  # fmt: skip
        from jwe_steps.client import Response

        return Response(200, "application/jose", {"x-request-id": "req-0"}, sealed.token.encode())

    monkeypatch.setattr(client, "_post", forged_answer)
    with pytest.raises(errors.JWEError) as caught:
        client.verify_pan(PAN, NAME)
    assert caught.value.code == "jws.signature_invalid"


def test_the_client_logs_no_secrets(server, caplog):
    client = PracticeClient(server.url)
    with caplog.at_level(logging.DEBUG, logger="jwe_steps.client"):
        client.register()
        exchange = client.verify_pan(PAN, NAME)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert client.server_key.kid in text and exchange.request_id in text  # it does log
    for secret in (PAN, NAME, exchange.request["jti"], exchange.request_trace.token[:40],
                   exchange.response_token[:40], client.key.to_jwk(private=True)["d"]):  # fmt: skip
        assert secret not in text


# ---------------------------------------------------------------- load


@pytest.mark.slow
def test_16_concurrent_clients_each_make_200_signed_round_trips_without_error(server):
    clients = [PracticeClient(server.url) for _ in range(16)]
    for client in clients:
        client.register()

    def run(client):
        answers = []
        for i in range(200):
            pan = f"ABCDE{i:04d}F" if i % 3 else f"abcde{i:04d}f"
            answers.append((pan, client.verify_pan(pan, f"Person {i}").response))
        return answers

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [answer for batch in pool.map(run, clients, timeout=120) for answer in batch]
    assert len(results) == 16 * 200
    for pan, answer in results:
        assert answer["pan"] == pan and answer["valid_format"] is pan.isupper()
    assert len({answer["request_id"] for _, answer in results}) == len(results)
    assert len({answer["in_reply_to"] for _, answer in results}) == len(results)
