"""From-scratch AES-GCM on a 64 KiB payload, against cryptography's AESGCM (issue 4).

Target: the from-scratch encryption of 64 KiB, with every counter, keystream and GHASH step
recorded, in under 1 s. Reports best-of-N seconds and the ratio to the bare primitive; also
the from-scratch decryption and a whole JWE through engine="from_scratch". No asserts.
Run: .venv/bin/python benchmarks/bench_from_scratch.py
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import jwe_steps
from jwe_steps.from_scratch import gcm

PAYLOAD = 64 * 1024
RUNS = 5
TARGET_SECONDS = 1.0


def best_of(run: Callable[[], object], runs: int = RUNS) -> float:
    """The fastest of ``runs`` timed calls, after one warm-up call."""
    run()
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def measure() -> dict[str, Any]:
    key, iv, aad = os.urandom(32), os.urandom(12), os.urandom(64)
    plaintext = os.urandom(PAYLOAD)
    sealed = gcm.encrypt(key, iv, plaintext, aad)
    assert sealed.ciphertext + sealed.tag == AESGCM(key).encrypt(iv, plaintext, aad)

    library = best_of(lambda: AESGCM(key).encrypt(iv, plaintext, aad))
    ours = best_of(lambda: gcm.encrypt(key, iv, plaintext, aad))
    ours_open = best_of(lambda: gcm.decrypt(key, iv, sealed.ciphertext, aad, sealed.tag))
    rsa = jwe_steps.generate_key("RSA")  # a DEMO key
    public = rsa.public_key()

    def jwe(engine: str) -> object:
        token = jwe_steps.encrypt(
            plaintext, public, alg="RSA-OAEP-256", enc="A256GCM", engine=engine
        ).token
        return jwe_steps.decrypt(token, rsa, engine=engine)

    whole_default = best_of(lambda: jwe("cryptography"), runs=3)
    whole_scratch = best_of(lambda: jwe("from_scratch"), runs=3)
    return {
        "payload_bytes": PAYLOAD,
        "steps_recorded": len(sealed.steps),
        "seconds": {
            "cryptography AESGCM.encrypt": library,
            "from_scratch gcm.encrypt": ours,
            "from_scratch gcm.decrypt": ours_open,
            "JWE enc+dec, engine=cryptography": whole_default,
            "JWE enc+dec, engine=from_scratch": whole_scratch,
        },
        "ratio": {
            "gcm.encrypt / AESGCM": ours / library,
            "gcm.decrypt / AESGCM": ours_open / library,
            "JWE from_scratch / cryptography": whole_scratch / whole_default,
        },
        "target_seconds": TARGET_SECONDS,
        "met": ours < TARGET_SECONDS,
    }


def main() -> dict[str, Any]:
    results = measure()
    seconds = results["seconds"]
    library, whole_default = (
        seconds["cryptography AESGCM.encrypt"],
        seconds["JWE enc+dec, engine=cryptography"],
    )
    print(
        f"from-scratch AES-256-GCM, {PAYLOAD // 1024} KiB, "
        f"{results['steps_recorded']} steps recorded"
    )
    print(f"  {'':34} {'seconds':>10} {'x cryptography':>15}")
    for name, value in seconds.items():
        base = whole_default if name.startswith("JWE") else library
        print(f"  {name:34} {value:10.4f} {value / base:15.1f}")
    ours = seconds["from_scratch gcm.encrypt"]
    verdict = "meets" if results["met"] else "MISSES"
    print(f"  target: gcm.encrypt of 64 KiB under {TARGET_SECONDS:.0f} s: {verdict} ({ours:.3f} s)")
    return results


if __name__ == "__main__":
    main()
