"""Continuous ingestion: ``akhbar stream --feeds FILE --output DIR --poll-interval S``.

    PeriodicImpulse -> (feed, tick) -> stateful poll (validators in keyed state)
        -> the batch core (PrepareArticles) -> StreamingExactDedup (keyed state, seeded with
        earlier output) -> StreamingNearDedup (an LSH index in keyed state, seeded with the
        near-dup index of earlier runs) -> fixed windows -> partitioned Parquet per window
        (+ the window's near-dup index file) -> a run record and the HTTP validators per window

Correctness does not depend on when the local runner fires timers or emits windows (it fires
timers every tick and emits windows only at the end: docs/design-notes.md#local-streaming-runner): dedup state is never cleared
by timers, and each window's files and record are named after the window, so a window written
late is still written exactly once. On Flink/Dataflow windows are written as the watermark
passes them and state is checkpointed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms import window as beam_window
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.utils.timestamp import MAX_TIMESTAMP

from akhbar.schemas.records import Reject, stable_id
from akhbar.schemas.tables import TABLES
from akhbar.transforms.accounting import AlreadyIngested, ReadCount
from akhbar.transforms.commit import CommitRun
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH, MinhashConfig
from akhbar.transforms.dedup.prior import ReadPrior
from akhbar.transforms.dedup.stateful import StreamingExactDedup
from akhbar.transforms.dedup.stateful_near import StreamingNearDedup
from akhbar.transforms.dedup.stream_index import WriteStreamIndex
from akhbar.transforms.extract import ExtractConfig, ExtractInfo
from akhbar.transforms.prepare import (
    REJECTS_TAG,
    PrepareArticles,
    PrepareConfig,
    keyed,
    utc_now,
)
from akhbar.transforms.sources.feedlist import FeedSpec
from akhbar.transforms.sources.http import Fetcher
from akhbar.transforms.sources.poll import ArticleFetcher, PollConfig, poll_feed
from akhbar.transforms.state import FetchState
from akhbar.transforms.write import WriteTables


@dataclass(frozen=True, slots=True)
class StreamPlan:
    output: str
    run_id: str
    specs: list[FeedSpec]
    poll: PollConfig
    prepare: PrepareConfig
    validators: dict[str, dict[str, Any]]
    prior_files: list[str]
    poll_interval: float
    window: float
    duration: float | None
    horizon_days: float = 7.0
    extract: ExtractConfig | None = None
    near: MinhashConfig | None = DEFAULT_MINHASH  # None: --no-near-dedup
    prior_index_files: list[str] = field(default_factory=list)
    blocks: dict[str, frozenset[int]] = field(default_factory=dict)  # learned (dedup.blocks)
    clock: Callable[[], datetime] = utc_now  # "now" of each element (tests inject one)

    @property
    def fingerprint(self) -> str:
        return f"s{stable_id('stream', self.run_id)[:15]}"


class _StatefulPollFn(beam.DoFn):
    """Polls one feed per element; the feed's validators live in keyed state between ticks."""

    VALIDATORS = ReadModifyWriteStateSpec("validators", PickleCoder())

    def __init__(self, config: PollConfig, initial: dict[str, dict[str, Any]]) -> None:
        self.config = config
        self.initial = initial

    def setup(self) -> None:
        self.fetcher = Fetcher(self.config.fetch)
        self.articles = (
            ArticleFetcher(self.fetcher, self.config.fetch) if self.config.fetch_articles else None
        )

    def teardown(self) -> None:
        self.fetcher.close()

    def process(
        self,
        element: tuple[str, FeedSpec],
        stored=beam.DoFn.StateParam(VALIDATORS),  # noqa: B008
    ) -> Iterator[Any]:
        url, spec = element
        validators = stored.read() or self.initial.get(url)
        now = datetime.now(UTC).replace(microsecond=0)
        for result in poll_feed(
            spec, self.fetcher, validators, now, self.articles, self.config.limits
        ):
            if isinstance(result, FetchState):
                stored.write({"etag": result.etag, "last_modified": result.last_modified})
                yield beam.pvalue.TaggedOutput("state", result)
            elif isinstance(result, Reject):
                yield beam.pvalue.TaggedOutput("rejects", result)
            elif isinstance(result, ReadCount):
                yield beam.pvalue.TaggedOutput("counts", result)
            else:
                yield result


def build_stream(pipeline: beam.Pipeline, plan: StreamPlan, start: float) -> None:
    stop = start + plan.duration if plan.duration else MAX_TIMESTAMP
    specs = plan.specs
    ticks = pipeline | "Ticks" >> PeriodicImpulse(
        start_timestamp=start, stop_timestamp=stop, fire_interval=plan.poll_interval
    )
    polled = (
        ticks
        | "FeedsPerTick" >> beam.FlatMap(lambda _t: [(s.url, s) for s in specs])
        | "Poll"
        >> beam.ParDo(_StatefulPollFn(plan.poll, plan.validators)).with_outputs(
            "rejects", "counts", "state", main="items"
        )
    )
    # "now" for each element, not the start: a start frozen for days would make every date
    # after start + 2 days implausible (published_at NULL)
    prepared = polled.items | "Prepare" >> PrepareArticles(plan.prepare, None, clock=plan.clock)
    prior = pipeline | "Prior" >> ReadPrior(plan.prior_files) if plan.prior_files else None
    unique, duplicates, seen = prepared.articles | "Dedup" >> StreamingExactDedup(
        prior, skip_seen=True, horizon_days=plan.horizon_days
    )
    windowing = beam_window.FixedWindows(plan.window)
    index_files = []
    if plan.near is not None:
        unique, duplicates, index_entries = (unique, duplicates) | "NearDedup" >> (
            StreamingNearDedup(plan.near, plan.horizon_days, plan.prior_index_files, plan.blocks)
        )
        index_files.append(
            index_entries
            | "WindowIndexEntries" >> beam.WindowInto(windowing)
            | "NearIndex" >> WriteStreamIndex(plan.output, plan.run_id, plan.fingerprint)
        )
    articles = unique | "Extract" >> ExtractInfo(plan.extract) if plan.extract else unique
    records = (
        (
            articles,
            duplicates,
            prepared[REJECTS_TAG],
            polled.rejects | "KeyRejects" >> beam.Map(keyed),
        )
        | "AllRecords" >> beam.Flatten()
        | "WindowRecords" >> beam.WindowInto(windowing)
    )
    written = records | "Write" >> WriteTables(
        plan.output, dict(TABLES), plan.fingerprint, per_window=True
    )
    bookkeeping = (
        (polled.counts, polled.state, seen | "AsAlreadyIngested" >> beam.Map(AlreadyIngested))
        | "Bookkeeping" >> beam.Flatten()
        | "WindowBookkeeping" >> beam.WindowInto(windowing)
    )
    from akhbar.pipelines.ingest import build_info

    meta = {
        **build_info(),
        "mode": "stream",
        "started_at": datetime.fromtimestamp(start, UTC).isoformat(),
        "inputs": [s.url for s in specs][:1000],
        "output": plan.output,
    }
    (
        (written, bookkeeping, *index_files)
        | "ResultsPerWindow" >> beam.Flatten()
        | "Commit" >> CommitRun(plan.output, plan.run_id, plan.fingerprint, meta, per_window=True)
    )


def stream_totals(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum of the per-window run records of one stream."""
    keys = ("read", "articles", "duplicates", "rejects", "already_ingested", "accounted")
    totals: dict[str, Any] = {k: sum(int(r.get(k, 0)) for r in records) for k in keys}
    totals["windows"] = len(records)
    totals["balanced"] = all(r.get("balanced") for r in records)
    return totals


def wait_until(deadline: float) -> None:
    while time.time() < deadline:
        time.sleep(min(0.5, max(0.0, deadline - time.time())))


def stream_plan(options: Any, output: str, run_id: str, resolve: bool = True) -> StreamPlan:
    """The plan of ``akhbar stream``'s line, shared by the run and ``--dry-run`` so that both
    build one graph. ``resolve=False`` (``--dry-run``) reads nothing from the output (no
    validators, earlier files, near-dup index or learned blocks) and stands a feed list that
    is not on this machine in for one feed. The near-dup window is ``--near-window-days``, as
    in ``akhbar ingest``."""
    from dataclasses import replace
    from pathlib import Path

    from akhbar.pipelines.ingest import extract_config_from, fetch_config_from, read_limits_from
    from akhbar.pipelines.options import StreamOptions
    from akhbar.transforms.dedup.blocks import blocks_dir, load_blocks, recent_block_files
    from akhbar.transforms.dedup.near_index import index_dir, recent_index_files
    from akhbar.transforms.dedup.prior import prior_files
    from akhbar.transforms.sources.feedlist import load_feed_list
    from akhbar.transforms.state import load_validators

    opts = options.view_as(StreamOptions)
    if not opts.feeds:
        raise ValueError("akhbar stream needs --feeds FILE")
    languages = tuple(x.strip() for x in (opts.languages or "").split(",") if x.strip())
    near = (
        None
        if opts.no_near_dedup
        else replace(DEFAULT_MINHASH, max_days_apart=opts.near_window_days)
    )
    horizon = opts.state_horizon_days
    specs = (
        load_feed_list(opts.feeds)
        if resolve or Path(opts.feeds).is_file()
        else [FeedSpec(source="dry-run", url=opts.feeds)]
    )
    return StreamPlan(
        output=output,
        run_id=run_id,
        specs=specs,
        poll=PollConfig(
            fetch=fetch_config_from(opts),
            fetch_articles=opts.fetch_articles,
            limits=read_limits_from(opts),
        ),
        prepare=PrepareConfig(
            min_text_chars=opts.min_text_chars,
            languages=languages,
            max_text_chars=opts.max_text_chars,
        ),
        validators=load_validators(output) if resolve else {},
        prior_files=prior_files(output, "-", horizon) if resolve else [],
        poll_interval=opts.poll_interval,
        window=opts.window or opts.poll_interval,
        duration=opts.duration,
        horizon_days=float(horizon),
        extract=extract_config_from(opts),
        near=near,
        prior_index_files=(
            recent_index_files(index_dir(output), horizon) if near and resolve else []
        ),
        blocks=(
            load_blocks(recent_block_files(blocks_dir(output), horizon)) if near and resolve else {}
        ),
    )


def run_stream(argv: list[str]) -> dict[str, Any]:
    """Lock the output, seed state from earlier runs, stream until ``--duration`` ends."""
    from pathlib import Path

    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

    from akhbar.pipelines.options import StreamOptions, storage_settings
    from akhbar.transforms.commit import recover_incomplete_runs
    from akhbar.transforms.lock import OutputLock
    from akhbar.transforms.state import list_files, read_json

    options = PipelineOptions(argv)
    options.view_as(StandardOptions).streaming = True
    opts = options.view_as(StreamOptions)
    if not opts.feeds:
        raise ValueError("akhbar stream needs --feeds FILE")
    output = opts.output if "://" in opts.output else str(Path(opts.output).resolve())
    started = time.time()
    run_id = opts.run_id or datetime.fromtimestamp(started, UTC).strftime("stream-%Y%m%dT%H%M%SZ")
    with OutputLock(output, wait_seconds=opts.lock_wait, storage=storage_settings(options)):
        recover_incomplete_runs(output)
        plan = stream_plan(options, output, run_id)
        with beam.Pipeline(options=options) as pipeline:
            build_stream(pipeline, plan, started)
    records = [
        r for path in list_files(f"{output}/_runs/{run_id}-w*.json") if (r := read_json(path))
    ]
    totals = stream_totals(records)
    totals.update(run_id=run_id, output=output, seconds=round(time.time() - started, 2))
    return totals


def stream_main(argv: list[str]) -> int:
    """``akhbar stream``: check the line, run until ``--duration`` ends or Ctrl-C.

    Errors are the command line's (``pipelines.cli.reporting_errors``): one line and exit 2 for
    a usage error, 3 for a busy output, 130 when interrupted; 1 only for unbalanced accounting.
    """
    import sys

    from akhbar.pipelines.cli import checked_argv, help_requested, reporting_errors

    asked = help_requested("stream", argv)
    if asked is not None:
        return asked

    def work() -> int:
        checked, dry = checked_argv("stream", argv)
        if dry:
            from akhbar.pipelines.dryrun import dry_run

            return dry_run("stream", checked)
        from akhbar.pipelines.allocator import tune_allocator

        tune_allocator()  # long-running: freed bundle buffers go back to the system
        totals = run_stream(checked)
        print(
            f"akhbar stream: run {totals['run_id']} -> {totals['output']}: "
            f"{totals['windows']} windows, read {totals['read']} = articles "
            f"{totals['articles']} + duplicates {totals['duplicates']} + rejects "
            f"{totals['rejects']} + already ingested {totals['already_ingested']} "
            f"({totals['accounted']})  {'OK' if totals['balanced'] else 'MISMATCH'}"
            f"  in {totals['seconds']:.1f} s"
        )
        if not totals["balanced"]:
            print(
                "akhbar stream: ERROR: items read != rows written; see the run records",
                file=sys.stderr,
            )
        return 0 if totals["balanced"] else 1

    return reporting_errors("stream", work)
