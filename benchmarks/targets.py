"""Issue 7's targets, computed from a benchmark report's medians (benchmarks/run.py).

``derived(report)`` returns one row per target and size (or one "not measured" row when the
scenarios it needs are missing); ``markdown(rows)`` renders them. Every ratio is computed from
median wall times of runs over the same input, so a throughput ratio A/B is time(B)/time(A).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

# 1.5 GB = 1.5e9 bytes, in the MiB that peak RSS is reported in (the stricter reading of "GB").
RSS_LIMIT_MB = round(1.5e9 / 2**20, 1)
STARTUP_LIMIT_S = 5.0

OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Row:
    target: str
    articles: str  # "50805", "101610 vs 10161", "samples" or "" when not measured
    value: float | None  # None: not measured
    unit: str  # "x", "MB" or "s"
    op: str
    goal: float
    note: str = ""

    @property
    def met(self) -> bool | None:
        return None if self.value is None else OPS[self.op](self.value, self.goal)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


def _medians(report: dict[str, Any]) -> dict[int, dict[str, dict[str, Any]]]:
    """size -> label -> result, measured results only (skipped or failed ones left out)."""
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for r in report.get("results", []):
        if r.get("median_s"):
            out.setdefault(r["size"], {})[r["label"]] = r
    return out


def _time_ratio(
    name: str, a: str, b: str, op: str, goal: float, by_size: dict, inverse: bool = False
) -> Iterator[Row]:
    """time(a)/time(b) at each size with both; ``inverse``: throughput(a)/throughput(b)."""
    found = False
    for size, runs in sorted(by_size.items()):
        if a in runs and b in runs:
            ta, tb = runs[a]["median_s"], runs[b]["median_s"]
            found = True
            yield Row(name, str(size), tb / ta if inverse else ta / tb, "x", op, goal)
    if not found:
        yield Row(name, "", None, "x", op, goal, f"needs {a} and {b} at one size")


def _largest(runs: dict[str, dict[str, Any]]) -> tuple[str, float] | None:
    """The akhbar scenario with the largest memory: (label, MB), summed over its process tree."""
    akhbar = [
        (label, max(r.get("tree_rss_mb") or 0.0, r["peak_rss_mb"]))
        for label, r in runs.items()
        if label.startswith("akhbar_")
    ]
    return max(akhbar, key=lambda x: x[1]) if akhbar else None


def derived(report: dict[str, Any]) -> list[Row]:
    by_size = _medians(report)
    rows: list[Row] = []
    for suffix in ("all", "no_extract"):
        rows += _time_ratio(
            f"Beam overhead ({suffix}): akhbar_1w_{suffix} / plain_loop_{suffix} time",
            f"akhbar_1w_{suffix}", f"plain_loop_{suffix}", "<=", 1.25, by_size,
        )  # fmt: skip
    rows += _time_ratio(
        "akhbar_2w_no_extract / reference_script throughput (target at 50k)",
        "akhbar_2w_no_extract", "reference_script", ">=", 1.0, by_size, inverse=True,
    )  # fmt: skip
    rows += _time_ratio(
        "akhbar_2w_all / reference_script throughput (target at 50k)",
        "akhbar_2w_all", "reference_script", ">=", 0.5, by_size, inverse=True,
    )  # fmt: skip
    rows += _time_ratio(
        "akhbar_2w_all / datatrove throughput (target at 50k, with equal or better "
        "near-dup quality: see dedup_quality.md)",
        "akhbar_2w_all", "datatrove", ">=", 4.0, by_size, inverse=True,
    )  # fmt: skip
    for suffix in ("all", "no_extract"):
        rows += _time_ratio(
            f"2-worker scaling ({suffix}): akhbar_2w_{suffix} / akhbar_1w_{suffix} throughput",
            f"akhbar_2w_{suffix}", f"akhbar_1w_{suffix}", ">=", 1.6, by_size, inverse=True,
        )  # fmt: skip
    sizes = sorted(by_size)
    for label in ("akhbar_2w_all", "akhbar_1w_all"):
        name = f"linear cost: {label} time per article, largest / smallest size"
        have = [s for s in sizes if label in by_size[s]]
        if len(have) >= 2:
            small, large = have[0], have[-1]
            per = [by_size[s][label]["median_s"] / s for s in (small, large)]
            rows.append(Row(name, f"{large} vs {small}", per[1] / per[0], "x", "<=", 1.15))
        else:
            rows.append(Row(name, "", None, "x", "<=", 1.15, f"needs {label} at two sizes"))
    name = "peak RSS of akhbar at the largest size (process tree)"
    top = _largest(by_size[sizes[-1]]) if sizes else None
    if top:
        rows.append(Row(name, str(sizes[-1]), top[1], "MB", "<=", RSS_LIMIT_MB, top[0]))
    else:
        rows.append(Row(name, "", None, "MB", "<=", RSS_LIMIT_MB, "needs an akhbar scenario"))
    name = "akhbar peak RSS growth, largest / smallest size (sublinear: below the size ratio)"
    ends: list[tuple[int, float]] = []
    for size in sizes:
        largest = _largest(by_size[size])
        if largest:
            ends.append((size, largest[1]))
    if len(ends) >= 2:
        (small, lo), (large, hi) = ends[0], ends[-1]
        rows.append(Row(name, f"{large} vs {small}", hi / lo, "x", "<", large / small))
    else:
        rows.append(Row(name, "", None, "x", "<", 0.0, "needs akhbar at two sizes"))
    startup = (report.get("startup") or {}).get("ingest_samples") or {}
    name = "start-up: akhbar ingest on the bundled samples, wall time"
    if startup.get("median_s"):
        rows.append(Row(name, "samples", startup["median_s"], "s", "<", STARTUP_LIMIT_S))
    else:
        rows.append(Row(name, "", None, "s", "<", STARTUP_LIMIT_S, "startup not measured"))
    return rows


TARGET_WORKERS = 2  # the throughput targets are for akhbar on 2 workers (akhbar_2w_*)
CEILINGS = (  # (plain-loop scenario, compared with, the throughput target it bounds)
    ("plain_loop_no_extract", "reference_script", 1.0),
    ("plain_loop_all", "reference_script", 0.5),
    ("plain_loop_all", "datatrove", 4.0),
)


def ceilings(report: dict[str, Any]) -> list[Row]:
    """The most any runner could reach against the throughput targets with akhbar's own work.

    The plain loop runs akhbar's pure functions with no framework at all; times the targets'
    2 workers (fewer if the machine has fewer cores), it is the throughput of a perfect parallel
    runner (no overhead, linear scaling). When that ceiling is below a target, the target cannot
    be met by removing Beam's cost, only by making akhbar's per-article work itself cheaper.
    ``met`` here means "reachable".
    """
    by_size = _medians(report)
    cores = int((report.get("machine") or {}).get("cpus") or 1)
    workers = min(cores, TARGET_WORKERS)
    rows: list[Row] = []
    for plain, other, goal in CEILINGS:
        name = f"ceiling: {workers} x {plain} / {other} throughput"
        for row in _time_ratio(name, plain, other, ">=", goal, by_size, inverse=True):
            value = None if row.value is None else row.value * workers
            rows.append(replace(row, value=value))
    return rows


def _fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} s"


def markdown(rows: list[Row], verdicts: tuple[str, str] = ("met", "**not met**")) -> list[str]:
    """``verdicts``: the words for a goal met and missed ("reachable" for ``ceilings``)."""
    lines = [
        "| target | articles | value | goal | met |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        value = "not measured" if row.value is None else _fmt(row.value, row.unit)
        goal = f"{row.op} {_fmt(row.goal, row.unit)}" if row.goal else row.op + " size ratio"
        met = {True: verdicts[0], False: verdicts[1], None: "—"}[row.met]
        note = f" ({row.note})" if row.note else ""
        lines.append(f"| {row.target}{note} | {row.articles} | {value} | {goal} | {met} |")
    return lines
