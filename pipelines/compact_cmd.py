"""``akhbar compact --output DIR [--before DATE] [--min-files N]``: merge each partition's files
into one (``transforms.compact``), under the output lock, like a run."""

from __future__ import annotations

import argparse
import re
import sys

from akhbar.pipelines.usage import ArgumentParser, UsageError, error_line

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day(text: str) -> str:
    if not _DAY.fullmatch(text):
        raise argparse.ArgumentTypeError(f"takes a date YYYY-MM-DD, got {text!r}")
    return text


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="akhbar compact",
        description="Rewrite the small files of each partition as one file, atomically "
        "(readers see the old files or the new one, never both; a killed compaction is "
        "finished by the next run).",
    )
    parser.add_argument("--output", default="./output", metavar="DIR",
                        help="akhbar output folder (default: ./output)")  # fmt: skip
    parser.add_argument("--before", type=day, default=None, metavar="YYYY-MM-DD",
                        help="only partitions dated before this day (default: all)")  # fmt: skip
    parser.add_argument("--min-files", type=int, default=2, metavar="N",
                        help="only partitions holding at least N files (default 2)")  # fmt: skip
    parser.add_argument("--lock-wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait for a run holding the output (default: fail at once, exit 3)")  # fmt: skip
    return parser


def compact_main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except (UsageError, ValueError) as exc:
        print(error_line("compact", exc), file=sys.stderr)
        return 2
    from pathlib import Path

    from akhbar.transforms.compact import compact
    from akhbar.transforms.lock import OutputLock, OutputLocked

    output = args.output if "://" in args.output else str(Path(args.output).resolve())
    if "://" not in output and not Path(output).is_dir():
        print(error_line("compact", f"{output} is not an akhbar output folder (run akhbar ingest first)"),
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        with OutputLock(output, wait_seconds=args.lock_wait):
            done = compact(output, args.before, max(2, args.min_files))
    except OutputLocked as exc:
        print(error_line("compact", exc), file=sys.stderr)
        return 3
    print(
        f"akhbar compact: {output}: {done['partitions']} partitions, "
        f"{done['files_before']} files -> {done['files_after']}, {done['rows']} rows"
    )
    return 0
