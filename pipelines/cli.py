"""``akhbar`` command line: ``akhbar ingest [options]``.

Exit codes: 0 success; 1 the run finished but its accounting did not balance; 2 bad usage;
3 another run holds the output folder.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

USAGE = """usage: akhbar <command> [options]

commands:
  ingest   batch-ingest files or feeds into partitioned Parquet (akhbar ingest --help)
  stream   poll feeds continuously with Beam streaming (akhbar stream --help)
  query    SQL over the output: views articles, duplicates, rejects, runs (akhbar query --help)
  report   write one self-contained HTML report with charts (akhbar report --help)
  schema   print the output tables, columns, types and meanings (akhbar schema --help)
"""

# command name -> "module:function" taking argv (list[str]) and returning an exit code.
# Commands are imported only when used, so `akhbar ingest` never pays for the others.
COMMANDS: dict[str, str] = {
    "ingest": "pipelines.cli:ingest_main",
    "stream": "pipelines.stream:stream_main",
    "query": "pipelines.query:query_main",
    "report": "pipelines.report:report_main",
    "schema": "pipelines.schema_cmd:schema_main",
}


def format_summary(record: dict[str, Any]) -> str:
    lines = [
        f"akhbar ingest: run {record['run_id']} -> {record['output']}",
        f"  inputs           {record['input_files']}",
        f"  items read       {record['read']}",
        f"  articles         {record['articles']}",
        f"  duplicates       {record['duplicates']}"
        + "".join(f"  {k}={v}" for k, v in record["duplicates_by_kind"].items()),
        f"  rejects          {record['rejects']}",
    ]
    if record.get("already_ingested"):
        lines.append(f"  already ingested {record['already_ingested']}  (written by earlier runs)")
    for reason, count in record["rejects_by_reason"].items():
        lines.append(f"    {reason:<32} {count}")
    if record.get("skipped_not_items"):
        skipped = ", ".join(f"{k}={v}" for k, v in record["skipped_not_items"].items())
        lines.append(f"  skipped records  {skipped}  (not news items: not counted as read)")
    lines.append(f"  time taken       {record.get('seconds', 0):.2f} s")
    verdict = "OK" if record["balanced"] else "MISMATCH"
    lines.append(
        f"  accounting       read {record['read']} = articles {record['articles']} + duplicates "
        f"{record['duplicates']} + rejects {record['rejects']}"
        + (
            f" + already ingested {record['already_ingested']}"
            if record.get("already_ingested")
            else ""
        )
        + f" ({record['accounted']})  {verdict}"
    )
    return "\n".join(lines)


def ingest_main(argv: list[str]) -> int:
    from pipelines.dryrun import dry_run, wants_dry_run
    from pipelines.options import UsageError, ingest_help_parser, with_default_runner

    if "-h" in argv or "--help" in argv:
        ingest_help_parser().print_help()
        return 0
    try:
        argv = with_default_runner(argv)
    except UsageError as exc:
        print(f"akhbar ingest: {exc}", file=sys.stderr)
        return 2
    if wants_dry_run(argv):
        return dry_run("ingest", argv)
    import tempfile

    from pipelines.allocator import tune_allocator
    from pipelines.ingest import run_ingest
    from pipelines.progress_view import with_progress
    from transforms.lock import OutputLocked

    tune_allocator()  # before the runner allocates anything big (see pipelines.allocator)
    try:
        with tempfile.TemporaryDirectory(prefix="akhbar-progress-") as progress_dir:
            record = with_progress(progress_dir, lambda: run_ingest(argv, progress_dir))
    except FileNotFoundError as exc:
        print(f"akhbar ingest: {exc}", file=sys.stderr)
        return 2
    except OutputLocked as exc:
        print(f"akhbar ingest: {exc}", file=sys.stderr)
        return 3
    print(format_summary(record))
    if not record["balanced"]:
        print(
            "akhbar ingest: ERROR: items read != rows written; see the run record", file=sys.stderr
        )
        return 1
    return 0


def _drop_beam_import_noise(record: logging.LogRecord) -> bool:
    """Beam warns at import that optional GCP client libraries are missing; they are not used."""
    return "apitools not found" not in record.getMessage()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().addFilter(_drop_beam_import_noise)
    # trafilatura warns once per page without text; those pages become rejects with a reason.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    target = COMMANDS.get(command)
    if target is None:
        print(f"akhbar: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    module_name, function_name = target.split(":")
    handler = getattr(importlib.import_module(module_name), function_name)
    return int(handler(rest))


if __name__ == "__main__":
    raise SystemExit(main())
