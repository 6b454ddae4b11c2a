"""akhbar on Prism, Beam's portable runner written in Go, built from the pinned Beam Go module
(``deploy/prism/fetch.sh``, ``make engines``): ``akhbar ingest --runner=prism`` as a user runs
it, against FnApiRunner on the same input (the bundled samples, 2,000 ANT articles, a run with
62 rejects of 17 kinds). The tables must be equal row for row sorted by id, and the run records
equal in every count; the records and files may differ only in what names the run (run id,
times, output folder, the execution's fingerprint in file names, the commit) and in the
runner's name.

The fast tests at the top show how ``--runner=prism`` finds the cached binary.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from akhbar.pipelines.engines import prism_binary, with_engine_defaults
from akhbar.pipelines.options import with_default_runner
from tests.cluster.conftest import assert_committed, assert_same_tables
from tests.engines.conftest import EngineInputs, EngineRun, ingest_run

# What names the run rather than what it computed (git_commit too: in a shared checkout, HEAD
# may move between the reference run and the engine's).
RUN_NAMING = frozenset(
    {
        "run_id",
        "started_at",
        "finished_at",
        "output",
        "fingerprint",
        "files",
        "runner",
        "git_commit",
    }
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An engine cache folder (``$AKHBAR_ENGINE_CACHE``) with a Prism binary in it."""
    binary = tmp_path / "engines" / "prism" / "prism"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("AKHBAR_ENGINE_CACHE", str(tmp_path / "engines"))
    return binary


@pytest.mark.parametrize(
    ("given", "resolved"),
    [
        (["--runner=prism"], ["--runner=PrismRunner"]),
        (["--runner", "Prism"], ["--runner", "PrismRunner"]),
        (["--runner=PrismRunner"], ["--runner=PrismRunner"]),
    ],
)
def test_runner_prism_gets_the_cached_binary(
    cache: Path, given: list[str], resolved: list[str]
) -> None:
    argv = with_default_runner(["--input", "x", *given])
    assert argv == ["--input", "x", *resolved, f"--prism_location={cache}"]


@pytest.mark.parametrize(
    "given", [["--prism_location=/opt/prism"], ["--prism_location", "/opt/prism"]]
)
def test_prism_location_given_wins(cache: Path, given: list[str]) -> None:
    argv = with_default_runner(["--runner=prism", *given])
    assert argv == ["--runner=PrismRunner", *given]


def test_no_cached_binary_leaves_beam_its_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AKHBAR_ENGINE_CACHE", str(tmp_path))
    assert prism_binary() is None
    assert with_default_runner(["--runner=prism"]) == ["--runner=PrismRunner"]
    assert "make engines" in caplog.text and str(tmp_path) in caplog.text
    (tmp_path / "prism").mkdir()
    (tmp_path / "prism" / "prism").write_bytes(b"")  # not executable: not a binary
    assert prism_binary() is None


def test_other_runners_get_no_prism_location(cache: Path) -> None:
    for argv in ([], ["--runner=dataflow"], ["--runner=FnApiRunner"], ["--runner=flink"]):
        assert not any(a.startswith("--prism_location") for a in with_default_runner(argv))
    assert with_engine_defaults(["--runner=DirectRunner"]) == ["--runner=DirectRunner"]


def test_default_cache_is_under_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AKHBAR_ENGINE_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    binary = tmp_path / ".cache" / "akhbar" / "engines" / "prism" / "prism"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"")
    binary.chmod(0o755)
    assert prism_binary() == binary


def prism_run(output: Path, prism: Path, *args: str) -> EngineRun:
    run = ingest_run(output, "--runner=prism", *args)
    assert run.record["runner"] == "PrismRunner"
    # Beam started the cached binary (nothing downloaded): its log names the command line
    assert f"cmd: ('{prism}'" in run.proc.stderr, run.proc.stderr[-3000:]
    assert_committed(output, run.record)
    return run


def assert_same_run(got: dict, want: dict) -> None:
    """Every count of the run records equal, and the same files (names without the fingerprint
    of the execution)."""
    assert {k: v for k, v in got.items() if k not in RUN_NAMING} == {
        k: v for k, v in want.items() if k not in RUN_NAMING
    }

    def files(record: dict) -> list[str]:
        return sorted(
            os.path.relpath(f, record["output"]).replace(record["fingerprint"], "*")
            for f in record["files"]
        )

    assert files(got) == files(want)


@pytest.mark.slow
def test_prism_samples_equal_fnapi(
    tmp_path: Path, prism: Path, engine_inputs: EngineInputs
) -> None:
    run = prism_run(tmp_path / "out", prism, "--input", str(engine_inputs.samples))
    record = run.record
    assert (record["read"], record["articles"], record["duplicates"], record["rejects"]) == (
        43,
        39,
        3,
        1,
    )
    reference = engine_inputs.reference("samples")
    assert_same_run(record, reference.record)
    assert_same_tables(run.output, reference.output)


@pytest.mark.slow
def test_prism_ant_slice_equal_fnapi(
    tmp_path: Path, prism: Path, engine_inputs: EngineInputs
) -> None:
    run = prism_run(tmp_path / "out", prism, "--input", str(engine_inputs.ant))
    assert run.record["read"] == 2000 and run.record["input_files"] == 4
    assert run.record["articles"] > 1900
    reference = engine_inputs.reference("ant")
    assert_same_run(run.record, reference.record)
    assert_same_tables(run.output, reference.output)


@pytest.mark.slow
def test_prism_rejects_equal_fnapi(
    tmp_path: Path, prism: Path, engine_inputs: EngineInputs
) -> None:
    run = prism_run(tmp_path / "out", prism, "--input", str(engine_inputs.rejects))
    record = run.record
    assert record["rejects"] > 50 and len(record["rejects_by_reason"]) > 10
    assert record["read"] == record["articles"] + record["duplicates"] + record["rejects"]
    reference = engine_inputs.reference("rejects")
    assert_same_run(record, reference.record)
    assert_same_tables(run.output, reference.output)
