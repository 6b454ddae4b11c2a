"""Batch ingestion: files -> clean -> normalize -> exact dedup -> extract -> Parquet tables.

Shape (every branch flows into the single terminal commit step):

    ReadInputFiles --items--> PrepareArticles --articles--> ExactDedup --articles-----\
          |  \\--rejects-------------------\\      \\--rejects--\\      \\--duplicates--+-> WriteTables -+
          \\--counts-------------------------------------------------------------------------------+-> CommitRun
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.options import IngestOptions
from schemas.records import stable_id
from schemas.tables import TABLES
from transforms.commit import AlreadyIngested, CommitRun, recover_incomplete_runs
from transforms.dedup.exact import DUPLICATES_TAG, EmitGroups, ExactDedupGroups
from transforms.dedup.prior import ReadPrior, prior_files
from transforms.lock import OutputLock
from transforms.prepare import REJECTS_TAG, PrepareArticles, PrepareConfig
from transforms.sources import ReadInputFiles, expand_inputs
from transforms.sources.feedlist import FeedSpec, load_feed_list
from transforms.sources.files import InputFile
from transforms.sources.http import FetchConfig
from transforms.sources.poll import PollConfig, PollFeeds
from transforms.state import load_validators, staging_dir
from transforms.write import WriteTables

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
    feeds: str | None = None
    horizon_days: int = 30
    progress_dir: str | None = None
    feed_specs: list[FeedSpec] = field(default_factory=list)
    poll: PollConfig | None = None
    validators: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def staging(self) -> str:
        return staging_dir(self.output, self.run_id)


def input_fingerprint(files: list[InputFile]) -> str:
    """Same input paths -> same fingerprint -> same output file names (re-runs replace)."""
    digest = hashlib.blake2b(digest_size=8)
    for f in files:
        digest.update(f.path.encode("utf-8", "surrogatepass") + b"\x00")
    return digest.hexdigest()


def plan_from_options(options: PipelineOptions) -> IngestPlan:
    opts = options.view_as(IngestOptions)
    patterns = opts.inputs or ([] if opts.feeds else [str(SAMPLES_DIR)])
    files = expand_inputs(patterns) if patterns else []
    started = datetime.now(UTC).replace(microsecond=0)
    output = opts.output if "://" in opts.output else str(Path(opts.output).resolve())
    languages = tuple(x.strip() for x in (opts.languages or "").split(",") if x.strip())
    run_id = opts.run_id or started.strftime("%Y%m%dT%H%M%SZ")
    # Files: the same paths replace what they wrote before. Feeds: every poll is new content.
    fingerprint = (
        input_fingerprint(files) if not opts.feeds else f"r{stable_id('run', run_id)[:15]}"
    )
    return IngestPlan(
        files=files,
        output=output,
        run_id=run_id,
        fingerprint=fingerprint,
        started_at=started,
        prepare=PrepareConfig(min_text_chars=opts.min_text_chars, languages=languages),
        prior_files=[],
        feeds=opts.feeds,
        horizon_days=opts.state_horizon_days,
        feed_specs=load_feed_list(opts.feeds) if opts.feeds else [],
        poll=PollConfig(fetch=fetch_config_from(opts), fetch_articles=opts.fetch_articles),
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
    }
    if opts.user_agent:
        settings["user_agent"] = opts.user_agent
    return FetchConfig(**settings)


def build_pipeline(pipeline: beam.Pipeline, plan: IngestPlan, runner_name: str) -> None:
    now = plan.started_at
    items, read_rejects, counts = pipeline | "Read" >> ReadInputFiles(
        plan.files, now, plan.progress_dir
    )
    fetch_states = None
    if plan.feed_specs and plan.poll is not None:
        polled = (
            pipeline
            | "ListFeeds" >> beam.Create(plan.feed_specs, reshuffle=False)
            | "Poll" >> PollFeeds(plan.poll, plan.validators, now, plan.progress_dir)
        )
        items = (items, polled[0]) | "FileAndFeedItems" >> beam.Flatten()
        read_rejects = (read_rejects, polled[1]) | "FileAndFeedRejects" >> beam.Flatten()
        counts = (counts, polled[2]) | "FileAndFeedCounts" >> beam.Flatten()
        fetch_states = polled[3]
    prepared = items | "Prepare" >> PrepareArticles(plan.prepare, now, plan.progress_dir)
    prior = pipeline | "Prior" >> ReadPrior(plan.prior_files) if plan.prior_files else None
    groups, prior_duplicates, seen = prepared.articles | "ExactDedup" >> ExactDedupGroups(
        prior, skip_seen=plan.feeds is not None
    )
    emitted = groups | "EmitStories" >> EmitGroups()
    records = (
        emitted.articles,
        emitted[DUPLICATES_TAG],
        prior_duplicates,
        prepared[REJECTS_TAG],
        read_rejects,
    ) | "AllRecords" >> beam.Flatten()
    written = records | "Write" >> WriteTables(
        plan.output,
        dict(TABLES),
        plan.fingerprint,
        staging=plan.staging,
        progress_dir=plan.progress_dir,
    )
    already = seen | "CountAlreadyIngested" >> beam.Map(AlreadyIngested)
    meta = {
        **build_info(),
        "started_at": plan.started_at.isoformat(),
        "inputs": [f.display for f in plan.files][:1000],
        "runner": runner_name,
        "output": plan.output,
    }
    (
        [written, counts, already, *([fetch_states] if fetch_states is not None else [])]
        | "WriteResultsAndCounts" >> beam.Flatten()
        | "Commit" >> CommitRun(plan.output, plan.run_id, plan.fingerprint, meta)
    )


def run_ingest(argv: list[str], progress_dir: str | None = None) -> dict[str, Any]:
    """Lock the output, finish any interrupted commit, run the pipeline, return the run record.

    ``progress_dir``: a local folder where workers report live counts (see transforms.progress).
    """
    options = PipelineOptions(argv)
    plan = replace(plan_from_options(options), progress_dir=progress_dir)
    opts = options.view_as(IngestOptions)
    runner_name = str(options.get_all_options().get("runner") or "")
    started = time.monotonic()
    with OutputLock(plan.output, wait_seconds=opts.lock_wait):
        recover_incomplete_runs(plan.output)
        plan = replace(
            plan,
            prior_files=prior_files(plan.output, plan.fingerprint, plan.horizon_days),
            validators=load_validators(plan.output) if plan.feed_specs else {},
        )
        with beam.Pipeline(options=options) as pipeline:
            build_pipeline(pipeline, plan, runner_name)
    record = read_run_record(plan.output, plan.run_id)
    record["seconds"] = round(time.monotonic() - started, 2)
    return record


def read_run_record(output: str, run_id: str) -> dict[str, Any]:
    path = f"{output.rstrip('/')}/_runs/{run_id}.json"
    with FileSystems.open(path) as handle:
        return json.loads(handle.read().decode("utf-8"))
