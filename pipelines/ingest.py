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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.options import IngestOptions
from schemas.tables import TABLES
from transforms.commit import CommitRun
from transforms.dedup.exact import DUPLICATES_TAG, ExactDedup
from transforms.prepare import REJECTS_TAG, PrepareArticles, PrepareConfig
from transforms.sources import ReadInputFiles, expand_inputs
from transforms.sources.files import InputFile
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


def input_fingerprint(files: list[InputFile]) -> str:
    """Same input paths -> same fingerprint -> same output file names (re-runs replace)."""
    digest = hashlib.blake2b(digest_size=8)
    for f in files:
        digest.update(f.path.encode("utf-8", "surrogatepass") + b"\x00")
    return digest.hexdigest()


def plan_from_options(options: PipelineOptions) -> IngestPlan:
    opts = options.view_as(IngestOptions)
    patterns = opts.inputs or [str(SAMPLES_DIR)]
    files = expand_inputs(patterns)
    started = datetime.now(UTC).replace(microsecond=0)
    output = opts.output if "://" in opts.output else str(Path(opts.output).resolve())
    languages = tuple(x.strip() for x in (opts.languages or "").split(",") if x.strip())
    return IngestPlan(
        files=files,
        output=output,
        run_id=opts.run_id or started.strftime("%Y%m%dT%H%M%SZ"),
        fingerprint=input_fingerprint(files),
        started_at=started,
        prepare=PrepareConfig(min_text_chars=opts.min_text_chars, languages=languages),
    )


def build_pipeline(pipeline: beam.Pipeline, plan: IngestPlan, runner_name: str) -> None:
    now = plan.started_at
    items, read_rejects, counts = pipeline | "Read" >> ReadInputFiles(plan.files, now)
    prepared = items | "Prepare" >> PrepareArticles(plan.prepare, now)
    deduped = prepared.articles | "ExactDedup" >> ExactDedup()
    records = (
        deduped.articles,
        deduped[DUPLICATES_TAG],
        prepared[REJECTS_TAG],
        read_rejects,
    ) | "AllRecords" >> beam.Flatten()
    written = records | "Write" >> WriteTables(plan.output, dict(TABLES), plan.fingerprint)
    meta = {
        "started_at": plan.started_at.isoformat(),
        "inputs": [f.display for f in plan.files][:1000],
        "runner": runner_name,
        "output": plan.output,
    }
    (
        (written, counts)
        | "WriteResultsAndCounts" >> beam.Flatten()
        | "Commit" >> CommitRun(plan.output, plan.run_id, plan.fingerprint, meta)
    )


def run_ingest(argv: list[str]) -> dict[str, Any]:
    """Build and run the batch pipeline; return the published run record."""
    options = PipelineOptions(argv)
    plan = plan_from_options(options)
    runner_name = str(options.get_all_options().get("runner") or "")
    started = time.monotonic()
    with beam.Pipeline(options=options) as pipeline:
        build_pipeline(pipeline, plan, runner_name)
    record = read_run_record(plan.output, plan.run_id)
    record["seconds"] = round(time.monotonic() - started, 2)
    return record


def read_run_record(output: str, run_id: str) -> dict[str, Any]:
    path = f"{output.rstrip('/')}/_runs/{run_id}.json"
    with FileSystems.open(path) as handle:
        return json.loads(handle.read().decode("utf-8"))
