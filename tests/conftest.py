"""Shared fixtures: paths to the repository, the bundled samples and the shared real data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "seeds" / "samples"
SHARED_DATA = REPO.parent / "shared" / "data"


def akhbar_cmd() -> list[str]:
    """The installed console script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).parent / "akhbar"
    return [str(script)] if script.exists() else [sys.executable, "-m", "akhbar.pipelines.cli"]


def run_akhbar(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*akhbar_cmd(), *args], capture_output=True, text=True, timeout=timeout, cwd=REPO
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"shared data missing at {SHARED_DATA}"
    return SHARED_DATA
