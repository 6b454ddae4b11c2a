"""Batch ingestion: files -> clean -> normalize -> exact dedup -> extract -> Parquet tables.

Shape (every branch flows into the single terminal commit step):

    ReadInputFiles --items--> PrepareArticles --articles--> ExactDedup --articles-----\
          |  \\--rejects-------------------\\      \\--rejects--\\      \\--duplicates--+-> WriteTables -+
          \\--counts-------------------------------------------------------------------------------+-> CommitRun
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from akhbar.pipelines.options import (
    IngestOptions,
    free_cores,
    is_local_runner,
    storage_settings,
    with_parallel_default,
)
from akhbar.schemas.records import stable_id, visible
from akhbar.schemas.tables import TABLES
from akhbar.transforms.commit import CommitRun, recover_incomplete_runs
from akhbar.transforms.compact import crowded
from akhbar.transforms.dedup.blocks import LearnBlocks, blocks_dir, load_blocks, recent_block_files
from akhbar.transforms.dedup.exact import ExactDedupGroups
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH, MinhashConfig
from akhbar.transforms.dedup.near import DEFAULT_BAND_PARTITIONS, NearDedup
from akhbar.transforms.dedup.near_index import WriteNearIndex, index_dir, recent_index_files
from akhbar.transforms.dedup.prior import ReadPrior, prior_files
from akhbar.transforms.dedup.route import RouteArticles, StoryDecisions
from akhbar.transforms.extract import ExtractConfig, ExtractInfo
from akhbar.transforms.ingested import IngestedKeys, committed_files
from akhbar.transforms.lock import OutputLock
from akhbar.transforms.prepare import (
    ALREADY_TAG,
    KEYS_TAG,
    REJECTS_TAG,
    PrepareArticles,
    PrepareConfig,
    SkipIngestedRejects,
)
from akhbar.transforms.sources import ReadInputFiles, expand_inputs
from akhbar.transforms.sources.feedlist import FeedSpec, load_feed_list
from akhbar.transforms.sources.files import InputFile
from akhbar.transforms.sources.http import FetchConfig
from akhbar.transforms.sources.limits import DEFAULT_LIMITS, ReadLimits
from akhbar.transforms.sources.poll import PollConfig, PollFeeds
from akhbar.transforms.state import join, load_validators, staging_dir
from akhbar.transforms.write import WriteTables

# ``akhbar ingest`` suggests ``akhbar compact`` once a partition holds more files than this.
COMPACT_SUGGESTED_AFTER = 8
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "seeds" / "samples"


@dataclass(frozen=True, slots=True)
class IngestPlan:
    """Everything a run needs, resolved from options before the pipeline is built."""

    files: list[InputFile]
    output: str
    run_id: str
    fingerprint: str
    started_at: datetime
    prepare: PrepareConfig
    prior_files: list[str]
    committed_files: list[str] = field(default_factory=list)  # every table file of the output
    extract: ExtractConfig | None = None  # None: --no-extract
    near: MinhashConfig | None = DEFAULT_MINHASH  # None: --no-near-dedup
    near_partitions: int = DEFAULT_BAND_PARTITIONS  # reducers of the LSH band shuffle
    workers: int | None = None  # 1: one local in-memory worker (no redistribution); None: unknown
    prior_index_files: list[str] = field(default_factory=list)
    feeds: str | None = None
    horizon_days: int = 30
    blocks: dict[str, frozenset[int]] = field(default_factory=dict)  # learned (dedup.blocks)
    progress_dir: str | None = None
    feed_specs: list[FeedSpec] = field(default_factory=list)
    poll: PollConfig | None = None
    validators: dict[str, dict[str, Any]] = field(default_factory=dict)
    limits: ReadLimits = DEFAULT_LIMITS
    storage: dict[str, Any] = field(default_factory=dict)  # S3/GCS options for the workers

    @property
    def staging(self) -> str:
        return staging_dir(self.output, self.run_id)


def local_workers(options: dict[str, Any]) -> int | None:
    """How many workers the local runner uses; None on other runners (they decide)."""
    if not is_local_runner(str(options.get("runner") or "")):
        return None
    return int(options.get("direct_num_workers") or 1)


def band_partitions_for(options: dict[str, Any]) -> int:
    """One LSH band reducer per local worker (each document is shipped to every partition, so
    more than the workers only costs: on 50k ANT articles and 1 worker, 1 partition instead of
    2 saved about 2 s of 49 and 80 MB of peak memory); a cluster runner gets 16."""
    workers = local_workers(options)
    return 16 if workers is None else max(1, workers)


def input_bytes(files: list[InputFile]) -> int:
    """Total size of the local input files (remote or vanished ones count 0)."""
    total = 0
    for f in files:
        try:
            total += os.path.getsize(f.path)
        except OSError:
            continue
    return total


def plan_from_options(options: PipelineOptions, resolve: bool = True) -> IngestPlan:
    """``resolve=False`` (``--dry-run``): inputs are not listed and a feed list that is not
    here is not read; each stands in as one element, which gives the same graph."""
    opts = options.view_as(IngestOptions)
    patterns = opts.inputs or ([] if opts.feeds else [str(SAMPLES_DIR)])
    if resolve:
        files = expand_inputs(patterns) if patterns else []
    else:
        files = [InputFile(pattern, pattern) for pattern in patterns]
    feed_specs = []
    if opts.feeds:
        feed_specs = (
            load_feed_list(opts.feeds)
            if resolve or Path(opts.feeds).is_file()
            else [FeedSpec(source="dry-run", url=opts.feeds)]
        )
    started = datetime.now(UTC).replace(microsecond=0)
    output = opts.output if "://" in opts.output else str(Path(opts.output).resolve())
    languages = tuple(x.strip() for x in (opts.languages or "").split(",") if x.strip())
    # Unique per execution: two runs started in the same second (one waiting with --lock-wait)
    # must not share a run record, and no two runs share a file name: an item already in the
    # output is counted as already ingested, never rewritten, so nothing is ever replaced.
    execution = secrets.token_hex(4)
    run_id = opts.run_id or f"{started:%Y%m%dT%H%M%SZ}-{execution[:6]}"
    fingerprint = f"r{stable_id('run', run_id, execution)[:15]}"
    limits = read_limits_from(opts)
    return IngestPlan(
        files=files,
        output=output,
        run_id=run_id,
        fingerprint=fingerprint,
        started_at=started,
        prepare=PrepareConfig(
            min_text_chars=opts.min_text_chars,
            languages=languages,
            max_text_chars=opts.max_text_chars,
        ),
        limits=limits,
        extract=extract_config_from(opts),
        near=None
        if opts.no_near_dedup
        else replace(DEFAULT_MINHASH, max_days_apart=opts.near_window_days),
        prior_files=[],
        feeds=opts.feeds,
        horizon_days=opts.state_horizon_days,
        feed_specs=feed_specs,
        poll=PollConfig(
            fetch=fetch_config_from(opts), fetch_articles=opts.fetch_articles, limits=limits
        ),
    )


def extract_config_from(opts: IngestOptions) -> ExtractConfig | None:
    """Offline extraction by default; camel-tools only when its data or a model is named."""
    if opts.no_extract:
        return None
    camel_data = opts.camel_data or os.environ.get("CAMELTOOLS_DATA") or None
    return ExtractConfig(camel_data=camel_data, ner_model=opts.ner_model)


def read_limits_from(opts: IngestOptions) -> ReadLimits:
    return ReadLimits(
        max_file_bytes=opts.max_file_bytes,
        max_feed_items=opts.max_feed_items,
        max_depth=opts.max_depth,
    )


def build_info() -> dict[str, str | None]:
    """akhbar's version and, when running from a git checkout, its commit (for the run record)."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    try:
        akhbar_version: str | None = version("akhbar")
    except PackageNotFoundError:
        akhbar_version = None
    try:
        commit: str | None = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"],
                cwd=Path(__file__).resolve().parent,
                capture_output=True,
                text=True,
                timeout=5,
                check=True,
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"akhbar_version": akhbar_version, "git_commit": commit}


def fetch_config_from(opts: IngestOptions) -> FetchConfig:
    settings: dict[str, Any] = {
        "allow_private_network": opts.allow_private_network,
        "per_host_delay": opts.host_delay,
        "max_redirects": opts.max_redirects,
        "max_bytes": opts.max_fetch_bytes,
    }
    if opts.user_agent:
        settings["user_agent"] = opts.user_agent
    return FetchConfig(**settings)


def build_pipeline(pipeline: beam.Pipeline, plan: IngestPlan, runner_name: str) -> None:
    now = plan.started_at
    items, read_rejects, counts = pipeline | "Read" >> ReadInputFiles(
        plan.files, now, plan.progress_dir, plan.limits, redistribute=plan.workers != 1
    )
    fetch_states = None
    if plan.feed_specs and plan.poll is not None:
        polled = (
            pipeline
            | "ListFeeds" >> beam.Create(plan.feed_specs)
            | "Poll" >> PollFeeds(plan.poll, plan.validators, now, plan.progress_dir)
        )
        items = (items, polled[0]) | "FileAndFeedItems" >> beam.Flatten()
        read_rejects = (read_rejects, polled[1]) | "FileAndFeedRejects" >> beam.Flatten()
        counts = (counts, polled[2]) | "FileAndFeedCounts" >> beam.Flatten()
        fetch_states = polled[3]
    ingested = (
        pipeline | "Ingested" >> IngestedKeys(plan.committed_files, plan.storage)
        if plan.committed_files
        else None
    )
    prepared = items | "Prepare" >> PrepareArticles(
        plan.prepare,
        now,
        plan.progress_dir,
        ingested=ingested,
        keys=True,
        minhash=plan.near,
        blocks=plan.blocks,
    )
    checked_rejects = read_rejects | "RejectsOfEarlierRuns" >> SkipIngestedRejects(ingested)
    prior = (
        pipeline | "Prior" >> ReadPrior(plan.prior_files, plan.storage)
        if plan.prior_files
        else None
    )
    # dedup decides on keys (no text); the bodies wait in ``prepared.articles`` for the decisions
    groups, prior_duplicates = prepared[KEYS_TAG] | "ExactDedup" >> ExactDedupGroups(prior)
    index_files = near_stats = blocks_file = None
    if plan.near is not None:
        blocks_file = prepared[KEYS_TAG] | "LearnBlocks" >> LearnBlocks(
            blocks_dir(plan.output),
            plan.fingerprint,
            staging=join(plan.staging, "_state", "near_blocks"),
            storage=plan.storage,
        )
        near = groups | "NearDedup" >> NearDedup(
            plan.near,
            plan.prior_index_files,
            band_partitions=plan.near_partitions,
            storage=plan.storage,
        )
        groups = near.groups
        prior_duplicates = (
            prior_duplicates,
            near.prior_duplicates,
        ) | "AllEarlierCopies" >> beam.Flatten()
        near_stats = near.stats
        index_files = near.entries | "NearIndex" >> WriteNearIndex(
            index_dir(plan.output),
            plan.fingerprint,
            plan.near,
            staging=join(plan.staging, "_state", "near_index"),
            from_entries=True,
            storage=plan.storage,
        )
    duplicates, decisions = groups | "Decide" >> StoryDecisions(prior_duplicates)
    articles = prepared.articles | "Route" >> RouteArticles(decisions)
    if plan.extract is not None:  # after dedup: only unique articles pay for extraction
        articles = articles | "Extract" >> ExtractInfo(plan.extract)
    records = (articles, duplicates, prepared[REJECTS_TAG], checked_rejects.rejects)
    written = records | "Write" >> WriteTables(
        plan.output,
        dict(TABLES),
        plan.fingerprint,
        staging=plan.staging,
        progress_dir=plan.progress_dir,
        storage=plan.storage,
    )
    meta = {
        **build_info(),
        "started_at": plan.started_at.isoformat(),
        "inputs": [visible(f.display) for f in plan.files][:1000],  # names may not be UTF-8
        "runner": runner_name,
        "output": plan.output,
        "feeds": len(plan.feed_specs),
    }
    (
        [
            written,
            counts,
            prepared[ALREADY_TAG],
            checked_rejects[ALREADY_TAG],
            *[p for p in (fetch_states, index_files, blocks_file, near_stats) if p is not None],
        ]
        | "WriteResultsAndCounts" >> beam.Flatten()
        | "Commit"
        >> CommitRun(plan.output, plan.run_id, plan.fingerprint, meta, storage=plan.storage)
    )


def run_ingest(argv: list[str], progress_dir: str | None = None) -> dict[str, Any]:
    """Lock the output, finish any interrupted commit, run the pipeline, return the run record.

    ``progress_dir``: a local folder where workers report live counts (see transforms.progress).
    """
    options = PipelineOptions(argv)
    # Storage options (--s3_endpoint_url ...) before the inputs are listed (s3:// inputs)
    FileSystems.set_options(options)
    plan = plan_from_options(options)  # the worker options below do not change the plan
    parallel = with_parallel_default(argv, input_bytes(plan.files), free_cores())
    if parallel != argv:
        options = PipelineOptions(parallel)
    # Storage options (--s3_endpoint_url ...) for the driver's own reads and writes (lock,
    # recovery, prior files, run record); beam.Pipeline sets them only when it is created.
    FileSystems.set_options(options)
    plan = replace(plan, progress_dir=progress_dir, storage=storage_settings(options))
    opts = options.view_as(IngestOptions)
    all_options = options.get_all_options()
    runner_name = str(all_options.get("runner") or "")
    if all_options.get("direct_running_mode") == "multi_processing":
        runner_name += f" (multi_processing, {all_options.get('direct_num_workers')} workers)"
    started = time.monotonic()
    with OutputLock(plan.output, wait_seconds=opts.lock_wait, storage=plan.storage):
        recover_incomplete_runs(plan.output)
        plan = replace(
            plan,
            prior_files=prior_files(plan.output, plan.fingerprint, plan.horizon_days),
            committed_files=committed_files(plan.output),
            near_partitions=band_partitions_for(all_options),
            workers=local_workers(all_options),
            prior_index_files=recent_index_files(index_dir(plan.output), plan.horizon_days),
            blocks=load_blocks(recent_block_files(blocks_dir(plan.output), plan.horizon_days)),
            validators=load_validators(plan.output) if plan.feed_specs else {},
        )
        with beam.Pipeline(options=options) as pipeline:
            build_pipeline(pipeline, plan, runner_name)
    record = read_run_record(plan.output, plan.run_id)
    record["seconds"] = round(time.monotonic() - started, 2)
    # small files pile up in partitions that many runs write into (feeds every 15 minutes)
    record["crowded_partitions"] = len(crowded(plan.output, COMPACT_SUGGESTED_AFTER))
    return record


def read_run_record(output: str, run_id: str) -> dict[str, Any]:
    path = f"{output.rstrip('/')}/_runs/{run_id}.json"
    with FileSystems.open(path) as handle:
        return json.loads(handle.read().decode("utf-8"))
