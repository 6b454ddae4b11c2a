"""akhbar on the local Flink cluster with 1 and with 2 TaskManager slots (issue 18, point 5).

    python -m benchmarks.flink_scaling [CORPUS] [--order 1,2,2,1] [--json OUT]

Runs ``akhbar ingest --runner=flink --flink_master=localhost:8081 --parallelism=P`` on the
corpus (default ``benchmarks/data/unique-backfill-50k.jsonl``) in the given order of P (1 uses
one TaskManager's slot, 2 both), each into an empty output, on ``deploy/flink/local.sh``'s
cluster (started here and stopped again if it was not running). Interleaving (1, 2, 2, 1) lets
a change of the machine's load hit both alike.

Per run: wall time and articles/s of the command, the Flink job's own duration (REST), the
1-minute load average before and after, and per process group the CPU seconds spent during the
run and the peak resident memory: the driver (``akhbar`` and the job server JVM it starts), the
JobManager, each TaskManager, and the SDK workers (children of the worker pool; a worker's CPU
is its last sample, taken every 0.5 s, so at most half a second of each is missed; the pool
reaps them lazily, and a reaped worker's stat stays readable until then). Memory is summed RSS,
sampled every 0.5 s (shared pages counted once per process: an upper bound).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.engines_bench import flink_cluster, flink_pids
from benchmarks.timing import PAGE, descendants

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO / "benchmarks" / "data" / "unique-backfill-50k.jsonl"
REST = "http://127.0.0.1:8081"
SAMPLE_S = 0.5
TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[float, float, str] | None:
    """(CPU seconds, RSS MB, command name) of one process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime, this process only
    rss = int(fields[21]) * PAGE / 2**20
    return cpu, rss, cmdline.decode("utf-8", "replace")


def group_of(cmdline: str, pool: bool) -> str:
    """Which part of the run a process is."""
    if "TaskManagerRunner" in cmdline:
        return "taskmanager"
    if "StandaloneSessionClusterEntrypoint" in cmdline:
        return "jobmanager"
    if pool:
        return "worker pool"
    if "SdkHarness" in cmdline:
        return "sdk workers"
    return "driver"


class Sampler(threading.Thread):
    """Every SAMPLE_S: CPU and RSS of the driver's tree and the cluster's processes."""

    def __init__(self, driver: int) -> None:
        super().__init__(daemon=True)
        self.driver, self.done = driver, threading.Event()
        self.first: dict[int, float] = {}  # pid -> CPU when the run started (0: started later)
        self.last: dict[int, float] = {}  # pid -> CPU at its last sample
        self.group: dict[int, str] = {}  # pid -> its group, from its first sample
        self.peak: dict[str, float] = defaultdict(float)  # group -> peak summed RSS
        self.peak_total = 0.0
        self.sample(before=True)  # what the cluster (and lingering workers) had spent before

    def sample(self, before: bool = False) -> None:
        roots = flink_pids()
        rss: dict[str, float] = defaultdict(float)
        for pid in {*descendants(self.driver), *(d for r in roots for d in descendants(r))}:
            found = _stat(pid)
            if found is None:
                continue
            cpu, mb, cmdline = found
            if pid not in self.group:  # a zombie's cmdline is empty: name it while it runs
                group = group_of(cmdline, pid in roots and "worker_pool" in cmdline)
                if group == "taskmanager":
                    taskmanagers = sum(g.startswith("taskmanager") for g in self.group.values())
                    group = f"taskmanager {taskmanagers + 1}"
                self.group[pid] = group
            self.first.setdefault(pid, cpu if before else 0.0)
            self.last[pid] = cpu
            rss[self.group[pid]] += mb
        for group, mb in rss.items():
            self.peak[group] = max(self.peak[group], mb)
        self.peak_total = max(self.peak_total, sum(rss.values()))

    def run(self) -> None:
        while not self.done.wait(SAMPLE_S):
            self.sample()

    def cpu(self) -> dict[str, float]:
        """CPU seconds per group during the run."""
        spent: dict[str, float] = defaultdict(float)
        for pid, cpu in self.last.items():
            spent[self.group[pid]] += cpu - self.first[pid]
        return {g: round(s, 1) for g, s in sorted(spent.items())}


def last_job() -> dict[str, Any]:
    with urllib.request.urlopen(REST + "/jobs/overview", timeout=10) as response:
        jobs = json.load(response)["jobs"]
    return max(jobs, key=lambda j: j["start-time"]) if jobs else {}


def cancel_running_jobs() -> None:
    with urllib.request.urlopen(REST + "/jobs/overview", timeout=10) as response:
        jobs = json.load(response)["jobs"]
    for job in jobs:
        if job["state"] == "RUNNING":
            request = urllib.request.Request(
                f"{REST}/jobs/{job['jid']}?mode=cancel", method="PATCH"
            )
            urllib.request.urlopen(request, timeout=10).close()


def run_once(corpus: Path, parallelism: int, articles: int, timeout: float) -> dict[str, Any]:
    output = Path(tempfile.mkdtemp(prefix=f"flink-p{parallelism}-"))
    cmd = [str(REPO / ".venv" / "bin" / "akhbar"), "ingest", "--input", str(corpus),
           "--output", str(output), "--runner=flink", "--flink_master=localhost:8081",
           f"--parallelism={parallelism}"]  # fmt: skip
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:  # a job that stopped moving: cancel it on the cluster
        cancel_running_jobs()
        stdout, stderr = proc.communicate()
        stderr = f"no result after {timeout} s: cancelled\n{stderr}"
    seconds = time.perf_counter() - started
    sampler.sample()  # the workers' last CPU (zombies until the pool reaps them)
    sampler.done.set()
    sampler.join()
    job = last_job()
    records = sorted((output / "_runs").glob("*.json"))
    record = json.loads(records[-1].read_text()) if records else {}
    shutil.rmtree(output, ignore_errors=True)
    return {
        "parallelism": parallelism,
        "exit": proc.returncode,
        "error": "" if proc.returncode == 0 else stderr[-2000:],
        "seconds": round(seconds, 1),
        "articles_per_s": round(articles / seconds, 1),
        "job_seconds": round(job.get("duration", 0) / 1000, 1),
        "job_state": job.get("state"),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "cpu_s": sampler.cpu(),
        "peak_rss_mb": {g: round(mb) for g, mb in sorted(sampler.peak.items())},
        "peak_total_rss_mb": round(sampler.peak_total),
        "counts": {k: record.get(k) for k in ("read", "articles", "duplicates", "rejects")},
        "balanced": record.get("balanced"),
        "summary": stdout.strip().splitlines()[-1:] if stdout else [],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--order", default="1,2,2,1", help="parallelism of each run, in order")
    parser.add_argument("--json", type=Path, help="write the runs here")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per run")
    args = parser.parse_args(argv)
    with args.corpus.open("rb") as handle:
        articles = sum(1 for _ in handle)
    runs = []
    with flink_cluster() as problem:
        if problem:
            print(problem, file=sys.stderr)
            return 1
        for p in (int(x) for x in args.order.split(",")):
            run = run_once(args.corpus, p, articles, args.timeout)
            print(json.dumps(run), flush=True)
            runs.append(run)
            if args.json:  # after every run: a session may end before the last
                args.json.write_text(json.dumps({"corpus": str(args.corpus), "articles": articles,
                                                 "runs": runs}, indent=1))  # fmt: skip
    return 0 if all(r["exit"] == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
