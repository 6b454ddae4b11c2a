"""CI smoke run of the benchmark harness at 1k articles: it works, no timing gates."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_benchmark_harness_runs_every_scenario_at_1k() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    report = json.loads((REPO / "benchmarks" / "results" / "smoke.json").read_text())
    labels = {r["label"] for r in report["results"]}
    assert {"io_floor", "reference_script", "plain_loop_all", "akhbar_1w_all",
            "akhbar_2w_all", "akhbar_1w_no_extract"} <= labels
    for result in report["results"]:
        assert result["size"] == 1000 and result["median_s"] > 0 and result["peak_rss_mb"] > 10
