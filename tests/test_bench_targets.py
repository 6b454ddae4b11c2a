"""Issue 19's targets (benchmarks/targets.py) on a hand-made report: exact values and verdicts."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import targets
from benchmarks.report import markdown
from benchmarks.scenarios import DEFAULT_PLAN, MILLION_PLAN, names, select


def result(corpus: str, label: str, seconds: float, articles: int, **extra: Any) -> dict:
    return {"corpus": corpus, "size": articles, "label": label, "articles": articles,
            "runs": [seconds], "median_s": seconds, "articles_per_s": articles / seconds,
            "peak_rss_mb": extra.pop("rss", 500.0), "tree_rss_mb": extra.pop("tree", 0.0),
            "cpu_s": [seconds], "load": [1.0], **extra}  # fmt: skip


PROGRESS = {"frames": 900, "met": False, "display_start_s": 4.0, "max_frame_gap_s": 0.6,
            "longest_freeze_s": 240.0, "freeze_from_s": 100.0, "freeze_to_s": 340.0,
            "freeze_limit_s": 70.0, "why": "counts frozen for 240 s"}  # fmt: skip
READBACK = {"day": "2016-03-01", "month": "2016-03",
            "views_day": {"query_s": 0.8, "rows": 900}, "views_month": {"query_s": 1.1},
            "hive_day": {"query_s": 0.05}, "hive_month": {"query_s": 0.2}}  # fmt: skip
QUALITY = {"quality": {"runs": [  # the shape of benchmarks/results/dedup_quality.json
    {"name": "akhbar (plain functions)", "overall": {"precision": 1.0, "recall": 0.95, "f1": 0.97}},
    {"name": "akhbar (Beam, FnApiRunner)", "overall": {"precision": 1.0, "recall": 0.98, "f1": 0.99}},
    {"name": "datatrove", "overall": {"precision": 1.0, "recall": 0.41, "f1": 0.58}},
]}}  # fmt: skip
FILES = {"articles": 1251, "duplicates": 0, "rejects": 3, "near_index": 48,
         "article_partitions": 1251, "article_days": 1251}  # fmt: skip
K50, K10, K100 = "unique-backfill-50k", "unique-backfill-10k", "unique-backfill-100k"
M_BACK, M_LIVE, L100 = "unique-backfill-1m", "unique-live-1m", "unique-live-100k"


def report() -> dict[str, Any]:
    d = "akhbar_default_all"
    return {
        "date": "2026-01-01T00:00:00+00:00",
        "machine": {"cpus": 2, "python": "3.11", "load_at_start": [1.0, 1.0, 1.0]},
        "repeat": 3,
        "results": [
            result(K50, "reference_script", 5.0, 50_000),
            result(K50, "plain_loop_all", 30.0, 50_000),
            result(K50, d, 20.0, 50_000, runner="FnApiRunner (multi_processing, 2 workers)"),
            result(K50, "akhbar_1w_all", 40.0, 50_000, tree=1300.0),
            result(K50, "akhbar_2w_all", 25.0, 50_000),
            result(K50, "akhbar_prism_all", 20.0, 50_000),
            result(K50, "datatrove", 80.0, 50_000),
            {
                "corpus": K50,
                "size": 50_000,
                "label": "akhbar_flink_all",
                "articles": 50_000,
                "skipped": "no cluster",
            },
            result(K10, d, 15.0, 10_000),
            result(K10, "akhbar_1w_all", 12.0, 10_000, tree=600.0),
            result(K100, d, 100.0, 100_000, tree=1200.0),
            result(L100, d, 90.0, 100_000, tree=1000.0),
            result(
                M_BACK,
                d,
                1650.0,
                1_000_000,
                tree=1400.0,
                rss=900.0,
                readback=READBACK,
                files=FILES,
            ),
            result(M_LIVE, d, 700.0, 1_000_000, tree=1600.0, progress=PROGRESS),
        ],
    }


def by_target(rows: list[targets.Row]) -> dict[str, list[tuple[float | None, bool | None]]]:
    out: dict[str, list[tuple[float | None, bool | None]]] = {}
    for row in rows:
        value = None if row.value is None else round(row.value, 4)
        out.setdefault(row.target, []).append((value, row.met))
    return out


def test_the_eight_targets_from_measured_rows() -> None:
    rows = targets.derived(report(), QUALITY)
    got = by_target(rows)
    # 1: throughput default / reference = time 5 / 20
    assert got["50k unique articles vs the reference script (1 process)"] == [(0.25, False)]
    # 2: 80 / 20, and the quality part: Beam recall 0.98 >= datatrove's 0.41 at equal precision
    assert got["50k unique articles vs datatrove's MinHash pipeline"] == [(4.0, True)]
    quality = "... at equal or better near-dup quality (recall, labelled syndication set)"
    assert got[quality] == [(0.98, True)]
    # 3: a ratio of times, akhbar over its plain loop: 40 / 30
    assert got["Beam overhead (pipeline vs its own plain loop)"] == [(1.3333, False)]
    # 4: 40 / 25 on FnApiRunner, default 40 / 20, Prism 40 / 20, Flink skipped
    assert got["2 workers / 1 worker"] == [(1.6, False)]
    assert got["... default options / FnApiRunner 1 worker"] == [(2.0, True)]
    assert got["... Prism / FnApiRunner 1 worker"] == [(2.0, True)]
    assert got["... Flink, 2 TaskManagers / FnApiRunner 1 worker"] == [(None, None)]
    # 5: the larger 1M tree (live, 1600 MB) against 1.5e9 bytes; flatness per layout
    assert got["peak RSS, process tree, at 1M unique articles"] == [(1600.0, False)]
    assert targets.RSS_LIMIT_MB == 1430.5
    assert got["... flat from 100k to 1M"] == [(1.1667, True), (1.6, False)]
    # 6: 700 s > 600 s; the display is judged by progress_probe (its verdict is kept)
    assert got["1M unique articles, live layout, end to end"] == [(700.0, False)]
    progress = "... with a progress display the whole way (longest count freeze)"
    assert got[progress] == [(240.0, False)]
    # 7: (1650 / 1M) / (15 / 10k) = 1.1; live ran at 1M but not at 10k: a "needs" row
    assert got["per-article time, 1M vs 10k"] == [(1.1, True), (None, None)]
    # 8: the views' day read
    day = "reading one day back with DuckDB after a 1M-article backfill"
    assert got[day] == [(0.8, False)]


def test_notes_name_the_runner_best_figure_and_ceiling() -> None:
    rows = {r.target: r for r in targets.derived(report(), QUALITY)}
    first = rows["50k unique articles vs the reference script (1 process)"]
    assert "default options ran FnApiRunner (multi_processing, 2 workers)" in first.note
    # the best akhbar configuration against the reference: default or Prism, both 5/20
    assert "best configuration: akhbar_prism_all 0.25x" in first.note
    # 2 cores x (5 / 30): no runner reaches 0.5x with this per-article work
    assert "ceiling (2 x plain loop) 0.33x" in first.note
    day = rows["reading one day back with DuckDB after a 1M-article backfill"]
    assert "without union_by_name 0.050 s" in day.note and "1251 article files" in day.note


def test_ceilings_and_missing_rows() -> None:
    rows = [(r.target, None if r.value is None else round(r.value, 4), r.met)
            for r in targets.ceilings(report())]  # fmt: skip
    assert rows == [
        ("ceiling vs reference_script", 0.3333, False),  # 2 x 5/30
        ("ceiling vs datatrove", 5.3333, True),  # 2 x 80/30
        ("ceiling of 1M end to end", 300.0, True),  # 1e6 x (30 / 50k) / 2
    ]
    empty = targets.derived({"results": []})
    assert all(r.value is None and r.met is None for r in empty)
    assert all("needs" in r.note or "run benchmarks" in r.note for r in empty)


def test_markdown_report_sections() -> None:
    text = markdown(report(), QUALITY)
    for heading in ("## Scenarios", "## Targets (issue 19)", "## Ceilings"):
        assert heading in text
    assert "| unique-backfill-50k | akhbar_flink_all | skipped: no cluster |" in text
    assert "| 50k unique articles vs the reference script (1 process) |" in text
    assert "| 0.25x | >= 0.50x | **not met** |" in text
    assert "| 1600 MB | <= 1430 MB | **not met** |" in text
    assert "| 300 s | <= 600 s | reachable |" in text


def test_scenario_selection() -> None:
    assert select(None) == DEFAULT_PLAN
    assert select(None, with_million=True) == (*DEFAULT_PLAN, *MILLION_PLAN)
    assert names(select(["unique-live-1m"])) == ["unique-live-1m/akhbar_default_all"]
    assert names(select(["unique-backfill-50k/akhbar_2w"])) == ["unique-backfill-50k/akhbar_2w_all"]
    assert names(select(["akhbar_prism"])) == ["unique-backfill-50k/akhbar_prism_all"]
    assert names(select(["*/datatrove", "saudinewsnet"])) == [
        "unique-backfill-50k/datatrove",
        "saudinewsnet/reference_script",
        "saudinewsnet/akhbar_default_all",
    ]
    # a pair that no plan holds, named in full
    assert names(select(["unique-live-10k/akhbar_prism_all"])) == [
        "unique-live-10k/akhbar_prism_all"
    ]
    with pytest.raises(ValueError, match="no scenario matches"):
        select(["akhbar_3w"])


def test_memory_growth_is_carried_to_1m_and_a_killed_run_counts_against_its_targets() -> None:
    got = by_target(targets.derived(report(), QUALITY))
    # akhbar_1w_all: 600 MB at 10k, 1300 MB at 50k: 700 MB / 40k articles, on to 1M;
    # the default run held 500 MB at both sizes
    assert got["... extrapolated from 10k and 50k"] == [(17925.0, False), (500.0, True)]

    dead = report()
    dead["results"] = [r for r in dead["results"] if r["corpus"] != M_LIVE]
    dead["results"].append(
        {
            "corpus": M_LIVE,
            "size": 1_000_000,
            "label": "akhbar_default_all",
            "articles": 1_000_000,
            "failed": "killed after 812 s: the process tree held 18100 MB, "
            "over the benchmark's limit of 18079 MB (python -m akhbar ...)",
        }
    )
    rows = {r.target: r for r in targets.derived(dead, QUALITY)}
    memory = rows["peak RSS, process tree, at 1M unique articles"]
    assert (memory.value, memory.met) == (18100.0, False)
    assert "killed at the benchmark's memory limit after 812 s" in memory.note
    live = rows["1M unique articles, live layout, end to end"]
    assert (live.value, live.met) == (812.0, False) and "did not finish" in live.note
