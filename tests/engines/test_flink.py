"""akhbar on Flink: a real Flink 1.19 session cluster started by ``deploy/flink/local.sh`` (a
JobManager and 2 TaskManagers as separate JVMs, Beam's SDK worker pool, all on 127.0.0.1), and
Beam's embedded Flink (``--flink_master=[local]``), with the job server ``make engines`` assembled.
``akhbar ingest --runner=flink`` as a user runs it, against FnApiRunner on the same input (the
bundled samples, 2,000 ANT articles, a run with 62 rejects of 17 kinds): the tables must be
equal row for row sorted by id, and the run records equal in every count.

The fast tests at the top show what ``--runner=flink`` adds to a command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from akhbar.pipelines.engines import (
    FLINK_JOB_SERVER_JAR,
    flink_job_server_jar,
    with_engine_defaults,
)
from akhbar.pipelines.options import with_default_runner
from tests.cluster.conftest import assert_committed, assert_same_tables
from tests.engines.conftest import EngineInputs, EngineRun, FlinkCluster, ingest_run
from tests.engines.test_prism import assert_same_run

POOL = ["--environment_type=EXTERNAL", "--environment_config=localhost:50000"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An engine cache folder (``$AKHBAR_ENGINE_CACHE``) with a job-server jar in it."""
    jar = tmp_path / "engines" / "flink" / FLINK_JOB_SERVER_JAR
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"PK")
    monkeypatch.setenv("AKHBAR_ENGINE_CACHE", str(tmp_path / "engines"))
    return jar


def test_runner_flink_on_a_cluster_gets_the_jar_and_the_worker_pool(cache: Path) -> None:
    argv = with_default_runner(["--runner=flink", "--flink_master=localhost:8081"])
    assert argv == [
        "--runner=FlinkRunner",
        "--flink_master=localhost:8081",
        f"--flink_job_server_jar={cache}",
        *POOL,
    ]


@pytest.mark.parametrize("master", [[], ["--flink_master=[local]"], ["--flink_master", "[auto]"]])
def test_embedded_flink_keeps_beams_loopback_workers(cache: Path, master: list[str]) -> None:
    argv = with_default_runner(["--runner", "Flink", *master])
    assert argv == ["--runner", "FlinkRunner", *master, f"--flink_job_server_jar={cache}"]


@pytest.mark.parametrize(
    ("given", "added"),
    [
        (["--flink_job_server_jar=/opt/js.jar"], POOL),
        (["--flink_job_server_jar", "/opt/js.jar"], POOL),
        # another Flink version: the cached jar (Flink 1.19) is not for it
        (["--flink_version=2.0"], POOL),
        (["--environment_type=LOOPBACK"], ["--flink_job_server_jar={jar}"]),
        (
            ["--environment_type", "PROCESS", "--flink_version=1.19"],
            ["--flink_job_server_jar={jar}"],
        ),
    ],
)
def test_flags_given_win(cache: Path, given: list[str], added: list[str]) -> None:
    argv = ["--runner=FlinkRunner", "--flink_master=flink.example:8081", *given]
    assert with_engine_defaults(argv) == [*argv, *(a.format(jar=cache) for a in added)]


def test_no_cached_jar_leaves_beam_its_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AKHBAR_ENGINE_CACHE", str(tmp_path))
    assert flink_job_server_jar() is None
    assert with_default_runner(["--runner=flink"]) == ["--runner=FlinkRunner"]
    assert "make engines" in caplog.text and str(tmp_path / "flink") in caplog.text


def flink_run(output: Path, jar: Path, *args: str) -> EngineRun:
    run = ingest_run(output, *args, timeout=900)
    assert run.record["runner"] == "FlinkRunner"
    # Beam started the cached job server (nothing downloaded): its log names the command line
    assert f"'-jar', '{jar}'" in run.proc.stderr, run.proc.stderr[-3000:]
    assert_committed(output, run.record)
    return run


@pytest.mark.slow
def test_cluster_is_a_jobmanager_and_two_taskmanager_processes(
    flink_cluster: FlinkCluster,
) -> None:
    taskmanagers = flink_cluster.get("/taskmanagers")["taskmanagers"]
    assert len(taskmanagers) == 2
    assert all(tm["slotsNumber"] == 1 for tm in taskmanagers)
    status = flink_cluster.local_sh("status")
    assert status.returncode == 0, status.stdout + status.stderr
    pids = next(
        line.split("pids ")[1].split(",")[0].split()
        for line in status.stdout.splitlines()
        if line.startswith("TaskManagers")
    )
    assert len(set(pids)) == 2
    for pid in pids:  # two JVMs, each a TaskManager
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert b"org.apache.flink.runtime.taskexecutor.TaskManagerRunner" in cmdline


@pytest.mark.slow
def test_flink_cluster_samples_equal_fnapi(
    tmp_path: Path,
    flink_cluster: FlinkCluster,
    flink_job_server: Path,
    engine_inputs: EngineInputs,
) -> None:
    run = flink_run(
        tmp_path / "out",
        flink_job_server,
        "--input",
        str(engine_inputs.samples),
        *flink_cluster.runner_args(),
    )
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
    # the job ran on the cluster, over both TaskManagers' slots
    # (the newest job: the overview is not in submission order, and the session's cluster
    # may have run other tests' jobs)
    newest = max(flink_cluster.get("/jobs/overview")["jobs"], key=lambda j: j["start-time"])
    assert newest["state"] == "FINISHED"
    job = flink_cluster.get(f"/jobs/{newest['jid']}")
    assert max(vertex["parallelism"] for vertex in job["vertices"]) == 2


@pytest.mark.slow
def test_flink_cluster_ant_slice_equal_fnapi(
    tmp_path: Path,
    flink_cluster: FlinkCluster,
    flink_job_server: Path,
    engine_inputs: EngineInputs,
) -> None:
    run = flink_run(
        tmp_path / "out",
        flink_job_server,
        "--input",
        str(engine_inputs.ant),
        *flink_cluster.runner_args(),
    )
    assert run.record["read"] == 2000 and run.record["input_files"] == 4
    assert run.record["articles"] > 1900
    reference = engine_inputs.reference("ant")
    assert_same_run(run.record, reference.record)
    assert_same_tables(run.output, reference.output)


@pytest.mark.slow
def test_flink_cluster_rejects_equal_fnapi(
    tmp_path: Path,
    flink_cluster: FlinkCluster,
    flink_job_server: Path,
    engine_inputs: EngineInputs,
) -> None:
    run = flink_run(
        tmp_path / "out",
        flink_job_server,
        "--input",
        str(engine_inputs.rejects),
        *flink_cluster.runner_args(),
    )
    record = run.record
    assert record["rejects"] > 50 and len(record["rejects_by_reason"]) > 10
    assert record["read"] == record["articles"] + record["duplicates"] + record["rejects"]
    reference = engine_inputs.reference("rejects")
    assert_same_run(record, reference.record)
    assert_same_tables(run.output, reference.output)


@pytest.mark.slow
def test_embedded_flink_samples_equal_fnapi(
    tmp_path: Path, flink_job_server: Path, engine_inputs: EngineInputs
) -> None:
    """``--flink_master=[local]``: Beam's job server runs Flink inside itself (a mini cluster),
    and the SDK workers run in akhbar's process (LOOPBACK). Needs no cluster."""
    run = flink_run(
        tmp_path / "out",
        flink_job_server,
        "--input",
        str(engine_inputs.samples),
        "--runner=flink",
        "--flink_master=[local]",
        "--parallelism=2",
    )
    reference = engine_inputs.reference("samples")
    assert_same_run(run.record, reference.record)
    assert_same_tables(run.output, reference.output)
