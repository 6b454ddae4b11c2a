"""`akhbar stream` for a bounded duration while the feed gains items: each item exactly once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from tests.conftest import REPO, akhbar_cmd
from tests.feeds.conftest import FeedServer, feeds_file, story


def all_rows(output: Path, table: str) -> list[dict]:
    folder = output / table
    if not folder.exists():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


@pytest.mark.slow
def test_stream_writes_every_item_exactly_once(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.add_items("live.xml", 4)

    def grow(poll: int) -> None:
        """At the third poll, while the stream runs: 3 new stories and one copy of an earlier
        story under a new guid (on the feed's request count, not on a guess of the time)."""
        if poll == 3:
            feed_server.add_items("live.xml", 3, start=4)
            copy = feed_server.add_items("live.xml", 1, start=50)[0]
            copy.text = story(1)

    feed_server.on_request["/live.xml"] = grow
    feeds = feeds_file(tmp_path, feed_server, "live.xml")
    output = tmp_path / "out"
    proc = subprocess.Popen(
        [
            *akhbar_cmd(),
            "stream",
            "--feeds",
            str(feeds),
            "--output",
            str(output),
            "--poll-interval",
            "1",
            "--window",
            "2",
            "--duration",
            "9",
            "--allow-private-network",
            "--host-delay",
            "0.01",
            "--run-id",
            "live",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stdout + stderr[-3000:]
    assert "OK" in stdout
    polls = feed_server.requests_for("/live.xml")
    assert len(polls) >= 5, "polled on every tick"
    assert any(headers.get("If-None-Match") for _p, headers, _t in polls[1:])
    articles = all_rows(output, "articles")
    duplicates = all_rows(output, "duplicates")
    guids = sorted(r["guid"] for r in articles)
    assert guids == sorted(f"live.xml-{i}" for i in range(7)), guids
    assert [d["guid"] for d in duplicates] == ["live.xml-50"]
    by_guid = {a["guid"]: a for a in articles}
    assert duplicates[0]["duplicate_of"] == by_guid["live.xml-1"]["id"]
    runs = sorted((output / "_runs").glob("live-w*.json"))
    assert runs, "one run record per window"
