"""Arrow schemas of every output table: the one source of truth.

Every writer receives one of these schemas explicitly; nothing is inferred from data (datatrove's
ParquetWriter warns against inference for good reason: a partition whose rows happen to have only
nulls in a column would otherwise get a different type). Partition columns (``date``, ``source``)
live in the directory names, never inside the files, so they are not part of these schemas.
"""

from __future__ import annotations

import pyarrow as pa

# 2 (2026-12): rejects.at -> rejected_at (``at`` is a DuckDB keyword); new columns item_key (all
# tables), published_from (articles, duplicates), enrichment and page_fetch (articles).
SCHEMA_VERSION = "2"

TIMESTAMP = pa.timestamp("us", tz="UTC")


def _field(name: str, type_: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    """A field whose one-line meaning travels with it (``akhbar schema`` prints it)."""
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc})


ENTITY_TYPE = pa.struct(
    [
        pa.field("text", pa.string()),
        pa.field("normalized", pa.string()),
        pa.field("type", pa.string()),
        pa.field("start", pa.int32()),
        pa.field("end", pa.int32()),
    ]
)

AMOUNT_TYPE = pa.struct(
    [
        pa.field("text", pa.string()),
        pa.field("value", pa.float64()),
        pa.field("unit", pa.string()),
    ]
)

DATE_MENTION_TYPE = pa.struct(
    [
        pa.field("text", pa.string()),
        pa.field("value", pa.date32()),  # the first day of the period
        pa.field("granularity", pa.string()),  # day | month | year: which mentions fix a day
        pa.field("start", pa.int32()),
        pa.field("end", pa.int32()),
    ]
)

QUOTE_TYPE = pa.struct(
    [
        pa.field("speaker", pa.string()),
        pa.field("speaker_type", pa.string()),
        pa.field("verb", pa.string()),
        pa.field("text", pa.string()),
        pa.field("start", pa.int32()),
        pa.field("end", pa.int32()),
    ]
)

ARTICLES = pa.schema(
    [
        _field("id", pa.string(), "stable id of the input item (hex)", nullable=False),
        _field(
            "item_key",
            pa.string(),
            "identity of the input item across runs and files: same source and guid (else "
            "canonical URL, else raw content) give the same key; an item whose key is already in "
            "the output is counted as already ingested and not written again",
        ),
        _field("guid", pa.string(), "the feed's guid / the record's own id, as given"),
        _field("url", pa.string(), "canonical URL (tracking parameters, fragment removed)"),
        _field("url_original", pa.string(), "the URL exactly as the input gave it"),
        _field("title", pa.string(), "cleaned title"),
        _field("summary", pa.string(), "cleaned description/summary, when the input had one"),
        _field("text", pa.string(), "cleaned body text, paragraphs separated by blank lines"),
        _field("text_normalized", pa.string(), "Arabic-normalized text used for matching"),
        _field("published_at", TIMESTAMP, "publication time in UTC; null when unknown"),
        _field("published_raw", pa.string(), "the publication date exactly as the input gave it"),
        _field(
            "published_from",
            pa.string(),
            "where published_at came from: feed (the feed item or record) | page (the article "
            "page's metadata) | text (a dateline in the text) | none (undated: the partition "
            "date is the fetch time's)",
        ),
        _field("fetched_at", TIMESTAMP, "when the item was fetched (file mtime for files)"),
        _field("language", pa.string(), "language detected from the text, not the feed's tag"),
        _field("language_declared", pa.string(), "language the feed or page declared"),
        _field("authors", pa.list_(pa.string()), "author names"),
        _field("categories", pa.list_(pa.string()), "categories / tags"),
        _field("entities", pa.list_(ENTITY_TYPE), "named entities (PER/ORG/LOC)"),
        _field("amounts", pa.list_(AMOUNT_TYPE), "money amounts, percentages and counts"),
        _field("dates_mentioned", pa.list_(DATE_MENTION_TYPE), "dates mentioned in the text"),
        _field("quotes", pa.list_(QUOTE_TYPE), "attributed statements: speaker and verb"),
        _field("keywords", pa.list_(pa.string()), "top TF-IDF terms of the article"),
        _field("places", pa.list_(pa.string()), "distinct normalized LOC entities"),
        _field("word_count", pa.int32(), "words in text"),
        _field("char_count", pa.int32(), "characters in text"),
        _field(
            "truncated",
            pa.bool_(),
            "true when text, summary or title was cut at --max-text-chars (default 200,000)",
        ),
        _field("content_hash", pa.string(), "blake2b-128 of text_normalized (hex)"),
        _field("cluster_id", pa.string(), "story cluster; shared with its duplicates"),
        _field("duplicate_count", pa.int32(), "copies of this story found in the same run"),
        _field("syndicated_by", pa.list_(pa.string()), "sources that carried the story (this run)"),
        _field(
            "updates_id",
            pa.string(),
            "id of the earlier article of the same story and source that this follow-up updates "
            "(it reuses that body with new facts, so it is kept, in the same cluster_id); null "
            "when it updates none",
        ),
        _field(
            "enrichment",
            pa.string(),
            "extraction status: ok | skipped (--no-extract) | failed:<reason> (the extracted "
            "columns are then empty because extraction failed, not because nothing was found)",
        ),
        _field(
            "page_fetch",
            pa.string(),
            "--fetch-articles: ok | failed:<reason> (e.g. failed:http:404) | skipped:<why> "
            "(e.g. skipped:robots); null when the item did not need its page",
        ),
        _field("input_format", pa.string(), "rss | atom | rdf | jsonl | html | warc"),
        _field("origin", pa.string(), "input file and position the item came from"),
    ]
)

DUPLICATES = pa.schema(
    [
        _field("id", pa.string(), "stable id of the input item (hex)", nullable=False),
        _field(
            "item_key",
            pa.string(),
            "identity of the input item across runs and files: same source and guid (else "
            "canonical URL, else raw content) give the same key; an item whose key is already in "
            "the output is counted as already ingested and not written again",
        ),
        _field("guid", pa.string(), "the feed's guid / the record's own id"),
        _field("url", pa.string(), "canonical URL"),
        _field("title", pa.string(), "cleaned title"),
        _field("published_at", TIMESTAMP, "publication time in UTC; null when unknown"),
        _field(
            "published_from",
            pa.string(),
            "where published_at came from: feed (the feed item or record) | page (the article "
            "page's metadata) | text (a dateline in the text) | none (undated: the partition "
            "date is the fetch time's)",
        ),
        _field("fetched_at", TIMESTAMP, "when the item was fetched"),
        _field("cluster_id", pa.string(), "the cluster_id of the canonical article"),
        _field("duplicate_of", pa.string(), "id of the canonical article"),
        _field("kind", pa.string(), "exact | url | near"),
        _field("similarity", pa.float64(), "1.0 for exact copies; null for url-only matches"),
        _field("content_hash", pa.string(), "blake2b-128 of text_normalized (hex)"),
        _field("origin", pa.string(), "input file and position the item came from"),
    ]
)

REJECTS = pa.schema(
    [
        _field("id", pa.string(), "stable id of the rejected input item or file", nullable=False),
        _field(
            "item_key",
            pa.string(),
            "identity across runs: the item's (as in articles) when it was parsed, else the "
            "reason, the raw payload and its occurrence in the input",
        ),
        _field("input", pa.string(), "input file or URL and position"),
        _field("source", pa.string(), "source slug, when it was known"),
        _field("stage", pa.string(), "read | parse | clean | filter"),
        _field("reason", pa.string(), "machine-readable reason, e.g. xml:entities-forbidden"),
        _field("detail", pa.string(), "human-readable explanation"),
        _field("payload", pa.string(), "the raw input, truncated"),
        _field("rejected_at", TIMESTAMP, "when the item was rejected"),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "duplicates": DUPLICATES,
    "rejects": REJECTS,
}

# Tables partitioned by source as well as date. `rejects` is partitioned by date only.
PARTITIONED_BY_SOURCE = frozenset({"articles", "duplicates"})


def with_version(schema: pa.Schema) -> pa.Schema:
    """The schema as written: carries ``akhbar.schema_version`` in the file metadata."""
    return schema.with_metadata({b"akhbar.schema_version": SCHEMA_VERSION.encode()})
