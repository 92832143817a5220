"""Strict nbval over the notebook series: the time ``make test`` spends on the notebooks.

Runs ``pytest --nbval -p no:cacheprovider notebooks`` in a subprocess (each notebook in a fresh
kernel, every stored output compared) and reports the wall time, the time per notebook and the
outcome. Target: the whole series under 60 s.

Run: .venv/bin/python benchmarks/bench_notebooks.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def measure() -> dict[str, Any]:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    command = [sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", "-q"]
    start = time.perf_counter()
    result = subprocess.run(
        [*command, "notebooks"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    seconds = time.perf_counter() - start
    summary = (result.stdout.strip().splitlines() or [""])[-1]
    found = re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary)
    counts = {kind: int(n) for n, kind in found}
    return {
        "notebooks": len(notebooks),
        "seconds": seconds,
        "seconds_per_notebook": seconds / max(1, len(notebooks)),
        "cells": counts,
        "passed": result.returncode == 0,
        "summary": summary.strip("= "),
        "target_seconds": TARGET_SECONDS,
        "met": seconds < TARGET_SECONDS,
    }


def main() -> dict[str, Any]:
    results = measure()
    outcome = "all cells pass" if results["passed"] else f"NOT passing: {results['summary']}"
    print(f"strict nbval, {results['notebooks']} notebooks: {outcome}")
    print(
        f"  {results['seconds']:.1f} s in all, {results['seconds_per_notebook']:.1f} s per "
        f"notebook; target under {TARGET_SECONDS:.0f} s: {'meets' if results['met'] else 'MISSES'}"
    )
    return results


if __name__ == "__main__":
    main()
