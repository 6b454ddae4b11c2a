"""What earlier runs wrote, read back from the output tables themselves.

The tables are the exact-dedup state: a file is visible exactly when its run committed, so the
state can never disagree with what readers see. Only the key columns of recent partitions are
read (Parquet is columnar; ``--state-horizon-days`` bounds memory by when files were written), and files of the current
input fingerprint are skipped because this run replaces them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from akhbar.transforms.dedup.urls import url_key
from akhbar.transforms.state import use_storage_options
from akhbar.transforms.write import slug_to_name

_SOURCE = re.compile(r"/source=([^/]+)/")


@dataclass(frozen=True, slots=True)
class PriorEntry:
    """One article (or duplicate) an earlier run wrote, reduced to its matching keys."""

    canonical_id: str
    cluster_id: str
    source: str
    guid: str | None
    url_key: str | None
    content_hash: str | None
    published_at: datetime | None

    def item_identity(self) -> tuple[str, str | None]:
        return (self.source, self.guid or self.url_key)


def prior_files(
    output: str, exclude_fingerprint: str, horizon_days: int, now: float | None = None
) -> list[str]:
    """Committed article/duplicate files written within ``horizon_days`` of now.

    The horizon is on when a file was written, not on the articles' dates: a backfill of 2016
    news written yesterday is as "recent" for matching as this morning's poll.
    """
    cutoff = (now if now is not None else time.time()) - horizon_days * 86400
    found: list[str] = []
    for table in ("articles", "duplicates"):
        pattern = f"{output.rstrip('/')}/{table}/**/part-*.parquet"
        for meta in FileSystems.match([pattern])[0].metadata_list:
            path = meta.path
            if f"/part-{exclude_fingerprint}-" in path or "/_staging/" in path:
                continue
            written = getattr(meta, "last_updated_in_seconds", None) or 0
            if written and written < cutoff:
                continue
            found.append(path)
    return sorted(found)


def read_prior_file(path: str) -> Iterator[PriorEntry]:
    is_duplicates = "/duplicates/" in path
    id_column = "duplicate_of" if is_duplicates else "id"
    columns = [id_column, "cluster_id", "guid", "url", "content_hash", "published_at"]
    with FileSystems.open(path) as handle:
        table = pq.read_table(handle, columns=columns)
    m = _SOURCE.search(path)
    source = slug_to_name(m.group(1)) if m else ""
    for row in table.to_pylist():
        yield PriorEntry(
            canonical_id=row[id_column],
            cluster_id=row["cluster_id"],
            source=source,
            guid=row["guid"],
            url_key=url_key(row["url"]),
            content_hash=row["content_hash"],
            published_at=row["published_at"],
        )


class _ReadPriorFn(beam.DoFn):
    def __init__(self, storage: dict[str, Any] | None) -> None:
        self.storage = storage

    def setup(self) -> None:
        use_storage_options(self.storage)

    def process(self, path: str) -> Iterator[PriorEntry]:
        yield from read_prior_file(path)


class ReadPrior(beam.PTransform):
    """Prior table files -> PriorEntry records, read on the workers (not on the driver).

    ``storage``: the run's storage options, for workers that do not get them from Beam
    (``transforms.state.use_storage_options``).
    """

    def __init__(self, paths: list[str], storage: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.storage = storage

    def expand(self, pbegin):
        return (
            pbegin
            | "ListPriorFiles" >> beam.Create(self.paths, reshuffle=False)
            | "ReadPriorKeys" >> beam.ParDo(_ReadPriorFn(self.storage))
        )
