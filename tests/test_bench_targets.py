"""Issue 7's derived ratios (benchmarks/targets.py) on a hand-made report: exact values."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import targets
from benchmarks.run import RESULTS, markdown, parse_importtime, select


def result(size: int, label: str, seconds: float, rss: float = 500.0, tree: float = 0.0) -> dict:
    return {"size": size, "label": label, "articles": size, "runs": [seconds],
            "median_s": seconds, "articles_per_s": size / seconds, "peak_rss_mb": rss,
            "tree_rss_mb": tree}  # fmt: skip


def report() -> dict[str, Any]:
    small, large = 10_000, 100_000
    return {
        "date": "2026-01-01T00:00:00+00:00",
        "machine": {"cpus": 2, "python": "3.11"},
        "repeat": 3,
        "results": [
            result(small, "reference_script", 2.0),
            result(small, "plain_loop_all", 8.0),
            result(small, "plain_loop_no_extract", 4.0),
            result(small, "akhbar_1w_all", 10.0, rss=600.0),
            result(small, "akhbar_1w_no_extract", 6.0),
            result(small, "akhbar_2w_all", 5.0, rss=400.0, tree=900.0),
            result(small, "akhbar_2w_no_extract", 2.5),
            {"size": small, "label": "datatrove", "articles": small, "skipped": "offline"},
            result(large, "akhbar_1w_all", 110.0, rss=700.0),
            result(large, "akhbar_2w_all", 60.0, rss=500.0, tree=1800.0),
            result(large, "datatrove", 240.0),
        ],
        "startup": {"ingest_samples": {"median_s": 3.5, "peak_rss_mb": 250.0, "runs": [3.5]}},
    }


def by_target(rows: list[targets.Row]) -> dict[str, list[tuple[str, float | None, bool | None]]]:
    out: dict[str, list[tuple[str, float | None, bool | None]]] = {}
    for row in rows:
        out.setdefault(row.target.split(":")[0].split(" (")[0], []).append(
            (row.articles, None if row.value is None else round(row.value, 6), row.met)
        )
    return out


def test_derived_ratios_from_medians() -> None:
    rows = by_target(targets.derived(report()))
    assert rows["Beam overhead"] == [("10000", 1.25, True), ("10000", 1.5, False)]
    assert rows["akhbar_2w_no_extract / reference_script throughput"] == [("10000", 0.8, False)]
    assert rows["akhbar_2w_all / reference_script throughput"] == [("10000", 0.4, False)]
    # datatrove was skipped at 10k, measured at 100k: 240 / 60
    assert rows["akhbar_2w_all / datatrove throughput"] == [("100000", 4.0, True)]
    assert rows["2-worker scaling"] == [
        ("10000", 2.0, True),  # all: 10 / 5
        ("100000", 1.833333, True),  # all: 110 / 60
        ("10000", 2.4, True),  # no_extract: 6 / 2.5
    ]
    assert rows["linear cost"] == [
        ("100000 vs 10000", 1.2, False),  # akhbar_2w_all: (60/100k) / (5/10k)
        ("100000 vs 10000", 1.1, True),  # akhbar_1w_all: (110/100k) / (10/10k)
    ]
    # the largest akhbar figure at 100k is akhbar_2w_all's tree sum, over 1.5e9 bytes
    assert rows["peak RSS of akhbar at the largest size"] == [("100000", 1800.0, False)]
    assert targets.RSS_LIMIT_MB == 1430.5
    assert rows["akhbar peak RSS growth, largest / smallest size"] == [
        ("100000 vs 10000", 2.0, True)  # 1800 / 900 < 10
    ]
    assert rows["start-up"] == [("samples", 3.5, True)]


def test_ceilings_scale_the_plain_loop_by_the_cores() -> None:
    """2 workers x plain loop against the reference and datatrove, at each size with both."""
    rows = [
        (r.target, r.articles, None if r.value is None else round(r.value, 6), r.met)
        for r in targets.ceilings(report())
    ]
    assert rows == [
        # 2 x (2.0 / 4.0): a perfect runner of akhbar's no-extract work gets to 1.0x: reachable
        ("ceiling: 2 x plain_loop_no_extract / reference_script throughput", "10000", 1.0, True),
        # 2 x (2.0 / 8.0) = 0.5x with every stage: just reachable
        ("ceiling: 2 x plain_loop_all / reference_script throughput", "10000", 0.5, True),
        ("ceiling: 2 x plain_loop_all / datatrove throughput", "", None, None),
    ]
    bigger = report()
    bigger["machine"] = {"cpus": 8, "python": "3.11"}  # the targets are still for 2 workers
    assert [r.value for r in targets.ceilings(bigger)] == [
        r.value for r in targets.ceilings(report())
    ]
    slower = report()
    slower["machine"] = {"cpus": 1, "python": "3.11"}
    assert [r.met for r in targets.ceilings(slower)][:2] == [False, False]
    text = markdown(slower)
    assert "## Ceilings: could any runner meet the throughput targets?" in text
    assert "| 10000 | 0.50x | >= 1.00x | **out of reach** |" in text
    assert "| 10000 | 1.00x | >= 1.00x | reachable |" in markdown(report())


def test_missing_scenarios_give_not_measured_rows() -> None:
    rows = targets.derived({"results": [result(1000, "akhbar_1w_all", 4.0)]})
    beam = [r for r in rows if r.target.startswith("Beam overhead (all)")]
    assert [(r.value, r.met, r.note) for r in beam] == [
        (None, None, "needs akhbar_1w_all and plain_loop_all at one size")
    ]
    assert [r.value for r in rows if r.target.startswith("peak RSS")] == [500.0]
    assert all(r.value is None for r in rows if r.target.startswith(("linear", "start-up")))


def test_markdown_has_raw_table_skips_startup_and_targets() -> None:
    text = markdown(report(), profile=RESULTS / "profile-2026-01-01.md")
    assert "| 10000 | akhbar_1w_all | 10.00 | 1000 | 600 | 0 | 10.00 |" in text
    assert "| 10000 | datatrove | skipped: offline |" in text
    assert "## Targets (issue 7)" in text
    assert "| 10000 | 1.25x | <= 1.25x | met |" in text
    assert "| 10000 | 1.50x | <= 1.25x | **not met** |" in text
    assert "| 100000 | 1800 MB | <= 1430 MB | **not met** |" in text
    assert "| samples | 3.50 s | < 5.00 s | met |" in text
    assert "[profile-2026-01-01.md](profile-2026-01-01.md)" in text


def test_importtime_parsing_and_scenario_selection() -> None:
    text = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:       141 |        141 |     _typing",
            "import time:      1631 |       1771 |   typing",
            "import time:      1083 |       8050 | akhbar.pipelines.cli",
        ]
    )
    assert parse_importtime(text) == [
        (2, "_typing", 141),
        (1, "typing", 1771),
        (0, "akhbar.pipelines.cli", 8050),
    ]
    assert select(["akhbar_2w", "startup"]) == ["akhbar_2w_all", "akhbar_2w_no_extract", "startup"]
    assert select(["datatrove"]) == ["datatrove"]
    with pytest.raises(ValueError, match="no scenario matches"):
        select(["akhbar_3w"])
