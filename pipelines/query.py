"""``akhbar query``: SQL over an output folder, in the terminal or into csv/json/parquet.

People who ran akhbar want to ask "what came in from which outlet", not to learn where the
Parquet files are. So the views of :mod:`pipelines.views` are ready on start, a result prints as a
table that keeps Arabic legible (:mod:`pipelines.textgrid`), and the same statement can feed other
tools with ``--format csv|json|parquet``. With no statement it reads statements from standard input
(an interactive prompt on a terminal, a script through a pipe).

Exit codes: 0 done; 2 bad usage, a missing or empty output folder, or a statement DuckDB rejected
(one line on stderr, the first line of DuckDB's message). In a piped script every statement runs,
and the exit code is 2 if any of them failed, so CI notices.

``--output`` is the data folder to read (as for every akhbar command) and ``--export FILE`` the
file a result is written to. The latter was called ``--out``, one letter from ``--output``, and
people mixed them up; ``--out`` now fails with a line that names its new name.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from akhbar.pipelines.textgrid import render_table
from akhbar.pipelines.usage import ArgumentParser, UsageError, error_line
from akhbar.pipelines.views import VIEW_NAMES, OutputNotFound, define_views

FORMATS = ("table", "csv", "json", "parquet")
PROMPT = "akhbar> "
CONTINUE_PROMPT = "   ...> "
REPL_HELP = """statements end with ';' (a final one may omit it). Commands:
  .tables            list the views
  .schema [VIEW]     columns and types
  .format FORMAT     table | csv | json
  .maxrows N         rows shown in table format
  .help              this text
  .quit / .exit      leave (so does end of input, Ctrl-D)"""


@dataclass
class Settings:
    """Output settings; the REPL's dot-commands change them between statements."""

    format: str = "table"
    max_rows: int = 100
    max_width: int = 40
    export: str | None = None


RENAMED = {
    "--out": "--out was renamed to --export (use --export FILE for the file to write; "
    "--output is the data folder to read)",
}
EXPORT_FORMATS = ("csv", "json", "parquet")
EXPORT_SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "json", ".parquet": "parquet"}


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="akhbar query",
        special=RENAMED,
        positional_hint="give one SQL string, quoted",
        description="Run DuckDB SQL over the views articles, duplicates, rejects, runs "
        "(and stories, once near-duplicate clustering fills articles.duplicate_count). "
        "Without SQL, read statements from stdin (an interactive prompt on a terminal).",
    )
    parser.add_argument("sql", nargs="?", help="the statement(s); omit for the interactive shell")
    parser.add_argument(
        "--output",
        default="output",
        metavar="DIR",
        help="the akhbar output folder to read. Default: ./output",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="table (on screen), csv, json (JSON Lines) or parquet. Default: table, or the "
        "format the --export file's extension names (.csv, .json, .jsonl, .parquet)",
    )
    parser.add_argument(
        "--export",
        metavar="FILE",
        help="file to write the result to, with --format csv, json or parquet (required for "
        "parquet). Default: standard output",
    )
    parser.add_argument(
        "--max-rows", type=int, default=100, help="rows shown in table format. Default: 100"
    )
    parser.add_argument(
        "--max-width", type=int, default=40, help="columns per cell in table format. Default: 40"
    )
    return parser


class QueryError(Exception):
    """A statement DuckDB rejected, or an output setting that cannot work; one line for the user."""


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def execute(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyConnection | None:
    """Run the statement(s); the cursor of the last result, or None when it returned nothing."""
    try:
        result = con.execute(sql)
    except duckdb.Error as exc:
        raise QueryError(first_line(exc)) from exc
    return result if result.description is not None else None


def query_arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """The result as one Arrow table, through a relation (a cursor would copy the rows twice)."""
    try:
        relation = con.sql(sql)
        if relation is None:
            raise QueryError("the statement returned no rows to write")
        # DuckDB 1.4 named it to_arrow_table(); earlier versions call it arrow().
        method = getattr(relation, "to_arrow_table", None) or relation.arrow
        return method()
    except duckdb.Error as exc:
        raise QueryError(first_line(exc)) from exc


def write_parquet(con: duckdb.DuckDBPyConnection, sql: str, export: str | None) -> None:
    if not export:
        raise QueryError("--format parquet needs --export FILE")
    table = query_arrow(con, sql)
    try:
        pq.write_table(table, export, compression="zstd")
    except OSError as exc:
        raise QueryError(f"cannot write {export}: {first_line(exc)}") from exc
    print(f"wrote {table.num_rows} rows to {export}", file=sys.stderr)


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=json_default)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def batches(
    result: duckdb.DuckDBPyConnection, size: int = 10_000
) -> Iterator[list[tuple[Any, ...]]]:
    while rows := result.fetchmany(size):
        yield rows


def emit(result: duckdb.DuckDBPyConnection, settings: Settings, stdout: TextIO) -> None:
    """Write one result in the chosen format."""
    columns = [d[0] for d in result.description or ()]
    if settings.format == "table":
        shown = result.fetchmany(settings.max_rows)
        total = len(shown) + sum(len(rows) for rows in batches(result))
        print(render_table(columns, shown, settings.max_width, total), file=stdout)
    elif settings.format == "csv":
        writer = csv.writer(stdout, lineterminator="\n")
        writer.writerow(columns)
        for rows in batches(result):
            writer.writerows([csv_cell(v) for v in row] for row in rows)
    elif settings.format == "json":
        # JSON Lines: one object per row, streams, and jq/pandas/DuckDB read it as is.
        for rows in batches(result):
            for row in rows:
                record = dict(zip(columns, row, strict=True))
                stdout.write(json.dumps(record, ensure_ascii=False, default=json_default) + "\n")
    else:
        raise QueryError(f"unknown format {settings.format!r}")


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, settings: Settings, stdout: TextIO) -> None:
    if settings.format == "parquet":
        write_parquet(con, sql, settings.export)
        return
    result = execute(con, sql)
    if result is not None:
        try:
            emit(result, settings, stdout)
        except duckdb.Error as exc:  # errors raised while streaming rows (casts, I/O)
            raise QueryError(first_line(exc)) from exc


def statements(lines: Iterator[str], interactive: bool) -> Iterator[str]:
    """Group input lines into statements ending with ';'; dot-commands stand alone on a line."""
    pending: list[str] = []
    while True:
        if interactive:
            try:
                line = input(CONTINUE_PROMPT if pending else PROMPT)
            except EOFError:
                print(file=sys.stdout)
                break
        else:
            try:
                line = next(lines).rstrip("\n")
            except StopIteration:
                break
        stripped = line.strip()
        if not pending and stripped.startswith("."):
            yield stripped
            continue
        if not stripped and not pending:
            continue
        pending.append(line)
        if stripped.endswith(";"):
            yield "\n".join(pending)
            pending = []
    if any(p.strip() for p in pending):
        yield "\n".join(pending)


def defined_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The akhbar views this connection has (``stories`` only once the data supports it)."""
    present = {r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()}
    present |= {r[0] for r in con.execute("show tables").fetchall()}
    return [v for v in VIEW_NAMES if v in present]


def dot_command(
    con: duckdb.DuckDBPyConnection, command: str, settings: Settings, stdout: TextIO
) -> bool:
    """Handle one dot-command; False means leave the shell."""
    name, _, arg = command.partition(" ")
    arg = arg.strip()
    if name in (".quit", ".exit", ".q"):
        return False
    if name == ".help":
        print(REPL_HELP, file=stdout)
    elif name == ".tables":
        print("  ".join(defined_views(con)), file=stdout)
    elif name == ".schema":
        run_sql(con, f"describe {arg}" if arg else "show all tables", settings, stdout)
    elif name == ".format" and arg in ("table", "csv", "json"):
        settings.format = arg
    elif name == ".maxrows" and arg.isdigit():
        settings.max_rows = int(arg)
    else:
        raise QueryError(f"unknown or incomplete command {command!r}; try .help")
    return True


def repl(con: duckdb.DuckDBPyConnection, settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """Statements from stdin until .quit or end of input; returns 2 if a piped statement failed."""
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        views = ", ".join(defined_views(con))
        print(f"akhbar query: views {views}. .help for commands, .quit to leave.", file=sys.stderr)
    failed = False
    for statement in statements(iter(stdin), interactive):
        try:
            if statement.startswith("."):
                if not dot_command(con, statement, settings, stdout):
                    break
            else:
                run_sql(con, statement, settings, stdout)
        except QueryError as exc:
            failed = True
            print(f"akhbar query: error: {exc}", file=sys.stderr)
        stdout.flush()
    return 2 if failed and not interactive else 0


def query_main(argv: list[str]) -> int:
    try:
        return _query_main(argv)
    except BrokenPipeError:
        # `akhbar query ... | head`: the reader left; not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _query_main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.format is None:
            suffix = Path(args.export).suffix.lower() if args.export else ""
            args.format = EXPORT_SUFFIXES.get(suffix, "table")
        if args.format == "parquet" and not args.export:
            raise UsageError("--format parquet needs --export FILE (the Parquet file to write)")
        if args.export and args.format not in EXPORT_FORMATS:
            raise UsageError(
                f"--export writes csv, json or parquet, not {args.format} (add --format csv, "
                "--format json or --format parquet, or name the file .csv, .json or .parquet)"
            )
    except UsageError as exc:
        print(error_line("query", exc), file=sys.stderr)
        return 2
    settings = Settings(args.format, max(args.max_rows, 0), max(args.max_width, 4), args.export)
    con = duckdb.connect()
    try:
        define_views(con, Path(args.output).resolve())
    except OutputNotFound as exc:
        print(f"akhbar query: error: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"akhbar query: error: cannot read {args.output}: {first_line(exc)}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        stdout: TextIO = sys.stdout
        if args.export and args.format != "parquet":  # parquet writes the file itself
            try:
                stdout = stack.enter_context(open(args.export, "w", encoding="utf-8", newline=""))
            except OSError as exc:
                print(
                    error_line(
                        "query",
                        f"cannot write {args.export}: {exc.strerror or exc} "
                        "(choose another --export FILE)",
                    ),
                    file=sys.stderr,
                )
                return 2
        if args.sql is None:
            return repl(con, settings, sys.stdin, stdout)
        try:
            run_sql(con, args.sql, settings, stdout)
        except QueryError as exc:
            print(f"akhbar query: error: {exc}", file=sys.stderr)
            return 2
    if args.export and args.format != "parquet":
        print(f"wrote {args.export}", file=sys.stderr)
    return 0
