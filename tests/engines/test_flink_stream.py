"""``akhbar stream --runner=flink`` (issue 18, point 3): a Flink streaming job on the session
cluster, its keyed state (HTTP validators per feed, exact and near dedup) held by Flink,
against feeds served on 127.0.0.1.

Each window is committed while the job runs, as the watermark passes it (on FnApiRunner they
only come out at the end). The test uses that as its event: once the window of the first
poll is committed, the feeds gain a new story and a re-spelled copy of a story already
written. Each item must be written once, and the copy must be a ``near`` duplicate of the
article in the earlier window.

Why wait for a committed window rather than a poll count: the job starts 20-35 s after the
command (job server, job graph, SDK workers) and PeriodicImpulse then fires every tick it
missed at once, so the first polls come in a burst, and within a burst the copy could reach
the near-dedup state before the original (first seen is canonical).
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from tests.conftest import REPO, akhbar_cmd
from tests.dedup.stories import respelled
from tests.engines.conftest import FlinkCluster
from tests.feeds.conftest import FeedServer, feed_server  # noqa: F401  (the fixture)
from tests.feeds.test_stream import all_rows
from tests.feeds.test_stream_near import (
    ant_stories,
    index_ids,
    item,
    run_totals,
    window_of,
    yaml_feeds,
)

# Long enough for the job to start, commit its first window and poll the new items on a busy
# machine; the job ends when its ticks do.
DURATION = 60


def committed_guids(output: Path) -> set[str]:
    """The guids in the committed articles table (files move there at a window's commit)."""
    if not (output / "articles").is_dir():
        return set()
    table = ds.dataset(output / "articles", format="parquet", partitioning="hive")
    return set(table.to_table(columns=["guid"]).column("guid").to_pylist())


@pytest.mark.slow
def test_stream_on_flink_writes_new_items_once_and_the_near_copy_as_a_duplicate(
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811
    flink_cluster: FlinkCluster,
    flink_job_server: Path,
) -> None:
    original, other, third, fourth = ant_stories(4)
    feed_server.feeds["wasat.xml"] = [
        item("wasat.xml", 0, original["text"]),
        item("wasat.xml", 1, other["text"], hours=1),
    ]
    feed_server.feeds["masry.xml"] = [item("masry.xml", 0, third["text"], hours=2)]
    fresh = item("wasat.xml", 2, fourth["text"], hours=4)
    copy = item("masry.xml", 1, respelled(original["text"]), hours=3)
    output = tmp_path / "out"
    added = threading.Event()

    def after_first_window(_poll: int) -> None:
        """Before masry's reply is built: once wasat.xml-0's window is committed, both feeds
        gain their new item (this reply already carries the copy)."""
        if not added.is_set() and "wasat.xml-0" in committed_guids(output):
            with feed_server.lock:
                feed_server.feeds["wasat.xml"].append(fresh)
                feed_server.feeds["masry.xml"].append(copy)
            added.set()

    feed_server.on_request["/masry.xml"] = after_first_window
    feeds = yaml_feeds(tmp_path, feed_server, wasat="wasat.xml", masry="masry.xml")
    proc = subprocess.run(
        [*akhbar_cmd(), "stream", "--feeds", str(feeds), "--output", str(output),
         "--poll-interval", "1", "--window", "2", "--duration", str(DURATION),
         "--allow-private-network", "--host-delay", "0.01", "--run-id", "live", "--no-extract",
         *flink_cluster.runner_args()],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "OK" in proc.stdout, proc.stdout
    assert added.is_set(), "no window was committed while the stream polled"

    # the job ran on the cluster as a Flink streaming job
    # the newest job: the overview is not in submission order, and the session's cluster
    # has run the other engine tests' batch jobs before this one
    job = max(flink_cluster.get("/jobs/overview")["jobs"], key=lambda j: j["start-time"])
    assert job["state"] == "FINISHED"
    config = flink_cluster.get(f"/jobs/{job['jid']}/config")["execution-config"]
    assert config["user-config"]["streaming"] == "true"
    assert config["job-parallelism"] == 2

    articles, duplicates = all_rows(output, "articles"), all_rows(output, "duplicates")
    by_guid = {a["guid"]: a for a in articles}
    assert sorted(a["guid"] for a in articles) == [
        "masry.xml-0",
        "wasat.xml-0",
        "wasat.xml-1",
        "wasat.xml-2",
    ]
    [dup] = duplicates
    canonical = by_guid["wasat.xml-0"]
    assert (dup["guid"], dup["source"], dup["kind"]) == ("masry.xml-1", "masry", "near")
    assert dup["duplicate_of"] == canonical["id"]
    assert dup["cluster_id"] == canonical["cluster_id"]
    assert window_of(output, "duplicates", dup["id"]) > window_of(
        output, "articles", canonical["id"]
    )
    # 3 first items + 3 when both feeds changed (masry.xml-0, wasat.xml-0/-1 read again)
    assert run_totals(output, "live") == {
        "read": 8,
        "articles": 4,
        "duplicates": 1,
        "rejects": 0,
        "already_ingested": 3,
    }
    assert index_ids(output) == sorted(a["id"] for a in articles)
    assert not list((output / "_staging").rglob("*.parquet"))
