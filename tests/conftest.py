"""Shared fixtures: paths to the repository, the bundled samples and the shared real data, and
one real ``akhbar ingest`` of the samples for the whole session.

Many tests only read what a run of the samples produced (tables, run record, summary). Running
the CLI once per module cost several seconds each, so one session-scoped run (``sample_run``)
serves them all. It is read-only: a test that adds, removes or changes anything in an output
works on ``sample_copy`` (a private copy), and the session checks at its end that nobody wrote
into the shared one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class SampleRun:
    """``akhbar ingest --output OUTPUT`` of the bundled samples, as ``make run`` does it (no
    terminal, so the progress goes to stderr as one line per stage)."""

    output: Path
    record: dict[str, Any]  # the run record, OUTPUT/_runs/<run_id>.json
    stdout: str  # the summary
    stderr: str


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleRun]:
    """The session's one real run of the samples; read it, never write into it."""
    output = tmp_path_factory.mktemp("sample-run") / "output"
    proc = run_akhbar("ingest", "--output", str(output))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = list((output / "_runs").glob("*.json"))
    assert len(runs) == 1, runs
    record = json.loads(runs[0].read_text(encoding="utf-8"))
    before = _snapshot(output)
    yield SampleRun(output, record, proc.stdout, proc.stderr)
    after = _snapshot(output)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"a test wrote into the shared sample run (use sample_copy): {changed}"


@pytest.fixture
def sample_copy(sample_run: SampleRun, tmp_path: Path) -> Path:
    """A private copy of the sample run's output, for a test that changes it or runs again
    on it (``tmp_path/sample-output``)."""
    target = tmp_path / "sample-output"
    shutil.copytree(sample_run.output, target)
    return target


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With pytest-xdist's ``--dist loadgroup`` (``make test PYTEST_PROCESSES=2``) every engine
    test joins one group, so one process starts each engine's cluster once (fixed ports: two
    processes would each try to start it) and computes the FnApiRunner references once.
    ``tryfirst``: xdist reads the groups in its own hook of the same name, registered after
    this file, so it runs first; without this the marker came too late and both processes
    started a Flink cluster."""
    for item in items:
        if item.nodeid.startswith("tests/engines/"):
            item.add_marker(pytest.mark.xdist_group("engines"))
