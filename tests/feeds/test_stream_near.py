"""`akhbar stream` near-duplicate detection end to end, against feeds on 127.0.0.1.

A wire story re-spelled by another outlet (dateline, Egyptian ى/ه, alef without hamza) shows
up in a later poll and window than the original, from another feed: it must become one `near`
duplicate of the article already written. And the stream and batch runs share
`_state/near_index`, so each matches copies of the other's articles.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from akhbar.transforms.dedup.near_index import read_index_file
from tests.conftest import REPO, SAMPLES, akhbar_cmd, run_akhbar
from tests.dedup.stories import respelled
from tests.feeds.conftest import FeedItem, FeedServer
from tests.feeds.test_stream import all_rows


def ant_stories(count: int) -> list[dict]:
    """Real JawharaFM (ANT corpus) articles from the bundled sample, long enough to be stories."""
    found = []
    for line in (SAMPLES / "jawharafm.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if len(record.get("text", "").split()) >= 120:
            found.append(record)
    assert len(found) >= count
    return found[:count]


STORIES = ant_stories(3)
PUBLISHED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def item(feed: str, n: int, text: str, hours: float = 0) -> FeedItem:
    return FeedItem(
        guid=f"{feed}-{n}",
        title=f"خبر {n}",
        text=text,
        published=PUBLISHED + timedelta(hours=hours),
    )


def yaml_feeds(tmp_path: Path, server: FeedServer, **feeds: str) -> Path:
    """Feeds of different sources (a text list would name both after the host, 127.0.0.1)."""
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "".join(
            f'- {{source: {source}, url: "{server.base}/{name}"}}\n'
            for source, name in feeds.items()
        )
    )
    return path


def stream(feeds: Path, output: Path, duration: float, run_id: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*akhbar_cmd(), "stream", "--feeds", str(feeds), "--output", str(output),
         "--poll-interval", "1", "--window", "2", "--duration", str(duration),
         "--allow-private-network", "--host-delay", "0.01", "--run-id", run_id, "--no-extract"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip


def window_of(output: Path, table: str, id: str) -> int:
    """The start of the stream window whose file holds row ``id`` (part-<fp>-w<start>-*)."""
    for path in (output / table).rglob("part-*.parquet"):
        if id in pq.read_table(path, columns=["id"]).column("id").to_pylist():
            return int(path.name.split("-w", 1)[1].split("-", 1)[0])
    raise AssertionError(f"{id} not in {table}")


def index_ids(output: Path) -> list[str]:
    return sorted(
        e.id
        for p in (output / "_state" / "near_index").rglob("*.parquet")
        for e in read_index_file(str(p))
    )


def run_totals(output: Path, run_id: str) -> dict[str, int]:
    records = [json.loads(p.read_text()) for p in (output / "_runs").glob(f"{run_id}-w*.json")]
    assert records and all(r["balanced"] for r in records)
    keys = ("read", "articles", "duplicates", "rejects", "already_ingested")
    return {k: sum(r[k] for r in records) for k in keys}


@pytest.mark.slow
def test_respelled_copy_in_a_later_window_is_a_near_duplicate(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    original, other, third = STORIES
    feed_server.feeds["wasat.xml"] = [
        item("wasat.xml", 0, original["text"]),
        item("wasat.xml", 1, other["text"], hours=1),
    ]
    feed_server.feeds["masry.xml"] = [item("masry.xml", 0, third["text"], hours=2)]
    copy = item("masry.xml", 1, respelled(original["text"]), hours=3)

    def copy_appears(poll: int) -> None:
        # from masry's 4th poll (tick 3, 3 s after the original's tick: at least one window
        # of 2 s later), the copy appears there, whatever the machine's load did to the timing
        if poll == 4:
            with feed_server.lock:
                feed_server.feeds["masry.xml"].append(copy)

    feed_server.on_request["/masry.xml"] = copy_appears
    feeds = yaml_feeds(tmp_path, feed_server, wasat="wasat.xml", masry="masry.xml")
    output = tmp_path / "out"
    proc = stream(feeds, output, 12, "live")
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout + stderr[-3000:]
    assert "OK" in stdout, stdout

    articles, duplicates = all_rows(output, "articles"), all_rows(output, "duplicates")
    by_guid = {a["guid"]: a for a in articles}
    assert sorted(by_guid) == ["masry.xml-0", "wasat.xml-0", "wasat.xml-1"], sorted(by_guid)
    assert len(duplicates) == 1, duplicates
    [dup] = duplicates
    canonical = by_guid["wasat.xml-0"]
    assert (dup["guid"], dup["source"], dup["kind"]) == ("masry.xml-1", "masry", "near")
    assert dup["duplicate_of"] == canonical["id"]
    assert dup["cluster_id"] == canonical["cluster_id"]
    assert dup["similarity"] >= 0.7
    assert window_of(output, "duplicates", dup["id"]) > window_of(
        output, "articles", canonical["id"]
    )
    # every item accounted for: 4 stories + masry.xml-0 read again when its feed changed
    totals = run_totals(output, "live")
    assert totals == {
        "read": 5,
        "articles": 3,
        "duplicates": 1,
        "rejects": 0,
        "already_ingested": 1,
    }
    # the index names the three canonicals, not the copy, and every window's staging is gone
    assert index_ids(output) == sorted(a["id"] for a in articles)
    assert not list((output / "_staging").rglob("*.parquet"))

    # a later batch run matches a copy of a story the stream wrote, through that index
    later = tmp_path / "later"
    later.mkdir()
    (later / "b.jsonl").write_text(json.dumps({
        "id": "batch-copy", "url": "https://www.elwatannews.com/news/77", "source": "elwatannews.com",
        "title": "نقلا عن وكالات", "published": (PUBLISHED + timedelta(hours=5)).isoformat(),
        "text": respelled(third["text"]),
    }, ensure_ascii=False) + "\n")  # fmt: skip
    proc2 = run_akhbar("ingest", "--input", str(later), "--output", str(output), "--no-extract")
    assert proc2.returncode == 0, proc2.stderr[-3000:]
    copies = [d for d in all_rows(output, "duplicates") if d["source"] == "elwatannews.com"]
    assert len(copies) == 1 and copies[0]["kind"] == "near", copies
    assert copies[0]["duplicate_of"] == by_guid["masry.xml-0"]["id"]
    assert copies[0]["cluster_id"] == by_guid["masry.xml-0"]["cluster_id"]
    assert len(all_rows(output, "articles")) == 3


@pytest.mark.slow
def test_stream_after_a_batch_run_matches_the_batch_article(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    original, other = STORIES[0], STORIES[1]
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.jsonl").write_text(json.dumps({
        "id": "wire-1", "url": "https://www.jawharafm.net/ar/article/1", "source": "jawharafm.net",
        "title": original["title"], "published": PUBLISHED.isoformat(), "text": original["text"],
    }, ensure_ascii=False) + "\n")  # fmt: skip
    output = tmp_path / "out"
    batch = run_akhbar("ingest", "--input", str(inputs), "--output", str(output), "--no-extract")
    assert batch.returncode == 0, batch.stderr[-3000:]
    [written] = all_rows(output, "articles")
    assert index_ids(output) == [written["id"]]

    feed_server.feeds["masry.xml"] = [
        item("masry.xml", 0, respelled(original["text"]), hours=4),
        item("masry.xml", 1, other["text"], hours=5),
    ]
    feeds = yaml_feeds(tmp_path, feed_server, masry="masry.xml")
    proc = stream(feeds, output, 5, "after-batch")
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout + stderr[-3000:]
    assert "OK" in stdout, stdout

    articles, duplicates = all_rows(output, "articles"), all_rows(output, "duplicates")
    assert sorted(a["id"] for a in articles if a["guid"] != "masry.xml-1") == [written["id"]]
    assert len(articles) == 2
    [dup] = duplicates
    assert (dup["guid"], dup["kind"]) == ("masry.xml-0", "near")
    assert dup["duplicate_of"] == written["id"] and dup["cluster_id"] == written["cluster_id"]
    assert run_totals(output, "after-batch") == {
        "read": 2, "articles": 1, "duplicates": 1, "rejects": 0, "already_ingested": 0
    }  # fmt: skip


@pytest.mark.slow
def test_no_near_dedup_keeps_the_copy_in_the_stream(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    original = STORIES[0]
    feed_server.feeds["wasat.xml"] = [item("wasat.xml", 0, original["text"])]
    feed_server.feeds["masry.xml"] = [item("masry.xml", 0, respelled(original["text"]), hours=1)]
    feeds = yaml_feeds(tmp_path, feed_server, wasat="wasat.xml", masry="masry.xml")
    output = tmp_path / "out"
    proc = subprocess.run(
        [*akhbar_cmd(), "stream", "--feeds", str(feeds), "--output", str(output),
         "--poll-interval", "1", "--duration", "3", "--allow-private-network",
         "--host-delay", "0.01", "--no-extract", "--no-near-dedup"],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert len(all_rows(output, "articles")) == 2
    assert not (output / "_state" / "near_index").exists()
