"""Command-line options of the pipelines: the only place that reads them.

They are Beam ``PipelineOptions`` subclasses, so standard Beam flags (``--runner``,
``--direct_num_workers``, ``--direct_running_mode`` ...) pass straight through to Beam. The
flags themselves are defined in ``pipelines.arguments`` (no Beam there, so ``--help`` is
instant); ``pipelines.registry.check_argv`` refuses what neither akhbar nor Beam's option
registry defines, because Beam itself only logs "Discarding unparseable args" and runs on with
the defaults.
"""

from __future__ import annotations

import argparse
from typing import Any

from apache_beam.options.pipeline_options import (
    AzureOptions,
    GoogleCloudOptions,
    HadoopFileSystemOptions,
    PipelineOptions,
    S3Options,
)

from akhbar.pipelines.arguments import (
    DEFAULT_OUTPUT,
    add_ingest_arguments,
    add_polling_arguments,
    ingest_help_parser,
    non_negative_int,
    positive_int,
    run_id_type,
    stream_help_parser,
)
from akhbar.pipelines.engines import with_engine_defaults
from akhbar.pipelines.usage import UsageError

__all__ = [
    "DEFAULT_OUTPUT",
    "DEFAULT_RUNNER",
    "IngestOptions",
    "PollingOptions",
    "StreamOptions",
    "UsageError",
    "ingest_help_parser",
    "non_negative_int",
    "positive_int",
    "run_id_type",
    "stream_help_parser",
]

DEFAULT_RUNNER = "FnApiRunner"  # the local engine, without DirectRunner's Prism download attempt


class IngestOptions(PipelineOptions):
    """Options of ``akhbar ingest`` (``pipelines.arguments.add_ingest_arguments``)."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        add_ingest_arguments(parser, "ingest")


class PollingOptions(PipelineOptions):
    """``akhbar stream``'s polling schedule (``--poll-interval``, ``--window``, ``--duration``).

    A direct subclass of ``PipelineOptions`` on purpose: Beam's registry
    (``PipelineOptions.get_all_options``) walks only the direct subclasses, so flags defined on
    a subclass of ``IngestOptions`` were unknown to it, and ``akhbar stream`` warned
    "Discarding unparseable args" about its own ``--poll-interval``.
    """

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        add_polling_arguments(parser)


class StreamOptions(IngestOptions, PollingOptions):
    """The view ``akhbar stream`` reads: the ingest options plus the polling schedule (Beam
    builds a view's parser from every class of its MRO that defines ``_add_argparse_args``)."""


# Short names for --runner (Beam itself knows FlinkRunner, PrismRunner ... by class name).
RUNNER_ALIASES = {
    "local": DEFAULT_RUNNER,
    "flink": "FlinkRunner",
    "spark": "SparkRunner",
    "dataflow": "DataflowRunner",
    "prism": "PrismRunner",
}


STORAGE_OPTIONS = (S3Options, GoogleCloudOptions, AzureOptions, HadoopFileSystemOptions)


def storage_settings(options: PipelineOptions) -> dict[str, Any]:
    """The storage options the user set (``--s3_endpoint_url`` ...), as a plain dict.

    Handed to the DoFns that read or write the output in their constructors
    (``transforms.state.use_storage_options``). Prefer the default
    credential chains (environment, instance roles) to keys on the command line: whatever is
    here travels inside the pipeline graph.
    """
    settings: dict[str, Any] = {}
    for view in STORAGE_OPTIONS:
        settings.update(options.view_as(view).get_all_options(drop_default=True, current_only=True))
    return settings


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
    """Resolve ``--runner``: FnApiRunner by default, short aliases (``--runner=flink``)
    expanded, and for engines the cached job-server jar or Prism binary added unless given.

    ``--runner=dask`` is refused with the reason: Beam's DaskRunner cannot run the standard-Beam
    graph (docs/design-notes.md#runners-akhbar-no-longer-supports).
    """
    found = _runner_of(argv)
    if found is None:
        return [*argv, f"--runner={DEFAULT_RUNNER}"]
    index, name = found
    if "dask" in name.lower():
        raise UsageError(
            f"--runner={name}: the Dask runner is no longer supported, its translator cannot "
            "run akhbar's standard-Beam graph (use --runner=flink, spark or prism; "
            "docs/design-notes.md#runners-akhbar-no-longer-supports)"
        )
    runner = RUNNER_ALIASES.get(name.lower(), name)
    argv = list(argv)
    argv[index] = f"--runner={runner}" if argv[index].startswith("--runner=") else runner
    return with_engine_defaults(argv)  # the cached Prism binary / job-server jar, unless given


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
