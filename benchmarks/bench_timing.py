"""The time a failed decrypt takes: a wrong RSA key against a tampered tag (issue 13).

RFC 7516 §11.5: a CEK that does not decrypt is replaced by a random one, so a wrong key fails at
the tag like a tampered token does. Both fail with the same error; this measures whether they
also take the same time. Samples alternate between the two cases (so drift on a shared machine
hits both alike) and the report is the difference of medians, with a Mann-Whitney z-score of
the two samples (|z| < 3: no difference this many samples can see).

Reported, never asserted (speed and timing live here, not in tests).

Run: .venv/bin/python benchmarks/bench_timing.py [--samples N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jwe_steps

SAMPLES = 2000


def _wrong_key_token(recipient: jwe_steps.Key, payload: bytes, alg: str, enc: str) -> str:
    """A token made for another DEMO key whose encrypted key, read as a number, is not below
    the recipient's modulus: the case OpenSSL refuses before any exponentiation, so the
    harder of the two wrong-key cases (a value below the modulus costs the full operation
    anyway)."""
    modulus = recipient.material.public_key().public_numbers().n
    for _ in range(200):
        other = jwe_steps.generate_key("RSA")  # DEMO key
        for _ in range(20):
            token = jwe_steps.encrypt(payload, other.public_key(), alg=alg, enc=enc).token
            encrypted_key = jwe_steps.b64.b64url_decode(token.split(".")[1])
            if int.from_bytes(encrypted_key, "big") >= modulus:
                return token
    raise RuntimeError("no other key with a larger modulus was found")


def _tokens() -> tuple[jwe_steps.Key, str, str]:
    """A DEMO recipient key, a token made for another key, and a token with its tag altered."""
    recipient = jwe_steps.generate_key("RSA")  # DEMO key
    payload = b'{"demo": "timing"}'
    alg, enc = "RSA-OAEP-256", "A256GCM"
    wrong_key = _wrong_key_token(recipient, payload, alg, enc)
    parts = jwe_steps.encrypt(payload, recipient.public_key(), alg=alg, enc=enc).token.split(".")
    tag = bytearray(jwe_steps.b64.b64url_decode(parts[4]))
    tag[0] ^= 1
    parts[4] = jwe_steps.b64.b64url_encode(bytes(tag))
    return recipient, wrong_key, ".".join(parts)


def _time_failure(token: str, key: jwe_steps.Key) -> float:
    start = time.perf_counter()
    try:
        jwe_steps.decrypt(token, key)
    except jwe_steps.JWEError as error:
        elapsed = time.perf_counter() - start
        assert error.code == "decryption.failed", error.code
        return elapsed
    raise AssertionError("the altered token decrypted")


def mann_whitney_z(a: list[float], b: list[float]) -> float:
    """The normal approximation of the Mann-Whitney U statistic of samples ``a`` and ``b``."""
    ranked = sorted([(value, 0) for value in a] + [(value, 1) for value in b])
    rank_sum_a = sum(rank for rank, (_, group) in enumerate(ranked, start=1) if group == 0)
    n_a, n_b = len(a), len(b)
    u = rank_sum_a - n_a * (n_a + 1) / 2
    mean = n_a * n_b / 2
    sd = (n_a * n_b * (n_a + n_b + 1) / 12) ** 0.5
    return (u - mean) / sd


def measure(samples: int = SAMPLES) -> dict[str, Any]:
    key, wrong_key, tampered = _tokens()
    for _ in range(50):  # warm-up
        _time_failure(wrong_key, key)
        _time_failure(tampered, key)
    times: dict[str, list[float]] = {"wrong key": [], "tampered tag": []}
    for index in range(samples):
        pair = [("wrong key", wrong_key), ("tampered tag", tampered)]
        for name, token in pair if index % 2 else pair[::-1]:
            times[name].append(_time_failure(token, key))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "samples": samples,
        "median_us": {name: 1e6 * value for name, value in medians.items()},
        "difference_us": 1e6 * (medians["wrong key"] - medians["tampered tag"]),
        "z": mann_whitney_z(times["wrong key"], times["tampered tag"]),
    }


def report(results: dict[str, Any]) -> None:
    print("\n=== failed decrypt: wrong RSA key against tampered tag (RSA-OAEP-256 + A256GCM) ===")
    for name, value in results["median_us"].items():
        print(f"{name:>14}: {value:8.1f} us (median of {results['samples']})")
    print(
        f"{'difference':>14}: {results['difference_us']:+8.2f} us "
        f"(Mann-Whitney z = {results['z']:+.1f}; |z| < 3 is no difference these samples see)"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=SAMPLES)
    args = parser.parse_args(argv)
    results = measure(args.samples)
    report(results)
    return results


if __name__ == "__main__":
    main()
