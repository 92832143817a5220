"""Cold start of ``jwe-steps --help``, against the bare interpreter starting and exiting.

Each run is a fresh process; the two commands alternate, and medians are reported. The target is
absolute (under 150 ms), so the milliseconds are printed beside the ratio to ``python -c pass``.
Also ``import jwe_steps`` followed by first use of ``encrypt`` (everything a script loads).

Run: .venv/bin/python benchmarks/bench_startup.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RUNS = 15
TARGET_MS = 150.0


def _command() -> list[str]:
    script = Path(sys.executable).with_name("jwe-steps")
    if script.exists():
        return [str(script), "--help"]
    return [sys.executable, "-m", "jwe_steps.cli", "--help"]


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    # close_fds=False lets subprocess use posix_spawn: the parent's size adds no fork cost.
    # No timeout: with one, wait() polls with growing sleeps, which quantizes the result.
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, close_fds=False)
    return time.perf_counter() - start


def measure(runs: int = RUNS) -> dict[str, Any]:
    commands = {
        "jwe-steps --help": _command(),
        "python -c pass": [sys.executable, "-c", "pass"],
        "import jwe_steps + encrypt": [sys.executable, "-c", "import jwe_steps; jwe_steps.encrypt"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        _wall(command)  # warm the page cache
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(_wall(command))
    medians = {name: statistics.median(values) * 1e3 for name, values in samples.items()}
    return {
        "runs": runs,
        "median_ms": medians,
        "ratio_to_bare_python": {
            name: medians[name] / medians["python -c pass"] for name in medians
        },
        "target_ms": TARGET_MS,
        "met": medians["jwe-steps --help"] < TARGET_MS,
    }


def report(results: dict[str, Any]) -> None:
    print(f"cold start (median of {results['runs']} fresh processes)")
    for name, ms in results["median_ms"].items():
        ratio = results["ratio_to_bare_python"][name]
        print(f"  {name:28} {ms:7.1f} ms  {ratio:5.2f}x python -c pass")
    verdict = "meets" if results["met"] else "MISSES"
    print(f"  target: jwe-steps --help under {TARGET_MS:.0f} ms: {verdict}")


def main() -> dict[str, Any]:
    """Measure from a fresh, small process, as a shell would start the command."""
    result = subprocess.run(
        [sys.executable, __file__, "--json"], capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip()[-300:])
    results: dict[str, Any] = json.loads(result.stdout)
    report(results)
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["--json"]:
        print(json.dumps(measure()))
    else:
        main()
