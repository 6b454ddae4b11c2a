"""DuckDB views over one akhbar output folder: ``articles``, ``duplicates``, ``rejects``, ``runs``
(and ``stories`` once the articles carry ``duplicate_count``).

``akhbar query`` and ``akhbar report`` both start here, so a user's ad-hoc SQL and the report see
the same tables. The views are what the README promises for other readers too:

- ``hive_partitioning`` turns ``date=…/source=…`` folders into columns (DuckDB percent-decodes the
  slug, so ``source`` holds the outlet's name) and lets a filter on them skip whole folders;
- ``hive_types`` pins ``date`` to DATE and ``source`` to VARCHAR: auto-detection would make a
  source named ``2024`` an integer;
- ``union_by_name`` keeps partitions written under an older schema (a column missing) readable
  next to new ones: the missing column reads as NULL. Its price is that DuckDB reads every file's
  footer when the view is bound, not only those a filter keeps.

A table with no files yet (a run without rejects) still gets a view, with the current schema and
no rows, so that queries and the report never fail on "table does not exist".
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from akhbar.schemas.tables import PARTITIONED_BY_SOURCE, TABLES

TABLE_NAMES = tuple(TABLES)
VIEW_NAMES = (*TABLE_NAMES, "runs", "stories")

# A story is one cluster: its articles and their duplicates, with every source that carried it.
# Only defined when near-duplicate detection has filled `articles.duplicate_count`; before that a
# cluster is an article plus its exact copies, which the duplicates table already shows. A story's
# kept articles are its first report and the follow-ups that update it (`updates_id`, issue 20):
# `chain` lists them in publication order, each with the article it updates.
STORIES_SQL = """
create or replace view stories as
with members as (
    select cluster_id, id, title, source, published_at, true as canonical, duplicate_count,
           {updates} as updates_id
    from articles
    union all by name
    select cluster_id, id, title, source, published_at, false as canonical, null as duplicate_count,
           null as updates_id
    from duplicates
)
select
    cluster_id,
    arg_min(title, coalesce(published_at, timestamptz '9999-12-31'))
        filter (where canonical) as title,
    count(*) filter (where canonical) as articles,
    coalesce(sum(duplicate_count), 0) as duplicate_count,
    count(*) as items,
    count(distinct source) as source_count,
    list(distinct source order by source) as sources,
    min(published_at) as first_published,
    max(published_at) as last_published,
    count(*) filter (where canonical and updates_id is not null) as updates,
    list({{'id': id, 'title': title, 'source': source, 'published_at': published_at,
           'updates_id': updates_id}} order by published_at nulls last, id)
        filter (where canonical) as chain
from members
where cluster_id is not null
group by cluster_id
"""


def stories_sql(con: duckdb.DuckDBPyConnection) -> str:
    """``STORIES_SQL`` for this output: outputs written before ``updates_id`` read it as null."""
    updates = "updates_id" if has_column(con, "articles", "updates_id") else "null::varchar"
    return STORIES_SQL.format(updates=updates)


# Run records are single JSON objects. map_inference_threshold=0 reads the per-reason and per-kind
# counters as MAP(VARCHAR, BIGINT) instead of a STRUCT whose fields are whatever reasons happened
# to occur; the object size cap is raised because a run lists every file it wrote.
RUNS_SQL = """
create or replace view runs as
select * from read_json(
    {pattern}, union_by_name = true, map_inference_threshold = 0,
    maximum_object_size = 1073741824, filename = true
)
order by started_at
"""

EMPTY_RUNS_SQL = """
create or replace view runs as
select null::varchar as run_id, null::timestamptz as started_at, null::timestamptz as finished_at,
       null::bigint as read, null::bigint as articles, null::bigint as duplicates,
       null::bigint as rejects, null::boolean as balanced, null::varchar as filename
where false
"""


class OutputNotFound(Exception):
    """The folder is missing or holds no akhbar tables; the message tells the user what to run."""


def sql_literal(text: str) -> str:
    """A single-quoted SQL string literal (paths may contain quotes)."""
    return "'" + text.replace("'", "''") + "'"


def table_files(output: Path, table: str) -> list[Path]:
    """The published Parquet files of one table (temporary ``.inprogress`` files never match)."""
    folder = output / table
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith("."))


def check_output(output: Path) -> dict[str, int]:
    """Files per table; raises OutputNotFound when there is nothing to query."""
    if not output.is_dir():
        raise OutputNotFound(
            f"output folder {output} does not exist; run `akhbar ingest --output {output}` first"
        )
    counts = {name: len(table_files(output, name)) for name in TABLE_NAMES}
    if not any(counts.values()):
        raise OutputNotFound(
            f"{output} holds no akhbar tables (no Parquet files under "
            f"{', '.join(n + '/' for n in TABLE_NAMES)}); run `akhbar ingest --output {output}` first"
        )
    return counts


def parquet_source(output: Path, table: str) -> str:
    """The ``read_parquet(...)`` call that every reader of this table should use."""
    pattern = sql_literal(str(output / table / "**" / "*.parquet"))
    types = (
        "{'date': DATE, 'source': VARCHAR}" if table in PARTITIONED_BY_SOURCE else "{'date': DATE}"
    )
    return (
        f"read_parquet({pattern}, hive_partitioning = true, hive_types = {types}, "
        "union_by_name = true)"
    )


def empty_table(table: str) -> pa.Table:
    """No rows, the current schema plus the partition columns (what the folder would give)."""
    schema = TABLES[table].remove_metadata().append(pa.field("date", pa.date32()))
    if table in PARTITIONED_BY_SOURCE:
        schema = schema.append(pa.field("source", pa.string()))
    return schema.empty_table()


def define_views(con: duckdb.DuckDBPyConnection, output: Path) -> dict[str, int]:
    """Create every view on ``con``; returns the number of files per table."""
    counts = check_output(output)
    for table in TABLE_NAMES:
        if counts[table]:
            con.execute(
                f"create or replace view {table} as select * from {parquet_source(output, table)}"
            )
        else:
            con.register(f"_empty_{table}", empty_table(table))
            con.execute(f"create or replace view {table} as select * from _empty_{table}")
    runs = output / "_runs"
    if runs.is_dir() and any(runs.glob("*.json")):
        con.execute(RUNS_SQL.format(pattern=sql_literal(str(runs / "*.json"))))
    else:
        con.execute(EMPTY_RUNS_SQL)
    if has_column(con, "articles", "duplicate_count"):
        con.execute(stories_sql(con))
    return counts


def has_column(con: duckdb.DuckDBPyConnection, view: str, column: str) -> bool:
    return column in {row[0] for row in con.execute(f"describe {view}").fetchall()}


def materialize(con: duckdb.DuckDBPyConnection, wanted: dict[str, list[str]]) -> None:
    """Read some columns of some views into memory once and point those views at the copy.

    Every query over a file view re-lists the folders and re-reads each file's footer
    (union_by_name): on 10k articles in ~1,200 partitions that was half a second per query, so a
    program that runs many queries (the report) pays one scan instead. Columns an older output
    lacks are left out rather than failing.
    """
    for view, columns in wanted.items():
        present = {r[0] for r in con.execute(f"describe {view}").fetchall()}
        cols = ", ".join(c for c in columns if c in present)
        con.execute(f"create temp table _mem_{view} as select {cols} from {view}")
        con.execute(f"create or replace view {view} as select * from temp._mem_{view}")


def connect(output: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the views defined over ``output``.

    From Python: ``akhbar.connect("output").sql("select …")`` (``akhbar.pipelines.api``).
    """
    con = duckdb.connect()
    define_views(con, Path(output).resolve())
    return con
