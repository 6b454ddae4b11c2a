"""Smoke run of the benchmark harness at 1k articles: it works, no timing gates.

Run by ``make bench-smoke``, the first step of ``make bench`` (about a minute on 2 cores):
``python -m pytest benchmarks/test_smoke.py``. It used to run in ``make test``, where it added
a minute to every test run for a check of the benchmark tooling rather than of akhbar.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_benchmark_harness_runs_every_scenario_at_1k() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    results = REPO / "benchmarks" / "results"
    report = json.loads((results / "smoke.json").read_text())
    measured = {r["label"] for r in report["results"] if "median_s" in r}
    assert {
        "io_floor",
        "reference_script",
        "plain_loop_all",
        "plain_loop_no_extract",
        "akhbar_1w_all",
        "akhbar_1w_no_extract",
        "akhbar_2w_all",
        "akhbar_2w_no_extract",
        "akhbar_default_all",
    } <= measured
    for result in report["results"]:
        assert result["corpus"] == "unique-backfill-1k", result
        assert result["size"] == 1000 and result["median_s"] > 0 and result["peak_rss_mb"] > 10
        assert result["tree_rss_mb"] >= result["peak_rss_mb"]
        if result["label"].startswith("akhbar_"):  # what it wrote, and DuckDB reading it back
            assert result["counts"]["balanced"] and result["files"]["articles"] > 0
            assert result["readback"]["views_day"]["rows"] > 0, result["readback"]
    default = next(r for r in report["results"] if r["label"] == "akhbar_default_all")
    assert default["progress"]["frames"] > 0  # run on a terminal: its live display was drawn
    corpus = report["corpora"]["unique-backfill-1k"]
    assert corpus["sample_check"]["near_duplicates"] == 0
    assert report["profiles"]["unique-backfill-1k"]["items"] == 1000
    startup = report["startup"]
    for key in ("ingest_samples", "import_cli", "bare_python"):
        assert startup[key]["median_s"] > 0, startup[key]
    assert startup["imports_during_ingest"]["modules"] > 0
    assert startup["import_cli_importtime_ms"] is not None
    targets = {t["target"] for t in report["targets"]}
    assert "50k unique articles vs the reference script (1 process)" in targets
    assert "reading one day back with DuckDB after a 1M-article backfill" in targets

    text = (results / "smoke.md").read_text()
    assert "## Start-up" in text and "akhbar ingest on the bundled samples" in text
    assert "## Targets (issue 19)" in text
    assert "| unique-backfill-1k | akhbar_default_all |" in text
    assert "## Where the time goes: µs per article, per stage" in text


BEAM_STAGES = [sys.executable, "-m", "benchmarks.beam_stages"]


@pytest.mark.slow
def test_beam_stage_profile_names_the_pipeline_steps(tmp_path) -> None:
    """benchmarks.beam_stages reads FnApiRunner's per-transform times for the real pipeline."""
    from tests.conftest import SAMPLES

    out = tmp_path / "beam.md"
    proc = subprocess.run(
        [*BEAM_STAGES, str(SAMPLES / "jawharafm.jsonl"), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    for step in ("Prepare/CleanNormalizeExtract", "NearDedup/Sign", "Write/WriteParquet"):
        assert f"| {step} |" in text
    wall = float(text.split("\nWall ")[1].split(" s;")[0])
    transforms = float(text.split("transforms ")[1].split(" s;")[0])
    assert 0 < transforms < wall
