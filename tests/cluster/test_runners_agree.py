"""The same tables whatever the runner: FnApiRunner (the reference), a real Dask cluster of two
worker processes, and FnApiRunner's multi-processing mode, on the samples, on 2,000 ANT
articles and on feeds polled over HTTP. Rows are compared sorted by id, column by column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cluster.conftest import (
    DaskCluster,
    assert_committed,
    assert_same_tables,
    ingest,
    rows,
    write_ant_slice,
)
from tests.conftest import SAMPLES, run_akhbar
from tests.feeds.conftest import FeedServer, feeds_file
from tests.storage.conftest import S3Server

pytestmark = pytest.mark.slow

FAST_FEEDS = ("--allow-private-network", "--host-delay", "0.05")


@pytest.fixture(scope="module")
def ant_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ant_slice(tmp_path_factory.mktemp("ant") / "in")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, ant_slice: Path) -> dict[str, Path]:
    """FnApiRunner runs of the samples and of the ANT slice."""
    base = tmp_path_factory.mktemp("reference")
    ingest(base / "samples", "--input", str(SAMPLES))
    ingest(base / "ant", "--input", str(ant_slice))
    return {"samples": base / "samples", "ant": base / "ant"}


def test_dask_cluster_has_two_worker_processes(dask_cluster: DaskCluster) -> None:
    assert dask_cluster.workers() == 2
    assert all(p.poll() is None for p in dask_cluster.processes)


def test_dask_samples_equal_fnapi(
    tmp_path: Path, dask_cluster: DaskCluster, reference: dict[str, Path]
) -> None:
    record = ingest(tmp_path, "--input", str(SAMPLES), *dask_cluster.runner_args())
    assert record["runner"] == "apache_beam.runners.dask.dask_runner.DaskRunner"
    assert (record["read"], record["articles"], record["duplicates"], record["rejects"]) == (
        43,
        39,
        3,
        1,
    )
    assert_committed(tmp_path, record)
    assert_same_tables(tmp_path, reference["samples"])


def test_dask_ant_slice_equal_fnapi(
    tmp_path: Path, dask_cluster: DaskCluster, reference: dict[str, Path], ant_slice: Path
) -> None:
    record = ingest(tmp_path, "--input", str(ant_slice), *dask_cluster.runner_args())
    assert record["read"] == 2000 and record["input_files"] == 4
    assert record["articles"] > 1900
    assert_committed(tmp_path, record)
    assert_same_tables(tmp_path, reference["ant"])


def test_dask_full_class_path_and_rerun_replaces(
    tmp_path: Path, dask_cluster: DaskCluster, reference: dict[str, Path]
) -> None:
    """The runner spelled as Beam spells it; a second run over the same output replaces the
    first run's files (same rows, not twice the rows) and matches earlier output on Dask."""
    args = (
        "--input",
        str(SAMPLES),
        "--runner=apache_beam.runners.dask.dask_runner.DaskRunner",
        f"--dask_client_address={dask_cluster.address}",
    )
    first = ingest(tmp_path, *args, "--run-id", "first")
    second = ingest(tmp_path, *args, "--run-id", "second")
    assert_committed(tmp_path, second)
    assert {p.name for p in (tmp_path / "_runs").iterdir()} == {"first.json", "second.json"}
    assert first["files"] == second["files"]
    assert_same_tables(tmp_path, reference["samples"])


def test_dask_feeds_update_state_and_match_fnapi(
    tmp_path: Path, dask_cluster: DaskCluster, feed_server: FeedServer
) -> None:
    """Feeds mode: batching of the feed list, four tagged outputs, the HTTP validators in
    ``_state/http.json``, and the next run's conditional request, all on Dask."""
    feed_server.add_items("a.xml", 12)
    feed_server.add_items("b.xml", 7, start=50)
    copy = feed_server.add_items("b.xml", 1, start=100)[0]
    copy.text = feed_server.feeds["a.xml"][3].text  # an exact duplicate across feeds
    feeds = feeds_file(tmp_path, feed_server, "a.xml", "b.xml", "missing.xml")
    local, dask = tmp_path / "fnapi", tmp_path / "dask"
    common = ("--feeds", str(feeds), "--run-id", "poll-1", *FAST_FEEDS)
    want = ingest(local, *common)
    got = ingest(dask, *common, *dask_cluster.runner_args())
    for key in ("read", "articles", "duplicates", "rejects", "rejects_by_reason"):
        assert got[key] == want[key], key
    assert (got["articles"], got["duplicates"], got["rejects"]) == (19, 1, 1)
    # fetched_at is the run's own clock, and so is the id of a fetch reject (a 404 today is
    # not the 404 of tomorrow)
    assert_same_tables(dask, local, drop=("fetched_at",), tables=("articles", "duplicates"))
    fetch_rejects = [rows(out, "rejects", drop=("id", "rejected_at")) for out in (dask, local)]
    assert fetch_rejects[0] == fetch_rejects[1]
    assert [r["reason"] for r in fetch_rejects[0]] == ["http:404"]
    state = json.loads((dask / "_state" / "http.json").read_text(encoding="utf-8"))
    assert set(state) == {f"{feed_server.base}/{n}" for n in ("a.xml", "b.xml", "missing.xml")}
    assert state[f"{feed_server.base}/a.xml"]["etag"]
    assert_committed(dask, got)

    again = ingest(
        dask, "--feeds", str(feeds), "--run-id", "poll-2", *FAST_FEEDS, *dask_cluster.runner_args()
    )
    # unchanged feeds: nothing new, only the missing feed's 404 again
    assert (again["read"], again["articles"], again["duplicates"], again["rejects"]) == (1, 0, 0, 1)
    conditional = feed_server.requests_for("/a.xml")[-1][1]
    assert conditional.get("If-None-Match") == state[f"{feed_server.base}/a.xml"]["etag"]
    assert len(rows(dask, "articles")) == 19


def test_multi_processing_ant_slice_equal_fnapi(
    tmp_path: Path, reference: dict[str, Path], ant_slice: Path
) -> None:
    record = ingest(
        tmp_path,
        "--input",
        str(ant_slice),
        "--direct_running_mode=multi_processing",
        "--direct_num_workers=2",
    )
    assert record["read"] == 2000
    assert_committed(tmp_path, record)
    assert_same_tables(tmp_path, reference["ant"])


def test_dask_writes_to_s3(
    dask_cluster: DaskCluster, s3_server: S3Server, bucket: str, reference: dict[str, Path]
) -> None:
    """The workers get the S3 endpoint and keys from the DoFns, not from Beam (a Dask worker
    never sees the pipeline options), and the commit moves the staged objects into place."""
    proc = run_akhbar(
        "ingest",
        "--input",
        str(SAMPLES),
        "--output",
        f"s3://{bucket}/news",
        *s3_server.beam_args(),
        *dask_cluster.runner_args(),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    keys = s3_server.keys(bucket, "news/")
    assert not [k for k in keys if "/_staging/" in k or "/_state/pending/" in k], keys
    assert [k for k in keys if k.startswith("news/_runs/")]
    for table in ("articles", "duplicates", "rejects"):
        drop = ("rejected_at",) if table == "rejects" else ()
        data = s3_server.table(f"{bucket}/news/{table}")
        keep = [c for c in data.column_names if c not in drop]
        got = sorted(data.select(keep).to_pylist(), key=lambda r: r["id"])
        assert got == rows(reference["samples"], table, drop), table
