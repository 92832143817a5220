"""The practice API (`jwe-steps serve`): a real uvicorn server on a free loopback port.

Every test talks HTTP to a running server: the project's client helper, jwcrypto as an
independent client, raw httpx requests for each error status, and raw sockets where the test is
about what the server does *before* it has read a body.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
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
    classify,
)

PAN, NAME = "ABCDE1234F", "Asha Rao"
JOSE = {"Content-Type": "application/jose"}


@pytest.fixture(scope="module")
def server():
    with BackgroundServer() as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    # trust_env=False: never route loopback calls through a proxy from the environment.
    with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def client(server):
    practice = PracticeClient(server.url)
    practice.register()
    return practice


@pytest.fixture(scope="module")
def server_jwks(http):
    return http.get("/.well-known/jwks.json").json()


def request_token(jwks, message=None, **options):
    plaintext = json.dumps(message or {"pan": PAN, "name": NAME})
    return jwe_steps.encrypt(plaintext, jwks, alg="RSA-OAEP-256", enc="A256GCM", **options).token


def post_pan(http, body, client_id, content_type="application/jose"):
    headers = {"Content-Type": content_type}
    if client_id is not None:
        headers["X-Client-Id"] = client_id
    return http.post("/v1/kyc/pan", content=body, headers=headers)


def error_of(response):
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "stage", "message"}
    return error


# ---------------------------------------------------------------- the key and round trips


def test_jwks_publishes_one_public_rsa_encryption_key(http, server):
    response = http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA" and key["use"] == "enc" and key["alg"] == "RSA-OAEP-256"
    assert key["kid"] == server.state.key.kid and key["kid"].startswith("demo-")
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    assert jwe_steps.load_key(key).size_bits == 2048


def test_round_trip_with_the_client_helper_shows_both_sides(client, server):
    exchange = client.verify_pan(PAN, NAME)
    assert exchange.status == 200
    assert exchange.response["pan"] == PAN and exchange.response["valid_format"] is True
    assert re.fullmatch(r"req-[0-9a-f]{16}", exchange.response["request_id"])
    assert exchange.request_id == exchange.response["request_id"]
    # The request side: encrypted to the server's key, its kid in the header.
    assert exchange.request_trace.header == {
        "alg": "RSA-OAEP-256",
        "enc": "A256GCM",
        "kid": server.state.key.kid,
    }
    assert json.loads(exchange.request_trace["plaintext"]) == {"pan": PAN, "name": NAME}
    # The server decrypts what the client sent: same CEK, same plaintext.
    seen = jwe_steps.decrypt(exchange.request_trace.token, server.state.key)
    assert seen["cek"] == exchange.request_trace["cek"]
    # The response side: every stage recorded, decrypted with the client's key.
    assert exchange.response_trace.header["alg"] == "RSA-OAEP-256"
    assert exchange.response_trace.header["enc"] == "A256GCM"
    assert exchange.response_trace.header["kid"] == client.key.kid
    for name in ("encrypted_key", "cek", "iv", "aad", "ciphertext", "tag", "plaintext"):
        assert name in exchange.response_trace, name
    assert len(exchange.response_trace["cek"]) == 32
    assert json.loads(exchange.response_trace.plaintext) == exchange.response
    assert "request" in str(exchange) and "response" in str(exchange)


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
    registered = http.post(
        "/v1/clients",
        json={"jwk": json.loads(own_key.export_public())},
    )
    assert registered.status_code == 201
    client_id = registered.json()["client_id"]

    server_key = jwcrypto_jwk.JWK(**server_jwks["keys"][0])
    protected = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": server_jwks["keys"][0]["kid"]}
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


# ---------------------------------------------------------------- 400: the body


def _tamper_tag(token):
    parts = token.split(".")
    tag = bytearray(jwe_steps.b64.b64url_decode(parts[4]))
    tag[0] ^= 1
    parts[4] = b64url_encode(bytes(tag))
    return ".".join(parts)


def test_400_for_a_body_that_is_not_a_jwe(http, client):
    response = post_pan(http, b"garbage", client.client_id)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "format.segments" and error["stage"] == "serialization"
    assert "expected 5 parts" in error["message"]


def test_400_names_public_format_problems(http, client, server_jwks):
    token = request_token(server_jwks)
    padded = token.replace(".", "=.", 1)
    error = error_of(post_pan(http, padded, client.client_id))
    assert (error["code"], error["stage"]) == ("base64url.padding", "base64url")

    error = error_of(post_pan(http, token + "\n", client.client_id))
    assert (error["code"], error["stage"]) == ("format.whitespace", "serialization")

    unbound = jwe_steps.load_key(server_jwks["keys"][0]).material  # without its JWK 'alg'
    other_alg = jwe_steps.encrypt(b"{}", unbound, alg="RSA-OAEP", enc="A256GCM").token
    error = error_of(post_pan(http, other_alg, client.client_id))
    assert (error["code"], error["stage"]) == ("algorithm.not_allowed", "algorithm")

    server_key = jwe_steps.load_key(server_jwks["keys"][0])
    unknown_kid = request_token(server_key, header={"kid": "demo-someone-else"})
    error = error_of(post_pan(http, unknown_kid, client.client_id))
    assert (error["code"], error["stage"]) == ("key.kid_unknown", "key")


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
        ("not json " + secret, "request.json"),
        (json.dumps([secret]), "request.json"),
        (json.dumps({"pan": secret}), "request.fields"),
        (json.dumps({"pan": 12345, "name": secret}), "request.fields"),
    ):
        token = jwe_steps.encrypt(message, server_jwks, alg="RSA-OAEP-256", enc="A256GCM").token
        response = post_pan(http, token, client.client_id)
        assert response.status_code == 400
        assert error_of(response)["code"] == code
        assert secret not in response.text


# ---------------------------------------------------------------- 401, 413, 415


def test_401_for_an_unknown_or_missing_client(http, server_jwks):
    token = request_token(server_jwks)
    for client_id in ("client-0000000000000000", None):
        response = post_pan(http, token, client_id)
        assert response.status_code == 401
        error = error_of(response)
        assert error["code"] == "client.unknown"
        assert "client-0000000000000000" not in error["message"]


def test_415_for_any_other_content_type(http, client, server_jwks):
    token = request_token(server_jwks)
    for content_type in ("text/plain", "application/json", "application/jose+json", ""):
        response = post_pan(http, token, client.client_id, content_type=content_type)
        assert response.status_code == 415, content_type
        assert error_of(response)["code"] == "http.content_type"
    # Parameters after the media type are fine.
    ok = post_pan(http, token, client.client_id, content_type="application/jose; charset=us-ascii")
    assert ok.status_code == 200


def _raw_exchange(url, head, body_chunks=()):
    """Send raw bytes, read one HTTP response (status, parsed JSON body). Bounded by timeouts."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=15) as sock:
        sock.sendall(head)
        for chunk in body_chunks:
            sock.sendall(chunk)
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
    return status, json.loads(rest[:length])


def test_413_from_content_length_before_any_body_is_sent(server, client):
    # Only the headers go out; the answer must come without waiting for the 2 MiB.
    head = (
        "POST /v1/kyc/pan HTTP/1.1\r\nHost: test\r\nContent-Type: application/jose\r\n"
        f"X-Client-Id: {client.client_id}\r\nContent-Length: {2 * MAX_BODY_BYTES}\r\n\r\n"
    ).encode()
    status, body = _raw_exchange(server.url, head)
    assert status == 413 and body["error"]["code"] == "limits.body_size"


def test_413_while_streaming_a_chunked_body_without_content_length(server, client):
    head = (
        "POST /v1/kyc/pan HTTP/1.1\r\nHost: test\r\nContent-Type: application/jose\r\n"
        f"X-Client-Id: {client.client_id}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    piece = b"A" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    chunks = [chunk] * (MAX_BODY_BYTES // len(piece) + 1)  # just past the cap, never finished
    status, body = _raw_exchange(server.url, head, chunks)
    assert status == 413 and body["error"]["code"] == "limits.body_size"


def test_404_and_405_answer_in_the_same_json_shape(http):
    assert error_of(http.get("/v1/nothing-here"))["code"] == "http.not_found"
    assert error_of(http.get("/v1/kyc/pan"))["code"] == "http.method_not_allowed"


# ---------------------------------------------------------------- registration


def test_registration_refuses_bad_keys_without_echoing_them(http):
    private = jwe_steps.generate_key("RSA").to_jwk(private=True)
    response = http.post("/v1/clients", json={"jwk": private})
    assert response.status_code == 400
    assert error_of(response)["code"] == "client.jwk_private"
    for member in ("d", "p", "q"):
        assert private[member] not in response.text

    ec_key = jwe_steps.generate_key("EC").public_key().to_jwk()
    assert error_of(http.post("/v1/clients", json={"jwk": ec_key}))["code"] == "client.jwk_invalid"

    signing = dict(jwe_steps.generate_key("RSA").public_key().to_jwk(), use="sig")
    assert error_of(http.post("/v1/clients", json={"jwk": signing}))["code"] == "client.jwk_invalid"

    assert error_of(http.post("/v1/clients", json={"key": {}}))["code"] == "client.jwk_missing"
    bad_json = http.post("/v1/clients", content=b"{", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and error_of(bad_json)["code"] == "request.json"
    wrong_type = http.post("/v1/clients", content=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415


def test_client_helper_raises_with_the_servers_error(server):
    practice = PracticeClient(server.url)
    practice.register()
    practice.client_id = "client-ffffffffffffffff"
    with pytest.raises(PracticeAPIError) as caught:
        practice.verify_pan(PAN, NAME)
    assert caught.value.status == 401 and caught.value.code == "client.unknown"
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


def test_200_round_trips_16_at_a_time_all_correct(client):
    pans = [f"ABCDE{i:04d}F" if i % 3 else f"abcde{i:04d}f" for i in range(200)]

    def one(pan):
        exchange = client.verify_pan(pan, f"Person {pan}")
        return pan, exchange.response

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(one, pans, timeout=240))
    assert len(results) == 200
    for pan, answer in results:
        assert answer["pan"] == pan
        assert answer["valid_format"] is pan.isupper()
    assert len({answer["request_id"] for _, answer in results}) == 200


def test_decryption_runs_off_the_event_loop(server, client, monkeypatch):
    # RSA decryption is CPU-bound: it must run in a worker thread, not the server's loop thread.
    import jwe_steps.server as server_module

    threads = []
    original = server_module.answer_pan_request

    def recording(*args):
        threads.append(threading.current_thread().name)
        return original(*args)

    monkeypatch.setattr(server_module, "answer_pan_request", recording)
    client.verify_pan(PAN, NAME)
    assert len(threads) == 1
    loop_thread = f"jwe-steps practice server {server.url}"
    assert threads[0] != loop_thread and threads[0] != threading.main_thread().name


def test_listening_socket_is_tcp_so_answers_are_not_delayed_by_nagle():
    # asyncio sets TCP_NODELAY on accepted connections only when the socket's proto is TCP;
    # with proto 0 every keep-alive answer waited ~40 ms for the client's delayed ACK.
    from jwe_steps.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[1] != 0
    finally:
        sock.close()


# ---------------------------------------------------------------- state and the CLI


def test_state_dir_keeps_the_key_and_the_clients(tmp_path):
    with BackgroundServer(tmp_path / "state") as first:
        kid = first.state.key.kid
        practice = PracticeClient(first.url)
        client_id = practice.register()
        assert practice.verify_pan(PAN, NAME).response["valid_format"] is True
    key_file = tmp_path / "state" / "server_key.json"
    assert (key_file.stat().st_mode & 0o777) == 0o600
    stored = json.loads(key_file.read_text())
    assert "DEMO" in stored["notice"] and stored["jwk"]["kid"] == kid

    with BackgroundServer(tmp_path / "state") as second:
        assert second.state.key.kid == kid
        again = PracticeClient(second.url, key=practice.key)
        again.client_id = client_id  # registered before the restart
        assert again.verify_pan(PAN, NAME).response["pan"] == PAN


def test_state_dir_refuses_a_corrupt_or_non_demo_key(tmp_path):
    (tmp_path / "server_key.json").write_text("{not json")
    with pytest.raises(StateError, match="not valid JSON"):
        BackgroundServer(tmp_path)
    real_looking = jwe_steps.generate_key("RSA").to_jwk(private=True)
    real_looking["kid"] = "production-1"
    (tmp_path / "server_key.json").write_text(json.dumps({"jwk": real_looking}))
    with pytest.raises(StateError, match="DEMO"):
        BackgroundServer(tmp_path)


def test_a_given_demo_key_is_used_and_a_non_demo_key_refused():
    key = jwe_steps.generate_key("RSA", kid="practice-server", alg="RSA-OAEP-256")
    with BackgroundServer(key=key) as running:
        assert running.state.key.kid == "demo-practice-server"
        practice = PracticeClient(running.url)
        assert practice.server_key.kid == "demo-practice-server"
        assert practice.verify_pan(PAN, NAME).request_trace.header["kid"] == "demo-practice-server"
    not_demo = jwe_steps.load_key(dict(key.to_jwk(private=True), kid="production-2"))
    with pytest.raises(StateError, match="DEMO"):
        BackgroundServer(key=not_demo)
    with pytest.raises(StateError, match="private"):
        BackgroundServer(key=key.public_key())


def test_cli_serve_port_0_prints_its_url_and_serves(tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "jwe_steps.cli", "serve", "--port", "0", "--state", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()))
        reader.start()
        reader.join(30)
        assert lines, "jwe-steps serve printed no URL within 30 s"
        url = lines[0].strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), url
        assert int(url.rsplit(":", 1)[1]) != 0
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as http:
            for _ in range(100):  # printed before uvicorn accepts: allow a moment
                try:
                    response = http.get("/.well-known/jwks.json")
                    break
                except httpx.ConnectError:
                    threading.Event().wait(0.05)
            assert response.status_code == 200
            assert response.json()["keys"][0]["kid"].startswith("demo-")
        assert PracticeClient(url).verify_pan(PAN, NAME).response["valid_format"] is True
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        process.stdout.close()
        process.stderr.close()


# ---------------------------------------------------------------- the error table itself


@pytest.mark.parametrize(
    ("error", "code", "stage"),
    [
        (errors.SerializationError("a compact JWE has five parts separated by '.'"),
         "format.segments", "serialization"),
        (errors.Base64urlError("the IV carries '=' padding"), "base64url.padding", "base64url"),
        (errors.HeaderError("the protected header is not valid JSON"), "header.json", "header"),
        (errors.AlgorithmError("'alg' 'RSA1_5' is not allowed"), "algorithm.not_allowed",
         "algorithm"),
        (errors.IVLengthError("the IV does not fit A256GCM"), "iv.length", "iv"),
        (errors.TagLengthError("the authentication tag does not fit A256GCM"), "tag.length",
         "tag"),
        # Key-dependent failures: all the same, whatever the cause.
        (errors.KeyManagementError("RSA-OAEP-256 decryption of the encrypted key failed"),
         DECRYPTION_FAILED, "content_decryption"),
        (errors.CEKLengthError("the CEK does not fit A256GCM"), DECRYPTION_FAILED,
         "content_decryption"),
        (errors.DecryptionFailedError("AES-GCM authentication failed"), DECRYPTION_FAILED,
         "content_decryption"),
        (errors.InvalidKeyError("RSA-OAEP-256 needs the private key to decrypt"),
         DECRYPTION_FAILED, "content_decryption"),
    ],
)  # fmt: skip
def test_classify_names_only_what_does_not_depend_on_the_key(error, code, stage):
    status, got_code, got_stage, message = classify(error)
    assert (status, got_code, got_stage) == (400, code, stage)
    if code == DECRYPTION_FAILED:
        assert error.message not in message


def test_index_says_it_is_a_practice_server_with_demo_keys(http):
    index = http.get("/").json()
    assert index["service"] == "jwe-steps practice API" and "DEMO" in index["notice"]
    assert set(index["endpoints"]) == {
        "GET /.well-known/jwks.json",
        "POST /v1/clients",
        "POST /v1/kyc/pan",
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
    from jwe_steps.client import _is_loopback

    assert _is_loopback(url) is loopback
