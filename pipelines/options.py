"""Command-line options of the pipelines: the only place that reads them.

They are Beam ``PipelineOptions`` subclasses, so standard Beam flags (``--runner``,
``--direct_num_workers``, ``--direct_running_mode`` ...) pass straight through to Beam.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from apache_beam.options.pipeline_options import (
    AzureOptions,
    GoogleCloudOptions,
    HadoopFileSystemOptions,
    PipelineOptions,
    S3Options,
)

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
        add_limit_args(parser)
        parser.add_argument(
            "--no-near-dedup",
            dest="no_near_dedup",
            action="store_true",
            default=False,
            help="skip near-duplicate detection (MinHash/LSH); exact and URL dedup still run",
        )
        parser.add_argument(
            "--no-extract",
            dest="no_extract",
            action="store_true",
            default=False,
            help="skip entity/amount/date/quote/keyword extraction",
        )
        parser.add_argument(
            "--camel-data",
            dest="camel_data",
            default=None,
            help="camel-tools data folder (else $CAMELTOOLS_DATA): adds morphological analysis",
        )
        parser.add_argument(
            "--ner-model",
            dest="ner_model",
            default=None,
            help="folder of a camel-tools BERT NER model: its spans are merged with the gazetteer's",
        )
        parser.add_argument(
            "--run-id",
            dest="run_id",
            type=run_id_type,
            default=None,
            help="name of this run under OUTPUT/_runs/ (default: UTC timestamp)",
        )
        parser.add_argument(
            "--dry-run",
            dest="dry_run",
            action="store_true",
            default=False,
            help="check the options and build the pipeline graph, then stop: nothing is read, "
            "fetched or written (exit 1 if the graph would lose data on the chosen runner)",
        )


_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def run_id_type(text: str) -> str:
    """argparse type of ``--run-id``: it names ``_runs/<id>.json`` and ``_staging/<id>/``, so
    '../x', 'a/b' or a name starting with '.' would write outside the output folder or hide."""
    if not _RUN_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: use letters, digits, '.', '_' and '-', starting with a letter or digit"
        )
    return text


def positive_int(text: str) -> int:
    """argparse type: a bad value is a usage error (exit 2), not a crash deep in a worker."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def add_limit_args(parser: argparse.ArgumentParser) -> None:
    """The bounds on what one input may cost (README, "Limits"); each has a reject reason."""
    from akhbar.transforms.prepare import DEFAULT_MAX_TEXT_CHARS
    from akhbar.transforms.sources.http import FetchConfig
    from akhbar.transforms.sources.limits import (
        DEFAULT_MAX_DEPTH,
        DEFAULT_MAX_FEED_ITEMS,
        DEFAULT_MAX_FILE_BYTES,
    )

    fetch = FetchConfig()
    limits = [
        ("--max-file-bytes", DEFAULT_MAX_FILE_BYTES,
         "a feed, JSONL or HTML file larger than this (or its gzip, inflated) is rejected "
         "whole: read:too-large. WARC files are streamed and exempt"),
        ("--max-fetch-bytes", fetch.max_bytes,
         "an HTTP response body larger than this (on the wire or decompressed) is refused: "
         "http:too-large"),
        ("--max-feed-items", DEFAULT_MAX_FEED_ITEMS,
         "items of one feed past this many are rejected one by one: feed:too-many-items"),
        ("--max-text-chars", DEFAULT_MAX_TEXT_CHARS,
         "longer text, summary or title is cut to this many characters and the article "
         "flagged truncated=true"),
        ("--max-depth", DEFAULT_MAX_DEPTH,
         "deeper JSON records, XML feeds and HTML pages are rejected: jsonl:too-deep, "
         "xml:too-deep, html:too-deep (HTML is also capped at 256 by its parser)"),
        ("--max-redirects", fetch.max_redirects,
         "HTTP redirects followed per request (0: none); one more is http:too-many-redirects"),
    ]  # fmt: skip
    for flag, default, meaning in limits:
        parser.add_argument(
            flag,
            dest=flag[2:].replace("-", "_"),
            type=non_negative_int if flag == "--max-redirects" else positive_int,
            default=default,
            help=f"{meaning} (default {default:,})",
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


DASK_RUNNER = "apache_beam.runners.dask.dask_runner.DaskRunner"
# Short names for --runner. Beam itself knows FlinkRunner, DataflowRunner ... by class name,
# but not DaskRunner, which needs its full dotted path.
RUNNER_ALIASES = {
    "dask": DASK_RUNNER,
    "daskrunner": DASK_RUNNER,
    "local": DEFAULT_RUNNER,
    "flink": "FlinkRunner",
    "spark": "SparkRunner",
    "dataflow": "DataflowRunner",
}


STORAGE_OPTIONS = (S3Options, GoogleCloudOptions, AzureOptions, HadoopFileSystemOptions)


def storage_settings(options: PipelineOptions) -> dict[str, Any]:
    """The storage options the user set (``--s3_endpoint_url`` ...), as a plain dict.

    Handed to the DoFns that read or write the output, because DaskRunner workers never see
    the pipeline options (``transforms.state.use_storage_options``). Prefer the default
    credential chains (environment, instance roles) to keys on the command line: whatever is
    here travels inside the pipeline graph.
    """
    settings: dict[str, Any] = {}
    for view in STORAGE_OPTIONS:
        settings.update(options.view_as(view).get_all_options(drop_default=True, current_only=True))
    return settings


class UsageError(ValueError):
    """Bad command line (exit code 2)."""


def _runner_of(argv: list[str]) -> tuple[int, str] | None:
    """(index of the value, runner name) of the last ``--runner`` in argv."""
    found = None
    for i, arg in enumerate(argv):
        if arg.startswith("--runner="):
            found = (i, arg.split("=", 1)[1])
        elif arg == "--runner" and i + 1 < len(argv):
            found = (i + 1, argv[i + 1])
    return found


def with_default_runner(argv: list[str]) -> list[str]:
    """Resolve ``--runner``: FnApiRunner by default, short aliases (``--runner=dask``) expanded.

    For Dask, its options module is imported here so that ``--dask_client_address`` and the
    other ``--dask_*`` flags are known to every options parse (otherwise Beam warns
    "Discarding unparseable args" and our own reads of the options miss them), and each input
    file becomes its own Dask partition (``--dask_partition_size=1``) unless the user chose a
    partitioning: DaskRunner's default of 128 elements per partition would put a whole run's
    files in one task on one worker, and neither Reshuffle nor GroupByKey repartitions there.
    """
    found = _runner_of(argv)
    if found is None:
        return [*argv, f"--runner={DEFAULT_RUNNER}"]
    index, name = found
    runner = RUNNER_ALIASES.get(name.lower(), name)
    argv = list(argv)
    argv[index] = f"--runner={runner}" if argv[index].startswith("--runner=") else runner
    if runner.rsplit(".", 1)[-1] == "DaskRunner":
        try:
            import apache_beam.runners.dask.dask_runner  # noqa: F401  (registers DaskOptions)
            import dask.distributed  # noqa: F401
        except ImportError as exc:
            raise UsageError(
                f"--runner={name} needs Dask: pip install 'akhbar[dask]' ({exc})"
            ) from exc
        if not any(a.startswith(("--dask_npartitions", "--dask_partition_size")) for a in argv):
            argv.append("--dask_partition_size=1")
    return argv


# Below this much input, starting worker processes costs more than it saves (~1 s).
AUTO_PARALLEL_MIN_BYTES = 32 * 1024 * 1024
AUTO_PARALLEL_MAX_WORKERS = 8


def free_cores() -> int:
    """Cores this process may use, minus the load already on them (rounded down)."""
    import os

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    return max(1, int(usable - busy + 0.5))


LOCAL_RUNNERS = frozenset({"FnApiRunner", "DirectRunner", "BundleBasedDirectRunner"})


def is_local_runner(runner: str) -> bool:
    """Beam's in-process runners (``--direct_*`` options apply); "" is the default runner."""
    return not runner or runner.rsplit(".", 1)[-1] in LOCAL_RUNNERS


def with_parallel_default(argv: list[str], input_bytes: int, cores: int) -> list[str]:
    """On the local runner, use ``multi_processing`` with one worker per free core when the input
    is large, unless the user chose a running mode or a worker count (``--direct_num_workers=1``
    keeps one process). Other runners manage their own workers."""
    found = _runner_of(argv)
    if not is_local_runner(found[1] if found else DEFAULT_RUNNER):
        return argv
    if any(a.startswith(("--direct_running_mode", "--direct_num_workers")) for a in argv):
        return argv
    if input_bytes < AUTO_PARALLEL_MIN_BYTES or cores < 2:
        return argv
    workers = min(cores, AUTO_PARALLEL_MAX_WORKERS)
    return [*argv, "--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]


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
