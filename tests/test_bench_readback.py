"""The benchmark's read-back, progress and memory-guard helpers (readback, progress_probe, timing)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from rich.console import Console

from akhbar.pipelines.progress_view import render
from benchmarks import progress_probe, readback
from benchmarks.timing import run_once
from tests.conftest import SampleRun


def test_files_and_day_reads_on_a_real_run(sample_run: SampleRun) -> None:
    """Counts of the sample run's files, and the busiest day read back by DuckDB in new
    processes, both ways, equal to what pyarrow finds in that day's folder."""
    out = sample_run.output
    files = readback.files(out)
    parquet = {t: sorted((out / t).rglob("*.parquet")) for t in readback.TABLES}
    assert files["articles"] == len(parquet["articles"]) > 0
    assert files["duplicates"] == len(parquet["duplicates"])
    assert files["rejects"] == len(parquet["rejects"])
    assert files["article_days"] == len({p.parent.parent.name for p in parquet["articles"]})
    day = readback.busiest_day(out)
    sizes: dict[str, int] = {}
    for path in parquet["articles"]:
        name = path.parent.parent.name.removeprefix("date=")
        sizes[name] = sizes.get(name, 0) + path.stat().st_size
    assert day == max(sizes, key=lambda d: sizes[d])

    result = readback.readback(out, repeat=1)
    table = ds.dataset(out / "articles" / f"date={day}", format="parquet").to_table()
    words = sum(table.column("word_count").to_pylist())
    for variant in readback.VARIANTS:
        got = result[f"{variant}_day"]
        assert (got["rows"], got["words"]) == (table.num_rows, words), variant
        assert 0 < got["query_s"] < got["process_s"]
        month = result[f"{variant}_month"]
        assert month["rows"] >= table.num_rows
    assert result["month"] == day[:7]


def test_month_filter_and_queries() -> None:
    assert readback.month_bounds("2016-12-31") == ("2016-12-01", "2017-01-01")
    assert readback.month_bounds("2016-02-10") == ("2016-02-01", "2016-03-01")
    assert readback.where("2016-12-31", "day") == "date = DATE '2016-12-31'"
    assert readback.where("2016-12-31", "month") == (
        "date >= DATE '2016-12-01' AND date < DATE '2017-01-01'"
    )
    hive = readback.sql("hive", Path("/o"), "2016-12-31", "day")
    assert "read_parquet('/o/articles/**/*.parquet', hive_partitioning = true" in hive
    assert "union_by_name" not in hive
    assert readback.sql("views", Path("/o"), "2016-12-31", "day").startswith(
        "select count(*), sum(word_count) from articles where"
    )
    with pytest.raises(ValueError, match="variant"):
        readback.sql("polars", Path("/o"), "2016-12-31", "day")


def frame(counts: dict[str, int], elapsed: float) -> str:
    """What ``akhbar ingest``'s live display draws for these counts (the real renderer)."""
    buffer = io.StringIO()
    Console(file=buffer, width=100, force_terminal=True).print(render(counts, elapsed))
    return "\x1b[2K\x1b[1A" + buffer.getvalue()


def test_progress_analysis_of_what_the_display_drew() -> None:
    """Frames every 0.5 s; reading moves for 10 s, then nothing changes for 40 s (a stage that
    reports no count), then writing moves: the freeze is found and judged, and so is a gap."""
    frames = [(0.1, "akhbar: starting\n")]
    for i in range(120):  # 1 s to 60.5 s
        at = 1.0 + 0.5 * i
        read = min(i, 20) * 500
        written = max(0, i - 100) * 400
        frames.append((at, frame({"read": read, "written:articles": written}, at)))
    result = progress_probe.analyse(frames, seconds=62.0)
    assert result["frames"] == 120
    assert result["display_start_s"] == 1.0
    assert result["max_frame_gap_s"] == 1.5  # the last frame (60.5 s) to the end (62 s)
    # the counts last changed at 11 s (read 10,000) and next at 51.5 s (first write)
    assert (result["freeze_from_s"], result["freeze_to_s"]) == (11.0, 51.5)
    assert result["longest_freeze_s"] == 40.5
    assert result["final_counts"]["items read"] == 10_000
    assert result["final_counts"]["articles written"] == 7_600
    assert not result["met"] and "counts frozen for 40 s" in result["why"]

    steady = [(1.0 + 0.5 * i, frame({"read": 100 * i}, 1.0 + 0.5 * i)) for i in range(120)]
    assert progress_probe.analyse(steady, seconds=61.0)["met"]
    gap = [f for f in steady if not 20 < f[0] < 30]
    assert "no frame for 10.0 s" in progress_probe.analyse(gap, seconds=61.0)["why"]
    assert progress_probe.analyse([(0.5, "plain output\n")], 3.0) == {
        "frames": 0,
        "met": False,
        "why": "no live display was drawn",
    }


def test_a_run_that_outgrows_the_memory_limit_is_killed() -> None:
    """The guard that keeps a 1M scenario from waking the OOM killer: the child holds 300 MB
    and waits for a signal; the sampler kills it past 100 MB and the run fails saying so."""
    code = (
        "import signal\n"
        "block = bytearray(300 * 2**20)\n"
        "block[:: 4096] = b'x' * len(block[:: 4096])\n"
        "signal.pause()\n"
    )
    with pytest.raises(RuntimeError, match=r"killed after \d+ s: the process tree held \d+ MB"):
        run_once([sys.executable, "-c", code], limit_mb=100)
