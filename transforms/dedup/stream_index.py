"""The cross-run near-duplicate index of a stream: one staged file per (window, article month).

``StreamingNearDedup`` emits an ``IndexEntry`` for each canonical it keeps; these are windowed
with the tables and written here, and the window's commit moves them into
``OUTPUT/_state/near_index`` (see ``near_index`` for the layout), so a later batch run matches
copies against the stream's articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from akhbar.transforms.commit import window_run
from akhbar.transforms.dedup.near_index import (
    IndexEntry,
    IndexFile,
    index_dir,
    index_file_path,
    index_period,
    write_index_file,
)
from akhbar.transforms.state import join, staging_dir


class _WriteWindowIndexFn(beam.DoFn):
    def __init__(self, output: str, run_id: str, fingerprint: str) -> None:
        self.output = output
        self.run_id = run_id
        self.fingerprint = fingerprint

    def process(
        self, element: tuple[str, Iterable[IndexEntry]], window: Any = beam.DoFn.WindowParam
    ) -> Iterator[IndexFile]:
        date, rows = element
        run_id, fingerprint = window_run(self.run_id, self.fingerprint, window)
        final = index_file_path(index_dir(self.output), date, fingerprint)
        staging = join(staging_dir(self.output, run_id), "_state", "near_index")
        staged = index_file_path(staging, date, fingerprint)
        yield IndexFile(final, write_index_file(rows, staged), staged)


class WriteStreamIndex(beam.PTransform):
    """Windowed IndexEntries -> one staged index file per (window, article month).

    The window's commit (``CommitRun(per_window=True)``, fed these ``IndexFile``s) moves them
    into ``OUTPUT/_state/near_index`` with the window's table files and removes its staging
    folder, so an index never names articles of a window that was not committed.
    """

    def __init__(self, output: str, run_id: str, fingerprint: str) -> None:
        super().__init__()
        self.fn = _WriteWindowIndexFn(output, run_id, fingerprint)

    def expand(self, entries):
        return (
            entries
            | "KeyByMonth" >> beam.Map(lambda e: (index_period(e), e))
            | "GroupByMonth" >> beam.GroupByKey()
            | "WriteIndexFile" >> beam.ParDo(self.fn)
        )
