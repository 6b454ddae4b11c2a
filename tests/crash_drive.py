"""Drive a run's commit step to a crash point without a whole run, for the crash-safety tests.

A crash test used to be two whole ``akhbar ingest`` runs per point: one SIGKILL'd there and one
rerun. The commit is plain functions (``publish_run`` -> ``finish_commit``, and
``recover_incomplete_runs`` at the next start) fed with what the writers staged, so a test can
stage what a run of the samples stages, call ``publish_run`` itself, stop it at the point, then
recover the output and compare it with the session's clean run of the samples. One real
SIGKILL'd CLI run per storage kind stays (tests/test_crash_and_state.py, tests/storage/), so the
end-to-end path is still covered.

The staged files are the clean run's own files, copied under ``_staging/<run>/`` at the places
the writers put them (same relative path, same fingerprinted name), and the commit gets the
results the writers and readers would have handed it.

Stopping at a point: ``crashing_at`` makes the real ``crash_point`` hooks (the same names the
``AKHBAR_CRASH_AT`` variable selects) raise ``Killed``, a ``BaseException`` that no
``except Exception`` in the code under test can swallow, just as nothing can catch a SIGKILL.
What is on disk afterwards is what a SIGKILL leaves: no cleanup runs between the points (no
``finally`` or open ``with`` around them), and every file written before a point is closed.

Every path goes through Beam's ``FileSystems``, so the same drive serves local and ``s3://``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES

TABLES = ("articles", "duplicates", "rejects")
INDEX = "_state/near_index"


class Killed(BaseException):
    """The run died at a crash point (a SIGKILL, in-process)."""


@contextmanager
def crashing_at(point: str) -> Iterator[None]:
    """Within the block, every loaded akhbar module's ``crash_point`` raises ``Killed`` at
    ``point``; restored when the block ends (the next run's start)."""
    import akhbar.transforms.commit
    import akhbar.transforms.sources
    import akhbar.transforms.write  # noqa: F401  (the modules with crash points, loaded)
    from akhbar.transforms import state

    def crash_point(name: str) -> None:
        if name == point:
            raise Killed(point)

    hooked = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("akhbar.") and getattr(module, "crash_point", None) is state.crash_point
    ]
    assert state in hooked and len(hooked) > 1, "no module calls crash_point any more"
    with pytest.MonkeyPatch.context() as patch:
        for module in hooked:
            patch.setattr(module, "crash_point", crash_point)
        yield


def published_files(output: Path) -> list[str]:
    """Paths, relative to ``output``, of every file a run publishes through its commit: the
    table files and the near-duplicate index files."""
    found = [p for table in TABLES for p in (output / table).rglob("*.parquet")]
    found += list((output / INDEX).rglob("*.parquet"))
    return sorted(str(p.relative_to(output)) for p in found)


def _column_counts(path: Path, column: str) -> list[tuple[str, int]]:
    import pyarrow.parquet as pq

    values = pq.read_table(path, columns=[column]).column(column).to_pylist()
    return sorted(Counter(v for v in values if v is not None).items())


def stage_clean_run(clean: Path, output: str, run_id: str) -> list[Any]:
    """Copy the clean run's files into ``output``'s staging folder for ``run_id`` and return
    what that run's readers and writers would hand the commit step."""
    import pyarrow.parquet as pq
    from apache_beam.io.filesystem import CompressionTypes
    from apache_beam.io.filesystems import FileSystems

    from akhbar.transforms.accounting import ReadCount
    from akhbar.transforms.dedup.near_index import IndexFile
    from akhbar.transforms.state import ensure_dir, join, staging_dir
    from akhbar.transforms.write import FACETS, WrittenFile

    record = json.loads(next((clean / "_runs").glob("*.json")).read_text(encoding="utf-8"))
    staging = staging_dir(output, run_id)
    results: list[Any] = [ReadCount(str(SAMPLES), int(record["read"]))]
    for relative in published_files(clean):
        source, staged, final = clean / relative, join(staging, relative), join(output, relative)
        ensure_dir(staged.rsplit("/", 1)[0])
        with FileSystems.create(staged, compression_type=CompressionTypes.UNCOMPRESSED) as sink:
            sink.write(source.read_bytes())
        rows = pq.ParquetFile(source).metadata.num_rows
        table = relative.split("/", 1)[0]
        if table not in TABLES:
            results.append(IndexFile(final, rows, staged))
            continue
        key = {"rejects": "reason", "duplicates": "kind"}.get(table)
        counts = tuple(_column_counts(source, key)) if key else ()
        facets = tuple(
            (column, value, n)
            for column in FACETS[table]
            for value, n in _column_counts(source, column)
        )
        results.append(WrittenFile(table, final, rows, counts, staged=staged, facets=facets))
    return results


def publish_clean_run(
    clean: Path, output: str, run_id: str, fetched: tuple[Any, ...] = ()
) -> dict[str, Any]:
    """Stage the clean run's files as run ``run_id`` and commit them (stopped by ``crashing_at``);
    ``fetched``: the ``FetchState`` of the feeds the run polled (its HTTP validators)."""
    from akhbar.transforms.commit import publish_run

    results = [*stage_clean_run(clean, output, run_id), *fetched]
    meta = {"mode": "batch", "runner": "tests.crash_drive"}
    return publish_run(output, run_id, f"fp-{run_id}", meta, results)


def stage_two_reject_files(output: str, run_id: str) -> None:
    """What a writer does: two reject files staged one after the other (``after-file`` fires
    after the first)."""
    from akhbar.schemas.tables import TABLES as SCHEMAS
    from akhbar.transforms.state import staging_dir
    from akhbar.transforms.write import write_partition
    from tests.helpers import make_reject_row

    rows = [make_reject_row(f"bad-{i}.xml") for i in range(2)]
    write_partition(
        output,
        ("rejects", rows[0].partition_date, None),
        rows,
        SCHEMAS["rejects"],
        f"fp-{run_id}",
        max_rows_per_file=1,
        staging=staging_dir(output, run_id),
    )
