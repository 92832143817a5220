"""The practice-server benchmark's "no HTTP" setup (benchmarks/bench_server.py) must run the
same protocol as the server, or its ratio says nothing about what HTTP costs: the client's
calls go through the server's answer function with every check of the route's work (the
signature, the claims, the replay cache), only the HTTP around them is gone."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_server

from jwe_steps.client import PracticeAPIError
from jwe_steps.jws import generate_signing_key
from jwe_steps.server import BackgroundServer


@pytest.fixture(scope="module")
def server():
    with BackgroundServer() as running:  # DEMO keys, a temporary state
        yield running


def test_a_direct_call_is_answered_as_over_http(server):
    direct = bench_server.direct_client(server)
    over_http = bench_server.ready_client(server.url)
    for client in (direct, over_http):
        exchange = client.verify_pan("ABCDE1234F", "Asha Rao")
        assert exchange.status == 200
        assert exchange.response["pan"] == "ABCDE1234F"
        assert exchange.response["valid_format"] is True
        assert exchange.response["in_reply_to"] == exchange.request["jti"]
        assert exchange.response_trace.jws.header["kid"] == server.state.keys.signing.kid


def test_a_direct_call_still_meets_the_replay_cache(server):
    direct = bench_server.direct_client(server)
    exchange = direct.verify_pan("ABCDE1234F", "Asha Rao")
    with pytest.raises(PracticeAPIError) as refused:
        direct._post("/v1/kyc/pan", exchange.request_trace.token, exchange.request_trace)
    assert refused.value.code == "replay.jti_seen"


def test_a_direct_call_still_verifies_the_signature(server, monkeypatch):
    direct = bench_server.direct_client(server)
    # Another key under the registered key's kid: only the signature check can refuse it.
    impostor = generate_signing_key("ES256", kid=direct.signing_key.kid)  # DEMO key
    monkeypatch.setattr(direct, "signing_key", impostor)
    with pytest.raises(PracticeAPIError) as refused:
        direct.verify_pan("ABCDE1234F", "Asha Rao")
    assert refused.value.code == "jws.signature_invalid"


def test_the_direct_transport_answers_only_the_benchmarked_call(server):
    direct = bench_server.direct_client(server)
    with pytest.raises(RuntimeError):
        direct.request("GET", "/.well-known/jwks.json")


def test_the_floor_round_trip_is_the_protocols_crypto():
    keys = bench_server.floor_keys()
    server_key, _, (client_signer, _) = keys
    sealed = bench_server.seal(server_key.public_key(), client_signer, bench_server.REQUEST)
    opened = bench_server.open_sealed(
        server_key, client_signer.public_key(), sealed, len(bench_server.REQUEST)
    )
    assert opened == bench_server.REQUEST
