"""The run's tally: every write result, read count and skipped item reduced to one value.

It is associative (``add``, ``merge``), so the commit step gathers it with ``CombineGlobally``
and runners can combine partial tallies where results are made, instead of sending every
result to one worker under one key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import apache_beam as beam

from akhbar.transforms.accounting import AlreadyIngested, ReadCount
from akhbar.transforms.state import FetchState
from akhbar.transforms.write import WrittenFile

TALLIES = (
    "duplicates_by_kind",
    "rejects_by_reason",
    "skipped_not_items",
    "published_from",
    "enrichment",
    "page_fetch",
)
_BY_TABLE = {"rejects": "rejects_by_reason", "duplicates": "duplicates_by_kind"}


@dataclass(slots=True)
class RunTally:
    """Counts of one run so far, and what its commit must move and record."""

    read: int = 0
    inputs: int = 0
    already: int = 0
    changed: int = 0
    tables: dict[str, int] = field(
        default_factory=lambda: {"articles": 0, "duplicates": 0, "rejects": 0}
    )
    tallies: dict[str, dict[str, int]] = field(default_factory=lambda: {t: {} for t in TALLIES})
    files: list[str] = field(default_factory=list)
    table_moves: list[tuple[str, str]] = field(default_factory=list)
    index_moves: list[tuple[str, str]] = field(default_factory=list)
    fetched: list[dict[str, Any]] = field(default_factory=list)
    near: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, results: Iterable[Any]) -> RunTally:
        tally = cls()
        for result in results:
            tally.add(result)
        return tally

    def _count(self, tally: str, key: str, count: int) -> None:
        self.tallies[tally][key] = self.tallies[tally].get(key, 0) + count

    def add(self, result: Any) -> RunTally:
        if isinstance(result, AlreadyIngested):
            self.already += 1
            self.changed += result.changed
        elif isinstance(result, ReadCount):
            self.read += result.items
            self.inputs += 1
            for reason, count in result.skipped:
                self._count("skipped_not_items", reason, count)
        elif isinstance(result, WrittenFile):
            self.tables[result.table] += result.rows
            self.files.append(result.path)
            if result.staged:
                self.table_moves.append((result.staged, result.path))
            for key, count in result.counts:
                self._count(_BY_TABLE[result.table], key, count)
            for column, value, count in result.facets:
                self._count(column, value, count)
        elif isinstance(result, FetchState):
            self.fetched.append(asdict(result))
        elif type(result).__name__ == "IndexFile":  # a near-dup index file of this run
            if result.staged:
                self.index_moves.append((result.staged, result.path))
        elif type(result).__name__ == "NearDedupStats":
            for key, value in asdict(result).items():
                self.near[key] = self.near.get(key, 0) + value
        return self

    def merge(self, other: RunTally) -> RunTally:
        self.read += other.read
        self.inputs += other.inputs
        self.already += other.already
        self.changed += other.changed
        for table, rows in other.tables.items():
            self.tables[table] += rows
        for name, values in other.tallies.items():
            for key, count in values.items():
                self._count(name, key, count)
        self.files += other.files
        self.table_moves += other.table_moves
        self.index_moves += other.index_moves
        self.fetched += other.fetched
        for key, value in other.near.items():
            self.near[key] = self.near.get(key, 0) + value
        return self

    def summary(self) -> dict[str, Any]:
        """The run record's counts (``schemas.run_record.RunRecord``'s fields)."""
        accounted = sum(self.tables.values()) + self.already
        out: dict[str, Any] = {
            "input_files": self.inputs,
            "read": self.read,
            **self.tables,
            "already_ingested": self.already,
            "already_ingested_changed": self.changed,
            **{name: dict(sorted(values.items())) for name, values in self.tallies.items()},
            "accounted": accounted,
            "balanced": accounted == self.read,
            "files": sorted(self.files),
        }
        if self.near:
            out["near_dedup"] = dict(self.near)
        return out

    def moves(self) -> list[list[str]]:
        """Table files first, then the near-dup index files: an index must never name
        articles that are not visible yet."""
        return [list(m) for m in sorted(self.table_moves) + sorted(self.index_moves)]


def summarize(results: Iterable[Any]) -> dict[str, Any]:
    """The run record's counts, from every write result, read count and skipped item."""
    return RunTally.of(results).summary()


class TallyRun(beam.CombineFn):
    """Every result of a run (or of a window, in a stream) -> one RunTally."""

    def create_accumulator(self) -> RunTally:
        return RunTally()

    def add_input(self, tally: RunTally, result: Any) -> RunTally:
        return tally.add(result)

    def merge_accumulators(self, tallies: Iterable[RunTally]) -> RunTally:
        merged = RunTally()
        for tally in tallies:
            merged.merge(tally)
        return merged

    def extract_output(self, tally: RunTally) -> RunTally:
        return tally
