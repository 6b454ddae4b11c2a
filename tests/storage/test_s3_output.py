"""``--output s3://bucket/prefix`` against a real S3-compatible server on 127.0.0.1 (moto):
all three tables, the staging -> final moves with the pending manifest, recovery after a
killed run, ``_state/`` and ``_runs/``; read back through S3 with pyarrow (and DuckDB when its
httpfs extension is available). The same code path serves gs:// (Beam's FileSystems).

An ``akhbar ingest`` on S3 costs one to three minutes here (Beam's S3 filesystem builds a new
boto3 client, parsing botocore's JSON models, for each of a run's ~500 storage calls), so the
tables, the commit protocol and recovery on S3 are shown by two real runs: one SIGKILL'd in its
commit, one rerun. The writers' crash point is driven at the writer; every other crash point at
the commit step, on a local output (tests/test_crash_and_state.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES, SampleRun, akhbar_cmd
from tests.crash_drive import Killed, crashing_at, stage_two_reject_files
from tests.feeds.conftest import FeedServer, feeds_file
from tests.storage.conftest import KEY, REGION, SECRET, S3Server

pytestmark = pytest.mark.slow
TABLES = ("articles", "duplicates", "rejects")


def ingest_s3(server: S3Server, output: str, *args: str, env: dict | None = None):
    return subprocess.run(
        [*akhbar_cmd(), "ingest", "--output", output, *server.beam_args(), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        env=env,
    )


def sorted_rows(table, drop: tuple[str, ...] = ()) -> list[dict]:
    keep = [c for c in table.column_names if c not in drop]
    return sorted(table.select(keep).to_pylist(), key=lambda r: r["id"])


def local_rows(output: Path, name: str, drop: tuple[str, ...] = ()) -> list[dict]:
    import pyarrow.dataset as ds

    table = ds.dataset(output / name, format="parquet", partitioning="hive").to_table()
    return sorted_rows(table, drop)


def assert_s3_equals_local(server: S3Server, bucket: str, prefix: str, local: Path) -> None:
    for name in TABLES:
        drop = ("rejected_at",) if name == "rejects" else ()
        got = sorted_rows(server.table(f"{bucket}/{prefix}/{name}"), drop)
        assert got == local_rows(local, name, drop), name


def table_keys(server: S3Server, bucket: str, prefix: str) -> list[str]:
    return [k for k in server.keys(bucket, prefix) if k.split("/")[1] in TABLES]


def assert_clean(server: S3Server, bucket: str, prefix: str) -> None:
    """Nothing staged, nothing pending, no temporary object anywhere."""
    keys = server.keys(bucket, prefix)
    assert not [k for k in keys if "/_staging/" in k], keys
    assert not [k for k in keys if "/_state/pending/" in k], keys
    assert not [k for k in keys if k.endswith(".inprogress")], keys


def test_killed_run_then_rerun_on_s3(
    s3_server: S3Server, bucket: str, sample_run: SampleRun
) -> None:
    """The whole S3 path in two real runs. Run 1 stages every table file on S3, writes its
    pending manifest and is SIGKILL'd: nothing is visible. Run 2 finishes run 1's commit at its
    start (roll forward: the files moved into place, run 1's record published), then finds every
    item already ingested and adds nothing. The tables, read back through S3, equal a local run's
    of the same samples; nothing staged or pending is left."""
    local_samples = sample_run.output  # the same samples, ingested to a local folder
    output = f"s3://{bucket}/news"
    args = ("--input", str(SAMPLES))
    env = {**os.environ, "AKHBAR_CRASH_AT": "after-pending"}
    killed = ingest_s3(s3_server, output, *args, "--run-id", "r1", env=env)
    assert killed.returncode == -9, killed.stderr[-2000:]
    keys = s3_server.keys(bucket, "news/")
    assert "news/_state/pending/r1.json" in keys
    assert [k for k in keys if "/_staging/r1/" in k]
    assert table_keys(s3_server, bucket, "news") == []  # nothing visible yet

    rerun = ingest_s3(s3_server, output, *args, "--run-id", "r2")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    accounting = "read 43 = articles 0 + duplicates 0 + rejects 0 + already ingested 43 (43)  OK"
    assert accounting in rerun.stdout
    runs = {k.rsplit("/", 1)[1] for k in s3_server.keys(bucket, "news/_runs/")}
    assert runs == {"r1.json", "r2.json"}
    record = json.loads(
        s3_server.client().get_object(Bucket=bucket, Key="news/_runs/r1.json")["Body"].read()
    )
    assert record["output"] == output and record["balanced"]
    assert (record["articles"], record["duplicates"], record["rejects"]) == (39, 3, 1)
    assert all(path.startswith(f"{output}/") for path in record["files"])
    # exactly run 1's files are visible: the rerun replaced or added nothing
    assert sorted(p.removeprefix(f"s3://{bucket}/") for p in record["files"]) == table_keys(
        s3_server, bucket, "news"
    )
    assert_clean(s3_server, bucket, "news")
    assert_s3_equals_local(s3_server, bucket, "news", local_samples)


def test_writer_killed_on_s3_leaves_staged_objects_that_recovery_drops(
    s3_server: S3Server, bucket: str, s3_filesystems: None
) -> None:
    """A run killed while staging (the writers' ``after-file`` point, driven at the writer):
    staged objects stay behind, nothing is visible, and the next start deletes them (on S3 a
    folder is only a key prefix, so they must be listed and deleted one by one)."""
    from akhbar.transforms.commit import recover_incomplete_runs

    output = f"s3://{bucket}/news"
    with crashing_at("after-file"), pytest.raises(Killed):
        stage_two_reject_files(output, "r1")
    assert len([k for k in s3_server.keys(bucket, "news/") if "/_staging/r1/" in k]) == 1
    assert table_keys(s3_server, bucket, "news") == []
    assert recover_incomplete_runs(output) == []
    assert s3_server.keys(bucket, "news/") == []


def test_feed_state_lives_next_to_the_tables(
    s3_server: S3Server, bucket: str, feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.add_items("feed.xml", 5)
    feeds = feeds_file(tmp_path, feed_server, "feed.xml")
    output = f"s3://{bucket}/polls"
    fast = ("--feeds", str(feeds), "--allow-private-network", "--host-delay", "0.05")
    first = ingest_s3(s3_server, output, *fast)
    assert first.returncode == 0, first.stdout + first.stderr
    body = s3_server.client().get_object(Bucket=bucket, Key="polls/_state/http.json")["Body"]
    state = json.loads(body.read())
    etag = state[f"{feed_server.base}/feed.xml"]["etag"]
    assert etag
    assert len(s3_server.table(f"{bucket}/polls/articles")) == 5

    second = ingest_s3(s3_server, output, *fast)
    assert second.returncode == 0, second.stdout + second.stderr
    assert feed_server.requests_for("/feed.xml")[-1][1].get("If-None-Match") == etag
    assert len(s3_server.table(f"{bucket}/polls/articles")) == 5
    assert_clean(s3_server, bucket, "polls")


def test_duckdb_reads_the_s3_output(s3_server: S3Server, bucket: str) -> None:
    """DuckDB over S3 needs its httpfs extension, which DuckDB downloads from its own server
    at INSTALL time (no package of it exists for DuckDB 2.x on PyPI: duckdb-ext-httpfs is
    built for 1.4.4 only). Without it this test is skipped; nothing else depends on it."""
    import duckdb

    con = duckdb.connect(config={"autoinstall_known_extensions": "false"})
    try:
        con.sql("LOAD httpfs")
    except duckdb.Error as exc:
        pytest.skip(f"DuckDB's httpfs extension is not installed here (offline): {exc}")
    proc = ingest_s3(s3_server, f"s3://{bucket}/news", "--input", str(SAMPLES))
    assert proc.returncode == 0, proc.stderr
    host = s3_server.endpoint.removeprefix("http://")
    con.sql(
        f"create secret (type s3, key_id '{KEY}', secret '{SECRET}', region '{REGION}', "
        f"endpoint '{host}', use_ssl false, url_style 'path')"
    )
    count = con.sql(
        f"select count(*) from read_parquet('s3://{bucket}/news/articles/**/*.parquet', "
        "hive_partitioning = true)"
    ).fetchone()
    assert count == (39,)
