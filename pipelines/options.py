"""Command-line options of the pipelines: the only place that reads them.

They are Beam ``PipelineOptions`` subclasses, so standard Beam flags (``--runner``,
``--direct_num_workers``, ``--direct_running_mode`` ...) pass straight through to Beam.
"""

from __future__ import annotations

import argparse

from apache_beam.options.pipeline_options import PipelineOptions

DEFAULT_OUTPUT = "./output"
DEFAULT_RUNNER = "FnApiRunner"  # the local engine, without DirectRunner's Prism download attempt


class IngestOptions(PipelineOptions):
    """Options of ``akhbar ingest``."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--input",
            dest="inputs",
            action="append",
            default=None,
            help="file, glob or folder to read (repeatable). Default: the bundled seeds/samples/",
        )
        parser.add_argument(
            "--output", default=DEFAULT_OUTPUT, help="output folder (default ./output)"
        )
        parser.add_argument(
            "--language",
            dest="languages",
            default="",
            help="comma-separated languages to keep, e.g. 'ar'; others go to rejects. Default: keep all",
        )
        parser.add_argument(
            "--min-text-chars",
            dest="min_text_chars",
            type=int,
            default=20,
            help="items whose cleaned text is shorter are rejected (filter:too-short)",
        )
        parser.add_argument(
            "--feeds",
            default=None,
            help="feed list (YAML list of {source, url, language?, country?} or one URL per line) "
            "to poll over HTTP; items an earlier run wrote are skipped",
        )
        parser.add_argument(
            "--allow-private-network",
            dest="allow_private_network",
            action="store_true",
            default=False,
            help="allow fetching loopback/private/link-local addresses (tests, intranets)",
        )
        parser.add_argument(
            "--fetch-articles",
            dest="fetch_articles",
            action="store_true",
            default=False,
            help="for feed items that carry only a summary, fetch the linked page (robots.txt "
            "respected) and extract the article with trafilatura",
        )
        parser.add_argument(
            "--host-delay",
            dest="host_delay",
            type=float,
            default=1.0,
            help="minimum seconds between two requests to the same host (default 1.0)",
        )
        parser.add_argument(
            "--user-agent",
            dest="user_agent",
            default=None,
            help="User-Agent sent with every HTTP request",
        )
        parser.add_argument(
            "--state-horizon-days",
            dest="state_horizon_days",
            type=int,
            default=30,
            help="earlier output written within this many days is matched against (default 30)",
        )
        parser.add_argument(
            "--lock-wait",
            dest="lock_wait",
            type=float,
            default=0.0,
            help="seconds to wait for another run on the same output to finish (default: fail at once)",
        )
        parser.add_argument(
            "--run-id",
            dest="run_id",
            default=None,
            help="name of this run under OUTPUT/_runs/ (default: UTC timestamp)",
        )


class StreamOptions(IngestOptions):
    """Options of ``akhbar stream`` (the ingest options plus the polling schedule)."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--poll-interval",
            dest="poll_interval",
            type=float,
            default=300.0,
            help="seconds between two polls of every feed (default 300)",
        )
        parser.add_argument(
            "--window",
            dest="window",
            type=float,
            default=None,
            help="seconds per output window (default: the poll interval)",
        )
        parser.add_argument(
            "--duration",
            dest="duration",
            type=float,
            default=None,
            help="stop after this many seconds (default: run until stopped)",
        )


def with_default_runner(argv: list[str]) -> list[str]:
    """Add ``--runner=FnApiRunner`` unless the user chose a runner."""
    if any(arg == "--runner" or arg.startswith("--runner=") for arg in argv):
        return argv
    return [*argv, f"--runner={DEFAULT_RUNNER}"]


def stream_help_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="akhbar stream",
        description="Poll feeds continuously (Beam streaming) into partitioned Parquet.",
    )
    IngestOptions._add_argparse_args(parser)
    StreamOptions._add_argparse_args(parser)
    return parser


def ingest_help_parser() -> argparse.ArgumentParser:
    """An argparse parser used only for ``akhbar ingest --help``."""
    parser = argparse.ArgumentParser(
        prog="akhbar ingest",
        description="Batch-ingest Arabic news files into partitioned Parquet. "
        "Any standard Beam option (--runner, --direct_num_workers, --direct_running_mode, ...) "
        "is passed to Beam.",
    )
    IngestOptions._add_argparse_args(parser)
    return parser
