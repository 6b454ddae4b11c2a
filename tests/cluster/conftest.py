"""Helpers that compare the tables of two runs (used by the runner tests here and in
``tests/engines``), and the 2,000-article ANT slice they run on."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.dataset as ds

from tests.conftest import run_akhbar

TABLES = ("articles", "duplicates", "rejects")


def ingest(output: Path, *args: str) -> dict:
    proc = run_akhbar("ingest", "--output", str(output), *args, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stdout, proc.stdout
    runs = sorted((output / "_runs").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return json.loads(runs[-1].read_text(encoding="utf-8"))


def rows(output: Path, table: str, drop: tuple[str, ...] = ()) -> list[dict]:
    """Every row of a table with its partition columns, sorted by id."""
    folder = output / table
    if not folder.exists():
        return []
    data = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    keep = [c for c in data.column_names if c not in drop]
    return sorted(data.select(keep).to_pylist(), key=lambda r: r["id"] if "id" in r else repr(r))


def assert_same_tables(
    got: Path, want: Path, drop: tuple[str, ...] = (), tables: tuple[str, ...] = TABLES
) -> None:
    """Row for row, sorted by id; rejects without ``at`` (the moment of rejection)."""
    for table in tables:
        extra = ("rejected_at",) if table == "rejects" else ()
        got_rows = rows(got, table, drop + extra)
        want_rows = rows(want, table, drop + extra)
        assert len(got_rows) == len(want_rows), (table, len(got_rows), len(want_rows))
        assert got_rows == want_rows, table


def assert_committed(output: Path, record: dict) -> None:
    """The run record is published, nothing is left staged or pending."""
    assert (output / "_runs" / f"{record['run_id']}.json").is_file()
    assert (output / "_state" / "pending").is_dir()
    assert list((output / "_state" / "pending").iterdir()) == []
    assert [p for p in (output / "_staging").rglob("*") if p.is_file()] == []
    assert record["balanced"]


def write_ant_slice(folder: Path, articles: int = 2000, files: int = 4) -> Path:
    """The first ``articles`` ANT articles as ``files`` JSONL files (so reading can spread)."""
    from benchmarks.corpus import ant_records

    records = ant_records()[:articles]
    folder.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(records) // files)
    for n in range(files):
        chunk = records[n * per_file : (n + 1) * per_file]
        with (folder / f"ant-{n}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk)
    return folder
