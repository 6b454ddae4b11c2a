"""Prism against FnApiRunner on the same input: whole ``akhbar ingest`` processes, interleaved.

    python -m benchmarks.prism_vs_fnapi benchmarks/data/ant-1x.jsonl --runs 2 \\
        --out benchmarks/results/prism-DATE.md

Scenarios (each a fresh output folder, run in turn, ``--runs`` rounds, so that a change of the
machine's load hits every scenario alike; the 1-minute load average is noted before each run):

* ``fnapi-1w``: FnApiRunner in one process (``--direct_num_workers=1``);
* ``fnapi-2w``: FnApiRunner with two SDK worker processes (``multi_processing``);
* ``prism``: PrismRunner with its default LOOPBACK environment: one Python SDK harness, threads
  in the akhbar process, fed by the Prism binary (a Go process);
* ``prism-procworker``: PrismRunner with the SDK harness in a process of its own
  (``--experiments=use_loopback_process_worker``; Beam starts it as ``python`` from PATH, so
  PATH must lead to akhbar's environment).

Prism has no worker-count option: it starts one SDK harness per environment of the pipeline
(``worker.MakeWorker`` once per environment in ``prism/internal/execute.go``) and runs at most
8 bundles at once on it (``errgroup.SetLimit(8)``); ``--sdk_worker_parallelism`` and
``--direct_num_workers`` are not read, and the binary's ``-parallelism`` flag belongs to the Go
SDK's Flink options. A Python harness runs its bundles on threads, so one GIL bounds the work.

CPU is user + system time of the process tree (``os.wait4`` counts the reaped descendants: the
Prism binary, the SDK worker processes); memory is the sampled peak of the tree's summed RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.timing import SAMPLE_S, tree_rss_mb

SCENARIOS: dict[str, list[str]] = {
    "fnapi-1w": ["--runner=FnApiRunner", "--direct_num_workers=1"],
    "fnapi-2w": [
        "--runner=FnApiRunner",
        "--direct_running_mode=multi_processing",
        "--direct_num_workers=2",
    ],
    "prism": ["--runner=prism"],
    "prism-procworker": ["--runner=prism", "--experiments=use_loopback_process_worker"],
}
COUNTS = ("read", "articles", "duplicates", "rejects")


@dataclass(frozen=True)
class Run:
    scenario: str
    round: int
    load_before: float
    wall_s: float
    cpu_s: float
    tree_rss_mb: float
    counts: tuple[int, ...]


def _peak_tree_rss(pid: int, done: threading.Event, peak: list[float]) -> None:
    while not done.wait(SAMPLE_S):
        peak[0] = max(peak[0], tree_rss_mb(pid))


def run_scenario(akhbar: str, source: Path, scenario: str, round_: int, work: Path) -> Run:
    """One ``akhbar ingest`` into a fresh folder, timed from process start to exit."""
    output = work / f"{scenario}-{round_}"
    cmd = [
        akhbar,
        "ingest",
        "--input",
        str(source.resolve()),
        "--output",
        str(output),
        *SCENARIOS[scenario],
    ]
    load = os.getloadavg()[0]
    done, peak = threading.Event(), [0.0]
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # cwd away from a checkout: worker processes put it on sys.path, where the checkout's
        # akhbar/ folder would hide the installed package being measured (--akhbar)
        # and PATH led by akhbar's environment: Beam's process worker is started as `python`
        env = {**os.environ, "PATH": f"{Path(akhbar).parent}{os.pathsep}{os.environ['PATH']}"}
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=work, env=env)
        sampler = threading.Thread(target=_peak_tree_rss, args=(proc.pid, done, peak), daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed: {err.read().decode()[-3000:]}")
    (record_path,) = (output / "_runs").glob("*.json")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    shutil.rmtree(output)
    return Run(
        scenario,
        round_,
        round(load, 2),
        round(wall, 2),
        round(usage.ru_utime + usage.ru_stime, 1),
        round(max(peak[0], usage.ru_maxrss / 1024.0)),
        tuple(int(record[k]) for k in COUNTS),
    )


def report(runs: list[Run], source: Path, articles: int) -> str:
    lines = [
        f"# Prism against FnApiRunner, {datetime.now(UTC):%Y-%m-%d}",
        "",
        f"Input: `{source.name}` ({articles:,} articles), `akhbar ingest`, whole processes, "
        f"{max(r.round for r in runs)} interleaved rounds; {os.cpu_count()} cores, shared with "
        "other work (the load average before each run is given). Made by "
        "`python -m benchmarks.prism_vs_fnapi`; see its docstring for the scenarios.",
        "",
        "| scenario | runs (s) | median (s) | articles/s | CPU (s) | tree RSS peak (MB) "
        "| load before |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in SCENARIOS:
        mine = [r for r in runs if r.scenario == name]
        if not mine:
            continue
        median = statistics.median(r.wall_s for r in mine)
        lines.append(
            f"| {name} | {' / '.join(f'{r.wall_s:.1f}' for r in mine)} | {median:.1f} "
            f"| {articles / median:.0f} | {' / '.join(f'{r.cpu_s:.0f}' for r in mine)} "
            f"| {max(r.tree_rss_mb for r in mine):.0f} "
            f"| {' / '.join(f'{r.load_before:.1f}' for r in mine)} |"
        )
    counts = {r.counts for r in runs}
    lines += [
        "",
        f"Every run gave the same counts ({', '.join(COUNTS)}): "
        f"{'yes, ' + str(next(iter(counts))) if len(counts) == 1 else 'NO: ' + str(counts)}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument("--akhbar", default=str(Path(sys.executable).parent / "akhbar"))
    parser.add_argument("--out", type=Path, help="write the markdown table here too")
    args = parser.parse_args()
    with args.input.open(encoding="utf-8") as handle:
        articles = sum(1 for _ in handle)
    runs = []
    with tempfile.TemporaryDirectory(prefix="prism-bench-") as work:
        for round_ in range(1, args.runs + 1):
            for name in args.scenarios:
                run = run_scenario(args.akhbar, args.input, name, round_, Path(work))
                print(json.dumps(run.__dict__), flush=True)
                runs.append(run)
    text = report(runs, args.input, articles)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
