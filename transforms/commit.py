"""The run's single terminal step: it depends on every branch, then publishes the run.

Ending the pipeline in one step fed by all write results is what makes the Dask runner compute
every branch (it computes only the last bag), and it is where a run becomes visible as a whole:
the summary under ``_runs/`` is written only after every table's files are in place, and files
that an earlier run of the same inputs wrote but this run did not are removed afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.write import WrittenFile


@dataclass(frozen=True, slots=True)
class ReadCount:
    """How many items (or whole-file rejects) one input file produced."""

    input: str
    items: int


def summarize(results: Iterable[WrittenFile | ReadCount]) -> dict[str, Any]:
    read = 0
    tables = {"articles": 0, "duplicates": 0, "rejects": 0}
    duplicates_by_kind: dict[str, int] = {}
    rejects_by_reason: dict[str, int] = {}
    files: list[str] = []
    inputs = 0
    for result in results:
        if isinstance(result, ReadCount):
            read += result.items
            inputs += 1
            continue
        tables[result.table] += result.rows
        files.append(result.path)
        target = rejects_by_reason if result.table == "rejects" else duplicates_by_kind
        for key, count in result.counts:
            target[key] = target.get(key, 0) + count
    accounted = tables["articles"] + tables["duplicates"] + tables["rejects"]
    return {
        "input_files": inputs,
        "read": read,
        "articles": tables["articles"],
        "duplicates": tables["duplicates"],
        "rejects": tables["rejects"],
        "duplicates_by_kind": dict(sorted(duplicates_by_kind.items())),
        "rejects_by_reason": dict(sorted(rejects_by_reason.items())),
        "accounted": accounted,
        "balanced": accounted == read,
        "files": sorted(files),
    }


def stale_files(output: str, fingerprint: str, written: set[str]) -> list[str]:
    """Files from an earlier run of the same inputs that this run did not rewrite."""
    stale = []
    for table in ("articles", "duplicates", "rejects"):
        pattern = f"{output.rstrip('/')}/{table}/**/part-{fingerprint}-*.parquet"
        for match in FileSystems.match([pattern])[0].metadata_list:
            if match.path not in written:
                stale.append(match.path)
    return stale


def publish_run(
    output: str, run_id: str, fingerprint: str, meta: dict[str, Any], results: Iterable[Any]
) -> dict[str, Any]:
    summary = summarize(results)
    removed = stale_files(output, fingerprint, set(summary["files"]))
    if removed:
        FileSystems.delete(removed)
    record = {
        **meta,
        "run_id": run_id,
        "fingerprint": fingerprint,
        "finished_at": datetime.now(UTC).isoformat(),
        "stale_files_removed": len(removed),
        **summary,
    }
    path = f"{output.rstrip('/')}/_runs/{run_id}.json"
    temp = f"{output.rstrip('/')}/_runs/.{run_id}.json.inprogress"
    with FileSystems.create(temp, compression_type=CompressionTypes.UNCOMPRESSED) as sink:
        sink.write(json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    FileSystems.rename([temp], [path])
    return record


class _PublishFn(beam.DoFn):
    def __init__(self, output: str, run_id: str, fingerprint: str, meta: dict[str, Any]) -> None:
        self.output = output
        self.run_id = run_id
        self.fingerprint = fingerprint
        self.meta = meta

    def process(self, element: tuple[None, Iterable[Any]]) -> Iterator[dict[str, Any]]:
        yield publish_run(self.output, self.run_id, self.fingerprint, self.meta, element[1])


class CommitRun(beam.PTransform):
    """All write results + read counts -> one published run record."""

    def __init__(self, output: str, run_id: str, fingerprint: str, meta: dict[str, Any]) -> None:
        super().__init__()
        self.output = output
        self.run_id = run_id
        self.fingerprint = fingerprint
        self.meta = meta

    def expand(self, results):
        return (
            results
            | "ToOneKey" >> beam.Map(lambda r: (None, r))
            | "Gather" >> beam.GroupByKey()
            | "Publish"
            >> beam.ParDo(_PublishFn(self.output, self.run_id, self.fingerprint, self.meta))
        )
