"""The run's single terminal step: it depends on every branch, then publishes the run.

Every branch's results are tallied into one value (``transforms.tally``, a CombineGlobally), and
the commit is where a run becomes visible as a whole: the summary under ``_runs/`` is written
only after every table's files are in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from akhbar.schemas.run_record import RunRecord
from akhbar.transforms.compact import finish_compactions
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
from akhbar.transforms.tally import RunTally, TallyRun
from akhbar.transforms.write import window_fingerprint


def pending_path(output: str, run_id: str) -> str:
    return join(state_dir(output), "pending", f"{run_id}.json")


def publish_run(
    output: str,
    run_id: str,
    fingerprint: str,
    meta: dict[str, Any],
    results: Iterable[Any] | RunTally,
) -> dict[str, Any]:
    """Commit protocol: record intent, move staged files, update state, publish the record.

    The pending manifest is written first, so a run killed at any later point is finished by
    ``recover_incomplete_runs`` at the start of the next run (roll forward); a run killed
    before it leaves only staging files, which readers never see and recovery deletes.
    """
    tally = results if isinstance(results, RunTally) else RunTally.of(results)
    record = {
        "output": output,
        **meta,
        "run_id": run_id,
        "fingerprint": fingerprint,
        **tally.summary(),
    }
    record = RunRecord.from_json(record).to_json()  # the typed record's keys, nothing misspelt
    pending = {
        "run_id": run_id,
        "fingerprint": fingerprint,
        "moves": tally.moves(),
        "fetched": tally.fetched,
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
    recovered = finish_compactions(output)  # before staging is cleared: it holds their files
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
        self, tally: RunTally, window: Any = beam.DoFn.WindowParam
    ) -> Iterator[dict[str, Any]]:
        run_id, fingerprint = self.run_id, self.fingerprint
        if self.per_window:  # streaming: one record per window, for that window's files
            run_id, fingerprint = window_run(self.run_id, self.fingerprint, window)
        yield publish_run(self.output, run_id, fingerprint, self.meta, tally)


class CommitRun(beam.PTransform):
    """All write results + read counts -> one published run record (per window in a stream)."""

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
        tally = beam.CombineGlobally(TallyRun())
        if self.per_window:  # a stream's windows: one tally per window that has results
            tally = tally.without_defaults()
        return (
            results
            | "Tally" >> tally
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
