"""Undated items: where ``published_at`` came from is a column, the run counts the undated,
and the report keeps them off the publication-date axis.

Before: an item without a usable date silently got the fetch date as its partition, with
nothing to tell it from a real publication date.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.dataset as ds

import akhbar
from akhbar.schemas.records import Article
from akhbar.transforms.prepare import PrepareConfig, prepare_item
from tests.conftest import SAMPLES
from tests.helpers import ARABIC_TEXT, NOW, make_raw

FEED_DATE = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
SAMPLE_JSONL = SAMPLES / "jawharafm.jsonl"


def prepared(**raw: object) -> Article:
    article = prepare_item(make_raw(**raw), PrepareConfig(), NOW)
    assert isinstance(article, Article), article
    return article


def test_published_from_says_where_the_date_came_from() -> None:
    assert prepared(published_at=FEED_DATE).published_from == "feed"
    assert prepared(published_raw="2026-11-20T08:30:00Z", input_format="jsonl").published_from == (
        "feed"
    )
    page = prepared(published_raw="2026-11-20T08:30:00Z", input_format="html")
    assert (page.published_from, page.published_at) == ("page", FEED_DATE)
    fetched = prepared(published_raw="2026-11-20T08:30:00Z", published_from="page")
    assert fetched.published_from == "page"
    dateline = prepared(body="القاهرة في 5 نوفمبر 2026 - " + ARABIC_TEXT)
    assert (dateline.published_from, dateline.published_at) == (
        "text",
        datetime(2026, 11, 5, tzinfo=UTC),
    )
    undated = prepared(published_raw="غدا إن شاء الله")
    assert (undated.published_from, undated.published_at) == ("none", None)
    assert undated.partition_date == NOW.strftime("%Y-%m-%d")  # the fetch time's day


def test_an_implausible_date_is_none_not_feed() -> None:
    future = prepared(published_at=NOW + timedelta(days=30))
    assert (future.published_from, future.published_at) == ("none", None)


def test_run_record_and_summary_count_undated_items(tmp_path: Path) -> None:
    texts = [json.loads(line)["text"] for line in SAMPLE_JSONL.read_text().splitlines()[:3]]
    records = [
        {"id": "dated", "source": "a.example", "published": "2026-11-20T08:30:00Z",
         "title": "خبر مؤرخ", "text": texts[0]},
        {"id": "undated-1", "source": "a.example", "title": "خبر بلا تاريخ", "text": texts[1]},
        {"id": "undated-2", "source": "a.example", "title": "خبر آخر", "text": texts[2]},
    ]  # fmt: skip
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    out = tmp_path / "out"
    record = akhbar.ingest(inputs=source, output=out, no_extract=True)
    assert record.published_from == {"feed": 1, "none": 2} and record.undated == 2
    table = ds.dataset(out / "articles", partitioning="hive").to_table().to_pylist()
    assert {r["guid"]: r["published_from"] for r in table} == {
        "dated": "feed",
        "undated-1": "none",
        "undated-2": "none",
    }
    from akhbar.pipelines.summary import format_summary

    assert "undated          2 of 3 written" in format_summary(record)

    from akhbar.pipelines.report import build_report

    report = build_report(out)
    [section] = [s for s in report.sections if s.key == "articles-per-day"]
    assert section.spec is not None
    days = {row["date"] for row in section.spec["data"]["values"]}
    assert days == {"2026-11-20"}  # the fetch day of the undated two is not on the axis
    assert "2 undated articles" in section.note
