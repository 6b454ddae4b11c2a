"""``akhbar`` command line: ``akhbar ingest [options]``.

Exit codes: 0 success; 1 the run finished but its accounting did not balance; 2 bad usage;
3 another run holds the output folder.
"""

from __future__ import annotations

import importlib
import logging
import sys

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
    "ingest": "akhbar.pipelines.cli:ingest_main",
    "stream": "akhbar.pipelines.stream:stream_main",
    "query": "akhbar.pipelines.query:query_main",
    "report": "akhbar.pipelines.report:report_main",
    "schema": "akhbar.pipelines.schema_cmd:schema_main",
}


def checked_ingest_argv(argv: list[str]) -> list[str]:
    """``akhbar ingest``'s argument list checked and completed (the runner resolved), as both
    the command line and ``akhbar.ingest`` run it. Raises ``UsageError``."""
    from akhbar.pipelines.options import with_default_runner

    return with_default_runner(argv)


def ingest_main(argv: list[str]) -> int:
    from akhbar.pipelines.dryrun import dry_run, wants_dry_run
    from akhbar.pipelines.options import UsageError, ingest_help_parser

    if "-h" in argv or "--help" in argv:
        ingest_help_parser().print_help()
        return 0
    try:
        argv = checked_ingest_argv(argv)
    except UsageError as exc:
        print(f"akhbar ingest: {exc}", file=sys.stderr)
        return 2
    if wants_dry_run(argv):
        return dry_run("ingest", argv)
    import tempfile

    from akhbar.pipelines.allocator import tune_allocator
    from akhbar.pipelines.ingest import run_ingest
    from akhbar.pipelines.progress_view import with_progress
    from akhbar.pipelines.summary import format_summary
    from akhbar.transforms.lock import OutputLocked

    tune_allocator()  # before the runner allocates anything big (see pipelines.allocator)
    try:
        with tempfile.TemporaryDirectory(prefix="akhbar-progress-") as progress_dir:
            record = with_progress(progress_dir, lambda: run_ingest(argv, progress_dir))
    except FileNotFoundError as exc:
        print(f"akhbar ingest: {exc}", file=sys.stderr)
        return 2
    except OutputLocked as exc:
        print(f"akhbar ingest: error: {exc}", file=sys.stderr)
        return 3
    print(format_summary(record))
    if not record["balanced"]:
        print(
            "akhbar ingest: ERROR: items read != rows written; see the run record", file=sys.stderr
        )
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
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
