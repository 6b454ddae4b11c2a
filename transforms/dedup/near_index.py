"""Cross-run near-duplicate index: the MinHash signatures of recent canonical articles.

A scheduled run must match a copy published today against the story an earlier run already
wrote. Each run saves one small Parquet file per article month with the signature of every
canonical article it wrote; the next run loads the files written within its horizon, so memory
is bounded by the horizon (articles x ~0.6 KB), not by history.

Layout (``index_dir`` is normally ``OUTPUT/_state/near_index``)::

    index_dir/month=YYYY-MM/part-<run_id>.parquet

``month`` is that of the article's ``partition_date`` (published, else fetched, UTC): a backfill
of three years writes 36 index files, not one per day (1,052 files for 10k ANT articles
before). Folders of the earlier per-day layout (``date=YYYY-MM-DD``) are still read and
pruned. An id present in two files is read once. Every row stores the
``signature_key`` of the config that made it: rows from another shingle size, seed, permutation
count or rensa algorithm version cannot be compared and are skipped (and counted), never misread.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from akhbar.schemas.records import Article
from akhbar.transforms.dedup.exact import DedupGroup, cluster_id_for
from akhbar.transforms.dedup.keys import DedupKey
from akhbar.transforms.dedup.minhash import MinhashConfig
from akhbar.transforms.dedup.near_cluster import NearDoc, near_doc, order_key
from akhbar.transforms.state import delete_quietly, join, list_files, use_storage_options
from akhbar.transforms.write import write_parquet_atomic

INDEX_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("cluster_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("shingles", pa.int32(), nullable=False),
        pa.field("signature", pa.binary(), nullable=False),
        pa.field("signature_key", pa.string(), nullable=False),
        # issue 20: the verification features (``transforms.dedup.features``); null in files
        # written before them, where a prior article is then judged on its signature alone
        pa.field("marks", pa.binary()),
        pa.field("numbers", pa.binary()),
        pa.field("names", pa.binary()),
        pa.field("rare", pa.binary()),
        pa.field("lead", pa.binary()),
        pa.field("slots", pa.binary()),  # issue 20, round 3; null in files written before
        pa.field("title_words", pa.binary()),  # round 3 too
    ]
)
FEATURES = ("marks", "numbers", "names", "rare", "lead", "slots", "title_words")
_PERIOD_DIR = re.compile(r"/(?:date|month)=(\d{4}-\d{2}(?:-\d{2})?)/")


def index_period(entry: IndexEntry) -> str:
    """The month (YYYY-MM) whose index file holds ``entry``."""
    return entry.partition_date[:7]


def index_dir(output: str) -> str:
    return join(output, "_state", "near_index")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One canonical article as later runs need it for matching."""

    id: str
    cluster_id: str
    source: str
    published_at: datetime | None
    fetched_at: datetime
    content_hash: str
    shingles: int
    signature: bytes
    signature_key: str
    marks: bytes | None = None
    numbers: bytes | None = None
    names: bytes | None = None
    rare: bytes | None = None
    lead: bytes | None = None
    slots: bytes | None = None
    title_words: bytes | None = None

    @property
    def moment(self) -> datetime:
        return self.published_at or self.fetched_at

    @property
    def partition_date(self) -> str:
        return self.moment.astimezone(UTC).strftime("%Y-%m-%d")

    def as_doc(self) -> NearDoc:
        return NearDoc(
            id=self.id,
            order=order_key(self.published_at, self.source, self.id),
            signature=self.signature,
            size=self.shingles,
            content_hash=self.content_hash,
            prior=True,
            cluster_id=self.cluster_id,
            source=self.source,
            marks=self.marks or b"",
            numbers=self.numbers or b"",
            names=self.names or b"",
            rare=self.rare or b"",
            lead=self.lead or b"",
            slots=self.slots or b"",
            title_words=self.title_words or b"",
        )


@dataclass(frozen=True, slots=True)
class IndexFile:
    """A written index file; ``staged`` is where it is until the commit moves it to ``path``."""

    path: str
    rows: int
    staged: str | None = None


def index_entry(group: DedupGroup, config: MinhashConfig) -> IndexEntry:
    """The index row of a story's canonical article (signature computed from its text)."""
    return article_entry(group.canonical, near_doc(group.canonical, config), config)


def article_entry(article: Article | DedupKey, doc: NearDoc, config: MinhashConfig) -> IndexEntry:
    """The index row of a canonical ``article`` whose ``doc`` (signature) is already computed."""
    return IndexEntry(
        id=article.id,
        cluster_id=article.cluster_id or cluster_id_for(article),
        source=article.source,
        published_at=article.published_at,
        fetched_at=article.fetched_at,
        content_hash=article.content_hash,
        shingles=doc.size,
        signature=doc.signature,
        signature_key=config.signature_key,
        marks=doc.marks,
        numbers=doc.numbers,
        names=doc.names,
        rare=doc.rare,
        lead=doc.lead,
        slots=doc.slots,
        title_words=doc.title_words,
    )


def index_file_path(directory: str, period: str, run_id: str) -> str:
    """The index file of one run for one month (``period``: YYYY-MM)."""
    return join(directory, f"month={period}", f"part-{run_id}.parquet")


def _index_files(directory: str) -> list[str]:
    """Every index file, in the monthly layout or the earlier daily one."""
    return list_files(join(directory, "month=*", "*.parquet")) + list_files(
        join(directory, "date=*", "*.parquet")
    )


def _period_of(path: str) -> str | None:
    m = _PERIOD_DIR.search(path)
    return m.group(1) if m else None


def write_index_file(entries: Iterable[IndexEntry], path: str) -> int:
    """Write entries (sorted by id) to one Parquet file atomically; returns the row count."""
    rows = sorted(entries, key=lambda e: e.id)
    table = pa.Table.from_pylist(
        [{f: getattr(e, f) for f in INDEX_SCHEMA.names} for e in rows], schema=INDEX_SCHEMA
    )
    folder, name = path.rsplit("/", 1)
    # FileSystems.create makes the folder of the temporary file, which is the final folder
    write_parquet_atomic(table, f"{folder}/.{name}.inprogress", path)
    return len(rows)


def save_index(
    entries: Iterable[IndexEntry], directory: str, run_id: str, staging: str | None = None
) -> list[IndexFile]:
    """One file per article month under ``directory`` (or under ``staging``, same layout)."""
    by_date: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        by_date.setdefault(index_period(entry), []).append(entry)
    written = []
    for date, rows in sorted(by_date.items()):
        final = index_file_path(directory, date, run_id)
        target = index_file_path(staging, date, run_id) if staging else final
        written.append(
            IndexFile(final, write_index_file(rows, target), target if staging else None)
        )
    return written


def read_index_file(path: str) -> Iterator[IndexEntry]:
    with FileSystems.open(path) as handle:
        table = pq.read_table(handle)
    for name in FEATURES:  # a file written before the features: they read as null
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(len(table), pa.binary()))
    for row in table.select(INDEX_SCHEMA.names).to_pylist():
        yield IndexEntry(**row)


def select_index_files(directory: str, not_before: datetime) -> list[str]:
    """Index files of article months (or days, in the earlier layout) that may hold dates on or
    after ``not_before`` (the horizon; rows are filtered by date when read).

    Only the folder names are read, so older history costs nothing but a listing.
    """
    first = not_before.strftime("%Y-%m-%d")
    return [
        path
        for path in _index_files(directory)
        if (period := _period_of(path)) is not None and period >= first[: len(period)]
    ]


def recent_index_files(directory: str, horizon_days: float, now: float | None = None) -> list[str]:
    """Index files *written* within ``horizon_days`` of ``now`` (epoch seconds).

    The alternative to ``select_index_files`` that matches ``transforms.dedup.prior``: a
    backfill of 2016 news indexed yesterday is recent. Pass ``prior_not_before=None`` to
    ``NearDedup`` with it, or the article-date filter would drop the backfill's rows again.
    """
    cutoff = (now if now is not None else time.time()) - horizon_days * 86400
    found = []
    for layout in ("month=*", "date=*"):
        pattern = join(directory, layout, "*.parquet")
        found += [
            m.path
            for m in FileSystems.match([pattern])[0].metadata_list
            if (getattr(m, "last_updated_in_seconds", None) or cutoff) >= cutoff
        ]
    return sorted(found)


def read_prior_docs(
    path: str, config: MinhashConfig, not_before: datetime | None = None
) -> tuple[list[NearDoc], int]:
    """Prior documents of one index file usable with ``config``, and how many were skipped
    because another config or algorithm version wrote them."""
    docs, skipped = [], 0
    for entry in read_index_file(path):
        if entry.signature_key != config.signature_key:
            skipped += 1
        elif not_before is None or entry.moment >= not_before:
            docs.append(entry.as_doc())
    return docs, skipped


def load_index(
    directory: str, newest: datetime, horizon: timedelta, config: MinhashConfig
) -> list[NearDoc]:
    """Prior documents within ``horizon`` before ``newest``, each id once (plain-loop use)."""
    not_before = newest - horizon
    seen: dict[str, NearDoc] = {}
    for path in select_index_files(directory, not_before):
        docs, _ = read_prior_docs(path, config, not_before)
        for doc in docs:
            seen.setdefault(doc.id, doc)
    return sorted(seen.values(), key=lambda d: d.id)


def prune_index(directory: str, not_before: datetime) -> list[str]:
    """Delete index files whose whole month (or day) is before ``not_before``; returns them."""
    first = not_before.strftime("%Y-%m-%d")
    old = [
        path
        for path in _index_files(directory)
        if (period := _period_of(path)) is not None and period < first[: len(period)]
    ]
    delete_quietly(old)
    return old


def _keyed_entry(group: DedupGroup, config: MinhashConfig) -> tuple[str, IndexEntry]:
    entry = index_entry(group, config)
    return (index_period(entry), entry)


class _WriteDateFn(beam.DoFn):
    def __init__(
        self,
        directory: str,
        run_id: str,
        staging: str | None,
        storage: dict[str, Any] | None = None,
    ) -> None:
        self.directory = directory
        self.run_id = run_id
        self.staging = staging
        self.storage = storage

    def setup(self) -> None:
        use_storage_options(self.storage)

    def process(self, element: tuple[str, Iterable[IndexEntry]]) -> Iterator[IndexFile]:
        date, entries = element
        final = index_file_path(self.directory, date, self.run_id)
        target = index_file_path(self.staging, date, self.run_id) if self.staging else final
        rows = write_index_file(entries, target)
        yield IndexFile(final, rows, target if self.staging else None)


class WriteNearIndex(beam.PTransform):
    """Final DedupGroups -> index files of their canonical articles (one per article month).

    With ``staging`` the files are written there and the commit step must move each
    ``IndexFile.staged`` to ``IndexFile.path``: an index must not name articles of a run that
    never committed, or the next run would attach copies to articles nobody can read.
    """

    def __init__(
        self,
        directory: str,
        run_id: str,
        config: MinhashConfig,
        staging: str | None = None,
        from_entries: bool = False,
        storage: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.storage = storage
        self.from_entries = from_entries
        self.directory = directory
        self.run_id = run_id
        self.config = config
        self.staging = staging

    def expand(self, groups):
        """``groups``: DedupGroups (each signed here), or IndexEntry rows when
        ``from_entries`` (NearDedup's ``entries`` output, already signed)."""
        config = self.config
        keyed = (
            groups | "KeyEntryByMonth" >> beam.Map(lambda e: (index_period(e), e))
            if self.from_entries
            else groups | "IndexEntry" >> beam.Map(_keyed_entry, config)
        )
        return (
            keyed
            | "GroupByMonth" >> beam.GroupByKey()
            | "WriteIndexFile"
            >> beam.ParDo(_WriteDateFn(self.directory, self.run_id, self.staging, self.storage))
        )
