"""The Markdown report of a ``benchmarks/run.py`` run (its JSON report is the data)."""

from __future__ import annotations

from typing import Any

from benchmarks import targets
from benchmarks.startup import startup_markdown


def _cell(s: Any) -> str:
    return " ".join(str(s).replace("|", "\\|").split())[:300]


def _corpus_what(info: dict[str, Any]) -> str:
    layout = info.get("layout")
    if layout == "backfill":
        return "unique articles, ANT's dates (2014-2017), one outlet"
    if layout == "live":
        return f"unique articles, 7 days before {info.get('anchor', '?')[:10]}, 30 outlets"
    return ""


def corpora_lines(report: dict[str, Any]) -> list[str]:
    lines = [
        "## Corpora",
        "",
        "| corpus | articles | MB | what | akhbar's dedup on the first 10k: exact / near copies |",
        "|---|---:|---:|---|---|",
    ]
    fixed = {
        "ant-5x": "ANT 5 times, copies with 3% of words perturbed: 80% near duplicates",
        "saudinewsnet": "real: 14 Saudi newspapers, 18 days of 2015 (benchmarks/real_corpus.py)",
    }
    for name, info in report.get("corpora", {}).items():
        check = info.get("sample_check") or {}
        sample = (
            f"{check['exact_duplicates']} / {check['near_duplicates']} "
            f"(of {check['articles']}; {check['near_comparisons']} pairs compared)"
            if check
            else ""
        )
        what = fixed.get(name) or _corpus_what(info)
        lines.append(f"| {name} | {info['articles']} | {info['mb']} | {what} | {sample} |")
    return lines


def _files(r: dict[str, Any]) -> str:
    f = r.get("files")
    if not f:
        return ""
    return (
        f"{f['articles']} / {f['duplicates']} / {f['rejects']} / {f['near_index']} "
        f"({f['article_partitions']} partitions)"
    )


def _reads(r: dict[str, Any]) -> str:
    b = r.get("readback") or {}
    if "views_day" not in b:
        return _cell(b.get("failed") or b.get("skipped") or "")
    return (
        f"{b['views_day']['query_s']:.3f} / {b['views_month']['query_s']:.3f} "
        f"({b['hive_day']['query_s']:.3f} / {b['hive_month']['query_s']:.3f})"
    )


def scenario_lines(report: dict[str, Any]) -> list[str]:
    lines = [
        "## Scenarios",
        "",
        "Files: articles / duplicates / rejects / near-index files written by the last run. "
        "DuckDB: `select count(*), sum(word_count)` over the busiest day / its month, new "
        "process each time, median of 3: through `akhbar.connect` (in brackets: `read_parquet` "
        "with hive partitioning, no `union_by_name`). Load: 1-minute load average before each "
        "repetition.",
        "",
        "| corpus | run | median s | articles/s | CPU s | peak RSS MB | tree RSS MB | load | "
        "runner | files | DuckDB day / month s | runs s |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---|---|---|",
    ]
    for r in report["results"]:
        head = f"| {r['corpus']} | {r['label']} |"
        if "median_s" not in r:
            why = f"skipped: {r['skipped']}" if r.get("skipped") else f"FAILED: {r.get('failed')}"
            lines.append(f"{head} {_cell(why)} | | | | | | | | | |")
            continue
        cpu = sorted(r.get("cpu_s") or [0.0])[len(r.get("cpu_s") or [0.0]) // 2]
        load = ", ".join(f"{x:.1f}" for x in r.get("load") or [])
        runs = ", ".join(f"{x:.2f}" for x in r["runs"])
        lines.append(
            f"{head} {r['median_s']:.2f} | {r['articles_per_s']:.0f} | {cpu:.0f} | "
            f"{r['peak_rss_mb']:.0f} | {r['tree_rss_mb']:.0f} | {load} | "
            f"{_cell(r.get('runner') or '')} | {_files(r)} | {_reads(r)} | {runs} |"
        )
    return lines


def profile_lines(report: dict[str, Any]) -> list[str]:
    profiles = {k: v for k, v in report.get("profiles", {}).items() if "stages" in v}
    if not profiles:
        return []
    names = list(profiles)
    stages: list[str] = []
    for figures in profiles.values():
        stages += [s for s in figures["stages"] if s not in stages]
    lines = [
        "## Where the time goes: µs per article, per stage",
        "",
        "akhbar's own functions in one plain loop (`benchmarks/profile_stages.py`), over the "
        "first 10k articles of each corpus (fewer when the corpus is smaller); the signature "
        "row is part of near dedup and not added to the total."
        + (
            f" The functions behind each stage (cProfile): [{report['profile_md']}]"
            f"({report['profile_md']})."
            if report.get("profile_md")
            else ""
        ),
        "",
        "| stage | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for stage in stages:
        cells = [f"{profiles[n]['stages'].get(stage, 0):.0f}" for n in names]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines.append(
        "| **total** | " + " | ".join(f"{profiles[n]['total_us']:.0f}" for n in names) + " |"
    )
    lines.append(
        "| articles profiled | " + " | ".join(str(profiles[n]["items"]) for n in names) + " |"
    )
    failed = {k: v for k, v in report.get("profiles", {}).items() if "failed" in v}
    for name, figures in failed.items():
        lines.append(f"\nProfile of {name} failed: {_cell(figures['failed'])}")
    return lines


def beam_lines(report: dict[str, Any]) -> list[str]:
    lines = []
    for corpus, figures in report.get("beam_stages", {}).items():
        if "wall_s" not in figures:
            lines += ["", f"Beam stage times of {corpus} failed: {_cell(figures.get('failed'))}"]
            continue
        lines += [
            "",
            f"## Beam per-transform time: {corpus}, FnApiRunner, 1 worker",
            "",
            f"Wall {figures['wall_s']:.1f} s; transforms {figures['transforms_s']:.1f} s; "
            f"runner {figures['runner_s']:.1f} s (`benchmarks/beam_stages.py`: the runner's own "
            "execution-time metrics; wall minus their sum is grouping, scheduling and the data "
            "channel).",
            "",
            "| transform | s |",
            "|---|---:|",
            *[f"| {k} | {v:.2f} |" for k, v in figures["per_transform_s"].items()],
        ]
    return lines


def progress_lines(report: dict[str, Any]) -> list[str]:
    rows = [r for r in report["results"] if r.get("progress")]
    if not rows:
        return []
    lines = [
        "## Progress display (`akhbar ingest` with default options, on a terminal)",
        "",
        "When the live table first appeared, the longest time without a new frame, and the "
        "longest time during which no count in it changed (`benchmarks/progress_probe.py`), in "
        "the repetition whose counts froze longest.",
        "",
        "| corpus | run s | display from s | longest gap s | longest count freeze s | "
        "whole way | why not |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        p = r["progress"]
        if not p.get("frames"):
            lines.append(
                f"| {r['corpus']} | {r['median_s']:.0f} | | | | no | {_cell(p.get('why'))} |"
            )
            continue
        lines.append(
            f"| {r['corpus']} | {r['median_s']:.0f} | {p['display_start_s']:.1f} | "
            f"{p['max_frame_gap_s']:.1f} | {p['longest_freeze_s']:.0f} "
            f"({p['freeze_from_s']:.0f}-{p['freeze_to_s']:.0f}) | "
            f"{'yes' if p['met'] else 'no'} | {_cell(p.get('why') or '')} |"
        )
    return lines


def markdown(report: dict[str, Any], quality: dict[str, Any] | None = None) -> str:
    m = report["machine"]
    load = m.get("load_at_start") or []
    end = m.get("load_at_end") or []
    lines = [
        f"# akhbar benchmark, {report['date']}",
        "",
        f"{m['cpus']} cores, Python {m['python']}, commit {m.get('commit', '?')} "
        f"({m.get('modified_files', 0)} files modified in the working tree). Load average "
        f"(1, 5, 15 min) at the start {', '.join(f'{x:.1f}' for x in load)}, at the end "
        f"{', '.join(f'{x:.1f}' for x in end)}: figures from a loaded machine measure the "
        "contention as much as akhbar.",
        "",
        *(
            [
                f"**A check of the harness, not a benchmark**: every corpus cut to its first "
                f"{report['head']} articles (`--head`); the targets below are meaningless.",
                "",
            ]
            if report.get("head")
            else []
        ),
        f"Median of {report['repeat']} whole-process runs per scenario ({report.get('repeat_1m', 1)}"
        " at 1M articles), repetitions interleaved across the runs of a corpus. Peak RSS: the "
        "largest single process (exact, from wait4); tree: the whole process tree's summed RSS, "
        "sampled every 0.2 s (for Flink, the cluster's JobManager, TaskManagers and worker pool "
        "too, in memory and in CPU seconds).",
        "",
        *corpora_lines(report),
        "",
        *scenario_lines(report),
        "",
        *profile_lines(report),
        *beam_lines(report),
        "",
        *progress_lines(report),
        "",
        "## Targets (issue 19)",
        "",
        "Computed from the scenarios above (`benchmarks/targets.py`); a row whose scenarios "
        "were not run says what it needs. Where a row is not met, its notes give the best "
        "figure and the ceiling; the per-stage table above is the profile behind them.",
        "",
        *targets.markdown(targets.derived(report, quality)),
        "",
        "## Ceilings: could any runner meet the targets with akhbar's work as it is?",
        "",
        "akhbar's own functions in one plain loop, times the 2 cores: the throughput of a "
        "perfect parallel runner with no overhead. Below a goal, no runner can meet that "
        "target; only cheaper per-article work can.",
        "",
        *targets.markdown(targets.ceilings(report), ("reachable", "**out of reach**")),
    ]
    if "startup" in report:
        lines += ["", *startup_markdown(report["startup"])]
    return "\n".join(lines) + "\n"
