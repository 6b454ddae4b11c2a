"""What an output folder costs its readers: files per table, and DuckDB reading a day and a month.

    python -m benchmarks.readback OUTPUT [--date YYYY-MM-DD] [--repeat 3]

``files(output)`` counts the Parquet files of each table, the near-duplicate index files and the
``date=/source=`` partitions. ``readback(output)`` times ``select count(*), sum(word_count)``
over the articles of one day and of one month, each in a new Python process (nothing cached in
the process; the operating system's page cache is warm after the run that wrote the folder),
median of ``repeat``:

- ``views``: through ``akhbar.connect(output)``, the views ``akhbar query`` and users get
  (``union_by_name``: DuckDB reads every file's footer when the view is bound, whatever the
  filter keeps): the figure issue 19's "reading one day back" target is judged on;
- ``hive``: ``read_parquet`` over the table with hive partitioning and the same filter, without
  ``union_by_name``: what a reader that trusts one schema pays (the folders are pruned before
  any file is opened);

``query_s`` is the time from ``connect`` to the result (imports excluded); ``process_s`` the
whole process, interpreter start and imports included. The day read is the day with the most
article bytes (the worst day), the month is that day's month.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TABLES = ("articles", "duplicates", "rejects")
VARIANTS = ("views", "hive")


def files(output: Path) -> dict[str, int]:
    """Files per table, near-index files and partitions (``date=…/source=…`` of articles)."""
    counts = {t: sum(1 for _ in (output / t).rglob("*.parquet")) for t in TABLES}
    index = output / "_state" / "near_index"
    counts["near_index"] = sum(1 for p in index.rglob("*") if p.is_file()) if index.is_dir() else 0
    counts["article_partitions"] = sum(
        1 for p in (output / "articles").glob("date=*/*") if p.is_dir()
    )
    counts["article_days"] = sum(1 for p in (output / "articles").glob("date=*") if p.is_dir())
    return counts


def busiest_day(output: Path) -> str | None:
    """The ``date=`` of ``articles`` holding the most bytes (None: no articles)."""
    sizes: dict[str, int] = {}
    for path in (output / "articles").glob("date=*/*/*.parquet"):
        day = path.parent.parent.name.removeprefix("date=")
        sizes[day] = sizes.get(day, 0) + path.stat().st_size
    return max(sorted(sizes), key=lambda d: sizes[d]) if sizes else None


def month_bounds(day: str) -> tuple[str, str]:
    """[first day of the month of ``day``, first day of the next month)."""
    year, month = int(day[:4]), int(day[5:7])
    nxt = (year + month // 12, month % 12 + 1)
    return f"{year:04d}-{month:02d}-01", f"{nxt[0]:04d}-{nxt[1]:02d}-01"


def where(day: str, span: str) -> str:
    """The filter on the ``date`` partition column for one day or its month."""
    if span == "day":
        return f"date = DATE '{day}'"
    first, after = month_bounds(day)
    return f"date >= DATE '{first}' AND date < DATE '{after}'"


def sql(variant: str, output: Path, day: str, span: str) -> str:
    """The query a child process runs (``variant``: see the module docstring)."""
    if variant == "views":
        source = "articles"
    elif variant == "hive":
        pattern = str(output / "articles" / "**" / "*.parquet").replace("'", "''")
        source = (
            f"read_parquet('{pattern}', hive_partitioning = true, "
            "hive_types = {'date': DATE, 'source': VARCHAR})"
        )
    else:
        raise ValueError(f"variant {variant!r}: one of {', '.join(VARIANTS)}")
    return f"select count(*), sum(word_count) from {source} where {where(day, span)}"


CHILD = """
import json, sys, time
variant, output, query = sys.argv[1:4]
import duckdb
import akhbar
start = time.perf_counter()
con = akhbar.connect(output) if variant == "views" else duckdb.connect()
rows, words = con.execute(query).fetchone()
print(json.dumps({"query_s": time.perf_counter() - start, "rows": rows, "words": words}))
"""


def time_once(variant: str, output: Path, day: str, span: str) -> dict[str, Any]:
    """One cold process: its query time, its whole time and what it counted."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, variant, str(output), sql(variant, output, day, span)],
        capture_output=True,
        text=True,
        check=False,
    )
    process = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"readback {variant} {span} failed: {done.stderr[-1500:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "process_s": process}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median query and process times of repeated runs; the rows and words of the last."""
    return {
        "query_s": round(statistics.median(r["query_s"] for r in runs), 4),
        "process_s": round(statistics.median(r["process_s"] for r in runs), 3),
        "query_runs": [round(r["query_s"], 4) for r in runs],
        "rows": runs[-1]["rows"],
        "words": runs[-1]["words"],
    }


def readback(output: Path, day: str | None = None, repeat: int = 3) -> dict[str, Any]:
    """Day and month reads of ``output``'s articles, per variant (module docstring)."""
    day = day or busiest_day(output)
    if day is None:
        return {"skipped": "no articles"}
    result: dict[str, Any] = {"day": day, "month": day[:7]}
    for variant in VARIANTS:
        for span in ("day", "month"):
            runs = [time_once(variant, output, day, span) for _ in range(repeat)]
            result[f"{variant}_{span}"] = summarise(runs)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--date", help="the day to read (default: the busiest)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    output = args.output.resolve()
    report = {"files": files(output), **readback(output, args.date, args.repeat)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
