"""Round trips per second through the practice API, against the bare crypto a round trip needs.

Run: ``.venv/bin/python benchmarks/bench_server.py [--requests N] [--concurrency C]``

One round trip is the signed practice protocol: the client signs its request (ES256) and
encrypts the JWS (RSA-OAEP-256 + A256GCM), POSTs it; the server decrypts it, verifies the
signature and the claims, checks the PAN, signs the answer and encrypts it to the client's key;
the client decrypts the answer and verifies it. The floor is that crypto and nothing else, done
in-process with ``cryptography``: two ES256 signatures and two verifications, two RSA-OAEP-256
public-key encryptions, two private-key decryptions, two AES-256-GCM seals and two opens. The
ratio (measured / floor) says how much of the bare work's speed survives HTTP, JSON, the JWS
and JWT checks, the replay cache, tracing and threads. Rounds of the floor, one client and many
clients alternate, and each ratio is taken against the floor of its own round, so that a slow
minute of a shared machine does not land on one side only. No asserts: speed targets are read,
not tested.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jwe_steps.client import PracticeClient
from jwe_steps.server import BackgroundServer

OAEP_256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
REQUEST = json.dumps({"pan": "ABCDE1234F", "name": "Asha Rao"}).encode()
RESPONSE = json.dumps(
    {"pan": "ABCDE1234F", "valid_format": True, "request_id": "req-0123456789abcdef"}
).encode()


ES256 = ec.ECDSA(hashes.SHA256())
TARGET_RATIO = 0.6  # issue 17: the server keeps this share of the bare work's speed


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
        signature = signer.sign(message, ES256)  # sender: sign, then encrypt
        cek, iv, aad = os.urandom(32), os.urandom(12), b"eyJhbGciOiJSU0EtT0FFUC0yNTYifQ"
        encrypted_key = recipient.public_key().encrypt(cek, OAEP_256)
        sealed = AESGCM(cek).encrypt(iv, message + signature, aad)
        recovered = recipient.decrypt(encrypted_key, OAEP_256)  # receiver: decrypt, verify
        opened = AESGCM(recovered).decrypt(iv, sealed, aad)
        signer.public_key().verify(opened[len(message) :], opened[: len(message)], ES256)


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


def server_rate(client: PracticeClient, pool: ThreadPoolExecutor, count: int) -> float:
    def one(index: int) -> None:
        pan = f"ABCDE{index % 10_000:04d}F"
        answer = client.verify_pan(pan, "Bench Mark").response
        if answer["pan"] != pan:
            raise RuntimeError(f"wrong answer for {pan}: {answer}")

    start = time.perf_counter()
    list(pool.map(one, range(count), timeout=600))
    return per_second(count, time.perf_counter() - start)


def measure(requests: int = 150, concurrency: int = 16, repeats: int = 5) -> dict[str, Any]:
    """Rounds of the floor, one client, and ``concurrency`` clients, in turn, ``repeats`` times.

    Interleaved so that a slower minute of a shared machine slows all three alike: each round's
    ratio is taken against the floor measured just before it, and the medians are reported.
    """
    keys = floor_keys()
    floor_round_trip(*keys)
    rates: dict[str, list[float]] = {"floor": [], "sequential": [], "parallel": []}
    ratios: dict[str, list[float]] = {"sequential": [], "parallel": []}
    with (
        BackgroundServer() as server,
        ThreadPoolExecutor(max_workers=1) as alone,
        ThreadPoolExecutor(max_workers=concurrency) as crowd,
    ):
        client = PracticeClient(server.url)
        client.register()
        for index in range(20):  # warm up: imports, thread pool, connection set-up
            client.verify_pan(f"ABCDE{index:04d}F", "Warm Up")
        for _ in range(repeats):
            floor = floor_rate(keys, requests)
            rates["floor"].append(floor)
            for name, pool in (("sequential", alone), ("parallel", crowd)):
                rate = server_rate(client, pool, requests)
                rates[name].append(rate)
                ratios[name].append(rate / floor)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cores": cores,
        "requests": requests,
        "concurrency": concurrency,
        "repeats": repeats,
        "per_second": {name: statistics.median(values) for name, values in rates.items()},
        "ratio_to_floor": {name: statistics.median(values) for name, values in ratios.items()},
    }


def report(results: dict[str, Any]) -> None:
    rate, ratio = results["per_second"], results["ratio_to_floor"]
    concurrency = results["concurrency"]
    print(
        "jwe-steps practice API, ES256 inside RSA-OAEP-256 + A256GCM both ways, "
        f"{results['cores']} CPU core(s)"
    )
    print(f"  floor (bare ECDSA+RSA+AES, 1 thread):  {rate['floor']:8.1f} round trips/s")
    print(
        f"  server, 1 client at a time:            {rate['sequential']:8.1f} round trips/s"
        f"   ratio {ratio['sequential']:.2f} of the floor"
    )
    print(
        f"  server, {concurrency} clients at a time:          {rate['parallel']:8.1f} round trips/s"
        f"   ratio {ratio['parallel']:.2f} of the floor"
    )
    print(
        "  (client and server share this process and its cores; the floor is one thread;"
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
