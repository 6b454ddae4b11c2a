"""The run's single terminal step: it depends on every branch, then publishes the run.

Ending the pipeline in one step fed by all write results is what makes the Dask runner compute
every branch (it computes only the last bag), and it is where a run becomes visible as a whole:
the summary under ``_runs/`` is written only after every table's files are in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from akhbar.schemas.run_record import RunRecord
from akhbar.transforms.accounting import AlreadyIngested, ReadCount
from akhbar.transforms.state import (
    FetchState,
    crash_point,
    delete_quietly,
    delete_tree,
    ensure_dir,
    join,
    list_files,
    load_validators,
    merge_validators,
    read_json,
    staging_dir,
    state_dir,
    use_storage_options,
    validators_path,
    write_json_atomic,
)
from akhbar.transforms.write import WrittenFile, window_fingerprint


def summarize(results: Iterable[Any]) -> dict[str, Any]:
    """The run record's counts, from every write result, read count and skipped item."""
    read = 0
    tables = {"articles": 0, "duplicates": 0, "rejects": 0}
    by_table = {"rejects": "rejects_by_reason", "duplicates": "duplicates_by_kind"}
    names = ("duplicates_by_kind", "rejects_by_reason", "skipped_not_items")
    tallies: dict[str, dict[str, int]] = {
        name: {} for name in (*names, "published_from", "enrichment", "page_fetch")
    }
    files: list[str] = []
    inputs = already = changed = 0

    def add(tally: str, key: str, count: int) -> None:
        tallies[tally][key] = tallies[tally].get(key, 0) + count

    for result in results:
        if isinstance(result, AlreadyIngested):
            already += 1
            changed += result.changed
        elif isinstance(result, ReadCount):
            read += result.items
            inputs += 1
            for reason, count in result.skipped:
                add("skipped_not_items", reason, count)
        elif isinstance(result, WrittenFile):
            tables[result.table] += result.rows
            files.append(result.path)
            for key, count in result.counts:
                add(by_table[result.table], key, count)
            for column, value, count in result.facets:
                add(column, value, count)
    accounted = tables["articles"] + tables["duplicates"] + tables["rejects"] + already
    return {
        "input_files": inputs,
        "read": read,
        **tables,
        "already_ingested": already,
        "already_ingested_changed": changed,
        **{name: dict(sorted(tally.items())) for name, tally in tallies.items()},
        "accounted": accounted,
        "balanced": accounted == read,
        "files": sorted(files),
    }


def _is_index_file(result: object) -> bool:
    return type(result).__name__ == "IndexFile"


def _sum_fields(stats: list[Any]) -> dict[str, int]:
    """Field-wise sum of dataclass counters (near-dup statistics from every worker)."""
    total: dict[str, int] = {}
    for item in stats:
        for key, value in asdict(item).items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return total


def pending_path(output: str, run_id: str) -> str:
    return join(state_dir(output), "pending", f"{run_id}.json")


def publish_run(
    output: str, run_id: str, fingerprint: str, meta: dict[str, Any], results: Iterable[Any]
) -> dict[str, Any]:
    """Commit protocol: record intent, move staged files, update state, publish the record.

    The pending manifest is written first, so a run killed at any later point is finished by
    ``recover_incomplete_runs`` at the start of the next run (roll forward); a run killed
    before it leaves only staging files, which readers never see and recovery deletes.
    """
    items = list(results)
    summary = summarize(items)
    written = [r for r in items if isinstance(r, WrittenFile)]
    fetched = [asdict(r) for r in items if isinstance(r, FetchState)]
    near = [r for r in items if type(r).__name__ == "NearDedupStats"]
    record = {"output": output, **meta, "run_id": run_id, "fingerprint": fingerprint, **summary}
    if near:
        record["near_dedup"] = _sum_fields(near)
    record = RunRecord.from_json(record).to_json()  # the typed record's keys, nothing misspelt
    pending = {
        "run_id": run_id,
        "fingerprint": fingerprint,
        # table files, then the near-dup index files of the same run (any object with
        # ``staged`` and ``path``): an index must never name articles that are not visible
        "moves": [[w.staged, w.path] for w in written if w.staged]
        + [[r.staged, r.path] for r in items if _is_index_file(r) and r.staged],
        "fetched": fetched,
        "record": record,
    }
    crash_point("before-pending")
    write_json_atomic(pending_path(output, run_id), pending)
    crash_point("after-pending")
    return finish_commit(output, pending)


def finish_commit(output: str, pending: dict[str, Any]) -> dict[str, Any]:
    """Idempotent second half of the commit: safe to run again after a crash at any line."""
    for staged, final in pending["moves"]:
        if FileSystems.exists(staged):
            ensure_dir(final.rsplit("/", 1)[0])
            FileSystems.rename([staged], [final])
            crash_point("mid-moves")
    record = dict(pending["record"])
    if pending["fetched"]:
        known = load_validators(output)
        merged = merge_validators(known, [FetchState(**f) for f in pending["fetched"]])
        write_json_atomic(validators_path(output), merged)
    crash_point("before-record")
    record["finished_at"] = datetime.now(UTC).isoformat()
    write_json_atomic(join(output, "_runs", f"{pending['run_id']}.json"), record)
    delete_tree(staging_dir(output, pending["run_id"]))
    delete_quietly([pending_path(output, pending["run_id"])])
    return record


def recover_incomplete_runs(output: str) -> list[str]:
    """Finish commits a killed run had started; drop staging a killed run never committed.

    Must run while holding the output lock, before a new run stages anything.
    """
    recovered = []
    for path in list_files(join(state_dir(output), "pending", "*.json")):
        pending = read_json(path)
        if isinstance(pending, dict) and "moves" in pending:
            finish_commit(output, pending)
            recovered.append(str(pending["run_id"]))
    leftovers = {
        p.split("/_staging/", 1)[1].split("/", 1)[0]
        for p in list_files(join(output, "_staging", "**"))
    }
    for run in sorted(leftovers):
        delete_tree(staging_dir(output, run))
    return recovered


def window_run(run_id: str, fingerprint: str, window: Any) -> tuple[str, str]:
    """Streaming: the (run id, fingerprint) a window is committed under (``<run>-w<start>``);
    its staging folder is ``staging_dir(output, run id)``, removed by its commit."""
    fingerprint = window_fingerprint(fingerprint, window)
    return f"{run_id}-{fingerprint.rsplit('-', 1)[1]}", fingerprint


class _PublishFn(beam.DoFn):
    def __init__(
        self,
        output: str,
        run_id: str,
        fingerprint: str,
        meta: dict[str, Any],
        per_window: bool = False,
        storage: dict[str, Any] | None = None,
    ) -> None:
        self.output = output
        self.run_id = run_id
        self.fingerprint = fingerprint
        self.meta = meta
        self.per_window = per_window
        self.storage = storage

    def setup(self) -> None:
        use_storage_options(self.storage)

    def process(
        self, element: tuple[None, Iterable[Any]], window: Any = beam.DoFn.WindowParam
    ) -> Iterator[dict[str, Any]]:
        run_id, fingerprint = self.run_id, self.fingerprint
        if self.per_window:  # streaming: one record per window, for that window's files
            run_id, fingerprint = window_run(self.run_id, self.fingerprint, window)
        yield publish_run(self.output, run_id, fingerprint, self.meta, element[1])


class CommitRun(beam.PTransform):
    """All write results + read counts -> one published run record."""

    def __init__(
        self,
        output: str,
        run_id: str,
        fingerprint: str,
        meta: dict[str, Any],
        per_window: bool = False,
        storage: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.output = output
        self.run_id = run_id
        self.fingerprint = fingerprint
        self.meta = meta
        self.per_window = per_window
        self.storage = storage

    def expand(self, results):
        return (
            results
            | "ToOneKey" >> beam.Map(lambda r: (None, r))
            | "Gather" >> beam.GroupByKey()
            | "Publish"
            >> beam.ParDo(
                _PublishFn(
                    self.output,
                    self.run_id,
                    self.fingerprint,
                    self.meta,
                    self.per_window,
                    self.storage,
                )
            )
        )
