"""Shared fixtures for the users' side: the session's real ingest of the bundled samples.

Every test under tests/users reads the same output, the session-wide ``sample_run`` of
``tests/conftest.py`` (one ingest for the whole suite instead of one per folder or module). A
test that needs to change the output copies it first (``output_copy``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SampleRun


@pytest.fixture(scope="session")
def sample_output(sample_run: SampleRun) -> Path:
    """``akhbar ingest`` of the bundled samples, as ``make run`` does it."""
    record = sample_run.record
    assert (record["articles"], record["duplicates"], record["rejects"]) == (39, 3, 1), record
    return sample_run.output


@pytest.fixture
def output_copy(sample_output: Path, tmp_path: Path) -> Path:
    """A private copy of the sample output that a test may add files to."""
    target = tmp_path / "output"
    shutil.copytree(sample_output, target)
    return target
