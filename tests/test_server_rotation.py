"""Key rotation and the client's cached JWKS, with an injected clock: time moves, nobody sleeps.

After ``POST /v1/practice/rotate`` a new encryption key is current; the old one is still
listed and accepted for GRACE_SECONDS, then refused with ``api.key_retired``. The client caches
the JWKS for its Cache-Control max-age and, on a retired or unknown kid, fetches it again once,
rate-limited.
"""

from __future__ import annotations

import json

import httpx
import pytest

import jwe_steps
from jwe_steps import errors, nested
from jwe_steps.client import REFETCH_INTERVAL, PracticeAPIError, PracticeClient
from jwe_steps.server import AUDIENCE, GRACE_SECONDS, BackgroundServer
from jwe_steps.server_state import ReplayCache

PAN, NAME = "ABCDE1234F", "Asha Rao"
START = 1_800_000_000.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def server(clock):
    with BackgroundServer(clock=clock) as running:
        yield running


def jwks(server):
    return httpx.get(server.url + "/.well-known/jwks.json", trust_env=False).json()["keys"]


def rotate(server):
    answer = httpx.post(server.url + "/v1/practice/rotate", trust_env=False, timeout=30)
    return answer


def signed_request(client, server_kid, clock):
    """A request as the client helper makes it, but to the kid chosen here."""
    claims = nested.fresh_claims(issuer=client.client_id, audience=AUDIENCE, lifetime=120,
                                 now=clock(), pan=PAN, name=NAME)  # fmt: skip
    server_key = next(key for key in client.jwks().keys if key.kid == server_kid)
    return nested.sign_then_encrypt(
        claims, signing_key=client.signing_key, signing_alg="ES256",
        encryption_key=server_key, signing_header={"kid": client.signing_key.kid},
        encryption_header={"kid": server_kid},
    ).token  # fmt: skip


def post(client, token):
    return client.request(
        "POST", "/v1/kyc/pan", token.encode(),
        {"Content-Type": "application/jose", "X-Client-Id": client.client_id},
    )  # fmt: skip


def test_a_rotation_keeps_the_old_kid_working_for_the_grace_period_then_refuses_it(server, clock):
    old_kid = server.state.key.kid
    client = PracticeClient(server.url, clock=clock)
    client.register()
    assert client.verify_pan(PAN, NAME).request_trace.jwe.header["kid"] == old_kid

    answer = rotate(server)
    assert answer.status_code == 200
    rotation = answer.json()
    new_kid = rotation["current_kid"]
    assert new_kid != old_kid and rotation["retired_kid"] == old_kid
    assert rotation["grace_seconds"] == GRACE_SECONDS
    assert rotation["retired_kid_accepted_until"] == int(START + GRACE_SECONDS)
    # During the grace period both encryption keys are published, the new one first.
    enc_kids = [key["kid"] for key in jwks(server) if key["use"] == "enc"]
    assert enc_kids == [new_kid, old_kid]

    client.fetch_jwks()
    clock.advance(GRACE_SECONDS - 1)
    assert post(client, signed_request(client, old_kid, clock)).status == 200
    assert post(client, signed_request(client, new_kid, clock)).status == 200

    clock.advance(2)  # the grace period is over
    late = post(client, signed_request(client, old_kid, clock))
    assert late.status == 400
    error = json.loads(late.body)["error"]
    assert error["code"] == "api.key_retired" and error["code"] in errors.CODES
    assert PAN.encode() not in late.body
    assert [key["kid"] for key in jwks(server) if key["use"] == "enc"] == [new_kid]
    assert post(client, signed_request(client, new_kid, clock)).status == 200


def test_a_client_with_a_stale_cache_refetches_once_after_a_retired_kid(server, clock, monkeypatch):
    import jwe_steps.server as server_module

    # A server whose JWKS may be cached for longer than the grace period: a misconfiguration
    # the client must survive.
    monkeypatch.setattr(server_module, "JWKS_MAX_AGE", 10 * GRACE_SECONDS)
    client = PracticeClient(server.url, clock=clock)
    client.register()
    client.verify_pan(PAN, NAME)
    assert client.jwks_fetches == 1
    assert rotate(server).status_code == 200
    clock.advance(GRACE_SECONDS + 1)

    exchange = client.verify_pan(PAN, NAME)  # refused once as retired, then re-fetched
    assert exchange.response["valid_format"] is True
    assert client.jwks_fetches == 2
    assert exchange.request_trace.jwe.header["kid"] == server.state.key.kid


def test_the_jwks_is_cached_for_its_max_age(server, clock):
    client = PracticeClient(server.url, clock=clock)
    client.register()
    for _ in range(3):
        client.verify_pan(PAN, NAME)
    assert client.jwks_fetches == 1  # max-age=300
    clock.advance(299)
    client.verify_pan(PAN, NAME)
    assert client.jwks_fetches == 1
    clock.advance(2)
    client.verify_pan(PAN, NAME)
    assert client.jwks_fetches == 2


def test_refetching_after_an_unknown_kid_is_rate_limited(server, clock, monkeypatch):
    client = PracticeClient(server.url, clock=clock)
    client.register()
    client.fetch_jwks()
    assert client._refetch_once() is True
    assert client._refetch_once() is False  # at once again: no
    clock.advance(REFETCH_INTERVAL)
    assert client._refetch_once() is True
    assert client.jwks_fetches == 3

    # A server that keeps saying "unknown kid" gets one re-fetch and one retry, not a loop.
    calls = []

    def always_unknown(path, token, trace):
        calls.append(path)
        raise PracticeAPIError(400, {"code": "key.kid_unknown", "stage": "key", "message": ""})

    monkeypatch.setattr(client, "_post", always_unknown)
    clock.advance(REFETCH_INTERVAL)
    with pytest.raises(PracticeAPIError):
        client.verify_pan(PAN, NAME)
    assert len(calls) == 2 and client.jwks_fetches == 4
    with pytest.raises(PracticeAPIError):
        client.verify_pan(PAN, NAME)
    assert len(calls) == 3 and client.jwks_fetches == 4


def test_rotations_are_capped_while_keys_are_in_grace(server, clock):
    statuses = [rotate(server).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert rotate(server).json()["error"]["code"] == "api.rotation_limit"
    clock.advance(GRACE_SECONDS + 1)
    assert rotate(server).status_code == 200


def test_a_replay_is_refused_for_as_long_as_the_token_could_be_valid(server, clock):
    client = PracticeClient(server.url, clock=clock)
    client.register()
    token = signed_request(client, server.state.key.kid, clock)  # exp = now + 120
    assert post(client, token).status == 200
    for step in (60, 60, 29):  # up to exp + leeway the token would still be accepted...
        clock.advance(step)
        assert json.loads(post(client, token).body)["error"]["code"] == "replay.jti_seen"
    clock.advance(2)  # ...after that it is refused as expired, whether remembered or not
    assert json.loads(post(client, token).body)["error"]["code"] == "claims.expired"


def test_the_replay_cache_forgets_only_expired_entries_and_refuses_when_full():
    cache = ReplayCache(max_entries=2, reserved_per_client=0)
    assert cache.remember("c", "a", keep_until=100, now=0) is None
    assert cache.remember("c", "a", keep_until=100, now=50) == "replay.jti_seen"
    assert cache.remember("other", "a", keep_until=100, now=50) is None  # per client
    assert cache.remember("c", "b", keep_until=100, now=50) == "replay.cache_full"
    assert cache.remember("c", "a", keep_until=200, now=100) is None  # expired, forgotten
    assert len(cache) == 1


def test_clients_that_flood_the_replay_cache_refuse_only_themselves():
    cache = ReplayCache(max_entries=4, max_per_client=3, reserved_per_client=1)
    for jti in "abc":
        assert cache.remember("flood-1", jti, keep_until=100, now=0) is None
    assert cache.remember("flood-1", "d", keep_until=100, now=0) == "replay.cache_full"  # its cap
    assert cache.remember("flood-2", "a", keep_until=100, now=0) is None  # the cache is full now
    assert cache.remember("flood-2", "b", keep_until=100, now=0) == "replay.cache_full"
    assert cache.remember("honest", "a", keep_until=100, now=0) is None  # its reserved entry
    assert cache.remember("honest", "a", keep_until=100, now=0) == "replay.jti_seen"
    assert len(cache) == 5
    assert cache.remember("flood-1", "d", keep_until=300, now=100) is None  # all expired
    assert len(cache) == 1 and cache._per_client == {"flood-1": 1}


def test_a_restarted_server_refuses_tokens_from_before_its_start(tmp_path, clock):
    with BackgroundServer(tmp_path, clock=clock) as first:
        client = PracticeClient(first.url, clock=clock)
        client.register()
        captured = signed_request(client, first.state.key.kid, clock)
        assert post(client, captured).status == 200
    clock.advance(60)
    with BackgroundServer(tmp_path, clock=clock) as second:  # the replay cache is empty now
        again = PracticeClient(second.url, key=client.key, signing_key=client.signing_key,
                               clock=clock)  # fmt: skip
        again.client_id = client.client_id
        answer = post(again, captured)
        assert json.loads(answer.body)["error"]["code"] == "replay.before_start"
        assert again.verify_pan(PAN, NAME).response["pan"] == PAN
        assert jwe_steps.load_key(jwks(second)[0]).kid == second.state.key.kid


def test_an_answer_signed_by_a_kid_not_in_the_cache_makes_the_client_refetch_once(server, clock):
    from jwe_steps import jws
    from jwe_steps.keys import KeySet

    client = PracticeClient(server.url, clock=clock)
    client.register()
    client.fetch_jwks()
    # A cache whose signing key is some other key (as if the server had rotated it since).
    enc_keys = tuple(key for key in client.jwks().keys if key.use == "enc")
    stale_sig = jws.generate_signing_key("ES256", kid="demo-old-sig").public_key()
    client._jwks = KeySet((*enc_keys, stale_sig))
    exchange = client.verify_pan(PAN, NAME)
    assert exchange.response["valid_format"] is True
    assert client.jwks_fetches == 2
    assert exchange.response_trace.signer_kid == server.state.keys.signing.kid
