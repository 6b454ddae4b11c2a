"""Shared by the engine tests (Prism, Flink, Spark): the three inputs every engine is compared
on, FnApiRunner's tables for them (the reference, computed once per session and only for the
inputs a test asks for), and the cached engine artifacts (``make engines``; never downloaded
here: a missing artifact fails the test with a message naming ``make engines``).

Compare with ``tests.cluster.conftest.assert_same_tables``: row for row sorted by id, rejects
without ``rejected_at``. ``fetched_at`` is the input file's mtime, so it is equal: the reference
and the engine read the same files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from akhbar.pipelines.engines import engine_cache, prism_binary
from tests.cluster.conftest import write_ant_slice
from tests.conftest import SAMPLES, SHARED_DATA, run_akhbar
from tests.hardening.hostile import write_hostile_set

MAKE_ENGINES = "run `make engines` first (it fetches and builds the pinned engine artifacts)"


@dataclass(frozen=True)
class EngineRun:
    """One finished ``akhbar ingest``: its run record and the process (for its log)."""

    output: Path
    record: dict
    proc: subprocess.CompletedProcess[str]


def ingest_run(output: Path, *args: str, timeout: float = 600) -> EngineRun:
    """``akhbar ingest --output OUTPUT ARGS`` as a user runs it; it must succeed, balanced."""
    proc = run_akhbar("ingest", "--output", str(output), *args, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stdout, proc.stdout
    runs = sorted((output / "_runs").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return EngineRun(output, json.loads(runs[-1].read_text(encoding="utf-8")), proc)


def write_rejects_input(folder: Path) -> Path:
    """A run with many kinds of rejects (62 of 167 items here, 17 reasons: broken JSON Lines,
    XML bombs, bad WARC records, empty texts ...), near and exact duplicates, undated items:
    the generated hostile set without its big files, plus the shared XML bombs and WARC files."""
    write_hostile_set(folder / "hostile", big=False)
    for name in ("xml-bombs", "warc"):
        assert (SHARED_DATA / name).is_dir(), f"shared data missing at {SHARED_DATA / name}"
        shutil.copytree(SHARED_DATA / name, folder / name)
    return folder


@dataclass
class EngineInputs:
    """The inputs every engine is compared on, written once per session, and FnApiRunner's
    run of each (``reference(name)``, run on first use)."""

    base: Path
    _references: dict[str, EngineRun] = field(default_factory=dict)

    @property
    def samples(self) -> Path:
        return SAMPLES

    @property
    def ant(self) -> Path:
        """The first 2,000 ANT articles as 4 JSONL files."""
        folder = self.base / "ant"
        return folder if folder.is_dir() else write_ant_slice(folder)

    @property
    def rejects(self) -> Path:
        folder = self.base / "rejects"
        return folder if folder.is_dir() else write_rejects_input(folder)

    def reference(self, name: str) -> EngineRun:
        """FnApiRunner's run of the input ``name`` (samples | ant | rejects)."""
        if name not in self._references:
            self._references[name] = ingest_run(
                self.base / "reference" / name,
                "--input",
                str(getattr(self, name)),
                "--runner=FnApiRunner",
            )
        return self._references[name]


@pytest.fixture(scope="session")
def engine_inputs(tmp_path_factory: pytest.TempPathFactory) -> EngineInputs:
    return EngineInputs(tmp_path_factory.mktemp("engine-inputs"))


@pytest.fixture(scope="session")
def prism() -> Path:
    """The Prism binary ``deploy/prism/fetch.sh`` built, checked against the sha256 recorded
    when it was built (a binary changed since would not be the pinned build)."""
    binary = prism_binary()
    if binary is None:
        pytest.fail(f"no Prism binary in {engine_cache() / 'prism'}: {MAKE_ENGINES}", False)
    stamp = binary.with_name("prism.sha256")
    check = subprocess.run(
        ["sha256sum", "--quiet", "-c", stamp.name], cwd=binary.parent, capture_output=True
    )
    if check.returncode != 0:
        pytest.fail(f"{binary} does not match {stamp}: {MAKE_ENGINES}", False)
    return binary
