"""``akhbar query``: the views, the output formats, errors and the stdin shell, through the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from akhbar.pipelines.textgrid import display_width
from akhbar.pipelines.views import connect
from tests.conftest import REPO, akhbar_cmd, run_akhbar

COUNTS = {"articles": 39, "duplicates": 3, "rejects": 1, "runs": 1}


def query(output: Path, sql: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_akhbar("query", "--output", str(output), *extra, sql)


def query_json(output: Path, sql: str) -> list[dict]:
    proc = query(output, sql, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def shell(output: Path, script: str) -> subprocess.CompletedProcess[str]:
    """The no-SQL mode with statements piped to stdin, as a script would use it."""
    return subprocess.run(
        [*akhbar_cmd(), "query", "--output", str(output)],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


@pytest.mark.parametrize("view", sorted(COUNTS))
def test_each_view_counts_the_run(sample_output: Path, view: str) -> None:
    assert query_json(sample_output, f"select count(*) as n from {view}") == [{"n": COUNTS[view]}]


def test_views_have_partition_columns_and_decoded_sources(sample_output: Path) -> None:
    rows = query_json(sample_output, "select distinct source from articles order by source")
    assert [r["source"] for r in rows] == [
        "aljazeera.net",
        "hespress.com",
        "jawharafm.net",
        "youm7.com",
    ]
    rows = query_json(sample_output, "select column_name, column_type from (describe articles)")
    types = {r["column_name"]: r["column_type"] for r in rows}
    assert types["date"] == "DATE" and types["source"] == "VARCHAR"
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    rejects = query_json(sample_output, "select reason, stage, date from rejects")
    assert [(r["reason"], r["stage"]) for r in rejects] == [("jsonl:invalid-json", "parse")]


def test_runs_view_reads_the_run_record(sample_output: Path) -> None:
    record = json.loads(next((sample_output / "_runs").glob("*.json")).read_text(encoding="utf-8"))
    rows = query_json(
        sample_output,
        "select run_id, read, articles, balanced, rejects_by_reason['jsonl:invalid-json'] as bad "
        "from runs",
    )
    assert rows == [
        {"run_id": record["run_id"], "read": 43, "articles": 39, "balanced": True, "bad": 1}
    ]


def test_stories_view_groups_clusters_with_their_sources(sample_output: Path) -> None:
    rows = query_json(
        sample_output, "select items, sources from stories where items > 1 order by sources"
    )
    assert rows == [
        {"items": 2, "sources": ["aljazeera.net", "youm7.com"]},
        {"items": 2, "sources": ["hespress.com", "jawharafm.net"]},
        {"items": 2, "sources": ["masrawy.com", "youm7.com"]},
    ]


def write_synthetic(output: Path, with_duplicate_count: bool) -> None:
    """A hand-made output: two articles of one story in two sources, one duplicate in a third."""
    rows = [
        {"id": "a1", "title": "خبر أول", "cluster_id": "c1", "published_at": None, "n": 1},
        {"id": "a2", "title": "خبر ثان", "cluster_id": "c2", "published_at": None, "n": 0},
    ]
    for row, source in zip(rows, ("one.example", "two.example"), strict=True):
        columns = {k: [row[k]] for k in ("id", "title", "cluster_id")}
        columns["published_at"] = pa.array([None], pa.timestamp("us", tz="UTC"))
        if with_duplicate_count:
            columns["duplicate_count"] = pa.array([row["n"]], pa.int32())
        folder = output / "articles" / "date=2024-01-01" / f"source={source}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table(columns), folder / "part-0.parquet")
    folder = output / "duplicates" / "date=2024-01-01" / "source=three.example"
    folder.mkdir(parents=True)
    duplicate = {"id": ["d1"], "title": ["خبر أول"], "cluster_id": ["c1"], "duplicate_of": ["a1"]}
    duplicate["published_at"] = pa.array([None], pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table(duplicate), folder / "part-0.parquet")


def test_stories_view_only_when_articles_have_duplicate_count(tmp_path: Path) -> None:
    with_count, without = tmp_path / "with", tmp_path / "without"
    write_synthetic(with_count, with_duplicate_count=True)
    write_synthetic(without, with_duplicate_count=False)
    rows = (
        connect(with_count)
        .execute(
            "select cluster_id, title, articles, duplicate_count, items, sources from stories "
            "order by cluster_id"
        )
        .fetchall()
    )
    assert rows == [
        ("c1", "خبر أول", 1, 1, 2, ["one.example", "three.example"]),
        ("c2", "خبر ثان", 1, 0, 1, ["two.example"]),
    ]
    proc = query(without, "select * from stories")
    assert proc.returncode == 2 and "stories" in proc.stderr
    listed = shell(without, ".tables\n").stdout
    assert "articles" in listed and "stories" not in listed


def test_table_format_keeps_arabic_and_aligns_by_display_width(sample_output: Path) -> None:
    proc = query(
        sample_output,
        "select source, title, word_count from articles order by id",
        "--max-width",
        "30",
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == "(39 rows)"
    box = lines[:-1]
    assert len(box) == 39 + 4  # top, header, rule, rows, bottom
    assert len({display_width(line) for line in box}) == 1, "columns are not aligned"
    titles = [
        r["title"]
        for r in sorted(
            ds.dataset(sample_output / "articles", partitioning="hive").to_table().to_pylist(),
            key=lambda r: r["id"],
        )
    ]
    cells = [line.split("│")[2].strip() for line in box[3:-1]]
    cut = 0
    for cell, title in zip(cells, titles, strict=True):
        flat = " ".join(title.split())
        if cell.endswith("…"):
            cut += 1
            assert flat.startswith(cell[:-1]), (cell, title)  # logical order, never reversed
            assert display_width(cell) <= 30
        else:
            assert cell == flat
    assert cut > 5, "long titles should have been cut to --max-width"
    assert all(cell.split()[-1].isdigit() for cell in (line.split("│")[3] for line in box[3:-1]))


def test_table_format_caps_rows_and_says_so(sample_output: Path) -> None:
    proc = query(sample_output, "select id from articles", "--max-rows", "5")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[-1] == "(39 rows, 5 shown)"


def test_csv_format_round_trips_arabic_and_lists(sample_output: Path) -> None:
    proc = query(
        sample_output,
        "select id, source, title, authors from articles order by id",
        "--format",
        "csv",
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 39
    table = ds.dataset(sample_output / "articles", partitioning="hive").to_table()
    truth = {r["id"]: r for r in table.select(["id", "title", "authors"]).to_pylist()}
    for row in rows:
        assert row["title"] == (truth[row["id"]]["title"] or "")
        assert json.loads(row["authors"]) == truth[row["id"]]["authors"]


def test_json_format_is_json_lines_with_native_types(sample_output: Path) -> None:
    rows = query_json(
        sample_output, "select id, published_at, categories, word_count from articles order by id"
    )
    assert len(rows) == 39
    assert all(isinstance(r["categories"], list) and isinstance(r["word_count"], int) for r in rows)
    dated = [r["published_at"] for r in rows if r["published_at"]]
    assert len(dated) == 38 and all(d[4] == "-" and "T" in d for d in dated)


def test_parquet_format_writes_a_file(sample_output: Path, tmp_path: Path) -> None:
    target = tmp_path / "youm7.parquet"
    proc = query(
        sample_output,
        "select * from articles where source = 'youm7.com'",
        "--format",
        "parquet",
        "--export",
        str(target),
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote 10 rows" in proc.stderr
    table = pq.read_table(target)
    assert table.num_rows == 10
    assert set(table.column("source").to_pylist()) == {"youm7.com"}
    assert str(table.schema.field("date").type) == "date32[day]"
    missing = query(sample_output, "select 1", "--format", "parquet")
    assert missing.returncode == 2 and "--export FILE" in missing.stderr


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("selec * from articles", "Parser Error"),
        ("select * from no_such_view", "Catalog Error"),
        ("select no_such_column from articles", "Binder Error"),
    ],
)
def test_bad_sql_is_one_line_and_exit_2(sample_output: Path, sql: str, expected: str) -> None:
    proc = query(sample_output, sql)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("akhbar query: error: ") and expected in lines[0]


def test_missing_or_empty_output_is_exit_2(tmp_path: Path) -> None:
    missing = query(tmp_path / "nope", "select 1")
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr and "akhbar ingest" in missing.stderr
    empty = tmp_path / "empty"
    (empty / "_runs").mkdir(parents=True)
    (empty / "articles").mkdir()
    proc = query(empty, "select 1")
    assert proc.returncode == 2
    assert "holds no akhbar tables" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_shell_reads_statements_from_a_pipe(sample_output: Path) -> None:
    proc = shell(
        sample_output,
        "select count(*) as n\n  from articles;\n.format csv\nselect kind, count(*) as n from "
        "duplicates group by kind order by kind;\n.tables\n.quit\nselect 'after quit';\n",
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "│ 39 │" in out
    assert "kind,n\nexact,2\nurl,1\n" in out
    assert "articles  duplicates  rejects  runs  stories" in out
    assert "after quit" not in out
    assert "akhbar>" not in out, "no prompt when stdin is not a terminal"


def test_shell_prompts_on_a_terminal(sample_output: Path) -> None:
    """On a TTY the shell prompts, continues a statement over lines, and leaves on .quit."""
    controller, terminal = os.openpty()
    proc = subprocess.Popen(
        [*akhbar_cmd(), "query", "--output", str(sample_output)],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=REPO,
    )
    os.close(terminal)
    os.write(controller, b"select 42 as answer\n;\n.quit\n")
    screen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        elif proc.poll() is not None:
            break
    os.close(controller)
    assert proc.wait(timeout=30) == 0
    text = screen.decode("utf-8", "replace")
    assert "akhbar> " in text and "   ...> " in text
    assert "│     42 │" in text
    assert "views articles, duplicates, rejects, runs, stories" in text


def test_shell_keeps_going_after_an_error_and_reports_it(sample_output: Path) -> None:
    proc = shell(sample_output, "select * from nope;\n.schema rejects\nselect 42 as answer")
    assert proc.returncode == 2
    assert proc.stderr.count("akhbar query: error:") == 1 and "nope" in proc.stderr
    assert "reason" in proc.stdout  # .schema ran after the error
    assert "42" in proc.stdout  # a final statement without ';' still runs at end of input


def test_empty_table_still_has_a_view_with_the_schema(output_copy: Path) -> None:
    shutil.rmtree(output_copy / "rejects")
    assert query_json(output_copy, "select count(*) as n from rejects") == [{"n": 0}]
    columns = {
        r["column_name"] for r in query_json(output_copy, "select * from (describe rejects)")
    }
    assert {"reason", "stage", "input", "date"} <= columns


def test_output_without_runs_gets_an_empty_runs_view(output_copy: Path) -> None:
    shutil.rmtree(output_copy / "_runs")
    assert query_json(output_copy, "select count(*) as n from runs") == [{"n": 0}]


def test_partition_filter_reads_only_the_matching_files(sample_output: Path) -> None:
    """Partition pruning, shown by DuckDB's own EXPLAIN ANALYZE through the views."""
    total = len(list((sample_output / "articles").rglob("*.parquet")))
    plan = "\n".join(
        row[1]
        for row in connect(sample_output)
        .execute(
            "explain analyze select count(*) from articles "
            "where date = '2017-01-21' and source = 'youm7.com'"
        )
        .fetchall()
    )
    assert f"Scanning Files: 1/{total}" in plan, plan
    assert "Total Files Read: 1" in plan, plan
    assert "date=2017-01-21/source=youm7.com" in plan
    unfiltered = "\n".join(
        row[1]
        for row in connect(sample_output)
        .execute("explain analyze select count(*) from articles")
        .fetchall()
    )
    assert f"Total Files Read: {total}" in unfiltered
