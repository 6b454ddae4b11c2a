"""`make bench`: whole-process timings of akhbar against its baselines, written to results/.

    python -m benchmarks.run [--sizes 10 50 100] [--repeat 3] [--scenarios NAME_OR_PREFIX ...]
                             [--datatrove-workers 2] [--profile PATH] [--quick]

Each scenario runs as a separate process, ``--repeat`` times; the report gives the median wall
time, throughput, the peak RSS of the largest process and the sampled peak of the whole process
tree (see timing.py), then issue 7's targets computed from the medians (targets.py), and a
start-up section (``akhbar ingest`` on the bundled samples, import times).

Scenarios: io_floor, reference_script, plain_loop_{all,no_extract}, akhbar_{1w,2w}_{all,
no_extract}, datatrove (its 4-stage MinHash with default config in ``benchmarks/.venv-datatrove``,
made on first use; recorded as skipped, with the reason, when it cannot be made) and startup.
``--scenarios akhbar_2w startup`` runs a subset (names or prefixes); such a run writes
``<date>-subset.{json,md}`` and leaves ``<date>.*`` and ``latest.md`` alone. ``--quick`` (the CI
smoke run) uses a 1k-article corpus, one repetition and no datatrove: it checks the harness, not
speed, and writes ``smoke.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import targets
from benchmarks.corpus import ant_records, write_copies
from benchmarks.timing import Measurement, measure

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
PY = sys.executable
AKHBAR = [PY, "-m", "akhbar.pipelines.cli"]
STARTUP = "startup"
SCENARIOS = [
    "io_floor",
    "reference_script",
    "plain_loop_all",
    "plain_loop_no_extract",
    "akhbar_1w_all",
    "akhbar_1w_no_extract",
    "akhbar_2w_all",
    "akhbar_2w_no_extract",
    "datatrove",
]
PROFILE_CMD = (
    "python -m benchmarks.profile_stages benchmarks/data/ant-1x.jsonl "
    "--out benchmarks/results/profile-<date>.md"
)


@dataclass(frozen=True)
class Scenario:
    label: str
    cmd: list[str]
    fresh: tuple[Path, ...] = ()  # folders removed before every repetition


def select(patterns: list[str] | None) -> list[str]:
    """The scenarios named, or starting with, one of ``patterns`` (all of them when None)."""
    names = [*SCENARIOS, STARTUP]
    if not patterns:
        return names
    unknown = [p for p in patterns if not any(n.startswith(p) for n in names)]
    if unknown:
        raise ValueError(f"no scenario matches {unknown}; scenarios: {', '.join(names)}")
    return [n for n in names if any(n.startswith(p) for p in patterns)]


def corpus(data: Path, thousands: int, records: list[dict[str, str]]) -> tuple[Path, int]:
    """ANT repeated (with perturbations) up to about ``thousands`` x 1,000 articles.

    From 10k on these are the ``ant-Nx.jsonl`` files that ``benchmarks.corpus`` writes (same
    seed), made here if missing; below 10k, the first ``thousands`` x 1,000 ANT articles.
    """
    if thousands < 10:
        subset = records[: thousands * 1000]
        target = data / f"ant-{thousands}k.jsonl"
        if not target.exists():
            write_copies(subset, 1, target, seed=13)
        return target, len(subset)
    copies = max(1, round(thousands * 1000 / len(records)))
    target = data / f"ant-{copies}x.jsonl"
    if not target.exists():
        write_copies(records, copies, target, seed=13)
    return target, len(records) * copies


def split_shards(path: Path, shards: int, folder: Path) -> Path:
    """``path`` cut into ``shards`` consecutive JSONL files: datatrove parallelizes by file."""
    if shards <= 1:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    lines = path.read_bytes().splitlines(keepends=True)
    step = -(-len(lines) // shards)
    for i in range(shards):
        (folder / f"part-{i:03d}.jsonl").write_bytes(b"".join(lines[i * step : (i + 1) * step]))
    return folder


def datatrove_python() -> tuple[str | None, str]:
    """(the datatrove venv's python, "") or (None, why it cannot be had)."""
    try:  # dedup_quality owns the venv recipe; imported here only when datatrove is wanted
        from benchmarks.dedup_quality import DATATROVE_VENV, ensure_datatrove_venv

        python = ensure_datatrove_venv()
    except Exception as exc:  # offline, no wheel, no venv module: each one a skip
        return None, f"could not make the datatrove venv: {exc}"
    check = subprocess.run(
        [str(python), "-c", "import datatrove, spacy"], capture_output=True, text=True
    )
    if check.returncode:
        return None, (
            f"{DATATROVE_VENV} does not import datatrove (an earlier install failed? delete the "
            f"folder to retry): {check.stderr.strip()[-500:]}"
        )
    return str(python), ""


def scenarios(
    path: Path, work: Path, chosen: list[str], datatrove: tuple[str | None, str], workers: int
) -> list[Scenario | tuple[str, str]]:
    """The runs at one size; a (label, reason) pair stands for a scenario that is skipped."""
    out = work / "out"
    ingest = [*AKHBAR, "ingest", "--input", str(path), "--output", str(out)]
    one = ["--direct_running_mode=in_memory", "--direct_num_workers=1"]
    two = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    plain = [PY, "-m", "benchmarks.plain_loop", str(path), str(work / "plain")]
    runs: list[Scenario | tuple[str, str]] = [
        Scenario("io_floor", [PY, "-m", "benchmarks.io_floor", str(path), str(work / "f.parquet")]),
        Scenario(
            "reference_script",
            [PY, "-m", "benchmarks.reference_script", str(path), str(work / "ref.parquet")],
        ),
        Scenario("plain_loop_all", plain, (work / "plain",)),
        Scenario("plain_loop_no_extract", [*plain, "--no-extract"], (work / "plain",)),
        Scenario("akhbar_1w_all", [*ingest, *one], (out,)),
        Scenario("akhbar_1w_no_extract", [*ingest, "--no-extract", *one], (out,)),
        Scenario("akhbar_2w_all", [*ingest, *two], (out,)),
        Scenario("akhbar_2w_no_extract", [*ingest, "--no-extract", *two], (out,)),
    ]
    if "datatrove" in chosen:
        python, reason = datatrove
        if python is None:
            runs.append(("datatrove", reason))
        else:
            source = split_shards(path, workers, work / "datatrove-in")
            cmd = [python, str(HERE / "datatrove_minhash.py"), str(source), str(work / "dt"),
                   str(work / "dt.json"), "--workers", str(workers), "--no-clusters"]  # fmt: skip
            runs.append(Scenario("datatrove", cmd, (work / "dt",)))
    return [r for r in runs if (r.label if isinstance(r, Scenario) else r[0]) in chosen]


def measure_fresh(scenario: Scenario, n: int, repeat: int) -> Measurement:
    """Every repetition starts from empty output folders (no earlier run to match or skip)."""
    runs: list[float] = []
    peak = tree = 0.0
    for _ in range(repeat):
        for folder in scenario.fresh:
            shutil.rmtree(folder, ignore_errors=True)
        m = measure(scenario.label, n, scenario.cmd, repeat=1, cwd=str(REPO))
        runs.extend(m.runs)
        peak, tree = max(peak, m.peak_rss_mb), max(tree, m.tree_rss_mb)
    return Measurement(scenario.label, n, runs, peak, tree)


def run_one(scenario: Scenario, n: int, repeat: int) -> dict[str, Any]:
    """The measurement as a result row; a failing run becomes a ``failed`` row, not an abort."""
    try:
        return {"size": n, **measure_fresh(scenario, n, repeat).as_dict()}
    except RuntimeError as exc:
        return {"size": n, "label": scenario.label, "articles": n, "failed": str(exc)[-1500:]}


def parse_importtime(text: str) -> list[tuple[int, str, int]]:
    """``python -X importtime`` lines as (nesting level, module, cumulative microseconds)."""
    out = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _self, cumulative, name = line[len("import time:") :].split("|", 2)
        if not cumulative.strip().isdigit():
            continue  # the header line
        name = name[1:]
        level = (len(name) - len(name.lstrip(" "))) // 2
        out.append((level, name.strip(), int(cumulative)))
    return out


def importtime(cmd: list[str]) -> list[tuple[int, str, int]]:
    """Run ``cmd`` (a ``python -X importtime ...`` command) and parse what it imported."""
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=str(REPO))
        err.seek(0)
        text = err.read().decode(errors="replace")
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {text[-1500:]}")
    return parse_importtime(text)


def import_summary(rows: list[tuple[int, str, int]]) -> dict[str, Any]:
    """Total import time (top-level imports' cumulative times), the slowest, torch/camel_tools."""
    top = sorted((r for r in rows if r[0] == 0), key=lambda r: -r[2])
    names = {r[1] for r in rows}

    def imported(package: str) -> bool:
        return any(n == package or n.startswith(package + ".") for n in names)

    return {
        "total_ms": round(sum(r[2] for r in top) / 1000, 1),
        "modules": len(rows),
        "slowest": [[name, round(us / 1000, 1)] for _level, name, us in top[:8]],
        "torch": imported("torch"),
        "camel_tools": imported("camel_tools"),
    }


def startup(work: Path, repeat: int) -> dict[str, Any]:
    """``akhbar ingest`` on the bundled samples (no --input), and the import costs."""
    out = work / "startup-out"
    ingest = Scenario("startup_ingest_samples", [*AKHBAR, "ingest", "--output", str(out)], (out,))
    result: dict[str, Any] = {"ingest_samples": run_one(ingest, 0, repeat)}
    for key, code in (("import_cli", "import akhbar.pipelines.cli"), ("bare_python", "pass")):
        result[key] = run_one(Scenario(key, [PY, "-c", code]), 0, repeat)
    x = [PY, "-X", "importtime"]
    try:
        rows = importtime(
            [*x, "-m", "akhbar.pipelines.cli", "ingest", "--output", str(work / "x-out")]
        )
        result["imports_during_ingest"] = import_summary(rows)
        cli = importtime([*x, "-c", "import akhbar.pipelines.cli"])
        result["import_cli_importtime_ms"] = next(
            (
                round(us / 1000, 1)
                for lvl, name, us in cli
                if lvl == 0 and name == "akhbar.pipelines.cli"
            ),
            None,
        )
    except RuntimeError as exc:
        result["imports_failed"] = str(exc)[-1500:]
    return result


def run(
    sizes: list[int],
    repeat: int,
    quick: bool,
    chosen: list[str],
    workers: int = 2,
    datatrove_max: int | None = None,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "repeat": repeat,
        "scenarios": chosen,
        "results": [],
    }
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as tmp:
        if STARTUP in chosen:
            report["startup"] = startup(Path(tmp), repeat)
            s = report["startup"]["ingest_samples"]
            print(f"startup: ingest on samples {s.get('median_s', s.get('failed'))} s", flush=True)
    per_size = [c for c in chosen if c != STARTUP]
    if not per_size:
        return report
    datatrove: tuple[str | None, str] = (None, "")
    if "datatrove" in per_size:
        datatrove = (None, "--quick runs no datatrove") if quick else datatrove_python()
        report["datatrove"] = {"workers": workers, "python": datatrove[0], "skipped": datatrove[1]}
    records = ant_records()
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    for size in sizes:
        path, n = corpus(data, size, records)
        with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as tmp:
            here = per_size
            if datatrove_max is not None and size > datatrove_max:
                here = [c for c in per_size if c != "datatrove"]
                if "datatrove" in per_size:
                    skip = {"size": n, "label": "datatrove", "articles": n,
                            "skipped": f"--datatrove-max-size {datatrove_max}k"}  # fmt: skip
                    report["results"].append(skip)
            for item in scenarios(path, Path(tmp), here, datatrove, workers):
                if isinstance(item, tuple):
                    row = {"size": n, "label": item[0], "articles": n, "skipped": item[1]}
                else:
                    row = run_one(item, n, repeat)
                report["results"].append(row)
                print(_line(row), flush=True)
    return report


def _line(r: dict[str, Any]) -> str:
    head = f"{r['size']:>7} {r['label']:<24}"
    if "median_s" not in r:
        return f"{head} {'skipped' if 'skipped' in r else 'FAILED'}: {r.get('skipped') or r.get('failed')}"
    return (f"{head} {r['median_s']:8.2f} s {r['articles_per_s']:9.0f}/s "
            f"{r['peak_rss_mb']:7.0f} MB {r.get('tree_rss_mb', 0):7.0f} MB tree")  # fmt: skip


def _cell(s: str) -> str:
    return " ".join(s.replace("|", "\\|").split())[:300]


def markdown(report: dict[str, Any], profile: Path | None = None) -> str:
    lines = [
        f"# akhbar benchmark, {report['date']}",
        "",
        f"{report['machine']['cpus']} cores, Python {report['machine']['python']}, median of "
        f"{report['repeat']} whole-process runs. Peak RSS: the largest single process (exact, "
        "from wait4); tree: the whole process tree's summed RSS, sampled every 0.2 s.",
        "",
    ]
    dt = report.get("datatrove")
    if dt and dt.get("python"):
        lines += [
            f"datatrove: 0.10.1, `MinhashConfig()` defaults, 4 stages, {dt['workers']} workers "
            f"over the corpus cut into {dt['workers']} JSONL files (cut before timing; it "
            "parallelizes by file), no cluster ids; its own venv `benchmarks/.venv-datatrove`.",
            "",
        ]
    if profile is not None:
        link = profile.name if profile.parent.resolve() == RESULTS.resolve() else str(profile)
        lines += [f"Per-stage profile (plain loop, 10k, cProfile): [{profile.name}]({link}).", ""]
    else:
        lines += [f"No per-stage profile yet: `{PROFILE_CMD}` (`make bench` writes one).", ""]
    lines += [
        "| articles | scenario | median s | articles/s | peak RSS MB | tree RSS MB | runs s |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in report["results"]:
        if "median_s" not in r:
            why = f"skipped: {r['skipped']}" if "skipped" in r else f"FAILED: {r.get('failed')}"
            lines.append(f"| {r['size']} | {r['label']} | {_cell(why)} | | | | |")
            continue
        lines.append(
            f"| {r['size']} | {r['label']} | {r['median_s']:.2f} | {r['articles_per_s']:.0f} | "
            f"{r['peak_rss_mb']:.0f} | {r.get('tree_rss_mb', 0):.0f} | "
            f"{', '.join(f'{x:.2f}' for x in r['runs'])} |"
        )
    if "startup" in report:
        lines += ["", *startup_markdown(report["startup"])]
    lines += [
        "",
        "## Targets (issue 7)",
        "",
        "Computed from the medians above at each size where the scenarios involved were run.",
        "",
        *targets.markdown(targets.derived(report)),
        "",
        "## Ceilings: could any runner meet the throughput targets?",
        "",
        "akhbar's own functions in one plain loop (no framework), times the targets' 2 workers: "
        "the throughput of a perfect parallel runner with no overhead. Below a goal, no runner "
        "can meet that target; only cheaper per-article work can.",
        "",
        *targets.markdown(targets.ceilings(report), ("reachable", "**out of reach**")),
    ]
    return "\n".join(lines) + "\n"


def startup_markdown(s: dict[str, Any]) -> list[str]:
    lines = [
        "## Start-up",
        "",
        "| measurement | median s | peak RSS MB | target |",
        "|---|---:|---:|---|",
    ]
    names = {
        "ingest_samples": "akhbar ingest on the bundled samples (`python -m akhbar.pipelines.cli ingest "
        "--output DIR`)",
        "import_cli": '`python -c "import akhbar.pipelines.cli"` (whole process)',
        "bare_python": "`python -c pass` (the interpreter alone)",
    }
    for key, name in names.items():
        r = s.get(key) or {}
        if "median_s" not in r:
            lines.append(f"| {name} | {_cell('FAILED: ' + str(r.get('failed')))} | | |")
            continue
        goal = ""
        if key == "ingest_samples":
            met = r["median_s"] < targets.STARTUP_LIMIT_S
            goal = f"< {targets.STARTUP_LIMIT_S:.0f} s: {'met' if met else '**not met**'}"
        lines.append(f"| {name} | {r['median_s']:.2f} | {r['peak_rss_mb']:.0f} | {goal} |")
    imports = s.get("imports_during_ingest")
    if imports:
        slowest = ", ".join(f"{name} {ms:.0f} ms" for name, ms in imports["slowest"])
        lines += [
            "",
            f"`python -X importtime` (one run): `import akhbar.pipelines.cli` itself "
            f"{s.get('import_cli_importtime_ms')} ms; the ingest on the samples imports "
            f"{imports['modules']} modules in {imports['total_ms']:.0f} ms; torch imported: "
            f"{'yes' if imports['torch'] else 'no'}; camel_tools imported: "
            f"{'yes' if imports['camel_tools'] else 'no'}. Slowest top-level imports: {slowest}.",
        ]
    elif s.get("imports_failed"):
        lines += ["", f"Import profile failed: {_cell(s['imports_failed'])}"]
    return lines


def latest_profile() -> Path | None:
    found = sorted(RESULTS.glob("profile-*.md"))
    return found[-1] if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10, 50, 100], help="thousands of articles"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scenarios", nargs="+", metavar="NAME", help="names or prefixes to run (default: all)"
    )
    parser.add_argument("--datatrove-workers", type=int, default=2)
    parser.add_argument(
        "--datatrove-max-size",
        type=int,
        help="thousands: skip datatrove (recorded as skipped) above this size; it takes minutes",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="the per-stage profile to link (default: the newest results/profile-*.md)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="CI smoke run: 1k articles, 1 repetition, no datatrove"
    )
    args = parser.parse_args(argv)
    try:
        chosen = select(args.scenarios)
    except ValueError as exc:
        parser.error(str(exc))
    sizes, repeat = ([1], 1) if args.quick else (args.sizes, args.repeat)
    stem = datetime.now(UTC).strftime("%Y-%m-%d")
    if args.quick:
        stem = "smoke"
    elif args.scenarios:
        stem += "-subset"
    report = run(sizes, repeat, args.quick, chosen, args.datatrove_workers, args.datatrove_max_size)
    report["targets"] = [row.as_dict() for row in targets.derived(report)]
    report["ceilings"] = [row.as_dict() for row in targets.ceilings(report)]
    profile = args.profile if args.profile and args.profile.exists() else latest_profile()
    text = markdown(report, profile)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    (RESULTS / f"{stem}.md").write_text(text)
    if not args.quick and not args.scenarios:
        (RESULTS / "latest.md").write_text(text)
    print(f"wrote {RESULTS / (stem + '.md')}")
    failed = [r["label"] for r in report["results"] if "failed" in r]
    failed += [
        k for k, v in report.get("startup", {}).items() if isinstance(v, dict) and "failed" in v
    ]
    if failed:
        print(f"benchmarks failed: {', '.join(failed)} (see the report)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
