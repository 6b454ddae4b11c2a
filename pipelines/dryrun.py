"""``akhbar ingest|stream --dry-run``: check a command line and build its graph, run nothing.

Deployment files (Airflow, CronJob, Flink and Dataflow scripts) hold command lines that are
only ever run on a cluster. ``--dry-run`` lets a test, or a user on a laptop, check such a line
without the cluster, the input files or the bucket: every flag must be known to akhbar or to
Beam (Beam itself only warns about unknown flags and goes on), and the pipeline graph is built
exactly as a real run builds it and checked by ``pipelines.graph`` ("dask-ready" checks the
graph Dask would get, which differs on the local runner: see ``_build_ingest``). Inputs are
not listed and a feed list that is not on this machine is not read
(``plan_from_options(resolve=False)``).
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from akhbar.pipelines.graph import collect, is_dask, portability_problems, terminal_problems
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


def _build_ingest(
    options: PipelineOptions, runner: str
) -> tuple[beam.Pipeline, beam.Pipeline, dict[str, Any]]:
    """The graph this runner would run, and the one Dask would run (for "dask-ready").

    They differ on the local runner, which knows its worker count: near dedup looks its
    Targets up as a side input there, and joins them everywhere else (``pipelines.ingest``).
    """
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
    on_dask = pipeline
    if real.workers is not None:
        on_dask = _graph_only_pipeline(options)
        build_pipeline(on_dask, replace(plan, workers=None), "DaskRunner")
    facts = {"inputs": len(plan.files), "feeds": len(plan.feed_specs), "output": plan.output}
    return pipeline, on_dask, facts


def _build_stream(options: PipelineOptions) -> tuple[beam.Pipeline, dict[str, Any]]:
    from akhbar.pipelines.ingest import fetch_config_from
    from akhbar.pipelines.stream import StreamPlan, build_stream
    from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
    from akhbar.transforms.prepare import PrepareConfig
    from akhbar.transforms.sources.feedlist import FeedSpec, load_feed_list
    from akhbar.transforms.sources.poll import PollConfig

    options.view_as(StandardOptions).streaming = True
    opts = options.view_as(StreamOptions)
    if not opts.feeds:
        raise ValueError("akhbar stream needs --feeds FILE")
    specs = (
        load_feed_list(opts.feeds)
        if Path(opts.feeds).is_file()
        else [FeedSpec(source="dry-run", url=opts.feeds)]
    )
    plan = StreamPlan(
        output=opts.output,
        run_id="dry-run",
        specs=specs,
        poll=PollConfig(fetch=fetch_config_from(opts), fetch_articles=opts.fetch_articles),
        prepare=PrepareConfig(min_text_chars=opts.min_text_chars),
        validators={},
        prior_files=[],
        poll_interval=opts.poll_interval,
        window=opts.window or opts.poll_interval,
        duration=opts.duration,
        near=None if opts.no_near_dedup else DEFAULT_MINHASH,
    )
    pipeline = _graph_only_pipeline(options)
    build_stream(pipeline, plan, datetime.now(UTC).timestamp())
    return pipeline, {"inputs": 0, "feeds": len(specs), "output": opts.output}


def dry_run(command: str, argv: list[str]) -> int:
    """0: the line is accepted and its graph is sound on its runner; 1: the graph is not;
    2: the line itself is wrong (unknown flag, missing --feeds)."""
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
            on_dask = pipeline
        else:
            pipeline, on_dask, facts = _build_ingest(options, runner)
    except (ValueError, OSError) as exc:  # a feed list that is here but wrong
        hint = getattr(exc, "hint", "check the line")
        print(error_line(command, f"{exc} ({hint})"), file=sys.stderr)
        return 2
    # A Pipeline makes a temporary folder when built and removes it only when run: a graph
    # that is never run would leave one behind per dry run.
    for built in (pipeline, on_dask):  # the same object twice is harmless
        shutil.rmtree(built.local_tempdir, ignore_errors=True)
    problems = terminal_problems(pipeline, "Commit")
    portable = [] if stream else portability_problems(on_dask)
    if is_dask(runner):
        problems += portable
        if stream:
            problems.append("DaskRunner runs batch pipelines only; use Flink or Dataflow")
    steps = len(collect(pipeline).leaves)
    verdict = (
        "n/a (streaming)" if stream else "yes" if not portable else "no: " + "; ".join(portable)
    )
    print(
        f"akhbar {command} --dry-run: graph built, nothing read, fetched or written\n"
        f"  runner        {runner}\n"
        f"  output        {facts['output']}\n"
        f"  inputs        {facts['inputs']} pattern(s) (not listed), {facts['feeds']} feed(s) (not fetched)\n"
        f"  steps         {steps}, the last in 'Commit'\n"
        f"  dask-ready    {verdict}"
    )
    for problem in problems:
        print(f"akhbar {command}: {problem}", file=sys.stderr)
    return 1 if problems else 0
