"""Round trips per second through the practice API, against the bare crypto a round trip needs.

Run: ``.venv/bin/python benchmarks/bench_server.py [--requests N] [--concurrency C]``

One round trip is the signed practice protocol: the client signs its request (ES256) and
encrypts the JWS (RSA-OAEP-256 + A256GCM), POSTs it; the server decrypts it, verifies the
signature and the claims, checks the PAN, signs the answer and encrypts it to the client's key;
the client decrypts the answer and verifies it. The floor is that crypto and nothing else, done
in-process with ``cryptography``: two ES256 signatures and two verifications, two RSA-OAEP-256
public-key encryptions, two private-key decryptions, two AES-256-GCM seals and two opens. The
ratio (measured / floor) says how much of the bare work's speed survives HTTP, JSON, the JWS
and JWT checks, the replay cache, tracing and threads.

A second floor splits that work the way a client and a server split it, between two threads
that hand each message over a socket pair (:func:`handoff_rate`): what the hand-offs alone
cost. The server runs two ways (:data:`SETUPS`): in a thread of this process, as the notebooks run
it, where the clients' and the server's Python share one interpreter lock; and in a process of
its own (``jwe-steps serve``), as a learner runs it beside their client. A third setup takes
HTTP out: the client's calls hand each request body to the server's answer function in the
client's own thread (:class:`DirectTransport`), which is what the JOSE steps and checks of both
sides cost together, in one process; no HTTP stack in the clients' process can keep more than
it. Rounds of the floor,
one client and many clients alternate, and each ratio is taken against the floor of its own
round, so that a slow minute of a shared machine does not land on one side only. No asserts:
speed targets are read, not tested.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.message import Message
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jwe_steps.client import JOSE_MEDIA_TYPE, PracticeClient
from jwe_steps.client_http import Answer
from jwe_steps.server import BackgroundServer
from jwe_steps.server_errors import ApiError
from jwe_steps.server_kyc import answer_pan_request
from jwe_steps.server_state import Practice

OAEP_256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
REQUEST = json.dumps({"pan": "ABCDE1234F", "name": "Asha Rao"}).encode()
RESPONSE = json.dumps(
    {"pan": "ABCDE1234F", "valid_format": True, "request_id": "req-0123456789abcdef"}
).encode()


ES256 = ec.ECDSA(hashes.SHA256())
TARGET_RATIO = 0.6  # issue 17: the server keeps this share of the bare work's speed


AAD = b"eyJhbGciOiJSU0EtT0FFUC0yNTYifQ"


def seal(recipient: rsa.RSAPublicKey, signer: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    """The sender's bare work: sign, then encrypt (RSA-OAEP-256 key, AES-256-GCM content)."""
    signature = signer.sign(message, ES256)
    cek, iv = os.urandom(32), os.urandom(12)
    encrypted_key = recipient.encrypt(cek, OAEP_256)
    return encrypted_key + iv + AESGCM(cek).encrypt(iv, message + signature, AAD)


def open_sealed(
    recipient: rsa.RSAPrivateKey, signer: ec.EllipticCurvePublicKey, sealed: bytes, length: int
) -> bytes:
    """The receiver's bare work: decrypt, then verify the signature of the first ``length``
    bytes."""
    split = recipient.key_size // 8
    cek = recipient.decrypt(sealed[:split], OAEP_256)
    iv = sealed[split : split + 12]
    opened = AESGCM(cek).decrypt(iv, sealed[split + 12 :], AAD)
    signer.verify(opened[length:], opened[:length], ES256)
    return opened[:length]


def floor_round_trip(
    server_key: rsa.RSAPrivateKey,
    client_key: rsa.RSAPrivateKey,
    signers: tuple[ec.EllipticCurvePrivateKey, ec.EllipticCurvePrivateKey],
) -> None:
    """The bare signature, RSA and AES work of one round trip: no JOSE, JSON, HTTP or tracing."""
    for recipient, signer, message in (
        (server_key, signers[0], REQUEST),
        (client_key, signers[1], RESPONSE),
    ):
        sealed = seal(recipient.public_key(), signer, message)
        open_sealed(recipient, signer.public_key(), sealed, len(message))


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def floor_keys() -> tuple[Any, Any, tuple[Any, Any]]:
    """Two RSA-2048 keys and two P-256 keys, as the practice client and server hold."""
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signers = (ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1()))
    return server_key, client_key, signers


def floor_rate(keys: tuple[Any, Any, tuple[Any, Any]], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        floor_round_trip(*keys)
    return per_second(count, time.perf_counter() - start)


def _send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(len(data).to_bytes(4, "big") + data)


def _receive(sock: socket.socket) -> bytes:
    def exactly(count: int) -> bytes:
        received = b""
        while len(received) < count:
            piece = sock.recv(count - len(received))
            if not piece:
                raise ConnectionError("the other thread closed the socket pair")
            received += piece
        return received

    return exactly(int.from_bytes(exactly(4), "big"))


def handoff_rate(keys: tuple[Any, Any, tuple[Any, Any]], count: int) -> float:
    """The floor's work split the way a client and a server split it: this thread seals the
    request, another opens it and seals the answer, this one opens that; each message crosses a
    socket pair. No JOSE, JSON or HTTP: what the hand-offs alone cost (each RSA decryption then
    starts on a core whose caches the other thread has used), the most one client at a time
    can keep of the floor in this setting."""
    server_key, client_key, (client_signer, server_signer) = keys
    near, far = socket.socketpair()

    def answer() -> None:
        for _ in range(count):
            open_sealed(server_key, client_signer.public_key(), _receive(far), len(REQUEST))
            _send(far, seal(client_key.public_key(), server_signer, RESPONSE))

    with near, far:
        other = threading.Thread(target=answer, name="bench hand-off")
        start = time.perf_counter()
        other.start()
        for _ in range(count):
            _send(near, seal(server_key.public_key(), client_signer, REQUEST))
            open_sealed(client_key, server_signer.public_key(), _receive(near), len(RESPONSE))
        elapsed = time.perf_counter() - start
        other.join(timeout=60)
    return per_second(count, elapsed)


def server_rate(client: PracticeClient, pool: ThreadPoolExecutor, count: int) -> float:
    def one(index: int) -> None:
        pan = f"ABCDE{index % 10_000:04d}F"
        answer = client.verify_pan(pan, "Bench Mark").response
        if answer["pan"] != pan:
            raise RuntimeError(f"wrong answer for {pan}: {answer}")

    start = time.perf_counter()
    list(pool.map(one, range(count), timeout=600))
    return per_second(count, time.perf_counter() - start)


@contextmanager
def served_in_its_own_process() -> Iterator[str]:
    """``jwe-steps serve`` in a child process, as a learner runs it: its URL."""
    with tempfile.TemporaryDirectory(prefix="jwe-steps-bench-") as state:
        command = [sys.executable, "-m", "jwe_steps.cli", "serve", "--port", "0", "--state", state]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            if not url.startswith("http://"):
                raise RuntimeError(f"jwe-steps serve printed {url!r}, not its URL")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def ready_client(url: str) -> PracticeClient:
    client = PracticeClient(url)
    for attempt in range(100):  # the child binds before it serves
        try:
            client.register()
            break
        except OSError:
            if attempt == 99:
                raise
            time.sleep(0.1)
    for index in range(20):  # warm up: imports, connection set-up
        client.verify_pan(f"ABCDE{index:04d}F", "Warm Up")
    return client


class DirectTransport:
    """Stands in for a client's HTTP connection pool: each POST /v1/kyc/pan body goes straight
    to the server's answer function (``answer_pan_request``, what the server's route calls once
    it has read the body) in the caller's thread, and its token comes back as a 200 answer (an
    error as the route's error handler answers it). No socket, HTTP parsing, event loop or
    thread hop: the client's and the server's JOSE steps, claims checks and replay cache,
    nothing else."""

    def __init__(self, practice: Practice, client_id: str) -> None:
        self._practice, self._record = practice, practice.client(client_id)

    def request(
        self, method: str, path: str, body: bytes | None, headers: Any, *, limit: int
    ) -> Answer:
        if (method, path) != ("POST", "/v1/kyc/pan") or body is None:
            raise RuntimeError(f"the direct transport only answers POST /v1/kyc/pan, not {path}")
        request_id = "req-" + secrets.token_hex(8)
        headers = Message()
        try:
            token = answer_pan_request(self._practice, self._record, body, request_id)
        except ApiError as error:  # what the route's error handler answers
            headers["Content-Type"] = "application/json"
            return Answer(error.status, headers, json.dumps(error.to_dict()).encode()[: limit + 1])
        headers["Content-Type"], headers["X-Request-Id"] = JOSE_MEDIA_TYPE, request_id
        return Answer(200, headers, token.encode("ascii")[: limit + 1])


def direct_client(server: BackgroundServer) -> PracticeClient:
    """A client registered with ``server`` over HTTP whose calls then skip HTTP
    (:class:`DirectTransport`)."""
    client = ready_client(server.url)
    assert client.client_id is not None
    client._http = DirectTransport(server.state, client.client_id)  # type: ignore[assignment]
    return client


SETUPS = ("in_process", "own_process", "no_http")
"""Where the server runs: a thread of this process (BackgroundServer, as the notebooks and tests
run it: client and server share one interpreter lock), a process of its own (``jwe-steps
serve``, as a learner runs it beside their own client), or no server at all: the server's
answer function called in the client's thread (:class:`DirectTransport`), the most the shared
interpreter lock leaves once HTTP costs nothing."""


def measure(requests: int = 150, concurrency: int = 16, repeats: int = 5) -> dict[str, Any]:
    """Rounds of the floor, the hand-off floor, then one client and ``concurrency`` clients of
    each server setup, in turn, ``repeats`` times.

    Interleaved so that a slower minute of a shared machine slows all alike: each round's ratio
    is taken against the floor measured just before it, and the medians are reported.
    """
    keys = floor_keys()
    floor_round_trip(*keys)
    runs = [(setup, mode) for setup in SETUPS for mode in ("sequential", "parallel")]
    rates: dict[str, list[float]] = {"floor": [], "handoff": []}
    rates.update({f"{s}.{m}": [] for s, m in runs})
    ratios: dict[str, list[float]] = {"handoff": [], **{f"{s}.{m}": [] for s, m in runs}}
    with (
        BackgroundServer() as server,
        served_in_its_own_process() as own_url,
        ThreadPoolExecutor(max_workers=1) as alone,
        ThreadPoolExecutor(max_workers=concurrency) as crowd,
    ):
        clients = {
            "in_process": ready_client(server.url),
            "own_process": ready_client(own_url),
            "no_http": direct_client(server),
        }
        pools = {"sequential": alone, "parallel": crowd}
        for _ in range(repeats):
            floor = floor_rate(keys, requests)
            rates["floor"].append(floor)
            handoff = handoff_rate(keys, requests)
            rates["handoff"].append(handoff)
            ratios["handoff"].append(handoff / floor)
            for setup, mode in runs:
                rate = server_rate(clients[setup], pools[mode], requests)
                rates[f"{setup}.{mode}"].append(rate)
                ratios[f"{setup}.{mode}"].append(rate / floor)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cores": cores,
        "requests": requests,
        "concurrency": concurrency,
        "repeats": repeats,
        "per_second": {name: statistics.median(values) for name, values in rates.items()},
        "ratio_to_floor": {name: statistics.median(values) for name, values in ratios.items()},
    }


_LABEL = 50  # the label column of the report


def report(results: dict[str, Any]) -> None:
    rate, ratio = results["per_second"], results["ratio_to_floor"]
    concurrency = results["concurrency"]
    print(
        "jwe-steps practice API, ES256 inside RSA-OAEP-256 + A256GCM both ways, "
        f"{results['cores']} CPU core(s)"
    )
    print(
        f"  {'floor (bare ECDSA+RSA+AES, 1 thread):':<{_LABEL}} {rate['floor']:8.1f} round trips/s"
    )
    print(
        f"  {'floor split between two threads:':<{_LABEL}} {rate['handoff']:8.1f} round trips/s"
        f"   ratio {ratio['handoff']:.2f} of the floor (hand-offs alone)"
    )
    labels = {
        "in_process": "server in this process",
        "own_process": "server in its own process",
        "no_http": "no HTTP (the answer called directly)",
    }
    for setup in SETUPS:
        for mode, clients in (("sequential", "1 client"), ("parallel", f"{concurrency} clients")):
            name, label = f"{setup}.{mode}", f"{labels[setup]}, {clients}:"
            print(
                f"  {label:<{_LABEL}} {rate[name]:8.1f} round trips/s"
                f"   ratio {ratio[name]:.2f} of the floor"
            )
    print(
        "  (the clients run in this process; the floor is one thread;"
        f" medians of {results['repeats']} interleaved rounds)"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=150, help="round trips per round")
    parser.add_argument("--concurrency", type=int, default=16, help="parallel clients")
    parser.add_argument("--repeats", type=int, default=5, help="rounds; medians are reported")
    args = parser.parse_args(argv)
    results = measure(args.requests, args.concurrency, args.repeats)
    report(results)
    return results


if __name__ == "__main__":
    main()
