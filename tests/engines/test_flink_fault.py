"""A worker dies (issue 18, point 4): one TaskManager of the Flink session cluster is SIGKILLed
in the middle of ``akhbar ingest --runner=flink``.

What must hold: either the job recovers (Flink restarts it once the lost TaskManager is
replaced) and its tables equal FnApiRunner's, or it fails with one line from akhbar (the job
failed on the runner, Flink's reason, nothing committed, run again; exit 4) and nothing is
committed, and then a rerun gives tables equal to FnApiRunner's. The fast tests at the top
show how akhbar reads a runner's failure (texts as Beam 2.77 and Flink 1.19.3 gave them here).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akhbar.pipelines.cli import reporting_errors
from akhbar.pipelines.usage import runner_failure
from tests.cluster.conftest import assert_same_tables
from tests.conftest import REPO, akhbar_cmd
from tests.engines.conftest import EngineInputs, FlinkCluster, ingest_run
from tests.engines.test_prism import assert_same_run

JOB = "BeamApp-root-1207205528-2b7d2469"
# What `akhbar ingest` got from Beam when a TaskManager was killed and not replaced: the job's
# two restarts each waited slot.request.timeout (60 s) for the lost slot.
SLOT_TIMEOUT = (
    f"Pipeline {JOB}_6e2a9263-2931-436a-a555-c316e51ff1a8 failed in state FAILED: "
    "java.util.concurrent.TimeoutException: Timeout has occurred: 60000 ms"
)
# Flink's exception chain as its JobManager logs it (the runner may pass the whole chain).
CHAIN = (
    f"Pipeline {JOB}_0c1 failed in state FAILED: "
    "org.apache.flink.runtime.client.JobExecutionException: Job execution failed.\n"
    "\tat org.apache.flink.runtime.jobmaster.JobResult.toJobExecutionResult(JobResult.java:144)\n"
    "Caused by: org.apache.flink.runtime.JobException: Recovery is suppressed by "
    "FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=2, backoffTimeMS=2000)\n"
    "\tat org.apache.flink.runtime.executiongraph.failover.ExecutionFailureHandler.handleFailure"
    "(ExecutionFailureHandler.java:180)\n"
    "Caused by: org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id "
    "127.0.0.1:46625-c292e3 is no longer reachable.\n"
    "\t... 30 more\n"
)
# A failure inside akhbar's Python code reaches the driver the same way, with the SDK
# worker's traceback in the runner's text: a bug, which keeps its traceback.
PYTHON_ERROR = (
    f"Pipeline {JOB}_e909458a failed in state FAILED: java.lang.RuntimeException: Error received "
    "from SDK harness for instruction 10: Traceback (most recent call last):\n"
    '  File "/work/main/transforms/extract/camel.py", line 128, in __init__\n'
    '    raise CamelSetupError(f"{model_dir} is not a saved transformers model (no config.json)")\n'
    "akhbar.transforms.extract.camel.CamelSetupError: /nonexistent/model is not a saved "
    "transformers model (no config.json)\n"
)


def test_a_lost_slot_is_one_line_with_flinks_reason() -> None:
    assert runner_failure(RuntimeError(SLOT_TIMEOUT)) == (
        JOB,
        "TimeoutException: Timeout has occurred: 60000 ms",
    )


def test_the_innermost_cause_of_a_java_chain_is_the_reason() -> None:
    assert runner_failure(RuntimeError(CHAIN)) == (
        JOB,
        "JobMasterException: TaskManager with id 127.0.0.1:46625-c292e3 is no longer reachable.",
    )


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError(PYTHON_ERROR),  # akhbar's own code failed on a worker: a bug
        RuntimeError("KeyboardInterrupt [while running 'Read']"),
        ValueError(SLOT_TIMEOUT),
    ],
)
def test_other_errors_are_not_runner_failures(exc: Exception) -> None:
    assert runner_failure(exc) is None


def raising(exc: Exception) -> Callable[[], int]:
    def work() -> int:
        raise exc

    return work


def test_the_command_prints_one_line_and_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    assert reporting_errors("ingest", raising(RuntimeError(CHAIN))) == 4
    assert capsys.readouterr().err == (
        "akhbar ingest: error: the job failed on the runner: JobMasterException: TaskManager "
        "with id 127.0.0.1:46625-c292e3 is no longer reachable. (job "
        f"{JOB}; nothing of this run was committed; run again to resume once the cluster is "
        "whole)\n"
    )
    assert reporting_errors("stream", raising(RuntimeError(SLOT_TIMEOUT))) == 4
    assert "windows already committed stay" in capsys.readouterr().err
    with pytest.raises(RuntimeError):  # a bug keeps its traceback
        reporting_errors("ingest", raising(RuntimeError(PYTHON_ERROR)))


def poll(condition: Callable[[], Any], what: str, proc: subprocess.Popen[str]) -> Any:
    """``condition()``'s first true value; fails when the run ends first, or after 10 minutes."""
    deadline = time.monotonic() + 600
    while not (found := condition()):
        assert proc.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return found


def running_job(cluster: FlinkCluster, finished: int) -> dict[str, Any] | None:
    """The cluster's job once it is RUNNING with at least ``finished`` of its tasks done."""
    try:
        jobs = cluster.get("/jobs/overview")["jobs"]
    except OSError:  # the job server is starting; the JobManager answers later
        return None
    return next(
        (j for j in jobs if j["state"] == "RUNNING" and j["tasks"]["finished"] >= finished), None
    )


def table_files(output: Path) -> list[Path]:
    return [
        p for table in ("articles", "duplicates", "rejects") for p in output.glob(f"{table}/**/*")
    ]


@pytest.mark.slow
def test_a_taskmanager_killed_mid_run(
    tmp_path: Path,
    flink_cluster: FlinkCluster,
    flink_job_server: Path,
    engine_inputs: EngineInputs,
) -> None:
    """SIGKILL of one TaskManager once the job runs with 5 of its tasks done, then, as a
    supervisor would, ``local.sh up`` starts a new one (which also leaves the session's
    other tests a whole cluster). The kill is seen by the job: Flink's exception history
    names the lost TaskManager."""
    reference = engine_inputs.reference("samples")
    output = tmp_path / "out"
    with (tmp_path / "stdout").open("w") as out, (tmp_path / "stderr").open("w") as err:
        proc = subprocess.Popen(
            [*akhbar_cmd(), "ingest", "--input", str(engine_inputs.samples), "--output",
             str(output), *flink_cluster.runner_args()],
            stdout=out, stderr=err, text=True, cwd=REPO, start_new_session=True,
        )  # fmt: skip
    try:
        job = poll(lambda: running_job(flink_cluster, 5), "5 tasks of the job finished", proc)
        victim = flink_cluster.taskmanager_pids()[0]
        os.kill(victim, signal.SIGKILL)
        # The JobManager drops the dead TaskManager only at a heartbeat timeout, and the new
        # one starts while the job restarts: under load that took over local.sh's default 180 s.
        repaired = flink_cluster.local_sh("up", timeout=660, up_timeout=600)
        assert repaired.returncode == 0, repaired.stdout + repaired.stderr
        assert "repaired: started 1 TaskManager" in repaired.stdout, repaired.stdout
        assert victim not in flink_cluster.taskmanager_pids()
        proc.wait(timeout=900)
    finally:
        if proc.poll() is None:  # the test failed: akhbar and the job server it started
            os.killpg(proc.pid, signal.SIGKILL)
    stdout, stderr = (tmp_path / "stdout").read_text(), (tmp_path / "stderr").read_text()
    history = json.dumps(flink_cluster.get(f"/jobs/{job['jid']}/exceptions"))
    # the kill hit the running job: Flink recorded at least one failure of it. Which one
    # depends on what noticed the loss first (seen: "is no longer reachable",
    # RecipientUnreachable, "PartitionConnectionException ... not reachable", "Heartbeat of
    # TaskManager with id ... timed out"), so only its presence is checked
    assert json.loads(history)["exceptionHistory"]["entries"], history
    assert flink_cluster.local_sh("status").returncode == 0, "the cluster is whole again"

    entries = json.loads(history)["exceptionHistory"]["entries"]
    causes = [e["exceptionName"].rsplit(".", 1)[-1] for e in entries]
    print(f"akhbar ingest exited {proc.returncode} after the kill; Flink's exceptions: {causes}")
    if proc.returncode == 0:  # the job recovered: Flink restarted it on the new TaskManager
        assert "OK" in stdout, stdout
        assert flink_cluster.get(f"/jobs/{job['jid']}")["state"] == "FINISHED"
        [record] = [json.loads(p.read_text()) for p in (output / "_runs").glob("*.json")]
        assert_same_run(record, reference.record)
        assert_same_tables(output, reference.output)
        return
    # the job failed: one line from akhbar, nothing committed, and a rerun equals a clean run
    assert proc.returncode == 4, stdout + stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    # (Beam's job server logs its shutdown after it: the line is akhbar's one error line)
    [line] = [x for x in stderr.splitlines() if x.startswith("akhbar ingest: error:")]
    assert line.startswith("akhbar ingest: error: the job failed on the runner: "), line
    assert f"(job {job['name']}; nothing of this run was committed; run again" in line, line
    assert not list(output.glob("_runs/*.json")) and not table_files(output)
    rerun = ingest_run(output, "--input", str(engine_inputs.samples), *flink_cluster.runner_args())
    assert_same_run(rerun.record, reference.record)
    assert_same_tables(output, reference.output)
