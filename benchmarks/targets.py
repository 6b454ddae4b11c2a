"""Issue 19's targets, computed from a benchmark report's measured rows (benchmarks/run.py).

``derived(report)`` gives one ``Row`` per target (some targets have two parts: a throughput
and a quality, a memory ceiling and its flatness, a time and a progress display), each with the
measured value, the goal and a note naming what was compared, the best figure reached and,
where the target is a throughput, the ceiling; ``ceilings(report)`` gives the ceilings
themselves: akhbar's own functions in a plain loop, times the 2 cores, the throughput of a
runner with no overhead and perfect scaling. ``markdown(rows)`` renders either.

Every ratio comes from median wall times of runs over the same corpus in the same benchmark
run (interleaved repetitions), so a throughput ratio A/B is time(B)/time(A).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

# 1.5 GB = 1.5e9 bytes, in the MiB that peak RSS is reported in (the stricter reading of "GB").
RSS_LIMIT_MB = round(1.5e9 / 2**20, 1)
FLAT_LIMIT = 1.2  # "flat from 100k to 1M": at most this much more memory for 10x the input
STARTUP_LIMIT_S = 5.0
TARGET_WORKERS = 2  # the targets are for 2 cores
AT_50K = "unique-backfill-50k"
BACKFILL_1M, LIVE_1M = "unique-backfill-1m", "unique-live-1m"
DEFAULT = "akhbar_default_all"
AKHBAR_ALL = (DEFAULT, "akhbar_1w_all", "akhbar_2w_all", "akhbar_prism_all", "akhbar_flink_all")

_KILLED = re.compile(r"killed after (\d+) s: the process tree held (\d+) MB")

OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Row:
    target: str
    measured: str  # what was compared: "unique-backfill-50k: akhbar_default_all / ..."
    value: float | None  # None: not measured
    unit: str  # "x", "MB", "s" or "" (a plain number)
    op: str
    goal: float
    note: str = ""
    verdict: bool | None = None  # overrides the comparison (a display judged on several figures)

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        if self.verdict is not None:
            return self.verdict
        return OPS[self.op](self.value, self.goal)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


Results = dict[tuple[str, str], dict[str, Any]]


def measured(report: dict[str, Any]) -> Results:
    """(corpus, run) -> result row, measured rows only (skipped or failed ones left out)."""
    return {(r["corpus"], r["label"]): r for r in report.get("results", []) if r.get("median_s")}


def _throughput(res: Results, corpus: str, a: str, b: str) -> float | None:
    """throughput(a) / throughput(b) = time(b) / time(a) on ``corpus``; None: one is missing."""
    if (corpus, a) in res and (corpus, b) in res:
        return res[(corpus, b)]["median_s"] / res[(corpus, a)]["median_s"]
    return None


def _missing(*scenarios: str) -> str:
    return "needs " + " and ".join(scenarios)


def _best(res: Results, corpus: str, versus: str) -> str:
    """The best akhbar configuration (every stage) against ``versus`` on ``corpus``."""
    found = [(r, _throughput(res, corpus, r, versus)) for r in AKHBAR_ALL]
    ratios = [(ratio, run) for run, ratio in found if ratio is not None]
    if not ratios:
        return ""
    ratio, run = max(ratios)
    return f"best configuration: {run} {ratio:.2f}x"


def _ceiling(res: Results, corpus: str, versus: str) -> float | None:
    ratio = _throughput(res, corpus, "plain_loop_all", versus)
    return None if ratio is None else ratio * TARGET_WORKERS


def _ratio_row(
    res: Results,
    target: str,
    a: str,
    b: str,
    op: str,
    goal: float,
    corpus: str = AT_50K,
    of_time: bool = False,
) -> Row:
    """throughput(a) / throughput(b) on ``corpus``, or with ``of_time`` time(a) / time(b)."""
    value = _throughput(res, corpus, b, a) if of_time else _throughput(res, corpus, a, b)
    what = f"{corpus}: {a} / {b} {'time' if of_time else 'throughput'}"
    notes = [] if value is not None else [_missing(f"{corpus}/{a}", f"{corpus}/{b}")]
    if a == DEFAULT and (corpus, a) in res:
        notes.append(f"default options ran {res[(corpus, a)].get('runner') or '?'}")
    if value is not None and a == DEFAULT:
        notes.append(_best(res, corpus, b))
        ceiling = _ceiling(res, corpus, b)
        if ceiling is not None:
            notes.append(f"ceiling (2 x plain loop) {ceiling:.2f}x")
    return Row(target, what, value, "x", op, goal, "; ".join(n for n in notes if n))


def _quality_row(quality: dict[str, Any] | None) -> Row:
    """akhbar's near-dup recall against datatrove's on the labelled set (dedup_quality.json),
    at a precision no lower than datatrove's."""
    target = "... at equal or better near-dup quality (recall, labelled syndication set)"
    what = "benchmarks/results/dedup_quality.json: akhbar recall vs datatrove recall"
    listed = ((quality or {}).get("quality") or {}).get("runs", [])
    runs = {r.get("name", ""): r.get("overall") or {} for r in listed}
    mine = next((v for k, v in runs.items() if k.startswith("akhbar (Beam") and v), None)
    mine = mine or next((v for k, v in runs.items() if k.startswith("akhbar (plain") and v), None)
    theirs = runs.get("datatrove") or None
    if not mine or not theirs:
        return Row(target, what, None, "", ">=", 0.0, "run benchmarks.dedup_quality")
    note = (
        f"precision {mine['precision']:.3f} (datatrove {theirs['precision']:.3f}); "
        f"F1 {mine['f1']:.3f} (datatrove {theirs['f1']:.3f})"
    )
    verdict = mine["recall"] >= theirs["recall"] and mine["precision"] >= theirs["precision"]
    return Row(target, what, mine["recall"], "", ">=", theirs["recall"], note, verdict)


def _scaling_rows(res: Results) -> list[Row]:
    target = "2 workers / 1 worker"
    rows = [_ratio_row(res, target, "akhbar_2w_all", "akhbar_1w_all", ">=", 1.7)]
    for other, label in (
        ("akhbar_default_all", "default options"),
        ("akhbar_prism_all", "Prism"),
        ("akhbar_flink_all", "Flink, 2 TaskManagers"),
    ):
        row = _ratio_row(
            res, f"... {label} / FnApiRunner 1 worker", other, "akhbar_1w_all", ">=", 1.7
        )
        rows.append(row)
    return rows


def _tree_mb(row: dict[str, Any]) -> float:
    return max(row.get("tree_rss_mb") or 0.0, row.get("peak_rss_mb") or 0.0)


def killed(report: dict[str, Any]) -> dict[tuple[str, str], tuple[float, float]]:
    """(corpus, run) -> (seconds, MB) of runs the harness killed at its memory limit."""
    out = {}
    for r in report.get("results", []):
        found = _KILLED.search(str(r.get("failed") or ""))
        if found:
            out[(r["corpus"], r["label"])] = (float(found[1]), float(found[2]))
    return out


def _growth_rows(res: Results) -> list[Row]:
    """Tree RSS per article between the 10k and 50k corpora, carried on to 1M: what a run at
    1M would hold if nothing changes (a straight line; the 1M runs measure it)."""
    rows = []
    small, large = "unique-backfill-10k", AT_50K
    for run in ("akhbar_1w_all", "akhbar_2w_all", DEFAULT):
        if (small, run) not in res or (large, run) not in res:
            continue
        a, b = res[(small, run)], res[(large, run)]
        per = (_tree_mb(b) - _tree_mb(a)) / max(b["articles"] - a["articles"], 1)
        at_1m = _tree_mb(b) + per * (1_000_000 - b["articles"])
        note = (f"{_tree_mb(a):.0f} MB at 10k, {_tree_mb(b):.0f} MB at 50k: "
                f"{per * 1024:.1f} KB per article")  # fmt: skip
        what = f"{run}: tree RSS, 10k -> 50k, extrapolated to 1M"
        rows.append(
            Row("... extrapolated from 10k and 50k", what, at_1m, "MB", "<=", RSS_LIMIT_MB, note)
        )
    return rows


def _memory_rows(res: Results, dead: dict[tuple[str, str], tuple[float, float]]) -> list[Row]:
    big = [(c, res[(c, DEFAULT)]) for c in (BACKFILL_1M, LIVE_1M) if (c, DEFAULT) in res]
    target = "peak RSS, process tree, at 1M unique articles"
    gone = [(c, dead[(c, DEFAULT)]) for c in (BACKFILL_1M, LIVE_1M) if (c, DEFAULT) in dead]
    if gone:
        corpus, (seconds, mb) = max(gone, key=lambda x: x[1][1])
        note = f"killed at the benchmark's memory limit after {seconds:.0f} s: at least this much"
        rows = [Row(target, f"{corpus}/{DEFAULT}", mb, "MB", "<=", RSS_LIMIT_MB, note, False)]
    elif big:
        corpus, top = max(big, key=lambda x: _tree_mb(x[1]))
        largest = f"largest process {top.get('peak_rss_mb', 0):.0f} MB"
        rows = [
            Row(target, f"{corpus}/{DEFAULT}", _tree_mb(top), "MB", "<=", RSS_LIMIT_MB, largest)
        ]
    else:
        rows = [
            Row(target, "", None, "MB", "<=", RSS_LIMIT_MB, _missing(f"{BACKFILL_1M}/{DEFAULT}"))
        ]
    for layout in ("backfill", "live"):
        small, large = f"unique-{layout}-100k", f"unique-{layout}-1m"
        what = f"tree RSS {large} / {small} ({DEFAULT})"
        if (small, DEFAULT) in res and (large, DEFAULT) in res:
            lo, hi = _tree_mb(res[(small, DEFAULT)]), _tree_mb(res[(large, DEFAULT)])
            note = f"{lo:.0f} MB -> {hi:.0f} MB"
            rows.append(Row("... flat from 100k to 1M", what, hi / lo, "x", "<=", FLAT_LIMIT, note))
        else:
            rows.append(Row("... flat from 100k to 1M", what, None, "x", "<=", FLAT_LIMIT,
                            _missing(f"{small}/{DEFAULT}", f"{large}/{DEFAULT}")))  # fmt: skip
    return rows + _growth_rows(res)


def _live_rows(
    res: Results, ceiling_s: float | None, dead: dict[tuple[str, str], tuple[float, float]]
) -> list[Row]:
    target = "1M unique articles, live layout, end to end"
    what = f"{LIVE_1M}/{DEFAULT}: wall time"
    row = res.get((LIVE_1M, DEFAULT))
    if (LIVE_1M, DEFAULT) in dead:
        seconds, mb = dead[(LIVE_1M, DEFAULT)]
        note = f"killed at the memory limit ({mb:.0f} MB) after {seconds:.0f} s: did not finish"
        return [Row(target, what, seconds, "s", "<=", 600.0, note, False)]
    if row is None:
        note = _missing(f"{LIVE_1M}/{DEFAULT}") + " (make bench-1m)"
        return [Row(target, what, None, "s", "<=", 600.0, note),
                Row("... with a progress display the whole way", what, None, "s", "<=", 0.0, note)]  # fmt: skip
    note = f"{row['articles_per_s']:.0f} articles/s"
    if ceiling_s is not None:
        note += f"; ceiling (plain loop / 2 cores) {ceiling_s:.0f} s"
    rows = [Row(target, what, row["median_s"], "s", "<=", 600.0, note)]
    progress = row.get("progress") or {}
    if not progress.get("frames"):
        why = progress.get("why") or "not run on a terminal"
        rows.append(
            Row("... with a progress display the whole way", what, None, "s", "<=", 0.0, why)
        )
        return rows
    note = (
        f"display from {progress['display_start_s']:.1f} s, longest gap between frames "
        f"{progress['max_frame_gap_s']:.1f} s, counts frozen {progress['freeze_from_s']:.0f}-"
        f"{progress['freeze_to_s']:.0f} s" + (f"; {progress['why']}" if progress.get("why") else "")
    )
    rows.append(Row("... with a progress display the whole way (longest count freeze)", what,
                    progress["longest_freeze_s"], "s", "<=", progress["freeze_limit_s"], note,
                    bool(progress.get("met"))))  # fmt: skip
    return rows


def _per_article_rows(res: Results) -> list[Row]:
    rows = []
    for layout in ("backfill", "live"):
        small, large = f"unique-{layout}-10k", f"unique-{layout}-1m"
        what = f"{DEFAULT}: time per article, {large} / {small}"
        if (small, DEFAULT) in res and (large, DEFAULT) in res:
            a, b = res[(small, DEFAULT)], res[(large, DEFAULT)]
            per = [r["median_s"] / r["articles"] for r in (a, b)]
            note = f"{1e6 * per[0]:.0f} -> {1e6 * per[1]:.0f} µs per article"
            rows.append(
                Row("per-article time, 1M vs 10k", what, per[1] / per[0], "x", "<=", 1.15, note)
            )
        elif layout == "backfill" or (large, DEFAULT) in res:
            rows.append(Row("per-article time, 1M vs 10k", what, None, "x", "<=", 1.15,
                            _missing(f"{small}/{DEFAULT}", f"{large}/{DEFAULT}")))  # fmt: skip
    return rows


def _readback_row(res: Results) -> Row:
    target = "reading one day back with DuckDB after a 1M-article backfill"
    what = f"{BACKFILL_1M}/{DEFAULT}: akhbar.connect views, count + sum(word_count), one day"
    row = res.get((BACKFILL_1M, DEFAULT))
    back = (row or {}).get("readback") or {}
    if "views_day" not in back:
        return Row(target, what, None, "s", "<=", 0.5, _missing(f"{BACKFILL_1M}/{DEFAULT}"))
    files = (row or {}).get("files") or {}
    note = (
        f"day {back['day']} ({back['views_day']['rows']} rows); without union_by_name "
        f"{back['hive_day']['query_s']:.3f} s; {files.get('articles', '?')} article files"
    )
    return Row(target, what, back["views_day"]["query_s"], "s", "<=", 0.5, note)


def live_ceiling_s(report: dict[str, Any]) -> float | None:
    """1M articles at the plain loop's per-article time (50k), over 2 cores: the fastest a
    perfect runner of akhbar's functions could go."""
    row = measured(report).get((AT_50K, "plain_loop_all"))
    if row is None:
        return None
    return 1_000_000 * row["median_s"] / row["articles"] / TARGET_WORKERS


def derived(report: dict[str, Any], quality: dict[str, Any] | None = None) -> list[Row]:
    """Issue 19's eight targets (with their parts), in the issue's order."""
    res = measured(report)
    dead = killed(report)
    return [
        _ratio_row(res, "50k unique articles vs the reference script (1 process)",
                   DEFAULT, "reference_script", ">=", 0.5),
        _ratio_row(res, "50k unique articles vs datatrove's MinHash pipeline",
                   DEFAULT, "datatrove", ">=", 4.0),
        _quality_row(quality),
        _ratio_row(res, "Beam overhead (pipeline vs its own plain loop)",
                   "akhbar_1w_all", "plain_loop_all", "<=", 1.25, of_time=True),
        *_scaling_rows(res),
        *_memory_rows(res, dead),
        *_live_rows(res, live_ceiling_s(report), dead),
        *_per_article_rows(res),
        _readback_row(res),
    ]  # fmt: skip


def ceilings(report: dict[str, Any]) -> list[Row]:
    """The most any runner could reach with akhbar's own work (module docstring); ``met``
    means reachable."""
    res = measured(report)
    rows = []
    for versus, goal in (("reference_script", 0.5), ("datatrove", 4.0)):
        value = _ceiling(res, AT_50K, versus)
        what = f"{AT_50K}: {TARGET_WORKERS} x plain_loop_all / {versus} throughput"
        note = (
            "" if value is not None else _missing(f"{AT_50K}/plain_loop_all", f"{AT_50K}/{versus}")
        )
        rows.append(Row(f"ceiling vs {versus}", what, value, "x", ">=", goal, note))
    value = live_ceiling_s(report)
    what = f"1M x {AT_50K} plain_loop_all time per article / {TARGET_WORKERS} cores"
    rows.append(Row("ceiling of 1M end to end", what, value, "s", "<=", 600.0,
                    "" if value is not None else _missing(f"{AT_50K}/plain_loop_all")))  # fmt: skip
    return rows


def _fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    return f"{value:.3f}"


def markdown(rows: list[Row], verdicts: tuple[str, str] = ("met", "**not met**")) -> list[str]:
    """``verdicts``: the words for a goal met and missed ("reachable" for ``ceilings``)."""
    lines = [
        "| target | measured | value | goal | met | notes |",
        "|---|---|---:|---:|---|---|",
    ]
    for row in rows:
        value = "not measured" if row.value is None else _fmt(row.value, row.unit)
        goal = f"{row.op} {_fmt(row.goal, row.unit)}"
        met = {True: verdicts[0], False: verdicts[1], None: "—"}[row.met]
        lines.append(f"| {row.target} | {row.measured} | {value} | {goal} | {met} | {row.note} |")
    return lines
