"""Factories shared by the transform tests: hand-built records with only the fields that matter."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline

from akhbar.schemas.records import Article, Duplicate, RawItem, Reject, make_reject

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SEED_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "seed-article-ar.txt"

ARABIC_TEXT = (
    "قال السفير الصيني بالقاهرة إن الصين عقدت المؤتمر الوطني لتكريم كبار المساهمين في "
    "مكافحة فيروس كورونا، وألقى الرئيس كلمة وتقدم بالشكر للأصدقاء الذين قدموا الدعم."
)


def beam_pipeline() -> TestPipeline:
    """FnApiRunner: DirectRunner would first try (and fail) to download Prism."""
    return TestPipeline(options=PipelineOptions(["--runner=FnApiRunner"]))


def make_article(
    id: str,
    *,
    source: str = "youm7.com",
    published_at: datetime | None = None,
    url_key: str | None = None,
    content_hash: str | None = None,
    **overrides: Any,
) -> Article:
    """An Article whose url_key and content_hash default to unique values derived from ``id``."""
    fields: dict[str, Any] = {
        "id": id,
        "source": source,
        "origin": f"test.jsonl#{id}",
        "input_format": "jsonl",
        "fetched_at": NOW,
        "guid": f"guid-{id}",
        "url": f"https://{source}/{id}",
        "url_original": f"https://{source}/{id}",
        "url_key": url_key if url_key is not None else f"{source}/{id}",
        "title": f"title {id}",
        "summary": None,
        "text": f"text {id}",
        "text_normalized": f"text {id}",
        "content_hash": content_hash if content_hash is not None else f"hash-{id}",
        "published_at": published_at,
        "published_raw": None,
        "language": "ar",
        "language_declared": None,
        "authors": [],
        "categories": [],
        "word_count": 2,
        "char_count": len(f"text {id}"),
    }
    fields.update(overrides)
    return Article(**fields)


def make_raw(item_id: str = "raw-1", **overrides: Any) -> RawItem:
    fields: dict[str, Any] = {
        "item_id": item_id,
        "origin": f"feed.xml#item={item_id}",
        "input_format": "rss",
        "source": "youm7.com",
        "fetched_at": NOW,
        "url": f"https://www.youm7.com/story/{item_id}?utm_source=rss",
        "title": "عنوان <b>الخبر</b>",
        "body": f"<p>{ARABIC_TEXT}</p>",
    }
    fields.update(overrides)
    return RawItem(**fields)


def make_duplicate(id: str, duplicate_of: str, **overrides: Any) -> Duplicate:
    fields: dict[str, Any] = {
        "id": id,
        "source": "youm7.com",
        "guid": None,
        "url": f"https://youm7.com/{id}",
        "title": None,
        "published_at": None,
        "fetched_at": NOW,
        "cluster_id": f"cluster-{duplicate_of}",
        "duplicate_of": duplicate_of,
        "kind": "exact",
        "similarity": 1.0,
        "content_hash": "h",
        "origin": f"test.jsonl#{id}",
    }
    fields.update(overrides)
    return Duplicate(**fields)


def make_reject_row(origin: str = "bad.xml", reason: str = "xml:malformed", **kw: Any) -> Reject:
    return make_reject(origin, "parse", reason, "detail", b"<rss>", NOW, **kw)
