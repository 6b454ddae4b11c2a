"""The options of ``akhbar ingest`` and ``akhbar stream``, defined once and without Beam.

``IngestOptions`` and ``PollingOptions`` (``pipelines.options``) register these with Beam so
that the run reads them as pipeline options; the help screens and the command-line checks build
plain argparse parsers from the same functions. Keeping the definitions here, in a module that
imports neither Beam nor a transform that does, is what makes ``akhbar ingest --help`` instant
(Beam takes seconds to import); the default bounds come from ``transforms.bounds`` for the
same reason.

Every option says what happens when it is not given ("Default: ..."), including the switches and
the options whose default is "none": a help screen that says ``(default: None)`` answers nothing.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from akhbar.transforms.bounds import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_FEED_ITEMS,
    DEFAULT_MAX_FETCH_BYTES,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_TEXT_CHARS,
    HTML_MAX_DEPTH,
)

DEFAULT_OUTPUT = "./output"
DEFAULT_MIN_TEXT_CHARS = 20
DEFAULT_HOST_DELAY = 1.0
DEFAULT_STATE_HORIZON_DAYS = 30
DEFAULT_NEAR_WINDOW_DAYS = 14.0  # MinhashConfig.max_days_apart (tests/dedup/test_window.py)
DEFAULT_POLL_INTERVAL = 300.0

COMMANDS = ("ingest", "stream")
BEAM_HELP_FLAG = "--help-beam"

FEED_LIST = "a YAML list of {source, url, language?, country?}, or one URL per line"

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def run_id_type(text: str) -> str:
    """argparse type of ``--run-id``: it names ``_runs/<id>.json`` and ``_staging/<id>/``, so
    '../x', 'a/b' or a name starting with '.' would write outside the output folder or hide."""
    if not _RUN_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: use letters, digits, '.', '_' and '-', starting with a letter or digit"
        )
    return text


def _integer(text: str) -> int:
    try:
        return int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    """argparse type: a bad value is a usage error (exit 2), not a crash deep in a worker."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def non_negative_int(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def positive_float(text: str) -> float:
    value = non_negative_float(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _bytes(n: int) -> str:
    return f"{n:,} ({n // (1024 * 1024)} MiB)" if n % (1024 * 1024) == 0 else f"{n:,}"


# (flag, default, how the default reads, meaning); the run's ReadLimits/FetchConfig/
# PrepareConfig take their defaults from the same constants (transforms.bounds).
LIMITS: tuple[tuple[str, int, str, str], ...] = (
    ("--max-file-bytes", DEFAULT_MAX_FILE_BYTES, _bytes(DEFAULT_MAX_FILE_BYTES),
     "a feed, JSONL or HTML file larger than this (or its gzip, inflated) is rejected "
     "whole: read:too-large. WARC files are streamed and exempt"),
    ("--max-fetch-bytes", DEFAULT_MAX_FETCH_BYTES, _bytes(DEFAULT_MAX_FETCH_BYTES),
     "an HTTP response body larger than this (on the wire or decompressed) is refused: "
     "http:too-large"),
    ("--max-feed-items", DEFAULT_MAX_FEED_ITEMS, f"{DEFAULT_MAX_FEED_ITEMS:,}",
     "items of one feed past this many are rejected one by one: feed:too-many-items"),
    ("--max-text-chars", DEFAULT_MAX_TEXT_CHARS, f"{DEFAULT_MAX_TEXT_CHARS:,}",
     "longer text, summary or title is cut to this many characters and the article "
     "flagged truncated=true"),
    ("--max-depth", DEFAULT_MAX_DEPTH, f"{DEFAULT_MAX_DEPTH:,}",
     "deeper JSON records, XML feeds and HTML pages are rejected: jsonl:too-deep, "
     f"xml:too-deep, html:too-deep (HTML is also capped at {HTML_MAX_DEPTH} by its parser)"),
    ("--max-redirects", DEFAULT_MAX_REDIRECTS, f"{DEFAULT_MAX_REDIRECTS}",
     "HTTP redirects followed per request (0: none); one more is http:too-many-redirects"),
)  # fmt: skip


def add_ingest_arguments(parser: Any, command: str = "ingest") -> None:
    """akhbar's own options of ``command`` ('ingest' or 'stream'), in argument groups.

    ``parser`` is an argparse parser (Beam's own subclass when Beam registers them). ``stream``
    has no ``--input``: it polls ``--feeds`` only, which it requires.
    """
    stream = command == "stream"
    group = parser.add_argument_group("filters" if stream else "inputs")
    if not stream:
        group.add_argument(
            "--input",
            dest="inputs",
            action="append",
            default=None,
            metavar="PATH",
            help="file, glob (quoted) or folder to read, recursively; repeatable. Default: the "
            "bundled seeds/samples/, unless --feeds is given (then only the feeds)",
        )
    group.add_argument(
        "--language",
        dest="languages",
        default="",
        metavar="CODES",
        help="comma-separated languages to keep, e.g. 'ar'; items detected as another "
        "language go to rejects. Default: keep every language",
    )
    group.add_argument(
        "--min-text-chars",
        dest="min_text_chars",
        type=non_negative_int,
        default=DEFAULT_MIN_TEXT_CHARS,
        metavar="N",
        help="items whose cleaned text is shorter are rejected (filter:too-short). "
        f"Default: {DEFAULT_MIN_TEXT_CHARS}",
    )

    group = parser.add_argument_group("feeds and fetching")
    group.add_argument(
        "--feeds",
        default=None,
        metavar="FILE",
        help=f"feed list to poll over HTTP: {FEED_LIST}. "
        + (
            "Required"
            if stream
            else "Items an earlier run wrote are skipped. Default: no feeds, only --input"
        ),
    )
    group.add_argument(
        "--fetch-articles",
        dest="fetch_articles",
        action="store_true",
        default=False,
        help="for feed items that carry only a summary, fetch the linked page (robots.txt "
        "respected) and extract the article with trafilatura. Default: off (the feed's text)",
    )
    group.add_argument(
        "--allow-private-network",
        dest="allow_private_network",
        action="store_true",
        default=False,
        help="allow fetching loopback and private addresses (tests, intranets). Default: off, "
        "such addresses are refused (http:ssrf-blocked)",
    )
    group.add_argument(
        "--host-delay",
        dest="host_delay",
        type=non_negative_float,
        default=DEFAULT_HOST_DELAY,
        metavar="SECONDS",
        help=f"minimum seconds between two requests to the same host. Default: {DEFAULT_HOST_DELAY}",
    )
    group.add_argument(
        "--user-agent",
        dest="user_agent",
        default=None,
        metavar="TEXT",
        help="User-Agent sent with every HTTP request. Default: akhbar's own, with its URL",
    )

    group = parser.add_argument_group("dedup")
    group.add_argument(
        "--no-near-dedup",
        dest="no_near_dedup",
        action="store_true",
        default=False,
        help="skip near-duplicate detection (MinHash/LSH); exact and URL dedup still run. "
        "Default: near dedup on",
    )
    group.add_argument(
        "--near-window-days",
        dest="near_window_days",
        type=non_negative_float,
        default=DEFAULT_NEAR_WINDOW_DAYS,
        metavar="DAYS",
        help="near copies and follow-ups are only matched when published at most this many "
        "days apart (undated items always are). Default: "
        f"{DEFAULT_NEAR_WINDOW_DAYS:g}, long enough for a repost or reminder a week or two "
        "later; templated series of different days are told apart by their numbers and names",
    )
    group.add_argument(
        "--state-horizon-days",
        dest="state_horizon_days",
        type=non_negative_int,
        default=DEFAULT_STATE_HORIZON_DAYS,
        metavar="DAYS",
        help="earlier output written within this many days is matched against (already "
        f"ingested items, duplicates of earlier articles). Default: {DEFAULT_STATE_HORIZON_DAYS}",
    )

    group = parser.add_argument_group("extraction")
    group.add_argument(
        "--no-extract",
        dest="no_extract",
        action="store_true",
        default=False,
        help="skip entity/amount/date/quote/keyword extraction. Default: extraction on",
    )
    group.add_argument(
        "--camel-data",
        dest="camel_data",
        default=None,
        metavar="DIR",
        help="camel-tools data folder: adds morphological analysis. Default: $CAMELTOOLS_DATA "
        "if set, else none (the offline gazetteer and rules only)",
    )
    group.add_argument(
        "--ner-model",
        dest="ner_model",
        default=None,
        metavar="DIR",
        help="folder of a camel-tools BERT NER model: its spans are merged with the "
        "gazetteer's. Default: none (gazetteer only)",
    )

    group = parser.add_argument_group(
        "limits", "bounds on what one input may cost; past one, an input becomes rejects"
    )
    for flag, default, shown, meaning in LIMITS:
        group.add_argument(
            flag,
            dest=flag[2:].replace("-", "_"),
            type=non_negative_int if flag == "--max-redirects" else positive_int,
            default=default,
            metavar="N",
            help=f"{meaning}. Default: {shown}",
        )

    group = parser.add_argument_group("output and run control")
    group.add_argument(
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help="output folder (created if missing), or an s3:// or gs:// URL. "
        f"Default: {DEFAULT_OUTPUT}",
    )
    group.add_argument(
        "--run-id",
        dest="run_id",
        type=run_id_type,
        default=None,
        metavar="ID",
        help="name of this run under OUTPUT/_runs/. Default: "
        + ("stream-<UTC time>" if stream else "<UTC time>-<random suffix>"),
    )
    group.add_argument(
        "--lock-wait",
        dest="lock_wait",
        type=non_negative_float,
        default=0.0,
        metavar="SECONDS",
        help="seconds to wait for another run on the same output to finish. Default: 0, "
        "fail at once (exit code 3)",
    )
    group.add_argument(
        "--dry-run",
        dest="dry_run",
        action="store_true",
        default=False,
        help="check the options and build the pipeline graph, then stop: nothing is read, "
        "fetched or written (exit 1 if the graph would lose data on the chosen runner). "
        "Default: off, run",
    )


def add_polling_arguments(parser: Any) -> None:
    """``akhbar stream``'s own options: the polling schedule."""
    group = parser.add_argument_group("polling schedule")
    group.add_argument(
        "--poll-interval",
        dest="poll_interval",
        type=positive_float,
        default=DEFAULT_POLL_INTERVAL,
        metavar="SECONDS",
        help=f"seconds between two polls of every feed. Default: {DEFAULT_POLL_INTERVAL:g}",
    )
    group.add_argument(
        "--window",
        dest="window",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="seconds per output window (one commit and run record each). Default: the poll "
        "interval",
    )
    group.add_argument(
        "--duration",
        dest="duration",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="stop after this many seconds. Default: run until stopped (Ctrl-C; windows "
        "already committed stay)",
    )


def add_arguments(parser: Any, command: str) -> None:
    """All of akhbar's own options of ``command``."""
    add_ingest_arguments(parser, command)
    if command == "stream":
        add_polling_arguments(parser)


DESCRIPTIONS = {
    "ingest": "Batch-ingest Arabic news (feed files, JSONL, HTML pages, WARC, or feeds over "
    "HTTP) into partitioned Parquet tables: articles, duplicates, rejects.",
    "stream": "Poll feeds continuously (Beam streaming) into partitioned Parquet, one commit "
    "per window. Reads --feeds only: for files, use akhbar ingest.",
}

EPILOG = (
    "Beam's runner options pass straight through to Beam: --runner (default FnApiRunner, the "
    "local engine; short names local, prism, flink, spark, dataflow), --direct_num_workers, "
    "--direct_running_mode, --s3_endpoint_url, ... `akhbar {command} --help-beam` lists them "
    "all. "
    "Exit codes: 0 done; 1 the run's accounting did not balance; 2 usage error; 3 another run "
    "holds the output folder; 130 interrupted (Ctrl-C)."
)


def help_parser(command: str) -> argparse.ArgumentParser:
    """The parser behind ``akhbar ingest --help`` / ``akhbar stream --help`` (never parses)."""
    parser = argparse.ArgumentParser(
        prog=f"akhbar {command}",
        description=DESCRIPTIONS[command],
        epilog=EPILOG.format(command=command),
        allow_abbrev=False,
    )
    parser.add_argument(
        BEAM_HELP_FLAG,
        action="store_true",
        help="list Beam's runner options (from Beam's option registry) and exit",
    )
    add_arguments(parser, command)
    return parser


def ingest_help_parser() -> argparse.ArgumentParser:
    return help_parser("ingest")


def stream_help_parser() -> argparse.ArgumentParser:
    return help_parser("stream")


def wants_help(argv: list[str]) -> bool:
    return "-h" in argv or "--help" in argv
