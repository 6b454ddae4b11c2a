"""`make bench`: whole-process timings of akhbar against its baselines, written to results/.

    python -m benchmarks.run [--sizes 10 50 100] [--repeat 3] [--quick]

Each scenario runs as a separate process, ``--repeat`` times; the report gives the median wall
time, throughput and the peak RSS of the process tree (see timing.py). ``--quick`` (the CI smoke
run) uses a 1k-article corpus, one repetition and no datatrove: it checks the harness, not speed.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.corpus import ant_records, write_copies
from benchmarks.timing import Measurement, measure

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PY = sys.executable
AKHBAR = [PY, "-m", "pipelines.cli"]


def corpus(data: Path, thousands: int, records: list[dict[str, str]]) -> tuple[Path, int]:
    """ANT repeated (with perturbations) up to about ``thousands`` x 1,000 articles."""
    target = data / f"ant-{thousands}k.jsonl"
    copies = max(1, round(thousands * 1000 / len(records)))
    if thousands < 10:
        subset = records[: thousands * 1000]
        if not target.exists():
            write_copies(subset, 1, target, seed=13)
        return target, len(subset)
    if not target.exists():
        write_copies(records, copies, target, seed=13)
    return target, len(records) * copies


def scenarios(path: Path, n: int, work: Path, quick: bool) -> list[tuple[str, list[str]]]:
    out = str(work / "out")
    ingest = [*AKHBAR, "ingest", "--input", str(path), "--output", out]
    two = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    runs = [
        ("io_floor", [PY, "-m", "benchmarks.io_floor", str(path), str(work / "floor.parquet")]),
        ("reference_script", [PY, "-m", "benchmarks.reference_script", str(path), str(work / "ref.parquet")]),
        ("plain_loop_all", [PY, "-m", "benchmarks.plain_loop", str(path), str(work / "plain")]),
        ("plain_loop_no_extract", [PY, "-m", "benchmarks.plain_loop", str(path), str(work / "plain"), "--no-extract"]),
        ("akhbar_1w_all", ingest),
        ("akhbar_1w_no_extract", [*ingest, "--no-extract"]),
        ("akhbar_2w_all", [*ingest, *two]),
        ("akhbar_2w_no_extract", [*ingest, "--no-extract", *two]),
    ]
    return runs


def fresh(work: Path) -> None:
    for name in ("out", "plain"):
        shutil.rmtree(work / name, ignore_errors=True)


def run(sizes: list[int], repeat: int, quick: bool) -> dict[str, Any]:
    records = ant_records()
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    results: list[dict[str, Any]] = []
    for size in sizes:
        path, n = corpus(data, size, records)
        for label, cmd in scenarios(path, n, Path(tempfile.mkdtemp(prefix="akhbar-bench-")), quick):
            work = Path(cmd[-1]).parent if False else None  # noqa: F841 (kept simple below)
            measurement = _measure_fresh(label, n, cmd, repeat)
            results.append({"size": n, **measurement.as_dict()})
            print(f"{n:>7} {label:<24} {measurement.median_s:8.2f} s {measurement.per_second:9.0f}/s "
                  f"{measurement.peak_rss_mb:7.0f} MB", flush=True)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "repeat": repeat,
        "results": results,
    }


def _measure_fresh(label: str, n: int, cmd: list[str], repeat: int) -> Measurement:
    """Every repetition starts from an empty output folder (no earlier run to match against)."""
    outs = [Path(cmd[i + 1]) for i, a in enumerate(cmd[:-1]) if a == "--output"]
    runs: list[float] = []
    peak = 0.0
    for _ in range(repeat):
        for out in outs:
            shutil.rmtree(out, ignore_errors=True)
        m = measure(label, n, cmd, repeat=1, cwd=str(HERE.parent))
        runs.extend(m.runs)
        peak = max(peak, m.peak_rss_mb)
    return Measurement(label, n, runs, peak)


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# akhbar benchmark, {report['date']}",
        "",
        f"{report['machine']['cpus']} cores, Python {report['machine']['python']}, median of "
        f"{report['repeat']} whole-process runs.",
        "",
        "| articles | scenario | median s | articles/s | peak RSS MB |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in report["results"]:
        lines.append(f"| {r['size']} | {r['label']} | {r['median_s']:.2f} | {r['articles_per_s']:.0f} | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 100], help="thousands of articles")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="CI smoke run: 1k articles, 1 repetition")
    args = parser.parse_args()
    sizes, repeat = ([1], 1) if args.quick else (args.sizes, args.repeat)
    report = run(sizes, repeat, args.quick)
    RESULTS.mkdir(exist_ok=True)
    stem = "smoke" if args.quick else datetime.now(UTC).strftime("%Y-%m-%d")
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=1))
    (RESULTS / f"{stem}.md").write_text(markdown(report))
    if not args.quick:
        (RESULTS / "latest.md").write_text(markdown(report))
    print(f"wrote {RESULTS / (stem + '.md')}")


if __name__ == "__main__":
    main()
