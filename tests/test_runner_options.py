"""--runner resolution (defaults, short aliases, a retired runner) and the storage options
handed to workers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from akhbar.pipelines.options import (
    UsageError,
    free_cores,
    storage_settings,
    with_default_runner,
    with_parallel_default,
)


def test_default_runner_is_fnapi() -> None:
    assert with_default_runner(["--output", "x"]) == ["--output", "x", "--runner=FnApiRunner"]


@pytest.mark.parametrize(
    ("given", "resolved"),
    [
        (["--runner=flink"], ["--runner=FlinkRunner"]),
        (["--runner", "Prism"], ["--runner", "PrismRunner"]),
        (["--runner=local"], ["--runner=FnApiRunner"]),
        (["--runner=DataflowRunner"], ["--runner=DataflowRunner"]),
    ],
)
def test_runner_aliases(
    given: list[str], resolved: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An empty engine cache: with `make engines` done, --runner=flink also gets the cached jar
    # (tests/engines/test_flink.py).
    monkeypatch.setenv("AKHBAR_ENGINE_CACHE", str(tmp_path))
    assert with_default_runner(given) == resolved


@pytest.mark.parametrize(
    "runner", ["dask", "Dask", "apache_beam.runners.dask.dask_runner.DaskRunner"]
)
def test_the_retired_dask_runner_is_refused_with_the_reason(runner: str) -> None:
    with pytest.raises(UsageError, match=r"no longer supported.*flink, spark or prism"):
        with_default_runner([f"--runner={runner}"])


def test_storage_settings_carry_only_what_was_set() -> None:
    options = PipelineOptions(
        ["--s3_endpoint_url=http://127.0.0.1:9000", "--s3_region_name=eu-west-1", "--output=x"]
    )
    assert storage_settings(options) == {
        "s3_endpoint_url": "http://127.0.0.1:9000",
        "s3_region_name": "eu-west-1",
    }
    assert storage_settings(PipelineOptions([])) == {}


BIG = 64 * 1024 * 1024


@pytest.mark.parametrize(
    ("argv", "size", "cores", "added"),
    [
        ([], BIG, 2, ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]),
        ([], BIG, 16, ["--direct_running_mode=multi_processing", "--direct_num_workers=8"]),
        ([], 1024, 2, []),  # small input: one process starts faster
        ([], BIG, 1, []),  # no free core
        (["--direct_num_workers=1"], BIG, 4, []),  # the user's choice wins
        (["--direct_running_mode=in_memory"], BIG, 4, []),
        (["--runner=FlinkRunner"], BIG, 4, []),  # other runners manage their workers
    ],
)
def test_large_local_inputs_use_every_free_core(
    argv: list[str], size: int, cores: int, added: list[str]
) -> None:
    assert with_parallel_default(argv, size, cores) == [*argv, *added]


def test_free_cores_is_at_least_one() -> None:
    assert 1 <= free_cores() <= (os.cpu_count() or 1)


@pytest.mark.parametrize(
    ("options", "partitions"),
    [
        ({"runner": "FnApiRunner"}, 1),
        ({"runner": "FnApiRunner", "direct_num_workers": 2}, 2),
        ({"runner": "FnApiRunner", "direct_num_workers": 6}, 6),
        ({"runner": "PrismRunner"}, 16),
        ({"runner": "FlinkRunner", "direct_num_workers": 2}, 16),
    ],
)
def test_band_partitions_follow_the_workers(options: dict, partitions: int) -> None:
    from akhbar.pipelines.ingest import band_partitions_for

    assert band_partitions_for(options) == partitions


@pytest.mark.parametrize(
    ("options", "workers"),
    [
        ({"runner": "FnApiRunner"}, 1),
        ({"runner": "FnApiRunner", "direct_num_workers": 2}, 2),
        ({"runner": "FlinkRunner"}, None),
    ],
)
def test_local_workers(options: dict, workers: int | None) -> None:
    from akhbar.pipelines.ingest import local_workers

    assert local_workers(options) == workers


@pytest.mark.parametrize(("workers", "reshuffled"), [(1, False), (2, True), (None, True)])
def test_items_are_redistributed_only_when_several_workers_may_share_them(
    tmp_path, workers: int | None, reshuffled: bool
) -> None:
    from dataclasses import replace

    import apache_beam as beam

    from akhbar.pipelines.ingest import build_pipeline, plan_from_options

    options = PipelineOptions(["--output", str(tmp_path), "--runner=FnApiRunner"])
    plan = replace(plan_from_options(options), workers=workers)
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, plan, "FnApiRunner")
    names = {t.unique_name for t in pipeline.to_runner_api().components.transforms.values()}
    assert ("Read/Redistribute" in names) is reshuffled


def test_ingest_hands_records_to_the_writer_unflattened(tmp_path) -> None:
    """The writer's only Flatten reads records already keyed (with the record coder): a
    Flatten of the records themselves before it would be materialized by FnApiRunner."""
    import apache_beam as beam

    from akhbar.pipelines.ingest import build_pipeline, plan_from_options

    options = PipelineOptions(["--output", str(tmp_path), "--runner=FnApiRunner"])
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, plan_from_options(options), "FnApiRunner")
    transforms = pipeline.to_runner_api().components.transforms.values()
    producer = {pc: t.unique_name for t in transforms for pc in t.outputs.values()}
    flattens = {
        t.unique_name: sorted(producer[pc] for pc in t.inputs.values())
        for t in transforms
        if t.spec.urn == "beam:transform:flatten:v1" and t.unique_name.startswith("Write/")
    }
    assert list(flattens) == ["Write/AllRecords"]
    assert all(name.startswith("Write/KeyByPartition") for name in flattens["Write/AllRecords"])
    assert len(flattens["Write/AllRecords"]) == 4  # articles, duplicates, 2 x rejects


@pytest.mark.parametrize("workers", [1, 2, None])
def test_near_dedup_reads_its_targets_as_a_side_input_on_every_runner(
    tmp_path, workers: int | None
) -> None:
    """One graph for every runner: the Targets are one CombineGlobally result read as a side
    input (before, only the local runner used the side input; others joined, for Dask)."""
    from dataclasses import replace

    import apache_beam as beam
    from apache_beam.portability.api import beam_runner_api_pb2

    from akhbar.pipelines.ingest import build_pipeline, plan_from_options

    options = PipelineOptions(["--output", str(tmp_path), "--runner=FnApiRunner"])
    plan = replace(plan_from_options(options), workers=workers)
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, plan, "FnApiRunner")
    transforms = pipeline.to_runner_api().components.transforms.values()
    names = {t.unique_name for t in transforms}
    assert "NearDedup/GroupByDoc" not in names
    assert any(n.startswith("NearDedup/UnionFind") for n in names)
    route = next(
        t
        for t in transforms
        if t.unique_name == "NearDedup/Route/ParDo(_WithSideInputs)"
        or (t.unique_name.startswith("NearDedup/Route") and t.spec.urn == "beam:transform:pardo:v1")
    )
    side_inputs = beam_runner_api_pb2.ParDoPayload.FromString(route.spec.payload).side_inputs
    assert side_inputs
