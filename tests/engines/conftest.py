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
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from akhbar.pipelines.engines import (
    engine_cache,
    flink_job_server_jar,
    prism_binary,
    spark_job_server_jar,
)
from tests.cluster.conftest import write_ant_slice
from tests.conftest import REPO, SAMPLES, SHARED_DATA, run_akhbar
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


# --- Flink: the session cluster of deploy/flink/local.sh ------------------------------------

FLINK_LOCAL_SH = REPO / "deploy" / "flink" / "local.sh"
FLINK_FETCH_SH = REPO / "deploy" / "flink" / "fetch.sh"
# REST, JobManager RPC, Beam's SDK worker pool: the fixed ports of deploy/flink/local.sh.
FLINK_PORTS = (8081, 6123, 50000)


def port_in_use(port: int) -> bool:
    """Whether a program listens on 127.0.0.1:port (a connection in TIME_WAIT is no owner)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@dataclass(frozen=True)
class FlinkCluster:
    """A running ``deploy/flink/local.sh up`` cluster; ``env`` is what local.sh was run with."""

    rest: str
    env: dict[str, str]

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.rest + path, timeout=10) as response:
            return json.load(response)

    def local_sh(
        self, command: str, timeout: float = 300, up_timeout: int | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``deploy/flink/local.sh COMMAND``; ``up_timeout`` is its FLINK_UP_TIMEOUT (seconds)."""
        env = self.env if up_timeout is None else {**self.env, "FLINK_UP_TIMEOUT": str(up_timeout)}
        return subprocess.run(
            [str(FLINK_LOCAL_SH), command],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def runner_args(self) -> list[str]:
        """What a user gives akhbar for this cluster (the jar and the worker pool are found by
        ``pipelines.engines.with_flink_defaults``); one slot per TaskManager, so 2."""
        return ["--runner=flink", "--flink_master=localhost:8081", "--parallelism=2"]

    def taskmanager_pids(self) -> list[int]:
        """The TaskManager processes alive (Flink's pid file in local.sh's run folder keeps
        the pids of killed ones too)."""
        pid_dir = Path(self.env["FLINK_RUN_DIR"]) / "pid"
        pids = [
            int(x) for path in pid_dir.glob("*-taskexecutor.pid") for x in path.read_text().split()
        ]
        return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


@pytest.fixture(scope="session")
def flink_job_server() -> Path:
    """The job-server jar ``deploy/flink/fetch.sh`` built, its sha256 checked against the lock."""
    jar = flink_job_server_jar()
    if jar is None:
        pytest.fail(f"no Flink job server in {engine_cache() / 'flink'}: {MAKE_ENGINES}", False)
    check = subprocess.run(
        [str(FLINK_FETCH_SH), "--check"], capture_output=True, text=True, timeout=300
    )
    if check.returncode != 0:
        pytest.fail(f"{check.stderr.strip()}: {MAKE_ENGINES}", False)
    return jar


@pytest.fixture(scope="session")
def flink_cluster(
    flink_job_server: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlinkCluster]:
    """One Flink session cluster for the test session: ``local.sh up`` (JobManager, 2
    TaskManagers, SDK worker pool, everything on 127.0.0.1), ``local.sh down`` at the end. Its
    config, logs and pids go to a temporary folder; its SDK workers run this interpreter."""
    busy = [port for port in FLINK_PORTS if port_in_use(port)]
    if busy:
        pytest.fail(
            f"127.0.0.1 ports {busy} are in use (a Flink cluster left running? "
            "deploy/flink/local.sh down stops one)",
            False,
        )
    env = {
        **os.environ,
        "FLINK_RUN_DIR": str(tmp_path_factory.mktemp("flink-run")),
        "AKHBAR_PYTHON": sys.executable,
    }
    cluster = FlinkCluster("http://127.0.0.1:8081", env)
    try:
        up = cluster.local_sh("up")
        assert up.returncode == 0, up.stdout + up.stderr
        yield cluster
    finally:
        down = cluster.local_sh("down")
        assert down.returncode == 0, down.stdout + down.stderr


# --- Spark: the standalone cluster of deploy/spark/local.sh ---------------------------------

SPARK_LOCAL_SH = REPO / "deploy" / "spark" / "local.sh"
SPARK_FETCH_SH = REPO / "deploy" / "spark" / "fetch.sh"
# master, master web UI, the two workers' web UIs, Beam's SDK worker pool: deploy/spark/local.sh
SPARK_PORTS = (7077, 8080, 8181, 8182, 50100)


@dataclass(frozen=True)
class SparkCluster:
    """A running ``deploy/spark/local.sh up`` cluster; ``run_dir`` holds its logs, pids and the
    executors' work dirs; ``env`` is what local.sh was run with."""

    master_url: str
    ui: str
    run_dir: Path
    env: dict[str, str]

    def status(self) -> dict:
        """The master's JSON status: workers, active and completed applications."""
        with urllib.request.urlopen(self.ui + "/json/", timeout=10) as response:
            return json.load(response)

    def local_sh(self, command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SPARK_LOCAL_SH), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def runner_args(self) -> list[str]:
        """What a user gives akhbar for this cluster (the jar, the worker pool and the loopback
        driver are added by ``pipelines.engines.with_spark_defaults``)."""
        return ["--runner=spark", f"--spark_master_url={self.master_url}"]


@pytest.fixture(scope="session")
def spark_job_server() -> Path:
    """The job-server jar ``deploy/spark/fetch.sh`` assembled, its sha256 and the Spark
    distribution checked against the lock."""
    jar = spark_job_server_jar()
    if jar is None:
        pytest.fail(f"no Spark job server in {engine_cache() / 'spark'}: {MAKE_ENGINES}", False)
    check = subprocess.run(
        [str(SPARK_FETCH_SH), "--check"], capture_output=True, text=True, timeout=300
    )
    if check.returncode != 0:
        pytest.fail(f"{check.stderr.strip()}: {MAKE_ENGINES}", False)
    return jar


@pytest.fixture(scope="session")
def spark_cluster(
    spark_job_server: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparkCluster]:
    """One Spark standalone cluster for the test session: ``local.sh up`` (master, 2 workers of
    1 core, SDK worker pool, everything on 127.0.0.1), ``local.sh down`` at the end. Its config,
    logs, pids and executor dirs go to a temporary folder; its SDK workers run this interpreter."""
    busy = [port for port in SPARK_PORTS if port_in_use(port)]
    if busy:
        pytest.fail(
            f"127.0.0.1 ports {busy} are in use (a Spark cluster left running? "
            "deploy/spark/local.sh down stops one)",
            False,
        )
    run_dir = tmp_path_factory.mktemp("spark-run")
    env = {**os.environ, "SPARK_RUN_DIR": str(run_dir), "AKHBAR_PYTHON": sys.executable}
    cluster = SparkCluster("spark://127.0.0.1:7077", "http://127.0.0.1:8080", run_dir, env)
    try:
        up = cluster.local_sh("up")
        assert up.returncode == 0, up.stdout + up.stderr
        yield cluster
    finally:
        down = cluster.local_sh("down")
        assert down.returncode == 0, down.stdout + down.stderr
