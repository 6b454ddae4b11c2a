"""`make bench`: whole-process timings of akhbar against its baselines, issue 19's targets.

    python -m benchmarks.run [--scenarios NAME_OR_PATTERN ...] [--with-1m] [--repeat 3]
                             [--repeat-1m 1] [--no-profiles] [--quick | --head N]

What runs is ``benchmarks/scenarios.py``: corpora (unique articles in two date layouts, the
duplicate-heavy ANT 5x, the real SaudiNewsNet) and the runs on each. Per corpus, the
repetitions are interleaved (round 1 of every run, then round 2, ...), so a change of the
machine's load hits every run alike; each repetition starts from empty output folders. A run
whose process tree outgrows ``--memory-limit-gb`` (default: 75% of the machine's memory) is
killed and reported as failed, with the size it reached: the 1M scenarios must not wake the
OOM killer on a shared machine. The Flink runs come last on their corpus, with the local
cluster up only for them.

Every scenario row gives: the median wall time and articles/s, CPU seconds, the peak RSS of the
largest process and the sampled peak of the whole process tree (timing.py), the 1-minute load
average before each repetition; for ``akhbar ingest`` also the runner it used and its counts
(from the run record), the files written per table and DuckDB's time to read one day and one
month back (readback.py), and for the run with default options, drawn on a terminal, how its
live progress display behaved (progress_probe.py). Per corpus: akhbar's per-stage µs (the
plain loop over its first 10k articles, profile_stages.py), and the Beam per-transform times
on the 50k corpus (beam_stages.py). Then issue 19's targets table (targets.py) and the
ceilings, and the start-up section.

Reports: ``results/<date>.{json,md}`` and ``results/latest.md`` (the whole default plan, or
with ``--with-1m`` ``<date>-1m.*``), ``<date>-subset.*`` for ``--scenarios``, and
``smoke.*`` for ``--quick`` (the harness at 1k articles, one repetition: it checks the tooling,
not speed), ``<date>-head<N>.*`` for ``--head N`` (every scenario of the plan, each corpus cut
to N articles: a check that every part works before a long run). Exit 1 when a scenario failed (the report says which and why).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import progress_probe, readback, scenarios, targets
from benchmarks.engines_bench import datatrove_python, flink_cluster, flink_pids
from benchmarks.report import markdown
from benchmarks.scenarios import QUICK_PLAN, RUNS, Plan, Scenario, select
from benchmarks.startup import parse_importtime, startup
from benchmarks.timing import memory_limit_mb, run_once

__all__ = ["RESULTS", "main", "markdown", "parse_importtime", "run", "select"]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
PROFILE_LIMIT = 10_000  # articles of each corpus profiled in the plain loop
BEAM_STAGES_CORPORA = ("unique-backfill-50k",)
MILLION = 1_000_000
STARTUP = "startup"  # a --scenarios name of its own: the start-up section


def run_record(output: Path) -> dict[str, Any]:
    """The run record akhbar wrote (the last one, should there be several)."""
    found = sorted((output / "_runs").glob("*.json"))
    return json.loads(found[-1].read_text(encoding="utf-8")) if found else {}


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def corpus_info(name: str, path: Path) -> dict[str, Any]:
    """What the report says of a corpus: its file, size and, for unique ones, the manifest."""
    try:  # unique_corpus.read_manifest, without importing numpy into the harness
        manifest = json.loads(path.with_name(path.stem + ".manifest.json").read_text())
    except (OSError, ValueError):
        manifest = {}
    lines = manifest.get("lines") or count_lines(path)
    return {"path": str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path),
            "articles": lines, "mb": round(path.stat().st_size / 2**20, 1), **manifest}  # fmt: skip


def side_figures(module: str, path: Path, extra: list[str]) -> dict[str, Any]:
    """Run ``benchmarks.<module> path --json F ...`` and return what it wrote (or why not)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [sys.executable, "-m", f"benchmarks.{module}", str(path), "--json", str(out), *extra]
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if done.returncode or not out.exists():
            return {"failed": done.stderr[-1500:]}
        return json.loads(out.read_text(encoding="utf-8"))


class Tally:
    """The repetitions of one scenario, turned into its report row."""

    def __init__(self, scenario: Scenario, articles: int) -> None:
        self.scenario, self.articles = scenario, articles
        self.runs: list[float] = []
        self.cpu: list[float] = []
        self.load: list[float] = []
        self.peak = self.tree = 0.0
        self.failed = ""
        self.extra: dict[str, Any] = {}

    def once(self, limit_mb: float, extra_roots: Any = None) -> None:
        """One repetition from empty folders (a failure ends the scenario, not the benchmark)."""
        if self.failed:
            return
        for folder in self.scenario.fresh:
            shutil.rmtree(folder, ignore_errors=True)
        try:
            got = run_once(self.scenario.cmd, cwd=str(REPO), terminal=self.scenario.run.terminal,
                           extra_roots=extra_roots, limit_mb=limit_mb)  # fmt: skip
        except RuntimeError as exc:
            self.failed = str(exc)[-1500:]
            return
        self.runs.append(round(got.seconds, 3))
        self.cpu.append(round(got.cpu_s, 1))
        self.load.append(round(got.load_before, 2))
        self.peak, self.tree = max(self.peak, got.peak_rss_mb), max(self.tree, got.tree_rss_mb)
        if self.scenario.run.terminal:  # the repetition whose counts froze longest
            seen = progress_probe.analyse(got.frames, got.seconds)
            worst = self.extra.get("progress") or {}
            if seen.get("longest_freeze_s", float("inf")) >= worst.get("longest_freeze_s", -1.0):
                self.extra["progress"] = seen

    def finish(self, readbacks: int) -> None:
        """After the last repetition: what akhbar wrote, and what reading it back costs."""
        out = self.scenario.output
        if out is None or self.failed or not out.exists():
            return
        record = run_record(out)
        self.extra["runner"] = record.get("runner")
        self.extra["counts"] = {k: record.get(k) for k in ("read", "articles", "duplicates",
                                                           "rejects", "balanced")}  # fmt: skip
        self.extra["files"] = readback.files(out)
        try:
            self.extra["readback"] = readback.readback(out, repeat=readbacks)
        except RuntimeError as exc:
            self.extra["readback"] = {"failed": str(exc)[-800:]}
        shutil.rmtree(out, ignore_errors=True)

    def row(self) -> dict[str, Any]:
        head = {"corpus": self.scenario.corpus, "size": self.articles,
                "label": self.scenario.run.name, "articles": self.articles,
                "what": self.scenario.run.what}  # fmt: skip
        if self.failed:
            return {**head, "failed": self.failed}
        median = statistics.median(self.runs)
        return {**head, "runs": self.runs, "median_s": round(median, 3),
                "articles_per_s": round(self.articles / median, 1),
                "peak_rss_mb": round(self.peak, 1), "tree_rss_mb": round(self.tree, 1),
                "cpu_s": self.cpu, "load": self.load, **self.extra}  # fmt: skip


def _line(r: dict[str, Any]) -> str:
    head = f"{r['corpus'] + '/' + r['label']:<46}"
    if "median_s" not in r:
        return f"{head} {'skipped' if 'skipped' in r else 'FAILED'}: {r.get('skipped') or r.get('failed')}"
    return (f"{head} {r['median_s']:8.2f} s {r['articles_per_s']:8.0f}/s "
            f"{r['peak_rss_mb']:6.0f} MB {r['tree_rss_mb']:6.0f} MB tree  load {r['load']}")  # fmt: skip


def run_corpus(
    corpus: str, runs: tuple[str, ...], repeat: int, options: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """The rows of every run on one corpus (see the module docstring for the order)."""
    try:
        path = scenarios.corpus_path(corpus, head=options["head"])
    except (FileNotFoundError, ValueError) as exc:
        for run in runs:
            yield {"corpus": corpus, "size": 0, "label": run, "articles": 0, "skipped": str(exc)}
        return
    info = corpus_info(corpus, path)
    options["corpora"][corpus] = info
    n = int(info["articles"])
    if options["profiles"]:
        options["profiles_out"][corpus] = side_figures(
            "profile_stages", path, ["--limit", str(PROFILE_LIMIT)]
        )
    if corpus in options["beam_stages"]:
        options["beam_out"][corpus] = side_figures("beam_stages", path, [])
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as tmp:
        work = Path(tmp)
        local, flink, skipped = [], [], []
        for name in runs:
            spec = RUNS[name]
            dt = None
            if spec.kind == "datatrove":
                dt, why = options["datatrove"]()
                if dt is None:
                    skipped.append((name, why))
                    continue
            (work / name).mkdir(parents=True, exist_ok=True)
            scenario = scenarios.command(corpus, spec, path, work, dt)
            if spec.kind == "datatrove":
                scenarios.split_shards(path, 2, work / name / "in")
            (flink if spec.engine == "flink" else local).append(Tally(scenario, n))
        for name, why in skipped:
            yield {"corpus": corpus, "size": n, "label": name, "articles": n, "skipped": why}
        for round_ in range(repeat):
            for tally in local:
                if round_ < (tally.scenario.run.max_repeat or repeat):
                    tally.once(options["limit_mb"])
        for tally in local:
            tally.finish(options["readbacks"])
            yield tally.row()
        if flink:
            with flink_cluster() as why:
                for tally in flink:
                    if why:
                        name = tally.scenario.run.name
                        yield {"corpus": corpus, "size": n, "label": name, "articles": n,
                               "skipped": why}  # fmt: skip
                        continue
                    for _ in range(min(repeat, tally.scenario.run.max_repeat or repeat)):
                        tally.once(options["limit_mb"], flink_pids)
                    tally.finish(options["readbacks"])
                    yield tally.row()


def own_rss_mb() -> float:
    """This harness's resident memory: the floor under every child's peak RSS (a forked
    child's ``ru_maxrss`` starts at its parent's size)."""
    with open("/proc/self/statm", "rb") as handle:
        return round(int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def machine() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "commit": git("rev-parse", "--short", "HEAD"),
        "modified_files": len(git("status", "--porcelain", "--untracked-files=no").splitlines()),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def run(
    plan: Plan,
    repeat: int,
    repeat_1m: int = 1,
    quick: bool = False,
    profiles: bool = True,
    with_startup: bool = True,
    head: int | None = None,
    limit_mb: float | None = None,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "repeat": repeat,
        "repeat_1m": repeat_1m,
        "head": head,
        "memory_limit_mb": round(limit_mb or memory_limit_mb()),
        "scenarios": scenarios.names(plan),
        "corpora": {},
        "profiles": {},
        "beam_stages": {},
        "results": [],
    }
    cache: dict[str, tuple[str | None, str]] = {}

    def datatrove() -> tuple[str | None, str]:
        if quick:
            return None, "--quick runs no datatrove"
        if "dt" not in cache:
            cache["dt"] = datatrove_python()
        return cache["dt"]

    options = {"corpora": report["corpora"], "profiles": profiles,
               "profiles_out": report["profiles"], "beam_out": report["beam_stages"],
               "beam_stages": () if quick else BEAM_STAGES_CORPORA, "datatrove": datatrove,
               "readbacks": 1 if quick or head else 3, "head": head,
               "limit_mb": limit_mb or memory_limit_mb()}  # fmt: skip
    if with_startup:
        with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as tmp:
            report["startup"] = startup(Path(tmp), repeat)
        s = report["startup"]["ingest_samples"]
        print(f"startup: ingest on samples {s.get('median_s', s.get('failed'))} s", flush=True)
    for corpus, runs in plan:
        size = scenarios.corpus_size(corpus) or 0
        for row in run_corpus(corpus, runs, repeat_1m if size >= MILLION else repeat, options):
            report["results"].append(row)
            print(_line(row), flush=True)
    report["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["machine"]["harness_rss_mb"] = own_rss_mb()
    # make bench-profile's cProfile of the same day (an older one profiled other code)
    found = RESULTS / f"profile-{report['date'][:10]}.md"
    report["profile_md"] = found.name if found.exists() else None
    return report


def read_quality() -> dict[str, Any] | None:
    try:
        return json.loads((RESULTS / "dedup_quality.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scenarios",
        nargs="+",
        metavar="NAME",
        help="names, corpora, prefixes or globs, or startup (default: all)",
    )
    parser.add_argument("--with-1m", action="store_true", help="add the 1M-article corpora")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-1m", type=int, default=1, help="repetitions at 1M articles")
    parser.add_argument("--no-profiles", action="store_true", help="no per-stage plain loop")
    parser.add_argument("--no-startup", action="store_true")
    parser.add_argument(
        "--memory-limit-gb",
        type=float,
        help="kill a run whose process tree grows past this (default: 75%% of the memory)",
    )
    parser.add_argument(
        "--head",
        type=int,
        metavar="N",
        help="check the harness: every corpus cut to N articles (not a benchmark)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1k articles, 1 repetition, no datatrove/engines",
    )
    args = parser.parse_args(argv)  # fmt: skip
    patterns = [p for p in args.scenarios or [] if p != STARTUP]
    try:
        plan: Plan = ()
        if args.quick:
            plan = QUICK_PLAN
        elif patterns or not args.scenarios:
            plan = select(patterns, args.with_1m)
    except ValueError as exc:
        parser.error(str(exc))
    repeat = 1 if args.quick else args.repeat
    stem = datetime.now(UTC).strftime("%Y-%m-%d")
    if args.quick:
        stem = "smoke"
    elif args.head:
        stem += f"-head{args.head}"
    elif args.scenarios:
        stem += "-subset"
    elif args.with_1m:
        stem += "-1m"
    with_startup = not args.no_startup and (
        args.quick or not args.scenarios or STARTUP in args.scenarios
    )
    limit = args.memory_limit_gb * 1024 if args.memory_limit_gb else None
    report = run(plan, repeat, args.repeat_1m, args.quick, not args.no_profiles, with_startup,
                 args.head, limit)  # fmt: skip
    quality = read_quality()
    report["targets"] = [row.as_dict() for row in targets.derived(report, quality)]
    report["ceilings"] = [row.as_dict() for row in targets.ceilings(report)]
    text = markdown(report, quality)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    (RESULTS / f"{stem}.md").write_text(text)
    if not args.quick and not args.scenarios and not args.head:
        (RESULTS / "latest.md").write_text(text)
    print(f"wrote {RESULTS / (stem + '.md')}")
    failed = [f"{r['corpus']}/{r['label']}" for r in report["results"] if r.get("failed")]
    failed += [
        k for k, v in report.get("startup", {}).items() if isinstance(v, dict) and "failed" in v
    ]
    if failed:
        print(f"benchmarks failed: {', '.join(failed)} (see the report)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
