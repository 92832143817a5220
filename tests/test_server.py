"""The practice API (`jwe-steps serve`): a real uvicorn server on a free loopback port.

This file covers what does not depend on the request's signature: the transport (body cap,
timeouts, content types, the JSON error shape), the error mapping by code, registration,
the state directory, the CLI, and the unsigned ``encrypt-only`` profile of notebook 09.
The signed protocol is in ``test_server_signed.py``; rotation in ``test_server_rotation.py``.

Every test talks HTTP to a running server on 127.0.0.1: the project's client helper, jwcrypto
as an independent client, raw httpx requests for each error status, and raw sockets where the
test is about what the server does before it has read a body. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.parse
from pathlib import Path

import httpx
import pytest
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk

import jwe_steps
from jwe_steps import errors
from jwe_steps.b64 import b64url_encode
from jwe_steps.client import PracticeAPIError, PracticeClient
from jwe_steps.server import (
    DECRYPTION_FAILED,
    MAX_BODY_BYTES,
    BackgroundServer,
    StateError,
    Timeouts,
    answer_for,
    classify,
)
from jwe_steps.server_http import MAX_HEAD_BYTES
from jwe_steps.server_state import TEMP_PREFIX

PAN, NAME = "ABCDE1234F", "Asha Rao"
JOSE = {"Content-Type": "application/jose"}


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(profile="encrypt-only") as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    # trust_env=False: never route loopback calls through a proxy from the environment.
    with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def client(server):
    practice = PracticeClient(server.url, profile="encrypt-only")
    practice.register()
    return practice


@pytest.fixture(scope="module")
def server_jwks(http):
    return http.get("/.well-known/jwks.json").json()


def enc_jwk(jwks):
    (key,) = [key for key in jwks["keys"] if key["use"] == "enc"]
    return key


def request_token(server_jwks, message=None, **options):
    plaintext = json.dumps(message or {"pan": PAN, "name": NAME})
    key = jwe_steps.load_key(enc_jwk(server_jwks))
    return jwe_steps.encrypt(plaintext, key, alg="RSA-OAEP-256", enc="A256GCM", **options).token


def post_pan(http, body, client_id, content_type="application/jose"):
    headers = {"Content-Type": content_type}
    if client_id is not None:
        headers["X-Client-Id"] = client_id
    return http.post("/v1/kyc/pan", content=body, headers=headers)


def error_of(response):
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "stage", "message"}
    assert error["code"] in errors.CODES
    return error


def code_of_decrypting(token, key):
    """The code jwe_steps.decrypt itself gives this token: what the server must pass on."""
    with pytest.raises(errors.JWEError) as caught:
        jwe_steps.decrypt(token, key, algorithms=["RSA-OAEP-256", "A256GCM"])
    return caught.value.code, str(caught.value.stage)


# ---------------------------------------------------------------- the keys and round trips


def test_jwks_publishes_an_encryption_and_a_signing_key(http, server):
    response = http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    enc, sig = response.json()["keys"]
    assert enc["kty"] == "RSA" and enc["use"] == "enc" and enc["alg"] == "RSA-OAEP-256"
    assert enc["kid"] == server.state.key.kid and enc["kid"].startswith("demo-")
    assert sig["kty"] == "EC" and sig["crv"] == "P-256"
    assert sig["use"] == "sig" and sig["alg"] == "ES256" and sig["kid"].startswith("demo-")
    for key in (enc, sig):
        assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & set(key)
    assert jwe_steps.load_key(enc).size_bits == 2048


def test_round_trip_with_the_client_helper_shows_both_sides(client, server):
    exchange = client.verify_pan(PAN, NAME)
    assert exchange.status == 200
    assert exchange.response["pan"] == PAN and exchange.response["valid_format"] is True
    assert re.fullmatch(r"req-[0-9a-f]{16}", exchange.response["request_id"])
    assert exchange.request_id == exchange.response["request_id"]
    assert exchange.request_trace.header == {
        "alg": "RSA-OAEP-256",
        "enc": "A256GCM",
        "kid": server.state.key.kid,
    }
    # The server decrypts what the client sent: same CEK, same plaintext.
    seen = jwe_steps.decrypt(exchange.request_trace.token, server.state.key)
    assert seen["cek"] == exchange.request_trace["cek"]
    assert json.loads(seen.plaintext) == {"pan": PAN, "name": NAME}
    assert exchange.response_trace.header["kid"] == client.key.kid
    for name in ("encrypted_key", "cek", "iv", "aad", "ciphertext", "tag", "plaintext"):
        assert name in exchange.response_trace, name
    assert json.loads(exchange.response_trace.plaintext) == exchange.response


@pytest.mark.parametrize(
    ("pan", "valid"),
    [
        ("ABCDE1234F", True),
        ("ZZZZZ0000Z", True),
        ("abcde1234f", False),  # lower case
        ("ABCDE12345", False),  # a digit where the last letter goes
        ("ABCD1234F", False),  # too short
        ("ABCDE1234FG", False),  # too long
        ("ABCDE1234F\n", False),
        ("", False),
    ],
)
def test_pan_format_check(client, pan, valid):
    exchange = client.verify_pan(pan, NAME)
    assert exchange.response["pan"] == pan
    assert exchange.response["valid_format"] is valid


def test_round_trip_with_jwcrypto_as_the_client(http, server_jwks):
    own_key = jwcrypto_jwk.JWK.generate(kty="RSA", size=2048, kid="demo-jwcrypto-client")
    registered = http.post("/v1/clients", json={"jwk": json.loads(own_key.export_public())})
    assert registered.status_code == 201
    client_id = registered.json()["client_id"]

    server_key = jwcrypto_jwk.JWK(**enc_jwk(server_jwks))
    protected = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": enc_jwk(server_jwks)["kid"]}
    outgoing = jwcrypto_jwe.JWE(
        json.dumps({"pan": "PQRST6789U", "name": "J. Crypto"}).encode(),
        protected=json.dumps(protected),
    )
    outgoing.add_recipient(server_key)
    response = post_pan(http, outgoing.serialize(compact=True), client_id)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jose"

    incoming = jwcrypto_jwe.JWE()
    incoming.deserialize(response.text, key=own_key)
    header = json.loads(incoming.objects["protected"])
    assert header["alg"] == "RSA-OAEP-256" and header["enc"] == "A256GCM"
    assert header["kid"] == "demo-jwcrypto-client"
    answer = json.loads(incoming.payload)
    assert answer["pan"] == "PQRST6789U" and answer["valid_format"] is True
    assert answer["request_id"] == response.headers["x-request-id"]


def test_encrypt_only_lets_a_captured_request_be_replayed_under_another_client(server, client):
    # The flaw the signed profile fixes, kept on purpose for notebook 09: nothing binds a
    # request to its sender, so an attacker who captured it gets the victim's PAN.
    victim_request = client.verify_pan(PAN, NAME).request_trace.token
    attacker = PracticeClient(server.url, profile="encrypt-only")
    attacker.register()
    answer = attacker.request(
        "POST",
        "/v1/kyc/pan",
        victim_request.encode(),
        {"Content-Type": "application/jose", "X-Client-Id": attacker.client_id},
    )
    assert answer.status == 200
    stolen = jwe_steps.decrypt(answer.body.decode(), attacker.key)
    assert json.loads(stolen.plaintext)["pan"] == PAN


# ---------------------------------------------------------------- 400: the body, by code


def _tamper_tag(token):
    parts = token.split(".")
    tag = bytearray(jwe_steps.b64.b64url_decode(parts[4]))
    tag[0] ^= 1
    parts[4] = b64url_encode(bytes(tag))
    return ".".join(parts)


def test_400_for_a_body_that_is_not_a_jwe(http, client, server):
    response = post_pan(http, b"garbage", client.client_id)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["stage"]) == code_of_decrypting("garbage", server.state.key)
    assert error["stage"] == "serialization"


def test_400_passes_on_the_code_of_each_public_format_problem(http, client, server, server_jwks):
    token = request_token(server_jwks)
    unbound = jwe_steps.load_key(enc_jwk(server_jwks)).material  # without its JWK 'alg'
    other_alg = jwe_steps.encrypt(b"{}", unbound, alg="RSA-OAEP", enc="A256GCM",
                                  header={"kid": server.state.key.kid}).token  # fmt: skip
    unknown_kid = request_token(server_jwks, header={"kid": "demo-someone-else"})
    cases = {
        "padded": (token.replace(".", "=.", 1), "base64url"),
        "newline": (token + "\n", "serialization"),
        "other alg": (other_alg, "algorithm"),
    }
    for label, (body, stage) in cases.items():
        error = error_of(post_pan(http, body, client.client_id))
        expected = code_of_decrypting(body, server.state.keys.accepted(time.time()))
        assert (error["code"], error["stage"]) == expected, label
        assert error["stage"] == stage, label
    # The server's kids are public, so an unknown one is named, before any key is tried.
    error = error_of(post_pan(http, unknown_kid, client.client_id))
    assert (error["code"], error["stage"]) == ("key.kid_unknown", "key")
    no_kid = jwe_steps.encrypt(b"{}", unbound, alg="RSA-OAEP-256", enc="A256GCM").token
    assert error_of(post_pan(http, no_kid, client.client_id))["code"] == "api.kid_missing"


def test_400_is_one_uniform_answer_for_a_wrong_key_and_a_tampered_tag(http, client, server):
    kid = server.state.key.kid
    stranger = jwe_steps.generate_key("RSA")
    wrong_key = jwe_steps.encrypt(
        json.dumps({"pan": PAN, "name": NAME}),
        stranger.public_key(),
        alg="RSA-OAEP-256",
        enc="A256GCM",
        header={"kid": kid},
    ).token
    tampered = _tamper_tag(client.verify_pan(PAN, NAME).request_trace.token)
    answers = [post_pan(http, body, client.client_id) for body in (wrong_key, tampered)]
    assert [a.status_code for a in answers] == [400, 400]
    first, second = (error_of(a) for a in answers)
    # RFC 7516 §11.5: nothing in the answer tells a wrong key from an altered token.
    assert first == second
    assert first["code"] == DECRYPTION_FAILED and first["stage"] == "content_decryption"
    for answer in answers:
        assert PAN not in answer.text and NAME not in answer.text


def test_400_for_decrypted_content_of_the_wrong_shape_never_echoes_it(http, client, server_jwks):
    secret = "SECRETPAN1"
    for message, code in (
        ("not json " + secret, "api.json"),
        (json.dumps([secret]), "api.json"),
        ('{"pan": "' + secret + '", "pan": "x", "name": "n"}', "api.json"),  # a repeated member
        (json.dumps({"pan": secret}), "api.fields"),
        (json.dumps({"pan": 12345, "name": secret}), "api.fields"),
        (json.dumps({"pan": secret * 10, "name": "n"}), "api.fields"),  # longer than a PAN can be
    ):
        key = jwe_steps.load_key(enc_jwk(server_jwks))
        token = jwe_steps.encrypt(message, key, alg="RSA-OAEP-256", enc="A256GCM").token
        response = post_pan(http, token, client.client_id)
        assert response.status_code == 400
        assert error_of(response)["code"] == code
        assert secret not in response.text


def test_json_serializations_are_refused_before_any_key_is_used(http, client, server, monkeypatch):
    import jwe_steps.server_kyc as kyc_module

    def never(*args, **kwargs):
        raise AssertionError("decrypt must not run for a JSON serialization")

    monkeypatch.setattr(kyc_module, "decrypt", never)
    key = server.state.key.public_key()
    for serialization in ("flattened", "general"):
        token = jwe_steps.encrypt(
            b"{}", key, alg="RSA-OAEP-256", enc="A256GCM", serialization=serialization
        ).token
        response = post_pan(http, json.dumps(token), client.client_id)
        assert response.status_code == 400
        error = error_of(response)
        assert (error["code"], error["stage"]) == ("format.json_serialization", "serialization")


# ---------------------------------------------------------------- compression


def _zipped_request(server, plaintext):
    return jwe_steps.encrypt(
        plaintext, server.state.key.public_key(), alg="RSA-OAEP-256", enc="A256GCM",
        header={"zip": "DEF"},
    ).token  # fmt: skip


def test_encrypt_only_inflates_a_small_zip_request(http, client, server):
    response = post_pan(http, _zipped_request(server, json.dumps({"pan": PAN, "name": NAME})),
                        client.client_id)  # fmt: skip
    assert response.status_code == 200


def test_a_compressed_request_never_grows_memory_beyond_a_small_multiple_of_the_cap(
    http, client, server
):
    bomb_content = b'{"pan": "' + b"A" * (64 * MAX_BODY_BYTES) + b'", "name": "n"}'
    token = _zipped_request(server, bomb_content)
    assert len(token) < MAX_BODY_BYTES / 2  # a small request...
    tracemalloc.start()
    try:
        response = post_pan(http, token, client.client_id)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # ...that would inflate to 4 MiB: refused at the cap, inflating no further.
    assert response.status_code == 400
    assert error_of(response)["code"] == "limits.decompressed_size"
    assert peak < 8 * MAX_BODY_BYTES, f"peak {peak} B while answering a {len(token)} B request"


# ---------------------------------------------------------------- 401, 408, 413, 415


def test_401_for_an_unknown_or_missing_client(http, server_jwks):
    token = request_token(server_jwks)
    for client_id in ("client-0000000000000000", None):
        response = post_pan(http, token, client_id)
        assert response.status_code == 401
        error = error_of(response)
        assert error["code"] == "api.client_unknown"
        assert "client-0000000000000000" not in error["message"]


def test_415_for_any_other_content_type(http, client, server_jwks):
    token = request_token(server_jwks)
    for content_type in ("text/plain", "application/json", "application/jose+json", ""):
        response = post_pan(http, token, client.client_id, content_type=content_type)
        assert response.status_code == 415, content_type
        assert error_of(response)["code"] == "api.content_type"
    ok = post_pan(http, token, client.client_id, content_type="application/jose; charset=us-ascii")
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "application/jose; charset=utf-16",
        'application/jose; charset="UTF-16LE"',
        "application/jose;charset=latin1",
        "application/jose; charset=utf-8; charset=utf-16",
    ],
)
def test_415_for_a_token_in_a_charset_not_read_as_utf8(http, client, server_jwks, content_type):
    response = post_pan(http, request_token(server_jwks), client.client_id, content_type)
    assert response.status_code == 415
    assert error_of(response)["code"] == "api.content_type"


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json; charset=utf-16", 415),
        ("application/json; charset=UTF-16", 415),
        ('application/json; charset="utf-16"', 415),
        ("application/json; charset=us-ascii", 415),
        ("application/json; charset=utf8", 415),
        ('application/json; name="a;charset=utf-8"; charset=utf-32', 415),
        ("application/json; charset=utf-8", 201),
        ("Application/JSON;Charset=UTF-8", 201),
        ('application/json; charset="utf-8"', 201),
        ('application/json; x="charset=utf-16"', 201),  # inside another parameter's value
        ("application/json", 201),
    ],
)
def test_a_json_body_must_be_utf8_whatever_its_content_type_says(
    http, client, content_type, status
):
    body = json.dumps({"jwk": client.key.public_key().to_jwk()})
    response = http.post("/v1/clients", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    if status == 415:
        assert error_of(response)["code"] == "api.content_type"


def _connect(url):
    parts = urllib.parse.urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=15)


def _read_raw_answer(sock):
    """One HTTP answer from ``sock``: (status, body bytes). Bounded by the timeout."""
    received = b""
    while b"\r\n\r\n" not in received:
        data = sock.recv(65536)
        assert data, "the server closed the connection without an answer"
        received += data
    head_bytes, _, rest = received.partition(b"\r\n\r\n")
    status = int(head_bytes.split(b" ", 2)[1])
    length = int(re.search(rb"(?i)content-length: *(\d+)", head_bytes).group(1))
    while len(rest) < length:
        data = sock.recv(65536)
        assert data, "the server closed the connection mid-answer"
        rest += data
    return status, rest[:length]


def _read_answer(sock):
    """One HTTP answer from ``sock``: (status, parsed JSON body). Bounded by the timeout."""
    status, body = _read_raw_answer(sock)
    return status, json.loads(body)


def _raw_exchange(url, head, body_chunks=()):
    with _connect(url) as sock:
        sock.sendall(head)
        for chunk in body_chunks:
            sock.sendall(chunk)
        return _read_answer(sock)


def _pan_head(client_id, extra):
    return (
        "POST /v1/kyc/pan HTTP/1.1\r\nHost: test\r\nContent-Type: application/jose\r\n"
        f"X-Client-Id: {client_id}\r\n{extra}\r\n"
    ).encode()


def test_413_from_content_length_before_any_body_is_sent(server, client):
    head = _pan_head(client.client_id, f"Content-Length: {2 * MAX_BODY_BYTES}\r\n")
    status, body = _raw_exchange(server.url, head)
    assert status == 413 and body["error"]["code"] == "api.body_size"


def test_413_while_streaming_a_chunked_body_without_content_length(server, client):
    head = _pan_head(client.client_id, "Transfer-Encoding: chunked\r\n")
    piece = b"A" * 16384
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    chunks = [chunk] * (MAX_BODY_BYTES // len(piece) + 1)  # just past the cap, never finished
    status, body = _raw_exchange(server.url, head, chunks)
    assert status == 413 and body["error"]["code"] == "api.body_size"


def _jwks_head(extra_headers):
    return f"GET /.well-known/jwks.json HTTP/1.1\r\nHost: test\r\n{extra_headers}\r\n".encode()


def test_431_for_a_request_head_past_the_cap(server):
    head = _jwks_head(f"X-Big: {'a' * MAX_HEAD_BYTES}\r\n")
    with _connect(server.url) as sock:
        sock.sendall(head)
        status, body = _read_answer(sock)
        assert status == 431 and body["error"]["code"] == "api.head_too_large"
        assert _closed_within(sock, 5) is not None


def _clients_head(extra):
    return f"POST /v1/clients HTTP/1.1\r\nHost: test\r\n{extra}\r\n".encode()


# What llhttp refuses before the application runs: answered in JSON, never in plain text.
MALFORMED_HTTP = [
    *[
        pytest.param(_clients_head(f"Content-Length: {value}\r\n"), "api.content_length", id=name)
        for name, value in [
            ("cl-letters", "abc"),
            ("cl-negative", "-1"),
            ("cl-exponent", "1e3"),
            ("cl-plus", "+5"),
            ("cl-hex", "0x10"),
            ("cl-list", "5, 5"),
            ("cl-23-digits", "1" * 23),
            ("cl-decimal", "5.0"),
        ]
    ],
    pytest.param(
        _clients_head("Content-Length: 5\r\nContent-Length: 5\r\n") + b"hello",
        "api.content_length",
        id="cl-twice",
    ),
    pytest.param(
        _clients_head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + b"5\r\nhello\r\n",
        "api.content_length",
        id="cl-and-chunked",
    ),
    pytest.param(
        _clients_head("Transfer-Encoding: chunked\r\n") + b"zz\r\nhello\r\n0\r\n\r\n",
        "api.http",
        id="chunk-size-not-hex",
    ),
    pytest.param(
        _clients_head("Transfer-Encoding: chunked\r\n") + b"-5\r\nhello\r\n0\r\n\r\n",
        "api.http",
        id="chunk-size-negative",
    ),
    pytest.param(
        _clients_head("Transfer-Encoding: chunked\r\n") + b"1" * 40 + b"\r\n",
        "api.http",
        id="chunk-size-past-2**64",
    ),
    pytest.param(_jwks_head("X-A: a\x00b\r\n"), "api.http", id="nul-in-header-value"),
    pytest.param(b"BREW / HTTP/1.1\r\nHost: test\r\n\r\n", "api.http", id="unknown-method"),
    pytest.param("GET /caf\u00e9 HTTP/1.1\r\nHost: t\r\n\r\n".encode(), "api.http", id="non-ascii"),
    pytest.param(_jwks_head("Bad Name: x\r\n"), "api.http", id="space-in-header-name"),
    pytest.param(_jwks_head("X-A\x01: x\r\n"), "api.http", id="control-in-header-name"),
    pytest.param(b"GET / HTTP/1.1\nHost: test\n\n", "api.http", id="lf-line-endings"),
    pytest.param(b"GET / HTTP/9.9\r\nHost: test\r\n\r\n", "api.http", id="http-version"),
    # Not HTTP/1.1 at all: a TLS ClientHello (https:// to this http:// server), an HTTP/2
    # client with prior knowledge. Answered the same way, so a raw client can read why.
    pytest.param(bytes.fromhex("160301020001") + b"\x00" * 40, "api.http", id="tls-client-hello"),
    pytest.param(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "api.http", id="http2-preface"),
]


@pytest.mark.parametrize(("data", "code"), MALFORMED_HTTP)
def test_400_in_json_for_malformed_http_and_the_connection_closed(server, data, code):
    with _connect(server.url) as sock:
        sock.sendall(data)
        status, body = _read_answer(sock)
        assert status == 400 and body["error"]["code"] == code
        assert set(body["error"]) == {"code", "stage", "message"}
        assert _closed_within(sock, 5) is not None


def _answers_until_closed(sock):
    """Every answer on ``sock`` until the server closes it: [(status, JSON body)], in order.
    (For pipelined answers, which may share a read.)"""
    received = b""
    while data := sock.recv(65536):
        received += data
    answers = []
    while received:
        head, _, rest = received.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        answers.append((int(head.split(b" ", 2)[1]), json.loads(rest[:length])))
        received = rest[length:]
    return answers


def test_a_malformed_request_after_good_ones_is_refused_after_their_answers(server):
    good = _jwks_head("")
    bad = _clients_head("Content-Length: abc\r\n")
    with _connect(server.url) as sock:
        sock.sendall(good)  # one answered request on the connection: then a malformed one
        assert _read_answer(sock)[0] == 200
        sock.sendall(bad)
        assert _read_answer(sock)[1]["error"]["code"] == "api.content_length"
        assert _closed_within(sock, 5) is not None
    with _connect(server.url) as sock:
        # Pipelined in one send: each good request keeps its answer, in order, then the refusal.
        sock.sendall(good + good + b"BREW / HTTP/1.1\r\n\r\n")
        answers = _answers_until_closed(sock)
        assert [status for status, _ in answers] == [200, 200, 400]
        assert answers[-1][1]["error"]["code"] == "api.http"
    with _connect(server.url) as sock:
        # Malformed in the body of a pipelined request: that request is never run.
        chunked = _clients_head("Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")
        sock.sendall(good + chunked + b"2\r\n{}\r\nzz\r\n")
        answers = _answers_until_closed(sock)
        assert [status for status, _ in answers] == [200, 400]
        assert answers[-1][1]["error"]["code"] == "api.http"


def test_a_malformed_body_after_its_early_answer_only_closes_the_connection(server, client):
    head = _pan_head(client.client_id, "Transfer-Encoding: chunked\r\n")
    piece = b"A" * 16384
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with _connect(server.url) as sock:
        sock.sendall(head + chunk * (MAX_BODY_BYTES // len(piece) + 1))
        status, body = _read_answer(sock)  # answered already: the body is past the cap
        assert status == 413 and body["error"]["code"] == "api.body_size"
        sock.sendall(b"zz\r\n")  # then a bad chunk size: no second answer to the one request
        assert _closed_within(sock, 5) is not None


def test_a_head_that_never_ends_is_cut_off_before_it_fills_memory(server):
    start = b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: test\r\nX-Endless: "
    sent = 0
    with _connect(server.url) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(start)
        refused = False
        while sent < 16 * MAX_HEAD_BYTES:
            try:
                sock.sendall(b"a" * 1024)
            except (BrokenPipeError, ConnectionResetError):
                refused = True
                break
            sent += 1024
            if sent > MAX_HEAD_BYTES and _closed_within(sock, 0.05) is not None:
                refused = True
                break
        assert refused, "the server kept reading a head that never ends"
    assert sent <= 2 * MAX_HEAD_BYTES


def test_a_head_just_under_the_cap_split_inside_its_blank_line_is_answered(server):
    head = _jwks_head(f"X-Big: {'a' * (MAX_HEAD_BYTES - 200)}\r\n")
    assert len(head) < MAX_HEAD_BYTES
    with _connect(server.url) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Sent as "... CR", "LF CR", "LF": the blank line that ends the head straddles sends.
        for piece in (head[:-3], head[-3:-1], head[-1:]):
            sock.sendall(piece)
            time.sleep(0.05)
        status, body = _read_answer(sock)
    assert status == 200 and body["keys"]
    with _connect(server.url) as sock:  # the count starts again for each request on a connection
        for _ in range(3):
            sock.sendall(head)
            assert _read_answer(sock)[0] == 200


@pytest.mark.parametrize("cuts", [(), (10,), (-1,), (-2,), (-3,), (-4,), (-3, -1), (-4, -2, -1)])
def test_the_head_count_stops_at_the_blank_line_wherever_the_chunks_split(cuts):
    from types import SimpleNamespace

    from jwe_steps.server_http import BoundedHttpProtocol

    head = _jwks_head("X-Filler: " + "f" * 100 + "\r\n")
    data = head + b"B" * (4 * MAX_HEAD_BYTES)  # what follows the head is not counted
    ends = [len(head) + cut if cut < 0 else cut for cut in cuts]
    pieces = [data[a:b] for a, b in zip([0, *ends], [*ends, len(data)], strict=True)]
    counter = SimpleNamespace(_head_bytes=0, _head_tail=b"")
    found = [BoundedHttpProtocol._head_end(counter, piece) for piece in pieces]  # type: ignore[arg-type]
    assert found[:-1] == [-1] * (len(pieces) - 1)  # the head goes on past every piece but the last
    assert found[-1] == len(head) - sum(len(piece) for piece in pieces[:-1])
    assert counter._head_bytes == len(head)


# What Java's HttpClient sends on every HTTP/1.1 request: an offer to switch to HTTP/2, which a
# server may ignore and answer in HTTP/1.1 (RFC 9110 §7.8).
H2C_OFFER = (
    "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAAA\r\n"
)


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
@pytest.mark.parametrize("cut", [None, 0, 1, 2, 5, 9, 10])
def test_an_http2_upgrade_offer_is_ignored_and_the_body_still_read(
    server, client, server_jwks, framing, cut
):
    token = request_token(server_jwks).encode("ascii")
    if framing == "chunked":
        framed = f"{len(token):x}\r\n".encode() + token + b"\r\n0\r\n\r\n"
        head = _pan_head(client.client_id, H2C_OFFER + "Transfer-Encoding: chunked\r\n")
    else:
        framed = token
        head = _pan_head(client.client_id, H2C_OFFER + f"Content-Length: {len(token)}\r\n")
    with _connect(server.url) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if cut is None:
            sock.sendall(head + framed)
        else:  # the head in two sends, cut inside (or around) "\r\nUpgrade:"
            at = head.index(b"\r\nUpgrade:") + cut
            sock.sendall(head[:at])
            time.sleep(0.03)
            sock.sendall(head[at:] + framed)
        status, answer = _read_raw_answer(sock)
        assert status == 200, answer
        opened = jwe_steps.decrypt(answer.decode("ascii"), client.key)
        assert json.loads(opened.plaintext)["pan"] == PAN
        sock.sendall(_jwks_head(H2C_OFFER))  # the connection still speaks HTTP/1.1
        assert _read_answer(sock)[0] == 200


@pytest.mark.parametrize(
    ("piece", "held"),
    [
        (b"GET / HTTP/1.1\r\nHost: x", 0),
        (b"GET / HTTP/1.1\r", 1),
        (b"GET / HTTP/1.1\r\n", 2),
        (b"GET / HTTP/1.1\r\nUpGr", 6),
        (b"GET / HTTP/1.1\r\nUpgrade", 9),
        (b"GET / HTTP/1.1\r\nUpgrade:", 0),  # whole: renamed in this piece already
        (b"GET / HTTP/1.1\r\nUpgrode", 0),
        (b"\r\nX: a\r\nUp", 4),
    ],
)
def test_only_what_may_begin_an_upgrade_field_is_held_back(piece, held):
    from jwe_steps.server_http import _unfinished_upgrade

    assert _unfinished_upgrade(piece) == held


def test_404_and_405_answer_in_the_same_json_shape(http):
    assert error_of(http.get("/v1/nothing-here"))["code"] == "api.not_found"
    assert error_of(http.get("/v1/kyc/pan"))["code"] == "api.method_not_allowed"


@pytest.fixture(scope="module")
def impatient_server():
    timeouts = Timeouts(head=0.5, body=0.5, keep_alive=1)
    with BackgroundServer(profile="encrypt-only", timeouts=timeouts) as running:
        practice = PracticeClient(running.url, profile="encrypt-only")
        practice.register()
        yield running, practice


def _closed_within(sock, seconds):
    """Seconds until the server closed ``sock`` (it sends nothing first), or None."""
    sock.settimeout(seconds)
    start = time.monotonic()
    try:
        data = sock.recv(1024)
    except TimeoutError:
        return None
    except ConnectionResetError:
        data = b""
    return time.monotonic() - start if data == b"" else None


def test_a_connection_that_sends_nothing_is_closed(impatient_server):
    running, _ = impatient_server
    with _connect(running.url) as sock:
        assert _closed_within(sock, 5) is not None


def test_a_request_head_dripped_byte_by_byte_is_cut_off(impatient_server):
    running, _ = impatient_server
    head = b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: test\r\nX-Slow: " + b"a" * 100
    with _connect(running.url) as sock:
        start = time.monotonic()
        closed = False
        for byte in head:  # one byte every 0.1 s: never a complete head
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if _closed_within(sock, 0.1) is not None:
                closed = True
                break
        assert closed, "the server kept a dripping connection open"
        assert time.monotonic() - start < 5


def test_an_idle_keep_alive_connection_is_closed_after_an_answer(impatient_server):
    running, _ = impatient_server
    with _connect(running.url) as sock:
        sock.sendall(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: test\r\n\r\n")
        status, _ = _read_answer(sock)
        assert status == 200
        assert _closed_within(sock, 5) is not None


def test_408_for_a_body_that_stops_arriving(impatient_server):
    running, practice = impatient_server
    head = _pan_head(practice.client_id, "Content-Length: 1000\r\n")
    with _connect(running.url) as sock:
        sock.sendall(head + b"A" * 10)
        status, body = _read_answer(sock)
    assert status == 408 and body["error"]["code"] == "api.body_timeout"


def test_the_server_writes_nothing_on_stdout(server, client, capfd):
    client.verify_pan(PAN, NAME)
    httpx.get(server.url + "/v1/nothing-here", trust_env=False)
    out, _ = capfd.readouterr()
    assert out == ""


# ---------------------------------------------------------------- registration


def test_registration_refuses_bad_keys_without_echoing_them(http):
    private = jwe_steps.generate_key("RSA").to_jwk(private=True)
    response = http.post("/v1/clients", json={"jwk": private})
    assert response.status_code == 400
    assert error_of(response)["code"] == "api.jwk_private"
    for member in ("d", "p", "q"):
        assert private[member] not in response.text

    def refused(jwk):
        return error_of(http.post("/v1/clients", json={"jwk": jwk}))["code"]

    public = jwe_steps.generate_key("RSA").public_key().to_jwk()
    assert refused(jwe_steps.generate_key("EC").public_key().to_jwk()) == "api.jwk_invalid"
    assert refused(dict(public, use="sig")) == "api.jwk_invalid"
    assert refused(dict(public, alg="RSA1_5")) == "api.jwk_invalid"
    # A key that encrypt cannot use is refused now, not 500 on every later request.
    assert refused(dict(public, key_ops=["verify"])) == "api.jwk_invalid"
    assert refused(dict(public, n="AQAB")) == "api.jwk_invalid"  # a 17-bit modulus
    for not_a_key_set in (5, True, 1.5, None, "keys"):
        assert refused({"keys": not_a_key_set}) == "api.jwk_invalid"

    assert error_of(http.post("/v1/clients", json={"key": {}}))["code"] == "api.jwks_missing"
    bad_json = http.post("/v1/clients", content=b"{", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and error_of(bad_json)["code"] == "api.json"
    wrong_type = http.post("/v1/clients", content=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415


def test_registration_is_capped_with_429(monkeypatch):
    import jwe_steps.server_state as state_module

    monkeypatch.setattr(state_module, "MAX_CLIENTS", 2)
    with BackgroundServer(profile="encrypt-only") as running:
        jwk = jwe_steps.generate_key("RSA").public_key().to_jwk()
        with httpx.Client(base_url=running.url, trust_env=False, timeout=30) as http:
            statuses = [http.post("/v1/clients", json={"jwk": jwk}) for _ in range(3)]
    assert [answer.status_code for answer in statuses] == [201, 201, 429]
    assert error_of(statuses[2])["code"] == "api.clients_full"


def test_registration_runs_off_the_event_loop(server, monkeypatch):
    import jwe_steps.server as server_module

    threads = []
    original = server_module.Practice.register

    def recording(self, record):
        threads.append(threading.current_thread().name)
        return original(self, record)

    monkeypatch.setattr(server_module.Practice, "register", recording)
    PracticeClient(server.url, profile="encrypt-only").register()
    assert len(threads) == 1
    assert threads[0] != f"jwe-steps practice server {server.url}"


def test_client_helper_raises_with_the_servers_error(server):
    practice = PracticeClient(server.url, profile="encrypt-only")
    practice.register()
    practice.client_id = "client-ffffffffffffffff"
    with pytest.raises(PracticeAPIError) as caught:
        practice.verify_pan(PAN, NAME)
    assert caught.value.status == 401 and caught.value.code == "api.client_unknown"
    assert caught.value.request_trace is not None  # what was sent can still be shown


# ---------------------------------------------------------------- robustness


def test_a_bad_request_never_harms_the_next(http, client, server_jwks):
    bad_bodies = [
        b"garbage",
        b"",
        b"\xff\xfe" * 50,
        b"." * 4,
        _tamper_tag(request_token(server_jwks)),
    ]
    for bad in bad_bodies:
        assert post_pan(http, bad, client.client_id).status_code == 400
        exchange = client.verify_pan(PAN, NAME)
        assert exchange.response["valid_format"] is True


def test_answers_are_computed_on_the_event_loop_without_a_thread_hop(server, client, monkeypatch):
    # Bounded CPU work: a worker thread added two hops to every request and lowered the rate
    # with 16 clients (registrations, which write files, stay off the loop: tested above).
    import jwe_steps.server as server_module

    threads = []
    original = server_module.answer_pan_request

    def recording(*args):
        threads.append(threading.current_thread().name)
        return original(*args)

    monkeypatch.setattr(server_module, "answer_pan_request", recording)
    client.verify_pan(PAN, NAME)
    assert threads == [f"jwe-steps practice server {server.url}"]


def test_listening_socket_is_tcp_so_answers_are_not_delayed_by_nagle():
    from jwe_steps.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[1] != 0
    finally:
        sock.close()


# ---------------------------------------------------------------- state and the CLI


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_state_dir_keeps_the_keys_and_the_clients_in_private_files(tmp_path):
    state = tmp_path / "state"
    with BackgroundServer(state, profile="encrypt-only") as first:
        kid = first.state.key.kid
        practice = PracticeClient(first.url, profile="encrypt-only")
        client_id = practice.register()
        assert practice.verify_pan(PAN, NAME).response["valid_format"] is True
    assert _mode(state) == 0o700 and _mode(state / "clients") == 0o700
    keys_file = state / "server_keys.json"
    client_file = state / "clients" / f"{client_id}.json"
    assert _mode(keys_file) == 0o600 and _mode(client_file) == 0o600
    stored = json.loads(keys_file.read_text())
    assert "DEMO" in stored["notice"] and stored["encryption"][0]["jwk"]["kid"] == kid
    assert not {"d", "p", "q"} & set(json.loads(client_file.read_text())["jwks"]["keys"][0])

    with BackgroundServer(state, profile="encrypt-only") as second:
        assert second.state.key.kid == kid
        again = PracticeClient(second.url, key=practice.key, profile="encrypt-only")
        again.client_id = client_id  # registered before the restart
        assert again.verify_pan(PAN, NAME).response["pan"] == PAN


def test_state_dir_removes_stray_temporary_files_at_start(tmp_path):
    BackgroundServer(tmp_path, profile="encrypt-only")  # makes the directory and the keys
    stray = [tmp_path / f"{TEMP_PREFIX}server_keys.json.1234", tmp_path / "clients" /
             f"{TEMP_PREFIX}client-0123456789abcdef.json.5678"]  # fmt: skip
    for path in stray:
        path.write_text("half a write")
    kept = tmp_path / "notes.txt"
    kept.write_text("not ours")
    BackgroundServer(tmp_path, profile="encrypt-only")
    assert not any(path.exists() for path in stray)
    assert kept.exists()


def test_state_dir_refuses_a_corrupt_or_non_demo_key(tmp_path):
    (tmp_path / "server_keys.json").write_text("{not json")
    with pytest.raises(StateError, match="not valid JSON"):
        BackgroundServer(tmp_path)
    document = BackgroundServer().state.keys.to_document()
    real_looking = dict(document["encryption"][0]["jwk"], kid="production-1")
    document["encryption"][0]["jwk"] = real_looking
    (tmp_path / "server_keys.json").write_text(json.dumps(document))
    with pytest.raises(StateError, match="DEMO"):
        BackgroundServer(tmp_path)


def test_a_given_demo_key_is_used_and_a_non_demo_key_refused():
    key = jwe_steps.generate_key("RSA", kid="practice-server", alg="RSA-OAEP-256")
    with BackgroundServer(key=key, profile="encrypt-only") as running:
        assert running.state.key.kid == "demo-practice-server"
        practice = PracticeClient(running.url, profile="encrypt-only")
        assert practice.server_key.kid == "demo-practice-server"
        assert practice.verify_pan(PAN, NAME).request_trace.header["kid"] == "demo-practice-server"
    not_demo = jwe_steps.load_key(dict(key.to_jwk(private=True), kid="production-2"))
    with pytest.raises(StateError, match="DEMO"):
        BackgroundServer(key=not_demo)
    with pytest.raises(StateError, match="private"):
        BackgroundServer(key=key.public_key())


def _run_cli_serve(tmp_path, *options):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "jwe_steps.cli", "serve", "--port", "0", *options]
    return subprocess.Popen(
        [*command, "--state", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )


def _stop(process):
    process.terminate()
    try:
        return process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate(timeout=5)


def _first_line(process):
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()))
    reader.start()
    reader.join(30)
    assert lines, "jwe-steps serve printed no URL within 30 s"
    return lines[0].strip()


def _wait_until_serving(url):
    with httpx.Client(base_url=url, trust_env=False, timeout=30) as http:
        for _ in range(100):  # printed before uvicorn accepts: allow a moment
            try:
                return http.get("/.well-known/jwks.json")
            except httpx.ConnectError:
                threading.Event().wait(0.05)
    raise AssertionError(f"{url} never answered")


def test_cli_serve_port_0_prints_its_url_and_serves(tmp_path):
    process = _run_cli_serve(tmp_path, "--profile", "encrypt-only")
    try:
        url = _first_line(process)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), url
        assert int(url.rsplit(":", 1)[1]) != 0
        response = _wait_until_serving(url)
        assert response.status_code == 200
        assert response.json()["keys"][0]["kid"].startswith("demo-")
        practice = PracticeClient(url, profile="encrypt-only")
        assert practice.verify_pan(PAN, NAME).response["valid_format"] is True
    finally:
        _, err = _stop(process)
    assert "WARNING: profile encrypt-only" in err


def test_cli_serve_signed_profile_says_no_warning_and_logs_no_requests(tmp_path):
    process = _run_cli_serve(tmp_path)
    try:
        url = _first_line(process)
        assert _wait_until_serving(url).status_code == 200
    finally:
        rest_of_stdout, err = _stop(process)
    assert "WARNING" not in err and "GET /.well-known" not in err
    assert rest_of_stdout == ""


def test_cli_serve_access_log_names_the_peer_not_a_forwarded_for_header(tmp_path):
    # The practice server is never behind a proxy: a caller's X-Forwarded-For must not choose
    # the address its log line shows.
    process = _run_cli_serve(tmp_path, "--access-log")
    try:
        url = _first_line(process)
        assert _wait_until_serving(url).status_code == 200
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as http:
            forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
            assert http.get("/.well-known/jwks.json", headers=forged).status_code == 200
    finally:
        _, err = _stop(process)
    lines = [line for line in err.splitlines() if "GET /.well-known/jwks.json" in line]
    assert len(lines) == 2, err
    assert all("127.0.0.1:" in line for line in lines), lines
    assert "203.0.113.9" not in err


# ---------------------------------------------------------------- the mapping, by code


@pytest.mark.parametrize(
    ("error", "status", "code", "stage"),
    [
        (errors.SerializationError("any words", code="format.segments"), 400, "format.segments",
         "serialization"),
        (errors.Base64urlError("any words", code="base64url.padding"), 400, "base64url.padding",
         "base64url"),
        (errors.Base64urlError("any words"), 400, "base64url.invalid", "base64url"),
        (errors.HeaderError("any words", code="header.duplicate_member"), 400,
         "header.duplicate_member", "header"),
        (errors.AlgorithmError("any words"), 400, "algorithm.not_allowed", "algorithm"),
        (errors.InvalidKeyError("any words", code="key.kid_unknown"), 400, "key.kid_unknown",
         "key"),
        (errors.IVLengthError("any words"), 400, "iv.length", "iv"),
        (errors.TagLengthError("any words"), 400, "tag.length", "tag"),
        (errors.SizeLimitError("any words", code="limits.token_size"), 413, "limits.token_size",
         "limits"),
        # Claims that are not strict JSON: read once the JWE decrypted, so never key-dependent.
        (errors.ClaimsError("any words", code="json.surrogate"), 400, "json.surrogate", "claims"),
        (errors.ClaimsError("any words", code="json.duplicate_member"), 400,
         "json.duplicate_member", "claims"),
        (errors.ClaimsError("any words", code="json.number"), 400, "json.number", "claims"),
        (errors.ClaimsError("any words", code="json.invalid"), 400, "json.invalid", "claims"),
        (errors.ClaimsError("any words", code="claims.type"), 400, "claims.type", "claims"),
        (errors.ClaimsError("any words", code="claims.expired"), 401, "claims.expired", "claims"),
        # Key-dependent failures: all the same, whatever the cause.
        (errors.KeyManagementError("any words"), 400, DECRYPTION_FAILED, "content_decryption"),
        (errors.KeyManagementError("any words", code="oaep.hash_mismatch"), 400, DECRYPTION_FAILED,
         "content_decryption"),
        (errors.CEKLengthError("any words"), 400, DECRYPTION_FAILED, "content_decryption"),
        (errors.DecryptionFailedError("any words"), 400, DECRYPTION_FAILED, "content_decryption"),
        (errors.DecryptionFailedError("any words", code="tag.mismatch"), 400, DECRYPTION_FAILED,
         "content_decryption"),
        # The same class with a kid in the message is still a key-dependent failure: the code
        # decides, never the words.
        (errors.InvalidKeyError("the kid is wrong, kid kid"), 400, DECRYPTION_FAILED,
         "content_decryption"),
    ],
)  # fmt: skip
def test_classify_reads_the_code_and_names_only_what_does_not_depend_on_the_key(
    error, status, code, stage
):
    answer = answer_for(error)
    assert (answer.status, answer.code, answer.stage) == (status, code, stage)
    assert classify(error) == (answer.status, answer.code, answer.stage, answer.message)
    if code == DECRYPTION_FAILED:
        assert error.message not in answer.message


def test_every_code_the_server_modules_name_is_registered():
    package = Path(jwe_steps.__file__).parent
    source = "\n".join(path.read_text() for path in sorted(package.glob("server*.py")))
    named = set(re.findall(r'"((?:api|replay)\.[a-z_]+)"', source))
    assert named and named <= set(errors.CODES)


def test_index_says_it_is_a_practice_server_with_demo_keys(http):
    index = http.get("/").json()
    assert index["service"] == "jwe-steps practice API" and "DEMO" in index["notice"]
    assert index["profile"] == "encrypt-only"
    assert set(index["endpoints"]) == {
        "GET /.well-known/jwks.json",
        "POST /v1/clients",
        "POST /v1/kyc/pan",
        "POST /v1/practice/rotate",
    }


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://127.0.0.2", True),
        ("http://192.0.2.10:8000", False),
        ("https://api.example.com", False),
    ],
)
def test_client_bypasses_proxies_only_for_loopback(url, loopback):
    from jwe_steps.client_http import is_loopback

    assert is_loopback(url) is loopback


def test_state_dir_also_keeps_the_current_key_alone_and_migrates_the_first_layout(tmp_path):
    with BackgroundServer(tmp_path / "new", profile="encrypt-only") as running:
        kid = running.state.key.kid
        httpx.post(running.url + "/v1/practice/rotate", trust_env=False, timeout=30)
        rotated = running.state.key.kid
    current = tmp_path / "new" / "server_key.json"
    assert _mode(current) == 0o600
    assert json.loads(current.read_text())["jwk"]["kid"] == rotated != kid
    # A state directory of the first version held only server_key.json: its key is kept.
    old = tmp_path / "old"
    old.mkdir()
    key = jwe_steps.generate_key("RSA", kid="first-version", alg="RSA-OAEP-256")
    (old / "server_key.json").write_text(json.dumps({"jwk": key.to_jwk(private=True)}))
    migrated = BackgroundServer(old, profile="encrypt-only")
    assert migrated.state.key.kid == "demo-first-version"
    assert (old / "server_keys.json").exists()
