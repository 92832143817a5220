"""encrypt+decrypt (RSA-OAEP-256 / A256GCM) with jwe_steps versus the bare primitives.

Both run in this one process, interleaved round by round, and the result is a ratio of
medians: noise from a shared machine hits both sides alike. Run: python benchmarks/bench_core.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor import floor_decrypt, floor_encrypt

import jwe_steps

SIZES = {"1 KiB": 1024, "4 MiB": 4 * 1024 * 1024}
ROUNDS = {"1 KiB": 200, "4 MiB": 25}


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median seconds per call for each contender, measured in alternation."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for run in contenders.values():  # warm-up
        run()
    for _ in range(rounds):
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def measure(size: int, rounds: int, key: jwe_steps.Key) -> dict[str, float]:
    plaintext = os.urandom(size)
    public = key.public_key()
    private_object, public_object = key.material, public.material

    def ours() -> None:
        token = jwe_steps.encrypt(plaintext, public, alg="RSA-OAEP-256", enc="A256GCM").token
        assert jwe_steps.decrypt(token, key).plaintext == plaintext

    def floor() -> None:
        token = floor_encrypt(plaintext, public_object)
        assert floor_decrypt(token, private_object) == plaintext

    return interleaved({"jwe_steps": ours, "floor": floor}, rounds)


def main() -> list[dict[str, object]]:
    key = jwe_steps.load_key(jwe_steps.generate_key("RSA").to_jwk(private=True))  # DEMO key
    rows = []
    print("encrypt+decrypt, RSA-OAEP-256 + A256GCM: jwe_steps vs the bare primitives (floor)")
    print(f"{'payload':>8}  {'floor':>10}  {'jwe_steps':>10}  {'ratio':>6}")
    for label, size in SIZES.items():
        result = measure(size, ROUNDS[label], key)
        ratio = result["jwe_steps"] / result["floor"]
        rows.append(
            {
                "payload": label,
                "floor_s": result["floor"],
                "ours_s": result["jwe_steps"],
                "ratio": ratio,
            }
        )
        floor_ms, ours_ms = result["floor"] * 1e3, result["jwe_steps"] * 1e3
        print(f"{label:>8}  {floor_ms:>8.2f}ms  {ours_ms:>8.2f}ms  {ratio:>5.2f}x")
    return rows


if __name__ == "__main__":
    main()
