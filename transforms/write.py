"""Partitioned, atomic, idempotent Parquet writer for articles, duplicates and rejects.

Beam's file sinks are avoided on purpose: ``fileio.WriteToFiles`` loses data when a partition
folder is missing and breaks on the Dask runner, and ``WriteToParquet`` cannot route records to
per-record folders. Instead rows are grouped by (table, date, source) and each group is written
with pyarrow through Beam's ``FileSystems`` (so gs:// and s3:// work), to a temporary name that is
then renamed into place. File names derive from the run's fingerprint (unique per execution), so
no two runs ever write the same file name.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.utils.windowed_value import WindowedValue

from akhbar.schemas.records import Article, Duplicate, Record, Reject, as_table
from akhbar.schemas.tables import PARTITIONED_BY_SOURCE, with_version
from akhbar.transforms import coders  # noqa: F401  (registers the record coders)
from akhbar.transforms.progress import ProgressCounter
from akhbar.transforms.state import crash_point, use_storage_options

ROW_GROUP_SIZE = 64 * 1024
# Below this many rows a file gets no dictionary pages. Most partitions (one date x one source)
# hold a handful of rows; there a dictionary page per column saves nothing and costs a zstd call
# per column. Measured on the 2,243 files of a 10k ANT run: 1.05 -> 0.75 ms per file and 59.4 ->
# 57.2 MB; on 9,000 distinct articles in one file the dictionary still saved only 2% of the size.
DICTIONARY_MIN_ROWS = 1_000
MAX_ROWS_PER_FILE = 1_000_000
# Files written at once by one writer DoFn instance (docs/design-notes.md#parallel-writes).
DEFAULT_WRITER_THREADS = 2
_SLUG_SAFE = frozenset("-_")
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
# The folder is named "source=" + slug and file systems cap a name at 255 bytes (not characters):
# 120 Arabic letters are already 240 bytes.
MAX_SLUG_BYTES = 200


def partition_slug(name: str | None) -> str:
    """A folder-safe, reversible (``unquote``) spelling of a source name.

    Letters and digits of any script stay readable (``اليوم السابع`` -> ``اليوم%20السابع``);
    everything else, including '/', '.', '%' and control characters, is percent-encoded, so the
    slug is never '.', '..', empty, or a path. Over-long names are cut and given a hash suffix.
    """
    if not name:
        return "unknown"
    out = []
    for ch in name:
        if (ch.isalnum() and ch.isprintable()) or ch in _SLUG_SAFE:
            out.append(ch)
        else:
            # Bytes, so that a lone surrogate is encoded too instead of raising.
            out.append(quote(ch.encode("utf-8", "surrogatepass"), safe=""))
    slug = "".join(out)
    if not slug.strip("."):
        # quote() keeps '.', which is fine inside a name but not for '.' and '..' themselves.
        slug = slug.replace(".", "%2E")
    if slug.lower() in WINDOWS_RESERVED:
        slug = "%" + f"{ord(slug[0]):02X}" + slug[1:]
    encoded = slug.encode("utf-8")
    if len(encoded) > MAX_SLUG_BYTES:
        # Not reversible any more, but unique: cut (never inside a character or a %XX escape)
        # and add a hash.
        digest = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
        cut = encoded[:MAX_SLUG_BYTES].decode("utf-8", "ignore")
        escape = cut.rfind("%", len(cut) - 2)
        slug = f"{cut[:escape] if escape != -1 else cut}~{digest}"
    return slug


def slug_to_name(slug: str) -> str:
    return unquote(slug, errors="surrogatepass")


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """What one partition write produced; the commit step sums these into the run summary."""

    table: str
    path: str
    rows: int
    counts: tuple[tuple[str, int], ...]  # rejects by reason / duplicates by kind
    staged: str | None = None  # where it was written, when the run stages before committing
    # (column, value, rows) for the run record's other tallies: published_from, enrichment,
    # page_fetch (``FACETS``)
    facets: tuple[tuple[str, str, int], ...] = ()


def partition_dir(output: str, table: str, date: str, source: str | None) -> str:
    parts = [output.rstrip("/"), table, f"date={date}"]
    if table in PARTITIONED_BY_SOURCE:
        parts.append(f"source={partition_slug(source)}")
    return posixpath.join(*parts) if "://" in output else "/".join(parts)


def partition_key(record: Article | Duplicate | Reject) -> tuple[str, str, str | None]:
    table = {Article: "articles", Duplicate: "duplicates", Reject: "rejects"}[type(record)]
    source = None if table not in PARTITIONED_BY_SOURCE else record.source
    return (table, record.partition_date, source)


def _counts(records: list[Any], table: str) -> tuple[tuple[str, int], ...]:
    field = {"rejects": "reason", "duplicates": "kind"}.get(table)
    if field is None:
        return ()
    tally: dict[str, int] = {}
    for record in records:
        key = getattr(record, field)
        tally[key] = tally.get(key, 0) + 1
    return tuple(sorted(tally.items()))


# Columns whose values the run record counts, per table (null values are not counted).
FACETS: dict[str, tuple[str, ...]] = {
    "articles": ("published_from", "enrichment", "page_fetch"),
    "duplicates": ("published_from",),
    "rejects": (),
}


def _facets(records: list[Any], table: str) -> tuple[tuple[str, str, int], ...]:
    tally: dict[tuple[str, str], int] = {}
    for column in FACETS[table]:
        for record in records:
            value = getattr(record, column)
            if value is not None:
                tally[(column, value)] = tally.get((column, value), 0) + 1
    return tuple((column, value, n) for (column, value), n in sorted(tally.items()))


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file of a partition, converted to Arrow and named, not yet on disk: converting holds
    the GIL, writing it (``write_parquet_atomic``) mostly does not."""

    arrow: pa.Table
    temp: str
    target: str
    written: WrittenFile


def plan_partition(
    output: str,
    key: tuple[str, str, str | None],
    records: Iterable[Article | Duplicate | Reject],
    schema: pa.Schema,
    fingerprint: str,
    max_rows_per_file: int = MAX_ROWS_PER_FILE,
    staging: str | None = None,
) -> list[PlannedFile]:
    """One partition's rows (sorted by id) as the files ``write_partition`` writes."""
    table, date, source = key
    ordered = sorted(records, key=lambda r: r.id)
    folder = partition_dir(output, table, date, source)
    write_folder = partition_dir(staging, table, date, source) if staging else folder
    planned = []
    for shard, start in enumerate(range(0, len(ordered), max_rows_per_file)):
        chunk = ordered[start : start + max_rows_per_file]
        name = f"part-{fingerprint}-{shard:04d}.parquet"
        target = f"{write_folder}/{name}"
        written = WrittenFile(
            table,
            f"{folder}/{name}",
            len(chunk),
            _counts(chunk, table),
            staged=target if staging else None,
            facets=_facets(chunk, table),
        )
        arrow = as_table(chunk, with_version(schema))
        planned.append(PlannedFile(arrow, f"{write_folder}/.{name}.inprogress", target, written))
    return planned


def write_planned(planned: PlannedFile) -> WrittenFile:
    write_parquet_atomic(planned.arrow, planned.temp, planned.target)
    return planned.written


def write_partition(
    output: str,
    key: tuple[str, str, str | None],
    records: Iterable[Article | Duplicate | Reject],
    schema: pa.Schema,
    fingerprint: str,
    max_rows_per_file: int = MAX_ROWS_PER_FILE,
    staging: str | None = None,
) -> list[WrittenFile]:
    """Write one partition's rows (sorted by id) as one or more Parquet files, atomically.

    With ``staging``, files are written under that folder with the same layout and only the
    commit step moves them to their final place, so a run that dies leaves no rows visible.
    """
    written = []
    for planned in plan_partition(
        output, key, records, schema, fingerprint, max_rows_per_file, staging
    ):
        written.append(write_planned(planned))
        crash_point("after-file")
    return written


def write_parquet_atomic(arrow: pa.Table, temp: str, final: str) -> None:
    """zstd, large row groups, statistics on, dictionaries only in large files; readers never
    see a half-written file."""
    with FileSystems.create(temp, compression_type=CompressionTypes.UNCOMPRESSED) as sink:
        pq.write_table(
            arrow,
            sink,
            compression="zstd",
            row_group_size=ROW_GROUP_SIZE,
            write_statistics=True,
            use_dictionary=arrow.num_rows >= DICTIONARY_MIN_ROWS,
        )
    FileSystems.rename([temp], [final])


def window_fingerprint(fingerprint: str, window: Any) -> str:
    """Streaming: one file set per window, named after the window's start (epoch seconds)."""
    start = getattr(window, "start", None)
    return f"{fingerprint}-w{int(start)}" if start is not None else fingerprint


class _WritePartitionFn(beam.DoFn):
    """Writes each partition's files on a small thread pool: the GIL-bound part (records to
    Arrow) runs here while earlier files are encoded, compressed and written by Arrow's C++
    writer, which releases the GIL (docs/design-notes.md#parallel-writes). A file is reported
    (and counted) once it is on disk; the bundle ends only when all of its files are."""

    def __init__(
        self,
        output: str,
        schemas: dict[str, pa.Schema],
        fingerprint: str,
        staging: str | None,
        progress_dir: str | None = None,
        per_window: bool = False,
        storage: dict[str, Any] | None = None,
        writer_threads: int = DEFAULT_WRITER_THREADS,
    ) -> None:
        self.output = output
        self.schemas = schemas
        self.fingerprint = fingerprint
        self.staging = staging
        self.progress_dir = progress_dir
        self.per_window = per_window
        self.storage = storage
        self.writer_threads = writer_threads

    def setup(self) -> None:
        use_storage_options(self.storage)
        self.progress = ProgressCounter(self.progress_dir, min_interval=0.0)
        self.pool = ThreadPoolExecutor(self.writer_threads, thread_name_prefix="akhbar-write")

    def start_bundle(self) -> None:
        self.pending: deque[tuple[Future[WrittenFile], WindowedValue]] = deque()

    def process(
        self,
        element: tuple[tuple[str, str, str | None], Iterable[Any]],
        window: Any = beam.DoFn.WindowParam,
        timestamp: Any = beam.DoFn.TimestampParam,
    ) -> Iterator[WindowedValue]:
        key, records = element
        fingerprint = (
            window_fingerprint(self.fingerprint, window) if self.per_window else self.fingerprint
        )
        for planned in plan_partition(
            self.output,
            key,
            records,
            self.schemas[key[0]],
            fingerprint,
            staging=self.staging,
        ):
            future = self.pool.submit(write_planned, planned)
            self.pending.append((future, WindowedValue(None, timestamp, (window,))))
            # at most two files per thread in memory: bounded, and the threads never starve
            while len(self.pending) > 2 * self.writer_threads:
                yield self._finish_oldest()

    def finish_bundle(self) -> Iterator[WindowedValue]:
        while self.pending:
            yield self._finish_oldest()

    def _finish_oldest(self) -> WindowedValue:
        """The oldest file once written, in its own element's window (it may have been
        submitted while an earlier element was processed)."""
        future, where = self.pending.popleft()
        written = future.result()
        crash_point("after-file")
        self.progress.add(f"written:{written.table}", written.rows)
        return where.with_value(written)

    def teardown(self) -> None:
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.shutdown(wait=True)


PartitionKey = tuple[str, str, str | None]


def _keyed(record: Article | Duplicate | Reject) -> tuple[PartitionKey, Record]:
    return partition_key(record), record


class WriteTables(beam.PTransform):
    """Records of any table -> Parquet partitions; outputs one WrittenFile per file."""

    def __init__(
        self,
        output: str,
        schemas: dict[str, pa.Schema],
        fingerprint: str,
        staging: str | None = None,
        progress_dir: str | None = None,
        per_window: bool = False,
        storage: dict[str, Any] | None = None,
        writer_threads: int = DEFAULT_WRITER_THREADS,
    ) -> None:
        super().__init__()
        self.writer_threads = writer_threads
        self.per_window = per_window
        self.storage = storage
        self.output = output
        self.schemas = schemas
        self.fingerprint = fingerprint
        self.staging = staging
        self.progress_dir = progress_dir

    def expand(self, records):
        """``records``: one PCollection, or several (a tuple or list), one per producer; each
        is keyed by its partition (with the record coders: text compressed) before they meet."""
        branches = list(records) if isinstance(records, (tuple, list)) else [records]
        keyed = [
            branch
            | f"KeyByPartition{i if len(branches) > 1 else ''}"
            >> beam.Map(_keyed).with_output_types(tuple[PartitionKey, Record])
            for i, branch in enumerate(branches)
        ]
        pairs = keyed[0] if len(keyed) == 1 else keyed | "AllRecords" >> beam.Flatten()
        return (
            pairs
            | "GroupByPartition" >> beam.GroupByKey()
            | "WriteParquet"
            >> beam.ParDo(
                _WritePartitionFn(
                    self.output,
                    self.schemas,
                    self.fingerprint,
                    self.staging,
                    self.progress_dir,
                    self.per_window,
                    self.storage,
                    self.writer_threads,
                )
            )
        )
