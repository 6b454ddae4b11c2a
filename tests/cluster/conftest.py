"""A real Dask cluster on 127.0.0.1 (one scheduler, two worker processes) and table helpers.

The cluster is started with the ``dask`` command line of this interpreter's environment, the
way deploy/dask/README.md tells users to start one, from a folder that is not the repository:
the workers import akhbar's modules only because akhbar is installed in that environment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from tests.conftest import run_akhbar
from tests.feeds.conftest import feed_server  # noqa: F401  (fixture, used by the tests here)
from tests.storage.conftest import bucket, s3_server  # noqa: F401  (fixtures)

DASK = str(Path(sys.executable).parent / "dask")
TABLES = ("articles", "duplicates", "rejects")


@dataclass
class DaskCluster:
    address: str
    processes: list[subprocess.Popen[bytes]]

    def runner_args(self) -> list[str]:
        return ["--runner=dask", f"--dask_client_address={self.address}"]

    def workers(self) -> int:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            return len(client.scheduler_info(n_workers=-1)["workers"])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group this fixture created (nanny + its worker), then SIGKILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    pytest.importorskip("distributed", reason="needs the dask extra: pip install 'akhbar[dask]'")
    from distributed import Client

    home = tmp_path_factory.mktemp("dask")
    scheduler_file = home / "scheduler.json"

    def start(args: str, log: str) -> subprocess.Popen[bytes]:
        # A new session per process: stopping it stops the nanny and the worker it started.
        return subprocess.Popen(
            [DASK, *args.split()],
            cwd=home,
            stdout=(home / log).open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    scheduler = start(
        f"scheduler --host 127.0.0.1 --port 0 --no-dashboard --scheduler-file {scheduler_file}",
        "scheduler.log",
    )
    processes = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert scheduler.poll() is None, (home / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the Dask scheduler did not start"
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        processes.append(
            start(
                f"worker {address} --nworkers 2 --nthreads 1 --host 127.0.0.1 --no-dashboard "
                f"--memory-limit 4GiB --local-directory {home / 'workers'}",
                "workers.log",
            )
        )
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=120)
        yield DaskCluster(address, processes)
    finally:
        for process in reversed(processes):
            _stop(process)


def ingest(output: Path, *args: str) -> dict:
    proc = run_akhbar("ingest", "--output", str(output), *args, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stdout, proc.stdout
    runs = sorted((output / "_runs").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return json.loads(runs[-1].read_text(encoding="utf-8"))


def rows(output: Path, table: str, drop: tuple[str, ...] = ()) -> list[dict]:
    """Every row of a table with its partition columns, sorted by id."""
    folder = output / table
    if not folder.exists():
        return []
    data = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    keep = [c for c in data.column_names if c not in drop]
    return sorted(data.select(keep).to_pylist(), key=lambda r: r["id"] if "id" in r else repr(r))


def assert_same_tables(
    got: Path, want: Path, drop: tuple[str, ...] = (), tables: tuple[str, ...] = TABLES
) -> None:
    """Row for row, sorted by id; rejects without ``at`` (the moment of rejection)."""
    for table in tables:
        extra = ("rejected_at",) if table == "rejects" else ()
        got_rows = rows(got, table, drop + extra)
        want_rows = rows(want, table, drop + extra)
        assert len(got_rows) == len(want_rows), (table, len(got_rows), len(want_rows))
        assert got_rows == want_rows, table


def assert_committed(output: Path, record: dict) -> None:
    """The run record is published, nothing is left staged or pending."""
    assert (output / "_runs" / f"{record['run_id']}.json").is_file()
    assert (output / "_state" / "pending").is_dir()
    assert list((output / "_state" / "pending").iterdir()) == []
    assert [p for p in (output / "_staging").rglob("*") if p.is_file()] == []
    assert record["balanced"]


def write_ant_slice(folder: Path, articles: int = 2000, files: int = 4) -> Path:
    """The first ``articles`` ANT articles as ``files`` JSONL files (one Dask partition each)."""
    from benchmarks.corpus import ant_records

    records = ant_records()[:articles]
    folder.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(records) // files)
    for n in range(files):
        chunk = records[n * per_file : (n + 1) * per_file]
        with (folder / f"ant-{n}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk)
    return folder
