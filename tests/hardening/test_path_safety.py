"""Values that become paths: hostile source names never write outside the output folder.

A source name comes from the input (a JSONL ``source`` field, a feed's link, a feed list) and
becomes the partition folder ``source=<slug>``. The run below gives it every spelling we know
to be dangerous, then compares a snapshot of the folder tree around the output before and
after, and reads the names back through DuckDB (akhbar's views) and pyarrow.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from akhbar.pipelines.views import connect
from tests.conftest import run_akhbar
from tests.hardening.hostile import ARABIC

pytestmark = pytest.mark.slow
ESCAPE_MARKER = f"akhbar-escape-{uuid.uuid4().hex[:12]}"
# name -> what reading the output back must give (None: cut to fit a file name, not reversible)
HOSTILE_SOURCES: dict[str, str | None] = {
    "../../etc": "../../etc",
    "../" * 12 + "tmp/" + ESCAPE_MARKER: "../" * 12 + "tmp/" + ESCAPE_MARKER,
    "/etc/passwd": "/etc/passwd",
    "a/b": "a/b",
    "a\\b": "a\\b",
    "..": "..",
    ".": ".",
    "CON": "CON",
    "nul": "nul",
    "a=b": "a=b",
    "date=2020-01-01": "date=2020-01-01",
    "100%": "100%",
    "%2e%2e": "%2e%2e",
    "a\x00b": "ab",  # control characters are removed from names before they are used
    "a\nb": "a b",
    "x" * 300: None,
    "ع" * 300: None,
    "اليوم السابع": "اليوم السابع",
    "": None,  # an empty source falls back to the file's name
}


def snapshot(root: Path, skip: Path) -> set[tuple[str, str]]:
    """Every path under ``root`` (outside ``skip``) with its kind and size."""
    found = set()
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == skip or skip in here.parents:
            dirs.clear()
            continue
        for name in dirs:
            if here / name != skip:
                found.add((str(here / name), "dir"))
        for name in files:
            found.add((str(here / name), f"file:{(here / name).stat().st_size}"))
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("paths")
    inputs = base / "in"
    inputs.mkdir()
    records = [
        {"id": f"p{i}", "url": f"https://paths.example/{i}", "source": name,
         "title": f"عنوان {i}", "published": "2026-11-29T10:00:00Z", "text": f"{ARABIC} {i}"}
        for i, name in enumerate(HOSTILE_SOURCES)
    ]  # fmt: skip
    (inputs / "sources.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    output = base / "out"
    watched = base.parent  # this test's sibling folders too, not only its own
    before = snapshot(watched, output)
    # every record carries the same text: without --no-near-dedup they would be one story
    proc = run_akhbar("ingest", "--input", str(inputs), "--output", str(output), "--no-near-dedup")
    assert proc.returncode == 0, proc.stderr
    after = snapshot(watched, output)
    assert after == before, f"created outside the output folder: {sorted(after - before)[:5]}"
    assert not Path("/tmp", ESCAPE_MARKER).exists()
    return output, base


def test_every_partition_folder_is_inside_the_output(run: tuple[Path, Path]) -> None:
    output, _ = run
    sources = [p for p in (output / "articles").glob("date=*/*") if p.is_dir()]
    assert len(sources) == len(HOSTILE_SOURCES)
    for folder in sources:
        assert folder.name.startswith("source=")
        assert folder.resolve().parent.parent == (output / "articles").resolve()
        assert len(folder.name.encode("utf-8")) <= 255
    for path in output.rglob("*"):
        assert output.resolve() in path.resolve().parents


def test_names_round_trip_through_duckdb_and_pyarrow(run: tuple[Path, Path]) -> None:
    output, _ = run
    expected = {v for v in HOSTILE_SOURCES.values() if v is not None}
    con = connect(output)
    from_duckdb = {row[0] for row in con.execute("select distinct source from articles").fetchall()}
    dataset = ds.dataset(output / "articles", format="parquet", partitioning="hive")
    from_arrow = set(dataset.to_table(columns=["source"]).column("source").to_pylist())
    assert expected <= from_duckdb
    assert from_duckdb == from_arrow
    assert "اليوم السابع" in from_duckdb
    rows = con.execute("select count(*) from articles where source = 'اليوم السابع'").fetchone()
    assert rows == (1,)
    cut = from_duckdb - expected
    assert len(cut) == 3  # the two 300-character names (cut, with a hash) and the fallback
    assert {"x" * 100, "ع" * 100} <= {name[:100] for name in cut}


def test_run_ids_that_are_paths_are_refused(tmp_path: Path) -> None:
    """``--run-id`` names _runs/<id>.json and _staging/<id>/: it must not climb out either."""
    for run_id in ("../../escape", ".hidden"):
        proc = run_akhbar("ingest", "--output", str(tmp_path / "out"), "--run-id", run_id)
        assert proc.returncode == 2, (run_id, proc.stderr)
    assert list(tmp_path.iterdir()) == []
