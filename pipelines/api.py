"""akhbar's Python API: ``akhbar.ingest``, ``akhbar.connect`` and ``akhbar.RunRecord``.

``ingest`` is the command line's ``akhbar ingest`` called from Python: the same options (given as
keyword arguments), the same checks, the same lock, commit and run record. It goes through the
command line's argument list on purpose, so that the two can never drift apart: an option works
in one exactly when it works in the other.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akhbar.schemas.run_record import RunRecord

if TYPE_CHECKING:
    import duckdb

__all__ = ["AccountingError", "RunRecord", "connect", "ingest", "ingest_argv"]

PathArg = str | PathLike[str]


class AccountingError(RuntimeError):
    """The run finished, but items read != rows written + already ingested (CLI exit code 1).

    The run was committed; ``record`` says what was counted where.
    """

    def __init__(self, record: RunRecord) -> None:
        super().__init__(
            f"run {record.run_id}: read {record.read} but accounted for {record.accounted} "
            f"(see {record.output}/_runs/{record.run_id}.json)"
        )
        self.record = record


def _flag_names() -> dict[str, str]:
    """akhbar's own ingest options: argparse dest -> the flag that sets it."""
    import argparse

    from akhbar.pipelines.options import IngestOptions

    parser = argparse.ArgumentParser(add_help=False)
    IngestOptions._add_argparse_args(parser)
    return {
        action.dest: action.option_strings[0]
        for action in parser._actions
        if action.option_strings and action.dest != "inputs"
    }


def _as_strings(value: Any) -> list[str]:
    if isinstance(value, str | PathLike):
        return [str(value)]
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        return [str(v) for v in value]
    return [str(value)]


def ingest_argv(
    inputs: PathArg | Iterable[PathArg] | None = None,
    feeds: PathArg | None = None,
    output: PathArg = "./output",
    **options: Any,
) -> list[str]:
    """The ``akhbar ingest`` argument list that ``ingest`` runs (exposed for tests and logs).

    ``options`` use the Python names of the flags: ``min_text_chars=50`` is
    ``--min-text-chars=50``, ``no_extract=True`` is ``--no-extract``, and Beam's own options keep
    their names (``runner="FnApiRunner"``, ``direct_num_workers=2``). ``False`` and ``None``
    leave an option at its default.
    """
    argv: list[str] = []
    for path in [] if inputs is None else _as_strings(inputs):
        argv.append(f"--input={path}")
    if feeds is not None:
        argv.append(f"--feeds={feeds}")
    argv.append(f"--output={output}")
    flags = _flag_names()
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = flags.get(name, f"--{name}")
        if value is True:
            argv.append(flag)
        else:
            argv.extend(f"{flag}={v}" for v in _as_strings(value))
    return argv


def ingest(
    inputs: PathArg | Iterable[PathArg] | None = None,
    feeds: PathArg | None = None,
    output: PathArg = "./output",
    **options: Any,
) -> RunRecord:
    """One batch run, like ``akhbar ingest``; returns its run record.

    ``inputs``: files, globs or folders (one or many); ``feeds``: a feed list (YAML or one URL
    per line); with neither, the bundled samples are read. Keyword ``options`` are the command
    line's (see ``ingest_argv``). Raises ``akhbar.pipelines.options.UsageError`` (a
    ``ValueError``) for a bad option or input, ``akhbar.transforms.lock.OutputLocked`` when
    another run holds the output, and ``AccountingError`` when the run's counts do not balance.
    """
    from akhbar.pipelines.cli import checked_ingest_argv
    from akhbar.pipelines.ingest import run_ingest

    argv = checked_ingest_argv(ingest_argv(inputs, feeds, output, **options))
    started = time.monotonic()
    record = RunRecord.from_json(run_ingest(argv)).with_seconds(
        round(time.monotonic() - started, 2)
    )
    if not record.balanced:
        raise AccountingError(record)
    return record


def connect(output: PathArg = "./output") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the views ``articles``, ``duplicates``, ``rejects``
    (partition columns ``date`` and ``source`` included), ``runs`` and ``stories`` over the
    output folder ``output``."""
    from akhbar.pipelines.views import connect as connect_views

    return connect_views(Path(output))
