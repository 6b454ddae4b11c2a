"""Scheduled incremental runs over HTTP feeds, against a real local server.

A run killed during its commit has its feed state (the HTTP validators that make the next poll
conditional) finished with its tables by the next run's recovery: that is driven at the commit
step, at every crash point, in tests/test_crash_and_state.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.dataset as ds

from tests.conftest import REPO, run_akhbar
from tests.feeds.conftest import FeedServer, feeds_file, story

FAST = ("--allow-private-network", "--host-delay", "0.05")


def rows(output: Path, table: str) -> list[dict]:
    folder = output / table
    if not folder.exists():
        return []
    data = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    return sorted(data.to_pylist(), key=lambda r: r["id"])


def last_record(output: Path) -> dict:
    runs = sorted((output / "_runs").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return json.loads(runs[-1].read_text(encoding="utf-8"))


def ingest(output: Path, feeds: Path, *extra: str, run_id: str) -> dict:
    proc = run_akhbar(
        "ingest", "--feeds", str(feeds), "--output", str(output), "--run-id", run_id, *FAST, *extra
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return last_record(output)


def test_second_run_is_conditional_and_third_writes_exactly_the_new_items(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.add_items("feed.xml", 17)
    feeds = feeds_file(tmp_path, feed_server, "feed.xml")
    output = tmp_path / "out"

    first = ingest(output, feeds, run_id="r1")
    assert (first["read"], first["articles"], first["rejects"]) == (17, 17, 0)
    assert feed_server.requests_for("/feed.xml")[0][1].get("If-None-Match") is None

    second = ingest(output, feeds, run_id="r2")
    assert (second["read"], second["articles"], second["duplicates"]) == (0, 0, 0)
    conditional = feed_server.requests_for("/feed.xml")[-1][1]
    assert conditional.get("If-None-Match", "").startswith('"')
    assert len(rows(output, "articles")) == 17

    new = feed_server.add_items("feed.xml", 3, start=17)
    third = ingest(output, feeds, run_id="r3")
    assert third["articles"] == 3 and third["already_ingested"] == 17 and third["balanced"]
    written = {r["guid"] for r in rows(output, "articles")}
    assert {item.guid for item in new} <= written and len(written) == 20
    assert rows(output, "duplicates") == []


def test_copy_of_an_earlier_article_points_at_it(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.add_items("a.xml", 2)
    feeds = feeds_file(tmp_path, feed_server, "a.xml")
    output = tmp_path / "out"
    ingest(output, feeds, run_id="r1")
    earlier = {r["guid"]: r for r in rows(output, "articles")}
    copy = feed_server.add_items("a.xml", 1, start=100)[0]
    copy.text = story(0)  # same story as a.xml-0, new guid and link
    ingest(output, feeds, run_id="r2")
    duplicates = rows(output, "duplicates")
    assert len(duplicates) == 1
    assert duplicates[0]["guid"] == copy.guid
    assert duplicates[0]["duplicate_of"] == earlier["a.xml-0"]["id"]
    assert duplicates[0]["kind"] == "exact"


def test_without_the_flag_loopback_is_refused_and_never_contacted(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.add_items("feed.xml", 2)
    feeds = feeds_file(tmp_path, feed_server, "feed.xml")
    proc = run_akhbar("ingest", "--feeds", str(feeds), "--output", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    record = last_record(tmp_path / "out")
    assert record["rejects"] == 1 and record["articles"] == 0
    assert list(record["rejects_by_reason"]) == ["http:ssrf-blocked"]
    assert feed_server.log == []
    # the summary says why nothing came, and what to pass
    assert "every feed was refused by the private-network guard" in proc.stdout
    assert "--allow-private-network" in proc.stdout


def test_fetch_articles_fills_summary_only_items_and_respects_robots(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    items = feed_server.add_items("teasers.xml", 3, summary_only=True)
    for item in items:
        item.link = f"{feed_server.base}/pages/{item.guid}.html"
        if item.guid == "teasers.xml-2":
            continue  # no such page: a 404
        feed_server.pages[f"/pages/{item.guid}.html"] = (
            "<html><head><title>t</title></head><body><nav>القائمة</nav><article>"
            + "".join(f"<p>{p}</p>" for p in item.text.split("\n"))
            + "</article></body></html>"
        ).encode()
    feed_server.pages["/robots.txt"] = b"User-agent: *\nDisallow: /pages/teasers.xml-1.html\n"
    feeds = feeds_file(tmp_path, feed_server, "teasers.xml")
    output = tmp_path / "out"
    ingest(output, feeds, "--fetch-articles", run_id="r1")
    by_guid = {r["guid"]: r for r in rows(output, "articles")}
    assert items[0].text.split("\n")[1][:60] in by_guid["teasers.xml-0"]["text"]
    assert len(by_guid["teasers.xml-1"]["text"]) <= 125  # robots.txt said no: summary kept
    fetched_pages = [p for p, _h, _t in feed_server.log if p.startswith("/pages/")]
    assert sorted(fetched_pages) == ["/pages/teasers.xml-0.html", "/pages/teasers.xml-2.html"]
    # why each page was or was not used stays with the row, and the run counts it
    assert {g: r["page_fetch"] for g, r in by_guid.items()} == {
        "teasers.xml-0": "ok",
        "teasers.xml-1": "skipped:robots",
        "teasers.xml-2": "failed:http:404",
    }
    assert last_record(output)["page_fetch"] == {
        "failed:http:404": 1,
        "ok": 1,
        "skipped:robots": 1,
    }


def test_bundled_feed_list_offline_fails_cleanly(tmp_path: Path) -> None:
    """No internet here: one reject row per feed, exit 0, a clear summary."""
    from akhbar.transforms.sources.feedlist import load_feed_list

    feeds = load_feed_list(REPO / "seeds" / "feeds.yaml")
    proc = run_akhbar(
        "ingest", "--feeds", str(REPO / "seeds" / "feeds.yaml"), "--output", str(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    record = last_record(tmp_path)
    assert record["read"] == record["rejects"] == len(feeds) >= 25
    assert record["articles"] == 0 and record["balanced"]
    assert all(reason.startswith("http:") for reason in record["rejects_by_reason"])
    assert "accounting" in proc.stdout and "OK" in proc.stdout
    inputs = {r["input"] for r in rows(tmp_path, "rejects")}
    assert inputs == {f.url for f in feeds}
