"""Sources: every input format becomes a ``RawItem``; unreadable inputs become ``Reject``s."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import apache_beam as beam

from akhbar.schemas.records import RawItem, Reject, make_reject
from akhbar.transforms import coders  # noqa: F401  (registers the record coders)
from akhbar.transforms.accounting import ReadCount
from akhbar.transforms.identity import content_digest, item_anchor, reject_key
from akhbar.transforms.progress import ProgressCounter
from akhbar.transforms.sources.files import InputFile, expand_inputs, read_input_file
from akhbar.transforms.sources.limits import DEFAULT_LIMITS, ReadLimits
from akhbar.transforms.sources.warc import WarcStats
from akhbar.transforms.state import crash_point

REJECTS_TAG = "rejects"
COUNTS_TAG = "counts"
MID_READ_AFTER = 5  # the crash tests' "mid-read" point: after this many items of a file

__all__ = ["COUNTS_TAG", "REJECTS_TAG", "InputFile", "ReadInputFiles", "expand_inputs"]


def keyed_reject(reject: Reject, anchor: str, seen: Counter[tuple[str, str, str]]) -> Reject:
    """A reader's reject with its identity across runs (``transforms.identity.reject_key``):
    ``anchor`` is the item read before it, ``seen`` counts the same reason and payload after
    the same anchor earlier in the same input."""
    if reject.item_key:
        return reject
    mark = (reject.reason, content_digest(reject.payload), anchor)
    occurrence = seen[mark]
    seen[mark] += 1
    key = reject_key(reject.reason, reject.payload, anchor, occurrence)
    return replace(reject, item_key=key)


class ReadFileDoFn(beam.DoFn):
    """One input file -> RawItems (main), Rejects, and one ReadCount for the run's accounting."""

    def __init__(
        self, now: datetime, progress_dir: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
    ) -> None:
        self.now = now
        self.progress_dir = progress_dir
        self.limits = limits

    def setup(self) -> None:
        self.progress = ProgressCounter(self.progress_dir)

    def finish_bundle(self) -> None:
        self.progress.flush()

    def process(self, item: InputFile) -> Iterator[RawItem | beam.pvalue.TaggedOutput]:
        produced = 0
        warc_stats = WarcStats()
        anchor = ""  # the item read last (transforms.identity.item_anchor)
        seen: Counter[tuple[str, str, str]] = Counter()
        try:
            for result in read_input_file(item, self.now, warc_stats, self.limits):
                produced += 1
                if produced == MID_READ_AFTER:
                    crash_point("mid-read")
                self.progress.add("read")
                if isinstance(result, Reject):
                    yield beam.pvalue.TaggedOutput(REJECTS_TAG, keyed_reject(result, anchor, seen))
                else:
                    anchor = item_anchor(result.source, result.guid, result.url, result.title)
                    yield result
        except Exception as exc:  # the file's reader broke: record it, keep what it yielded
            produced += 1
            yield beam.pvalue.TaggedOutput(
                REJECTS_TAG,
                make_reject(
                    f"{item.display}#after={produced - 1}",
                    "read",
                    "read:internal-error",
                    repr(exc)[:300],
                    None,
                    self.now,
                ),
            )
        skipped = tuple(sorted(warc_stats.skipped().items()))
        yield beam.pvalue.TaggedOutput(COUNTS_TAG, ReadCount(item.display, produced, skipped))


class ReadInputFiles(beam.PTransform):
    """Input files -> (items, rejects, counts).

    The file list is reshuffled, so that files are read by every worker, not by the one that
    created the list. Items are redistributed too (one big file would otherwise be cleaned by
    the worker that read it) unless ``redistribute`` is off: with a single worker that shuffle
    only costs (about 1 s per 10k items on FnApiRunner).
    """

    def __init__(
        self,
        files: list[InputFile],
        now: datetime,
        progress_dir: str | None = None,
        limits: ReadLimits = DEFAULT_LIMITS,
        redistribute: bool = True,
    ) -> None:
        super().__init__()
        self.redistribute = redistribute
        self.files = files
        self.now = now
        self.progress_dir = progress_dir
        self.limits = limits

    def expand(self, pbegin):
        outputs = (
            pbegin
            | "ListFiles" >> beam.Create(self.files)  # reshuffled: reading spreads over workers
            | "ReadFiles"
            >> beam.ParDo(ReadFileDoFn(self.now, self.progress_dir, self.limits))
            .with_output_types(RawItem)
            .with_outputs(REJECTS_TAG, COUNTS_TAG, main="items")
        )
        items = outputs.items
        if self.redistribute:
            items = items | "Redistribute" >> beam.Reshuffle().with_output_types(RawItem)
        return items, outputs[REJECTS_TAG], outputs[COUNTS_TAG]
