"""``akhbar compact``: the files of a partition rewritten as one, atomically.

Every run writes at most one file per partition and table, but a folder fed every 15 minutes
gains a file per run in today's partitions, and a small file costs readers a footer read each
(DuckDB, pyarrow, Spark). Compaction merges a partition's files into one, sorted by id, with the
current schema (columns an older file lacks read as null; schema 1's ``at`` becomes
``rejected_at``).

Safety, on a local output:
- **Readers** see the partition's old files or its new file, never both and never neither: the
  new file is written into a staging folder outside the tables, and the staging folder and the
  partition folder are swapped in one ``renameat2(RENAME_EXCHANGE)`` call (Linux). A reader that
  already opened an old file keeps reading it; one that listed the folder just before the swap
  may find an old name gone and must list again.
- **SIGKILL at any point**: a pending manifest (``_state/pending/compact-<id>.json``) is written
  before the first swap; ``finish_compaction`` (run again by the next ingest, stream or compact,
  under the output lock) finishes the swaps from it, telling done from not done by where the new
  file is, and deletes the old files.
- **Writers**: compaction holds the output lock, like a run.

On an object store there is no atomic swap: the new object is moved in and then the old ones
are deleted, so a reader listing in between may count a partition's rows twice. Compact object
stores when nobody reads, or read through the run records.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from akhbar.schemas.tables import TABLES, with_version
from akhbar.transforms.state import (
    crash_point,
    delete_quietly,
    delete_tree,
    ensure_dir,
    join,
    list_files,
    read_json,
    state_dir,
    write_json_atomic,
)
from akhbar.transforms.write import write_parquet_atomic

_DATE = re.compile(r"/date=(\d{4}-\d{2}-\d{2})(?:/|$)")
RENAME_EXCHANGE = 2
AT_FDCWD = -100
RENAMED_COLUMNS = {"rejected_at": "at"}  # current name -> its name in schema 1


@dataclass(frozen=True, slots=True)
class Partition:
    """One partition folder of one table and its table files."""

    table: str
    folder: str
    files: tuple[str, ...]

    @property
    def date(self) -> str:
        m = _DATE.search(self.folder + "/")
        return m.group(1) if m else ""


def partitions(output: str, tables: Iterable[str] = TABLES) -> list[Partition]:
    """Every partition folder of ``output`` with its ``part-*.parquet`` files."""
    found: list[Partition] = []
    for table in tables:
        by_folder: dict[str, list[str]] = defaultdict(list)
        for path in list_files(join(output, table, "**", "part-*.parquet")):
            by_folder[path.rsplit("/", 1)[0]].append(path)
        found += [Partition(table, f, tuple(sorted(p))) for f, p in sorted(by_folder.items())]
    return found


def to_compact(output: str, before: str | None = None, min_files: int = 2) -> list[Partition]:
    """Partitions holding at least ``min_files`` files, dated before ``before`` (YYYY-MM-DD)."""
    return [
        p
        for p in partitions(output)
        if len(p.files) >= min_files and (before is None or p.date < before)
    ]


def crowded(output: str, more_than: int) -> list[Partition]:
    """Partitions holding more than ``more_than`` files (``akhbar ingest`` suggests compacting)."""
    return [p for p in partitions(output) if len(p.files) > more_than]


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly ``schema``'s columns: missing ones null, renamed ones found."""
    extra = set(table.column_names) - set(schema.names) - set(RENAMED_COLUMNS.values())
    if extra:
        raise ValueError(f"columns {sorted(extra)} are not in this akhbar's schema (newer files?)")
    columns = []
    for field in schema:
        name = field.name if field.name in table.column_names else RENAMED_COLUMNS.get(field.name)
        if name is not None and name in table.column_names:
            columns.append(table.column(name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def read_partition(partition: Partition) -> pa.Table:
    schema = TABLES[partition.table]
    parts = []
    for path in partition.files:
        with FileSystems.open(path) as handle:
            parts.append(conform(pq.read_table(handle), schema))
    merged = pa.concat_tables(parts)
    return merged.take(pc.sort_indices(merged, sort_keys=[("id", "ascending")]))


def compact_id(partitions_: list[Partition]) -> str:
    digest = hashlib.blake2b(digest_size=6)
    for p in partitions_:
        for f in p.files:
            digest.update(f.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def staged_folder(output: str, cid: str, partition: Partition) -> str:
    relative = partition.folder[len(output.rstrip("/")) + 1 :]
    return join(output, "_staging", f"compact-{cid}", relative)


def stage(output: str, cid: str, partition: Partition) -> dict[str, Any]:
    """Write the partition's merged file into its staging folder; the manifest entry."""
    table = read_partition(partition)
    name = f"part-c{cid}-0000.parquet"
    folder = staged_folder(output, cid, partition)
    ensure_dir(folder)
    write_parquet_atomic(
        with_version_table(table), f"{folder}/.{name}.inprogress", f"{folder}/{name}"
    )
    return {
        "folder": partition.folder,
        "staged": folder,
        "name": name,
        "old": list(partition.files),
        "rows": table.num_rows,
    }


def with_version_table(table: pa.Table) -> pa.Table:
    """The table with ``akhbar.schema_version`` in its metadata, as every writer stores it."""
    return table.replace_schema_metadata(with_version(table.schema).metadata)


def exchange(a: str, b: str) -> bool:
    """Swap two local folders in one system call; False where the system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if done != 0:
        errno = ctypes.get_errno()
        if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not on this file system
            return False
        raise OSError(errno, os.strerror(errno), a)
    return True


def swap_in(entry: dict[str, Any]) -> None:
    """Put the merged file in place of the old ones (idempotent: safe to run again)."""
    folder, staged, name = entry["folder"], entry["staged"], entry["name"]
    if FileSystems.exists(f"{folder}/{name}"):  # swapped already: the old files are in staged
        delete_tree(staged)
        return
    if not FileSystems.exists(f"{staged}/{name}"):
        return  # nothing was staged (killed before): the partition is as it was
    if "://" not in folder and exchange(staged, folder):
        crash_point("compact-swapped")
        delete_tree(staged)
        return
    # object stores (and file systems without an exchange): move in, then delete the old files
    FileSystems.rename([f"{staged}/{name}"], [f"{folder}/{name}"])
    crash_point("compact-swapped")
    delete_quietly([p for p in entry["old"] if p != f"{folder}/{name}"])
    delete_tree(staged)


def pending_path(output: str, cid: str) -> str:
    return join(state_dir(output), "pending", f"compact-{cid}.json")


def compact(
    output: str, before: str | None = None, min_files: int = 2, threads: int = 4
) -> dict[str, Any]:
    """Compact every partition of ``output`` holding ``min_files`` or more files (dated before
    ``before``). The caller holds the output lock. Returns what was done."""
    finish_compactions(output)
    chosen = to_compact(output, before, min_files)
    if not chosen:
        return {"partitions": 0, "files_before": 0, "files_after": 0, "rows": 0}
    cid = compact_id(chosen)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:  # Arrow releases the GIL
        entries = list(pool.map(lambda p: stage(output, cid, p), chosen))
    crash_point("compact-staged")
    manifest = {"compact": cid, "entries": entries}
    write_json_atomic(pending_path(output, cid), manifest)
    crash_point("compact-pending")
    finish_compaction(output, manifest)
    return {
        "partitions": len(entries),
        "files_before": sum(len(e["old"]) for e in entries),
        "files_after": len(entries),
        "rows": sum(e["rows"] for e in entries),
    }


def finish_compaction(output: str, manifest: dict[str, Any]) -> None:
    for entry in manifest["entries"]:
        swap_in(entry)
    delete_tree(join(output, "_staging", f"compact-{manifest['compact']}"))
    delete_quietly([pending_path(output, manifest["compact"])])


def finish_compactions(output: str) -> list[str]:
    """Finish compactions a killed process had started (under the output lock)."""
    done = []
    for path in list_files(join(state_dir(output), "pending", "compact-*.json")):
        manifest = read_json(path)
        if isinstance(manifest, dict) and "compact" in manifest:
            finish_compaction(output, manifest)
            done.append(str(manifest["compact"]))
    return done
