"""Typed records that flow between pipeline steps.

Untyped dicts between steps hide missing fields until the writer fails far from the cause, so each
step takes and returns one of these dataclasses. ``as_row`` turns a record into the dict the Arrow
writer expects, with exactly the columns of its table schema.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

import pyarrow as pa

from akhbar.schemas.tables import ARTICLES, DUPLICATES, REJECTS

PAYLOAD_LIMIT = 2000
_KEEP_IN_PAYLOAD = frozenset("\n\r\t")


@functools.lru_cache(maxsize=16)
def _deletion_table(keep: frozenset[str]) -> dict[int, None]:
    return dict.fromkeys(map(ord, keep))


def visible(text: str, keep: frozenset[str] = frozenset()) -> str:
    """``text`` with every unprintable character spelled out (``\\x00``, ``\\udcff``).

    Origins (file names, which may hold bytes that are not UTF-8 and arrive as lone surrogates,
    or a newline), reject details and payloads must stay readable and must be valid UTF-8:
    Parquet refuses lone surrogates, and a NUL in a string column breaks C readers. Escaping
    instead of deleting keeps the evidence. Characters in ``keep`` pass unchanged.
    """
    if (text.translate(_deletion_table(keep)) if keep else text).isprintable():
        return text  # the common case, checked in C
    return "".join(
        ch
        if ch.isprintable() or ch in keep
        else f"\\x{ord(ch):02x}"
        if ord(ch) < 0x100
        else f"\\u{ord(ch):04x}"
        for ch in text
    )


def stable_id(*parts: str | None) -> str:
    """A 128-bit hex id that only depends on ``parts`` (same input, same id, on every run)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update((part or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


_T = TypeVar("_T")


def compact_pickle(cls: type[_T]) -> type[_T]:
    """Pickle a slotted dataclass as (class, field values): about 1.5x faster both ways than
    the ``__getstate__`` dataclasses generate (it calls ``fields()`` on every object), and
    Beam pickles each record at every shuffle. Apply above ``@dataclass``."""
    values = operator.attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]

    def reduce(self: _T) -> tuple[Callable[..., _T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = reduce  # type: ignore[method-assign,assignment]
    return cls


class Record:
    """Base of the records that flow between pipeline steps: a step whose outputs mix record
    types declares this one type (``transforms.coders`` registers a coder for it)."""

    __slots__ = ()


@compact_pickle
@dataclass(slots=True)
class RawItem(Record):
    """One news item as a source read it, before any cleaning."""

    item_id: str
    origin: str
    input_format: str
    source: str
    fetched_at: datetime
    guid: str | None = None
    url: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    published_raw: str | None = None
    published_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    language_declared: str | None = None
    # where published_at/published_raw came from when a source knows better than its format
    # ("page" for a feed item whose date came from its fetched page); None: derived from
    # input_format (transforms.prepare.published_from)
    published_from: str | None = None
    page_fetch: str | None = None  # --fetch-articles outcome (Article.page_fetch)


@compact_pickle
@dataclass(slots=True)
class Article(Record):
    """A cleaned, normalized and enriched item; the unit of deduplication."""

    id: str
    source: str
    origin: str
    input_format: str
    fetched_at: datetime
    guid: str | None
    url: str | None
    url_original: str | None
    url_key: str | None
    title: str | None
    summary: str | None
    text: str
    text_normalized: str
    content_hash: str
    published_at: datetime | None
    published_raw: str | None
    language: str
    language_declared: str | None
    authors: list[str]
    categories: list[str]
    word_count: int
    char_count: int
    entities: list[dict[str, Any]] = field(default_factory=list)
    amounts: list[dict[str, Any]] = field(default_factory=list)
    dates_mentioned: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    cluster_id: str | None = None
    duplicate_count: int = 0
    syndicated_by: list[str] = field(default_factory=list)
    updates_id: str | None = None  # near dedup: the earlier article this follow-up updates
    truncated: bool = False  # text, summary or title was cut at PrepareConfig.max_text_chars
    item_key: str = ""  # identity across runs (transforms.identity.item_key)
    published_from: str = "none"  # feed | page | text | none
    enrichment: str = "skipped"  # ok | skipped | failed:<reason> (set by the extraction step)
    page_fetch: str | None = None  # --fetch-articles: ok | failed:<reason> | skipped:<why>

    def order_key(self) -> tuple[bool, datetime, str, str]:
        """Canonical-choice order: earliest published first, then a stable tie-break by id."""
        far_future = datetime.max.replace(tzinfo=UTC)
        return (self.published_at is None, self.published_at or far_future, self.source, self.id)

    @property
    def partition_date(self) -> str:
        moment = self.published_at or self.fetched_at
        return moment.astimezone(UTC).strftime("%Y-%m-%d")


@compact_pickle
@dataclass(slots=True)
class Duplicate(Record):
    """An item that repeats an article already kept (exact copy, same URL, or near copy)."""

    id: str
    source: str
    guid: str | None
    url: str | None
    title: str | None
    published_at: datetime | None
    fetched_at: datetime
    cluster_id: str
    duplicate_of: str
    kind: str
    similarity: float | None
    content_hash: str
    origin: str
    item_key: str = ""
    published_from: str = "none"

    @property
    def partition_date(self) -> str:
        moment = self.published_at or self.fetched_at
        return moment.astimezone(UTC).strftime("%Y-%m-%d")


@compact_pickle
@dataclass(slots=True)
class Reject(Record):
    """An input item (or a whole file) that could not be ingested, and why."""

    id: str
    input: str
    stage: str
    reason: str
    detail: str
    payload: str
    rejected_at: datetime
    partition_time: datetime
    source: str | None = None
    # identity across runs: the parsed item's key, or set by the reader from the reason, the
    # payload and its occurrence in the input (transforms.identity); "" until then
    item_key: str = ""

    @property
    def partition_date(self) -> str:
        return self.partition_time.astimezone(UTC).strftime("%Y-%m-%d")


def make_reject(
    origin: str,
    stage: str,
    reason: str,
    detail: str,
    payload: str | bytes | None,
    at: datetime,
    partition_time: datetime | None = None,
    source: str | None = None,
    item_id: str | None = None,
    item_key: str = "",
) -> Reject:
    """Build a reject row; payloads are truncated, and every text is valid UTF-8 without
    control characters (those are spelled out, see ``visible``).

    Without ``item_id`` the id derives from the origin, the reason and the payload, so that a
    different bad record at the same place in a later version of a file gets another id.
    """
    if isinstance(payload, bytes):
        text = payload[:PAYLOAD_LIMIT].decode("utf-8", "replace")
    else:
        text = (payload or "")[:PAYLOAD_LIMIT]
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    return Reject(
        id=item_id or stable_id("reject", origin, reason, text),
        input=visible(origin),
        stage=stage,
        reason=reason,
        detail=visible(detail[:500], _KEEP_IN_PAYLOAD),
        payload=visible(text, _KEEP_IN_PAYLOAD)[:PAYLOAD_LIMIT],
        rejected_at=at,
        partition_time=partition_time or at,
        source=None if source is None else visible(source),
        item_key=item_key,
    )


_ROW_COLUMNS: dict[type, list[str]] = {
    Article: ARTICLES.names,
    Duplicate: DUPLICATES.names,
    Reject: REJECTS.names,
}

TABLE_OF: dict[type, str] = {Article: "articles", Duplicate: "duplicates", Reject: "rejects"}


def as_row(record: Article | Duplicate | Reject) -> dict[str, Any]:
    """The record as a dict holding exactly its table's columns."""
    return {name: getattr(record, name) for name in _ROW_COLUMNS[type(record)]}


def as_table(records: Sequence[Article | Duplicate | Reject], schema: pa.Schema) -> pa.Table:
    """Records of one table as an Arrow table with ``schema``, built column by column.

    Equal to ``pa.Table.from_pylist([as_row(r) ...], schema)`` (tested), at about half the cost:
    one ``pa.array`` per column instead of a dict per row.
    """
    columns = [
        pa.array([getattr(r, name) for r in records], type=column.type)
        for name, column in zip(schema.names, schema, strict=True)
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def table_schema(table: str) -> pa.Schema:
    return {"articles": ARTICLES, "duplicates": DUPLICATES, "rejects": REJECTS}[table]
