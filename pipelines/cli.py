"""``akhbar`` command line: ``akhbar ingest [options]``, ``akhbar stream``, ``query`` ...

Exit codes (README, "Exit codes"): 0 done; 1 the run finished but its accounting did not
balance; 2 a usage error, always one line ``akhbar <command>: error: <what> (<what to do>)``;
3 another run holds the output folder; 4 the job failed on the runner (a cluster lost a
worker: one line with the runner's reason, nothing of the run committed); 130 interrupted
(Ctrl-C). A user's mistake never ends in a traceback: tracebacks are for akhbar's own bugs.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable

from akhbar.pipelines.usage import (
    UsageError,
    check_output,
    error_line,
    os_error_message,
    runner_failure,
    runner_failure_line,
)

USAGE = """usage: akhbar <command> [options]

commands:
  ingest   batch-ingest files or feeds into partitioned Parquet (akhbar ingest --help)
  stream   poll feeds continuously with Beam streaming (akhbar stream --help)
  query    SQL over the output: views articles, duplicates, rejects, runs (akhbar query --help)
  report   write one self-contained HTML report with charts (akhbar report --help)
  schema   print the output tables, columns, types and meanings (akhbar schema --help)
  compact  merge each partition's small files into one, atomically (akhbar compact --help)
"""

# command name -> "module:function" taking argv (list[str]) and returning an exit code.
# Commands are imported only when used, so `akhbar ingest` never pays for the others, and the
# help of ingest and stream is answered here without importing Beam.
COMMANDS: dict[str, str] = {
    "ingest": "akhbar.pipelines.cli:ingest_main",
    "stream": "akhbar.pipelines.cli:stream_main",
    "query": "akhbar.pipelines.query:query_main",
    "report": "akhbar.pipelines.report:report_main",
    "schema": "akhbar.pipelines.schema_cmd:schema_main",
    "compact": "akhbar.pipelines.compact_cmd:compact_main",
}

INTERRUPTED = {
    "ingest": "akhbar ingest: interrupted: nothing was committed; run again to resume",
    "stream": "akhbar stream: interrupted: windows already committed stay, the rest was not "
    "committed; run again to resume",
}


def help_requested(command: str, argv: list[str]) -> int | None:
    """Print ``--help`` (no Beam import) or ``--help-beam`` (Beam's option registry) of ingest
    or stream and return 0; None when neither was asked for."""
    from akhbar.pipelines.arguments import BEAM_HELP_FLAG, help_parser, wants_help

    if BEAM_HELP_FLAG in argv:
        from akhbar.pipelines.registry import beam_help

        try:
            print(beam_help(command, argv), end="")
        except UsageError as exc:  # a runner akhbar refuses (--runner=dask)
            print(error_line(command, exc), file=sys.stderr)
            return 2
        return 0
    if wants_help(argv):
        help_parser(command).print_help()
        return 0
    return None


def checked_argv(command: str, argv: list[str]) -> tuple[list[str], bool]:
    """``argv`` checked and completed (the runner resolved), and whether it is a dry run.

    Raises ``UsageError`` for an unknown option (Beam would drop it and run with the
    defaults), a bad value, a stray argument or an output path that cannot be written. The
    output is not checked for ``--dry-run``, which judges a line meant for another machine.
    """
    from akhbar.pipelines.options import with_default_runner
    from akhbar.pipelines.registry import check_argv

    argv = with_default_runner(argv)
    namespace = check_argv(command, argv)
    if not namespace.dry_run:
        check_output(namespace.output)
    return argv, bool(namespace.dry_run)


def checked_ingest_argv(argv: list[str]) -> list[str]:
    """``akhbar ingest``'s argument list checked and completed (the runner resolved), as both
    the command line and ``akhbar.ingest`` run it. Raises ``UsageError``."""
    return checked_argv("ingest", argv)[0]


def reporting_errors(command: str, work: Callable[[], int]) -> int:
    """Run ``work``; a user's error becomes one line on stderr and its exit code.

    OS errors are the user's too (a read-only or full disk, a path through a file): the run
    writes only under ``--output`` and reads only what the command line names. Ctrl-C is
    recognised by ``interrupt_guard`` whatever Beam turns it into (it wraps a
    ``KeyboardInterrupt`` raised inside a step in a ``RuntimeError``). A job that failed on
    a portable runner's cluster (``usage.runner_failure``) is one line and exit 4.
    """
    from akhbar.pipelines.interrupt import interrupt_guard
    from akhbar.transforms.lock import OutputLocked
    from akhbar.transforms.sources.feedlist import FeedListError

    with interrupt_guard() as interrupted:
        try:
            return work()
        except UsageError as exc:
            message, code = error_line(command, exc), 2
        except FeedListError as exc:
            message, code = error_line(command, f"{exc} ({exc.hint})"), 2
        except OutputLocked as exc:
            message, code = error_line(command, exc), 3
        except OSError as exc:
            message, code = error_line(command, os_error_message(exc)), 2
        except KeyboardInterrupt:
            message, code = INTERRUPTED[command], 130
        except Exception as exc:
            failed = runner_failure(exc)
            if interrupted.is_set():
                message, code = INTERRUPTED[command], 130
            elif failed is not None:  # the job failed on the cluster, not in akhbar's code
                message, code = runner_failure_line(command, *failed), 4
            else:
                raise  # a bug: its traceback is what a report needs
        if interrupted.is_set():  # an error on the way out of an interrupted run
            message, code = INTERRUPTED[command], 130
    print(message, file=sys.stderr)
    return code


def ingest_main(argv: list[str]) -> int:
    asked = help_requested("ingest", argv)
    if asked is not None:
        return asked
    return reporting_errors("ingest", lambda: _ingest(argv))


def _ingest(argv: list[str]) -> int:
    argv, dry = checked_argv("ingest", argv)
    if dry:
        from akhbar.pipelines.dryrun import dry_run

        return dry_run("ingest", argv)
    import tempfile

    from akhbar.pipelines.allocator import tune_allocator
    from akhbar.pipelines.ingest import run_ingest
    from akhbar.pipelines.progress_view import with_progress
    from akhbar.pipelines.summary import format_summary

    tune_allocator()  # before the runner allocates anything big (see pipelines.allocator)
    with tempfile.TemporaryDirectory(prefix="akhbar-progress-") as progress_dir:
        record = with_progress(progress_dir, lambda: run_ingest(argv, progress_dir))
    print(format_summary(record))
    if not record["balanced"]:
        print(
            "akhbar ingest: ERROR: items read != rows written; see the run record", file=sys.stderr
        )
        return 1
    return 0


def stream_main(argv: list[str]) -> int:
    """``akhbar stream``: its help without importing Beam; the run in ``pipelines.stream``."""
    asked = help_requested("stream", argv)
    if asked is not None:
        return asked
    from akhbar.pipelines.stream import stream_main as run_stream_main

    return run_stream_main(argv)


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
        from akhbar.pipelines.usage import suggestion

        close = suggestion(command, COMMANDS)
        hint = f"did you mean {close}?" if close else "akhbar --help lists the commands"
        print(f"akhbar: error: unknown command {command!r} ({hint})", file=sys.stderr)
        return 2
    module_name, function_name = target.split(":")
    handler = getattr(importlib.import_module(module_name), function_name)
    return int(handler(rest))


if __name__ == "__main__":
    raise SystemExit(main())
