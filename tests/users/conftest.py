"""Shared fixtures for the users' side: one real ingest of the bundled samples, made with the CLI.

The run is session-scoped and read-only: every test under tests/users reads the same output (one
ingest for the whole folder instead of one per test or module). A test that needs to change the
output copies it first (``output_copy``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_akhbar


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``akhbar ingest`` of the bundled samples, as ``make run`` does it."""
    output = tmp_path_factory.mktemp("users") / "output"
    proc = run_akhbar("ingest", "--output", str(output))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = list((output / "_runs").glob("*.json"))
    assert len(runs) == 1, runs
    record = json.loads(runs[0].read_text(encoding="utf-8"))
    assert (record["articles"], record["duplicates"], record["rejects"]) == (39, 3, 1), record
    return output


@pytest.fixture
def output_copy(sample_output: Path, tmp_path: Path) -> Path:
    """A private copy of the sample output that a test may add files to."""
    target = tmp_path / "output"
    shutil.copytree(sample_output, target)
    return target
