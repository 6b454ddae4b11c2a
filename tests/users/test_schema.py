"""``akhbar schema``, the README's schema table, and reading partitions of an older schema."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from akhbar.pipelines.schema_cmd import block_between, markdown, replace_block
from akhbar.pipelines.views import connect
from akhbar.schemas.tables import SCHEMA_VERSION, TABLES
from tests.conftest import REPO, run_akhbar

README = REPO / "README.md"


def test_every_column_has_a_one_line_meaning() -> None:
    for table, schema in TABLES.items():
        for field in schema:
            doc = (field.metadata or {}).get(b"doc", b"").decode()
            assert doc and "\n" not in doc, f"{table}.{field.name} needs a one-line doc"


def test_schema_command_lists_every_column_with_type_and_meaning() -> None:
    proc = run_akhbar("schema")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"version {SCHEMA_VERSION}" in out.splitlines()[0]
    lines = out.splitlines()
    for table, schema in TABLES.items():
        assert f"{table}: " in out
        for field in schema:
            doc = field.metadata[b"doc"].decode()
            assert any(line.split()[:1] == [field.name] and doc in line for line in lines), (
                f"{table}.{field.name}"
            )
    assert ".normalized: string" in out  # struct fields of entities are listed
    assert "partition (folder `source=`)" in out


def test_schema_json_matches_the_arrow_schemas() -> None:
    proc = run_akhbar("schema", "--format", "json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["schema_version"] == SCHEMA_VERSION
    for table, schema in TABLES.items():
        columns = [c["column"] for c in data["tables"][table]["columns"]]
        partitions = ["date", "source"] if table != "rejects" else ["date"]
        assert columns == [*schema.names, *partitions]


def test_readme_schema_block_is_the_generated_markdown() -> None:
    proc = run_akhbar("schema", "--format", "markdown")
    assert proc.returncode == 0
    assert proc.stdout == markdown()
    assert block_between(README.read_text(encoding="utf-8")) == proc.stdout, (
        "README.md's schema table drifted from schemas/tables.py: run "
        "`.venv/bin/akhbar schema --update-readme README.md`"
    )


def test_update_readme_rewrites_only_the_block(tmp_path: Path) -> None:
    original = README.read_text(encoding="utf-8")
    stale = replace_block(original, "| `old` | `string` | stale |\n")
    target = tmp_path / "README.md"
    target.write_text(stale, encoding="utf-8")
    proc = run_akhbar("schema", "--update-readme", str(target))
    assert proc.returncode == 0, proc.stderr
    assert target.read_text(encoding="utf-8") == original
    broken = tmp_path / "no-markers.md"
    broken.write_text("# nothing here\n", encoding="utf-8")
    assert run_akhbar("schema", "--update-readme", str(broken)).returncode == 2


def write_previous_schema_partition(output: Path, dropped: tuple[str, ...]) -> Path:
    """One articles file as an earlier akhbar wrote it: columns missing, older version tag."""
    current = next((output / "articles").rglob("*.parquet"))
    old = pq.read_table(current).drop_columns(list(dropped))
    old = old.replace_schema_metadata({b"akhbar.schema_version": b"0"})
    folder = output / "articles" / "date=2014-01-01" / "source=old.example"
    folder.mkdir(parents=True)
    target = folder / "part-old-0000.parquet"
    pq.write_table(old, target, compression="zstd")
    return target


DROPPED = ("keywords", "places")


@pytest.fixture
def mixed_output(output_copy: Path) -> tuple[Path, Path]:
    return output_copy, write_previous_schema_partition(output_copy, DROPPED)


def test_current_files_carry_the_schema_version(sample_output: Path) -> None:
    # the three tables (internal state under _state/, e.g. the near-dup index, is not a table)
    files = [
        p
        for t in ("articles", "duplicates", "rejects")
        for p in (sample_output / t).rglob("*.parquet")
    ]
    assert files
    for path in files:
        meta = pq.read_schema(path).metadata
        assert meta[b"akhbar.schema_version"] == SCHEMA_VERSION.encode(), path


def test_duckdb_reads_old_and_new_partitions_together(mixed_output: tuple[Path, Path]) -> None:
    output, _ = mixed_output
    con = connect(output)
    assert con.execute("select count(*) from articles").fetchone() == (40,)
    rows = con.execute(
        "select source, keywords, places, title is not null from articles "
        "where source = 'old.example'"
    ).fetchall()
    assert rows == [("old.example", None, None, True)]
    assert (
        con.execute("select count(*) from articles where keywords is not null").fetchone()[0] == 39
    )
    versions = dict(
        duckdb.sql(
            f"select decode(value), count(*) from parquet_kv_metadata('{output}/articles/**/*.parquet') "
            "where decode(key) = 'akhbar.schema_version' group by all"
        ).fetchall()
    )
    current_files = len(list((output / "articles").rglob("*.parquet"))) - 1
    assert versions == {"0": 1, SCHEMA_VERSION: current_files}


def test_without_union_by_name_duckdb_would_not_see_the_new_columns(
    mixed_output: tuple[Path, Path],
) -> None:
    """Why the views use union_by_name: read through the old file first, the column is gone."""
    _, old_file = mixed_output
    new_file = next(p for p in old_file.parents[2].rglob("*.parquet") if p != old_file)
    columns = {
        r[0]
        for r in duckdb.sql(
            f"describe select * from read_parquet(['{old_file}', '{new_file}'])"
        ).fetchall()
    }
    assert "keywords" not in columns


def test_pyarrow_reads_old_and_new_partitions_with_the_current_schema(
    mixed_output: tuple[Path, Path],
) -> None:
    output, _ = mixed_output
    partitions = pa.schema([("date", pa.date32()), ("source", pa.string())])
    dataset = ds.dataset(
        output / "articles",
        format="parquet",
        partitioning=ds.partitioning(partitions, flavor="hive"),
        schema=pa.unify_schemas([TABLES["articles"], partitions]),
    )
    table = dataset.to_table(columns=["id", "source", "keywords", "places", "date"])
    assert table.num_rows == 40
    old = table.filter(ds.field("source") == "old.example").to_pylist()
    assert len(old) == 1 and old[0]["keywords"] is None and old[0]["places"] is None
    assert str(old[0]["date"]) == "2014-01-01"
    assert table.schema.field("keywords").type == pa.list_(pa.string())
