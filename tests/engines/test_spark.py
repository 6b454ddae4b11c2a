"""akhbar on Spark: a real Spark 3.5 standalone cluster started by ``deploy/spark/local.sh`` (a
master and 2 workers as separate JVMs, executors started by the workers, Beam's SDK worker pool,
all on 127.0.0.1), driven by Beam's Spark job server that ``make engines`` assembled.
``akhbar ingest --runner=spark --spark_master_url=spark://127.0.0.1:7077`` as a user runs it,
against FnApiRunner on the same input (the bundled samples, 2,000 ANT articles, a run with 62
rejects of 17 kinds): the tables must be equal row for row sorted by id, and the run records
equal in every count.

The fast tests at the top show what ``--runner=spark`` adds to a command line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from akhbar.pipelines.engines import (
    SPARK_JOB_SERVER_JAR,
    spark_job_server_jar,
    with_engine_defaults,
)
from akhbar.pipelines.options import with_default_runner
from tests.cluster.conftest import assert_committed, assert_same_tables
from tests.engines.conftest import EngineInputs, EngineRun, SparkCluster, ingest_run
from tests.engines.test_prism import assert_same_run

POOL = ["--environment_type=EXTERNAL", "--environment_config=localhost:50100"]
CACHE_MILLIS = ["--environment_cache_millis=60000"]
LOOPBACK_DRIVER = [
    "--job_server_jvm_property=-Dspark.driver.host=127.0.0.1",
    "--job_server_jvm_property=-Dspark.driver.bindAddress=127.0.0.1",
    "--job_server_jvm_property=-Dspark.ui.enabled=false",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An engine cache folder (``$AKHBAR_ENGINE_CACHE``) with a job-server jar in it."""
    jar = tmp_path / "engines" / "spark" / SPARK_JOB_SERVER_JAR
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"PK")
    monkeypatch.setenv("AKHBAR_ENGINE_CACHE", str(tmp_path / "engines"))
    return jar


def test_runner_spark_on_the_local_cluster(cache: Path) -> None:
    argv = with_default_runner(["--runner=spark", "--spark_master_url=spark://127.0.0.1:7077"])
    assert argv == [
        "--runner=SparkRunner",
        "--spark_master_url=spark://127.0.0.1:7077",
        f"--spark_job_server_jar={cache}",
        *POOL,
        *CACHE_MILLIS,
        *LOOPBACK_DRIVER,
    ]


def test_spark_inside_the_job_server_keeps_beams_loopback_workers(cache: Path) -> None:
    """``local[N]`` (Beam's default master): no worker pool, the driver still on loopback."""
    for master in ([], ["--spark_master_url", "local[2]"]):
        argv = with_default_runner(["--runner", "Spark", *master])
        assert argv == [
            "--runner",
            "SparkRunner",
            *master,
            f"--spark_job_server_jar={cache}",
            *CACHE_MILLIS,
            *LOOPBACK_DRIVER,
        ]


def test_a_master_elsewhere_gets_no_loopback_driver(cache: Path) -> None:
    """The executors of a remote cluster must reach the driver: Spark's own choice stands."""
    for master in ("spark://spark-master:7077", "spark://127.0.0.1:7077,spark-b:7077"):
        argv = ["--runner=SparkRunner", f"--spark_master_url={master}"]
        assert with_engine_defaults(argv) == [
            *argv,
            f"--spark_job_server_jar={cache}",
            *POOL,
            *CACHE_MILLIS,
        ]


@pytest.mark.parametrize(
    ("given", "added"),
    [
        (["--spark_job_server_jar=/opt/js.jar"], [*POOL, *CACHE_MILLIS, *LOOPBACK_DRIVER]),
        (["--spark_job_server_jar", "/opt/js.jar"], [*POOL, *CACHE_MILLIS, *LOOPBACK_DRIVER]),
        (["--environment_type=PROCESS"], ["{jar}", *CACHE_MILLIS, *LOOPBACK_DRIVER]),
        (["--environment_cache_millis=0"], ["{jar}", *POOL, *LOOPBACK_DRIVER]),
        (
            ["--job_server_jvm_property", "-Dspark.driver.host=10.1.2.3"],
            ["{jar}", *POOL, *CACHE_MILLIS, *LOOPBACK_DRIVER[1:]],
        ),
        (
            ["--job_server_jvm_properties=-Dspark.ui.enabled=true"],
            ["{jar}", *POOL, *CACHE_MILLIS, *LOOPBACK_DRIVER[:2]],
        ),
    ],
)
def test_flags_given_win(cache: Path, given: list[str], added: list[str]) -> None:
    argv = ["--runner=SparkRunner", "--spark_master_url=spark://localhost:7077", *given]
    jar = f"--spark_job_server_jar={cache}"
    assert with_engine_defaults(argv) == [*argv, *(jar if a == "{jar}" else a for a in added)]


def test_no_cached_jar_leaves_beam_its_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AKHBAR_ENGINE_CACHE", str(tmp_path))
    assert spark_job_server_jar() is None
    argv = with_default_runner(["--runner=spark", "--spark_master_url=spark://127.0.0.1:7077"])
    assert not any(arg.startswith("--spark_job_server_jar") for arg in argv)
    assert "make engines" in caplog.text and str(tmp_path / "spark") in caplog.text


# --- the cluster ------------------------------------------------------------------------------


def listening_addresses(pid: int) -> set[str]:
    """The local addresses (``ip:port``) on which process ``pid`` listens for TCP, from
    /proc: the sockets among its open files that /proc/net/tcp{,6} show in state LISTEN."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                address, port = fields[1].split(":")
                found.add(f"{decode_address(address)}:{int(port, 16)}")
    return found


def decode_address(hex_address: str) -> str:
    """/proc/net's address: 4 bytes (IPv4) or 16 (IPv6) as little-endian 32-bit words."""
    words = [bytes.fromhex(hex_address[i : i + 8])[::-1] for i in range(0, len(hex_address), 8)]
    raw = b"".join(words)
    if len(raw) == 16 and raw[:12] == b"\0" * 10 + b"\xff\xff":  # IPv4-mapped IPv6
        raw = raw[12:]
    if len(raw) == 4:
        return ".".join(str(b) for b in raw)
    return ":".join(raw[i : i + 2].hex() for i in range(0, 16, 2))


def executor_logs(cluster: SparkCluster, app_id: str) -> list[str]:
    """The stderr of every executor of application ``app_id`` (its first line: the command)."""
    return [
        p.read_text(errors="replace") for p in (cluster.run_dir / "work" / app_id).glob("*/stderr")
    ]


def sdk_workers_started(cluster: SparkCluster) -> int:
    """How many SDK worker processes the cluster's worker pool has started so far."""
    log = cluster.run_dir / "log" / "worker-pool.log"
    return log.read_text(errors="replace").count(" started (pid ")


def spark_run(output: Path, jar: Path, cluster: SparkCluster, *args: str) -> EngineRun:
    """``akhbar ingest`` on the cluster; it ran as one more finished Spark application whose
    two executors (one per worker) reached the driver on 127.0.0.1, no task failed (Spark
    retries a failed task: a run can succeed with failures in it), and each executor kept one
    SDK worker for the whole job."""
    before = {app["id"] for app in cluster.status()["completedapps"]}
    workers_before = sdk_workers_started(cluster)
    run = ingest_run(output, *args, *cluster.runner_args(), timeout=1200)
    assert run.record["runner"] == "SparkRunner"
    # Beam started the cached job server (nothing downloaded): its log names the command line
    assert f"'-jar', '{jar}'" in run.proc.stderr, run.proc.stderr[-3000:]
    assert_committed(output, run.record)
    apps = [app for app in cluster.status()["completedapps"] if app["id"] not in before]
    assert [app["state"] for app in apps] == ["FINISHED"]
    logs = executor_logs(cluster, apps[0]["id"])
    assert len(logs) == 2
    for log in logs:
        driver = re.search(r"--driver-url\W+spark://CoarseGrainedScheduler@([^:]+):", log)
        assert driver and driver.group(1) == "127.0.0.1", log[:2000]
        failed = [line for line in log.splitlines() if "Exception in task" in line]
        assert not failed, failed
    assert 1 <= sdk_workers_started(cluster) - workers_before <= 2
    return run


@pytest.mark.slow
def test_cluster_is_a_master_and_two_workers_on_loopback(spark_cluster: SparkCluster) -> None:
    workers = spark_cluster.status()["workers"]
    assert [(w["state"], w["cores"]) for w in workers] == [("ALIVE", 1), ("ALIVE", 1)]
    status = spark_cluster.local_sh("status")
    assert status.returncode == 0, status.stdout + status.stderr
    lines = {line.split()[0]: line for line in status.stdout.splitlines() if line.strip()}
    master = int(lines["master"].split("pid ")[1].split(",")[0])
    worker_pids = [int(p) for p in lines["workers"].split("pids ")[1].split(",")[0].split()]
    pool = int(lines["SDK"].split("pid ")[1].split(",")[0])
    assert len(set(worker_pids)) == 2
    for pid in worker_pids:  # two JVMs, each a worker
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert b"org.apache.spark.deploy.worker.Worker" in cmdline
    assert listening_addresses(master) >= {"127.0.0.1:7077", "127.0.0.1:8080"}
    assert "127.0.0.1:50100" in listening_addresses(pool)
    for pid in (master, pool, *worker_pids):
        addresses = listening_addresses(pid)
        assert addresses and all(a.startswith("127.0.0.1:") for a in addresses), (pid, addresses)


@pytest.mark.slow
def test_spark_cluster_samples_equal_fnapi(
    tmp_path: Path,
    spark_cluster: SparkCluster,
    spark_job_server: Path,
    engine_inputs: EngineInputs,
) -> None:
    run = spark_run(
        tmp_path / "out",
        spark_job_server,
        spark_cluster,
        "--input",
        str(engine_inputs.samples),
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


@pytest.mark.slow
def test_spark_cluster_ant_slice_equal_fnapi(
    tmp_path: Path,
    spark_cluster: SparkCluster,
    spark_job_server: Path,
    engine_inputs: EngineInputs,
) -> None:
    run = spark_run(
        tmp_path / "out",
        spark_job_server,
        spark_cluster,
        "--input",
        str(engine_inputs.ant),
    )
    assert run.record["read"] == 2000 and run.record["input_files"] == 4
    assert run.record["articles"] > 1900
    reference = engine_inputs.reference("ant")
    assert_same_run(run.record, reference.record)
    assert_same_tables(run.output, reference.output)


@pytest.mark.slow
def test_spark_cluster_rejects_equal_fnapi(
    tmp_path: Path,
    spark_cluster: SparkCluster,
    spark_job_server: Path,
    engine_inputs: EngineInputs,
) -> None:
    run = spark_run(
        tmp_path / "out",
        spark_job_server,
        spark_cluster,
        "--input",
        str(engine_inputs.rejects),
    )
    record = run.record
    assert record["rejects"] > 50 and len(record["rejects_by_reason"]) > 10
    assert record["read"] == record["articles"] + record["duplicates"] + record["rejects"]
    reference = engine_inputs.reference("rejects")
    assert_same_run(record, reference.record)
    assert_same_tables(run.output, reference.output)
