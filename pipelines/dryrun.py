"""``akhbar ingest|stream --dry-run``: check a command line and build its graph, run nothing.

Deployment files (Airflow, CronJob, Flink and Dataflow scripts) hold command lines that are
only ever run on a cluster. ``--dry-run`` lets a test, or a user on a laptop, check such a line
without the cluster, the input files or the bucket: every flag must be known to akhbar or to
Beam (Beam itself only warns about unknown flags and goes on), and the pipeline graph is built
exactly as a real run builds it (and translated to Beam's portable form, as a job server would
receive it). Inputs are not listed and a feed list that is not on this machine is not read
(``plan_from_options(resolve=False)``).
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from akhbar.pipelines.options import StreamOptions
from akhbar.pipelines.registry import JOB_SERVER_RUNNERS
from akhbar.pipelines.usage import error_line


def unknown_flags(options: PipelineOptions) -> list[str]:
    """Flags that neither akhbar nor any imported Beam options class defines.

    The command line refused those already (``pipelines.registry.check_argv``), except on a
    job-server runner, which may know them: they are listed, not judged.
    """
    known = options.get_all_options()
    everything = options.get_all_options(retain_unknown_options=True)
    return sorted(f"--{name}" for name in set(everything) - set(known))


def _graph_only_pipeline(options: PipelineOptions) -> beam.Pipeline:
    """A pipeline object that is never run: the chosen runner is not even instantiated (a
    DataflowRunner would want GCP libraries here)."""
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    return beam.Pipeline(runner=FnApiRunner(), options=options)


def _build_ingest(options: PipelineOptions, runner: str) -> tuple[beam.Pipeline, dict[str, Any]]:
    """The graph this runner would run."""
    from dataclasses import replace

    from akhbar.pipelines.ingest import (
        band_partitions_for,
        build_pipeline,
        local_workers,
        plan_from_options,
    )

    plan = plan_from_options(options, resolve=False)
    all_options = options.get_all_options()
    real = replace(
        plan, near_partitions=band_partitions_for(all_options), workers=local_workers(all_options)
    )
    pipeline = _graph_only_pipeline(options)
    build_pipeline(pipeline, real, runner)
    facts = {"inputs": len(plan.files), "feeds": len(plan.feed_specs), "output": plan.output}
    return pipeline, facts


def _build_stream(options: PipelineOptions) -> tuple[beam.Pipeline, dict[str, Any]]:
    """The graph a stream run builds from this line (``stream.stream_plan``, unresolved)."""
    from akhbar.pipelines.stream import build_stream, stream_plan

    options.view_as(StandardOptions).streaming = True
    opts = options.view_as(StreamOptions)
    plan = stream_plan(options, opts.output, "dry-run", resolve=False)
    pipeline = _graph_only_pipeline(options)
    build_stream(pipeline, plan, datetime.now(UTC).timestamp())
    return pipeline, {"inputs": 0, "feeds": len(plan.specs), "output": opts.output}


def dry_run(command: str, argv: list[str]) -> int:
    """0: the line is accepted and its graph builds; 2: the line itself is wrong (unknown
    flag, missing --feeds)."""
    stream = command == "stream"
    options = PipelineOptions(argv)
    runner = str(options.get_all_options().get("runner") or "")
    unknown = unknown_flags(options)
    if unknown and runner.rsplit(".", 1)[-1] in JOB_SERVER_RUNNERS:
        # Portable runners fetch the runner's own (Java) options from the job server at run
        # time, e.g. --checkpointing_interval for Flink: they cannot be checked here.
        print(f"akhbar {command}: left to the job server: {' '.join(unknown)}", file=sys.stderr)
    elif unknown:
        hint = f"akhbar {command} --help lists the options"
        print(error_line(command, f"unknown option {unknown[0]} ({hint})"), file=sys.stderr)
        return 2
    try:
        if stream:
            pipeline, facts = _build_stream(options)
        else:
            pipeline, facts = _build_ingest(options, runner)
        # what a job server would receive: every step and coder must survive the translation
        proto = pipeline.to_runner_api()
    except (ValueError, OSError) as exc:  # a feed list that is here but wrong
        hint = getattr(exc, "hint", "check the line")
        print(error_line(command, f"{exc} ({hint})"), file=sys.stderr)
        return 2
    finally:
        # A Pipeline makes a temporary folder when built and removes it only when run: a graph
        # that is never run would leave one behind per dry run.
        if "pipeline" in locals():
            shutil.rmtree(pipeline.local_tempdir, ignore_errors=True)
    steps = sum(1 for t in proto.components.transforms.values() if not t.subtransforms)
    print(
        f"akhbar {command} --dry-run: graph built, nothing read, fetched or written\n"
        f"  runner        {runner}\n"
        f"  output        {facts['output']}\n"
        f"  inputs        {facts['inputs']} pattern(s) (not listed), {facts['feeds']} feed(s) (not fetched)\n"
        f"  steps         {steps}"
    )
    return 0
