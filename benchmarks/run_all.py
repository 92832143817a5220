"""`make bench`: every benchmark, one summary table, results as JSON and a plot.

Runs, in this order: encrypt+decrypt against the floor and the peers (bench_core), peak memory
decrypting a 64 MiB token (bench_memory, a fresh process per contender), `jwe-steps --help` cold
start (bench_startup), strict nbval over the notebooks (bench_notebooks), from-scratch AES-GCM
(bench_from_scratch), a failed decrypt's timing, wrong key against tampered tag
(bench_timing), and the practice server (bench_server). Each prints its own table as it
goes; the summary at the end puts every figure beside its target.

Writes benchmarks/results/results.json and benchmarks/results/benchmarks.png (git-ignored), and
the same plot to docs/benchmarks.png, which the README shows.

Run: .venv/bin/python benchmarks/run_all.py [--quick] [--skip SECTION ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DOCS_PLOT = ROOT / "docs" / "benchmarks.png"
sys.path.insert(0, str(HERE))

import bench_core  # noqa: E402
import bench_from_scratch  # noqa: E402
import bench_memory  # noqa: E402
import bench_notebooks  # noqa: E402
import bench_server  # noqa: E402
import bench_startup  # noqa: E402
import bench_timing  # noqa: E402

SECTIONS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "speed": lambda quick: bench_core.main(["--quick"] if quick else []),
    "memory": lambda quick: bench_memory.main(),
    "startup": lambda quick: bench_startup.main(),
    "notebooks": lambda quick: bench_notebooks.main(),
    "from_scratch": lambda quick: bench_from_scratch.main(),
    "timing": lambda quick: bench_timing.main(["--samples", "300" if quick else "2000"]),
    "server": lambda quick: bench_server.main(
        ["--requests", "60", "--repeats", "1"] if quick else ["--requests", "150", "--repeats", "5"]
    ),
}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from cryptography.hazmat.backends.openssl.backend import backend

    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "cryptography": metadata.version("cryptography"),
        "openssl": backend.openssl_version_text(),
        "jwcrypto": metadata.version("jwcrypto"),
        "joserfc": metadata.version("joserfc"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        # A shared machine: the 1-minute load average when the run started (and see "load_end").
        "load": f"{os.getloadavg()[0]:.1f}",
    }


def machine_line(info: dict[str, Any]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"cryptography {info['cryptography']} ({info['openssl']}), jwcrypto {info['jwcrypto']}, "
        f"joserfc {info['joserfc']}; {info['date']}; load {info.get('load', '?')}"
    )


# ------------------------------------------------------------------------ the summary table


def _verdict(met: bool | None) -> str:
    return "-" if met is None else ("met" if met else "MISSED")


def summary_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, figure, target, verdict) for every result that was run."""
    rows: list[tuple[str, str, str, str]] = []
    speed = results.get("speed")
    if speed:
        for row in speed["speed"]:
            ratio = row["ratio"]
            peers = " / ".join(
                f"{ratio[p]:.2f}{'*' if p in row['refused_by_default'] else ''}"
                for p in bench_core.PEERS
            )
            beaten = [p for p in bench_core.PEERS if ratio["jwe_steps"] < ratio[p]]
            target = bench_core.target_ratio(row["scenario"], row["payload"])
            floor_verdict = _verdict(ratio["jwe_steps"] <= target)
            passes = row.get("passes", [])
            spread = f"; passes {min(passes):.3f}-{max(passes):.3f}" if len(passes) > 1 else ""
            rows.append(
                (
                    f"{row['algorithms']}, {row['payload']}",
                    f"{ratio['jwe_steps']:.3f}x floor (jwcrypto / joserfc {peers}{spread})",
                    f"<= {target:.2f}x; < peers",
                    f"{floor_verdict}; faster than {' and '.join(beaten) or 'neither'}",
                )
            )
        for row in speed["trace_cost"]:
            rows.append(
                (
                    f"trace recording, {row['payload']}",
                    f"{row['ratio']:.3f}x ({row['steps_per_round_trip']} steps)",
                    "(reported)",
                    "-",
                )
            )
    memory = results.get("memory")
    if memory:
        for name, row in memory["rows"].items():
            if not row.get("ok"):
                rows.append((f"64 MiB decrypt, {name}", "failed", "", "-"))
                continue
            target = bench_memory.TARGET_ADDED
            rows.append(
                (
                    f"64 MiB decrypt peak RSS, {name}",
                    f"+{row['added_x_payload']:.2f} P; with token {row['total_x_payload']:.2f} P",
                    f"+ <= {target} P" if name == "jwe_steps" else "(peer/floor)",
                    _verdict(row["added_x_payload"] <= target) if name == "jwe_steps" else "-",
                )
            )
    startup = results.get("startup")
    if startup:
        ms = startup["median_ms"]
        rows.append(
            (
                "jwe-steps --help cold start",
                f"{ms['jwe-steps --help']:.0f} ms ({startup['ratio_to_bare_python']['jwe-steps --help']:.2f}x python -c pass)",  # noqa: E501
                f"< {startup['target_ms']:.0f} ms",
                _verdict(startup["met"]),
            )
        )
    notebooks = results.get("notebooks")
    if notebooks:
        state = "all pass" if notebooks["passed"] else notebooks["summary"]
        rows.append(
            (
                f"strict nbval, {notebooks['notebooks']} notebooks",
                f"{notebooks['seconds']:.1f} s ({state})",
                f"< {notebooks['target_seconds']:.0f} s",
                _verdict(notebooks["met"]),
            )
        )
    scratch = results.get("from_scratch")
    if scratch:
        seconds = scratch["seconds"]["from_scratch gcm.encrypt"]
        rows.append(
            (
                "from-scratch GCM encrypt, 64 KiB",
                f"{seconds:.3f} s ({scratch['ratio']['gcm.encrypt / AESGCM']:.0f}x AESGCM)",
                f"< {scratch['target_seconds']:.0f} s",
                _verdict(scratch["met"]),
            )
        )
    timing = results.get("timing")
    if timing:
        rows.append(
            (
                "failed decrypt, wrong RSA key - tampered tag",
                f"{timing['difference_us']:+.1f} us (z = {timing['z']:+.1f})",
                "(reported) same work on both paths",
                "-",
            )
        )
    server = results.get("server")
    if server:
        rate, ratio = server["per_second"], server["ratio_to_floor"]
        rows.append(
            (
                "bare server work split between two threads",
                f"{rate['handoff']:.0f}/s ({ratio['handoff']:.2f} of the floor)",
                "(reported) the hand-offs alone",
                "-",
            )
        )
        for setup, label in (("in_process", "in this process"), ("own_process", "own process")):
            sequential, parallel = ratio[f"{setup}.sequential"], ratio[f"{setup}.parallel"]
            rows.append(
                (
                    f"practice server round trips, {label}",
                    f"{rate[f'{setup}.sequential']:.0f}/s 1 client ({sequential:.2f} of the "
                    f"floor), {rate[f'{setup}.parallel']:.0f}/s {server['concurrency']} clients "
                    f"({parallel:.2f})",
                    f">= {bench_server.TARGET_RATIO} of the floor",
                    _verdict(max(sequential, parallel) >= bench_server.TARGET_RATIO),
                )
            )
        rows.append(
            (
                "round trips with no HTTP, in this process",
                f"{rate['no_http.sequential']:.0f}/s 1 client "
                f"({ratio['no_http.sequential']:.2f} of the floor), "
                f"{rate['no_http.parallel']:.0f}/s {server['concurrency']} clients "
                f"({ratio['no_http.parallel']:.2f})",
                "(reported) the JOSE steps of both sides alone",
                "-",
            )
        )
    return rows


def print_summary(rows: list[tuple[str, str, str, str]], info: dict[str, Any]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("measure", "figure", "target", "verdict")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print("\n=== summary ===")
    print(machine_line(info))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print("* joserfc refuses this size by default; measured with its ciphertext limit raised")


# --------------------------------------------------------------------------------- the plot


def _tick_label(row: dict[str, Any]) -> str:
    """One part of the algorithm label per line, so neighbouring labels do not overlap."""
    parts = row["algorithms"].replace(" in ", " in\n").replace(" + ", "\n").replace(" (", "\n(")
    return f"{parts}\n{row['payload']}"


def plot(results: dict[str, Any], info: dict[str, Any], paths: list[Path]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {
        "jwe_steps": "#1f77b4",
        "jwcrypto": "#ff7f0e",
        "joserfc": "#2ca02c",
        "floor": "#7f7f7f",
    }
    figure = plt.figure(figsize=(13, 8.5), layout="constrained")
    grid = figure.add_gridspec(2, 3, height_ratios=[1.15, 1])
    figure.suptitle(f"jwe-steps benchmarks — {machine_line(info)}", fontsize=9)

    speed = results.get("speed")
    axis = figure.add_subplot(grid[0, :])
    if speed:
        rows = speed["speed"]
        names = ("jwe_steps", "jwcrypto", "joserfc")
        width = 0.26
        for offset, name in enumerate(names):
            xs = [i + (offset - 1) * width for i in range(len(rows))]
            heights = [row["ratio"][name] for row in rows]
            bars = axis.bar(xs, heights, width, label=name, color=colours[name])
            for bar, row in zip(bars, rows, strict=True):
                if name in row["refused_by_default"]:
                    bar.set_hatch("//")
                axis.annotate(
                    f"{bar.get_height():.2f}",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=6.5,
                )
        axis.axhline(1.0, color="black", linewidth=0.8, label="the floor (1.0)")
        for index, row in enumerate(rows):
            axis.hlines(
                bench_core.target_ratio(row["scenario"], row["payload"]),
                index - 1.5 * width, index + 1.5 * width, color="red", linestyle="--",
                linewidth=0.9, label="target for jwe_steps" if index == 0 else None,
            )  # fmt: skip
        axis.set_xticks(range(len(rows)))
        axis.set_xticklabels(
            [_tick_label(row) for row in rows],
            fontsize=6.5,
        )
        axis.set_ylabel("encrypt+decrypt time / floor")
        axis.set_title(
            "Speed against the floor (bare cryptography + base64url), median of interleaved "
            "rounds (1 KiB: of three passes); hatched: joserfc with its 64 KB limit raised",
            fontsize=9,
        )
        axis.legend(fontsize=8, loc="upper left")

    memory = results.get("memory")
    axis = figure.add_subplot(grid[1, 0])
    if memory:
        ok = {n: r for n, r in memory["rows"].items() if r.get("ok")}
        names = list(ok)
        token = [ok[n]["total_x_payload"] - ok[n]["added_x_payload"] for n in names]
        added = [ok[n]["added_x_payload"] for n in names]
        axis.bar(names, token, color="#d9d9d9", label="the token, held")
        axis.bar(
            names, added, bottom=token, color=[colours[n] for n in names],
            label="added by decrypting",
        )  # fmt: skip
        for i, name in enumerate(names):
            axis.annotate(
                f"{ok[name]['total_x_payload']:.2f} P", (i, token[i] + added[i]), ha="center",
                va="bottom", fontsize=7, xytext=(0, 6), textcoords="offset points",
            )  # fmt: skip
        if "jwe_steps" in ok:
            at = names.index("jwe_steps")
            axis.hlines(
                token[at] + bench_memory.TARGET_ADDED, at - 0.4, at + 0.4, color="red",
                linestyle="--", linewidth=0.9,
                label=f"target: + {bench_memory.TARGET_ADDED} P for jwe_steps",
            )  # fmt: skip
        axis.set_ylim(0, 1.3 * max(t + a for t, a in zip(token, added, strict=True)))
        axis.set_ylabel("peak RSS / payload")
        axis.set_title("Decrypting a 64 MiB token: peak memory", fontsize=9)
        axis.legend(fontsize=7, loc="upper left")
        axis.tick_params(axis="x", labelsize=7)

    startup = results.get("startup")
    axis = figure.add_subplot(grid[1, 1])
    if startup:
        ms = startup["median_ms"]
        labels = list(ms)
        axis.barh(labels, [ms[n] for n in labels], color=["#1f77b4", "#7f7f7f", "#aec7e8"])
        for i, name in enumerate(labels):
            axis.annotate(f" {ms[name]:.0f} ms", (ms[name], i), va="center", fontsize=7)
        if "jwe-steps --help" in labels:  # the target is --help's alone, drawn across its bar
            at = labels.index("jwe-steps --help")
            axis.vlines(startup["target_ms"], at - 0.45, at + 0.45, color="red", linestyle="--",
                        linewidth=0.8)  # fmt: skip
        axis.set_xlim(0, 1.2 * max(*ms.values(), startup["target_ms"]))
        axis.set_xlabel("milliseconds (median of fresh processes)")
        axis.set_title("Cold start (target: --help under 150 ms)", fontsize=9)
        axis.tick_params(axis="y", labelsize=7)

    axis = figure.add_subplot(grid[1, 2])
    axis.axis("off")
    lines = []
    for measure, figure_text, target, verdict in summary_rows(results):
        if measure.startswith(("RSA", "ECDH", "PS256", "64 MiB", "jwe-steps --help")):
            continue
        goal = "" if target == "(reported)" else f"\n   target {target}: {verdict}"
        lines.append(f"{measure}:\n   {figure_text}{goal}")
    axis.text(0, 1, "\n".join(lines), va="top", fontsize=7, family="monospace", wrap=True)
    axis.set_title("Other measures", fontsize=9)

    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--skip", nargs="*", default=[], choices=list(SECTIONS), help="sections")
    parser.add_argument("--no-docs-plot", action="store_true", help="leave docs/benchmarks.png")
    args = parser.parse_args(argv)

    info = machine()
    print(machine_line(info))
    results: dict[str, Any] = {"machine": info}
    failures = 0
    for name, run in SECTIONS.items():
        if name in args.skip:
            continue
        print(f"\n=== {name} ===", flush=True)
        start = time.perf_counter()
        try:
            results[name] = run(args.quick)
        except Exception as error:  # report it, carry on with the other sections
            failures += 1
            results[name] = None
            print(f"{name} failed: {type(error).__name__}: {error}")
        print(f"({time.perf_counter() - start:.0f} s)", flush=True)

    info["load_end"] = f"{os.getloadavg()[0]:.1f}"
    info["load"] = f"{info['load']}-{info['load_end']}"
    rows = summary_rows(results)
    print_summary(rows, info)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    paths = [RESULTS / "benchmarks.png"] + ([] if args.no_docs_plot else [DOCS_PLOT])
    plot(results, info, paths)
    print(f"\nwrote {RESULTS / 'results.json'} and {', '.join(map(str, paths))}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
