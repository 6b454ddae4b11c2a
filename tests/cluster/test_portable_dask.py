"""Why transforms/portable.py exists, shown on a real Dask cluster: Beam's own multi-output
ParDo and BatchElements give wrong results on DaskRunner without any error, and the portable
stand-ins give the right ones. If a Beam upgrade fixes the runner, the "broken" assertions
here fail, and the stand-ins can be reconsidered.

Only Beam built-ins, akhbar's installed modules and lambdas (pickled by value) run on the
workers: this test module itself is not importable there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import apache_beam as beam
import pytest
from akhbar.transforms.portable import Batches, WithOutputs
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.pvalue import PCollection

from tests.cluster.conftest import DaskCluster

pytestmark = pytest.mark.slow


def run_on_dask(
    cluster: DaskCluster, tmp_path: Path, build: Callable[[beam.Pipeline], dict[str, PCollection]]
) -> dict[str, list]:
    """Run ``build``'s branches joined into one terminal step (DaskRunner computes only the
    last one) that saves every branch's values to a JSON file."""
    import apache_beam.runners.dask.dask_runner  # noqa: F401  (registers --dask_* options)

    saved = tmp_path / "result.json"
    options = PipelineOptions(
        [
            "--runner=apache_beam.runners.dask.dask_runner.DaskRunner",
            f"--dask_client_address={cluster.address}",
            "--dask_partition_size=4",
        ]
    )
    pipeline = beam.Pipeline(options=options)
    branches = [
        pcoll | f"Name[{name}]" >> beam.Map(lambda value, name=name: (name, value))
        for name, pcoll in build(pipeline).items()
    ]
    _ = (
        branches
        | "Join" >> beam.Flatten()
        | "OneKey" >> beam.Map(lambda pair: (None, pair))
        | "Gather" >> beam.GroupByKey()
        | "Save"
        >> beam.Map(
            lambda keyed, path=str(saved): Path(path).write_text(json.dumps(list(keyed[1])))
        )
    )
    result = pipeline.run()
    try:
        result.wait_until_finish()
    finally:
        result.client.close()
    grouped: dict[str, list] = {}
    for name, value in json.loads(saved.read_text()):
        grouped.setdefault(name, []).append(value)
    return grouped


def test_multi_output_pardo_mixes_tags_on_dask_and_with_outputs_does_not(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    def build(p: beam.Pipeline) -> dict[str, PCollection]:
        numbers = p | beam.Create(range(10))
        fn = lambda n: [n] if n % 2 == 0 else [beam.pvalue.TaggedOutput("odd", n)]  # noqa: E731
        beam_split = numbers | "Beam" >> beam.FlatMap(fn).with_outputs("odd", main="even")
        ours = numbers | "Ours" >> WithOutputs(beam.FlatMap(fn), "odd", main="even")
        return {
            "beam_even": beam_split.even,
            "beam_odd": beam_split.odd,
            "ours_even": ours.even,
            "ours_odd": ours.odd,
        }

    got = run_on_dask(dask_cluster, tmp_path, build)
    assert sorted(got["ours_even"]) == [0, 2, 4, 6, 8]
    assert sorted(got["ours_odd"]) == [1, 3, 5, 7, 9]
    # Beam's own: each tag receives every output (the bug WithOutputs works around)
    assert sorted(got["beam_even"]) == list(range(10))
    assert sorted(got["beam_odd"]) == list(range(10))


def test_batch_elements_loses_its_last_batch_on_dask_and_batches_does_not(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    def build(p: beam.Pipeline) -> dict[str, PCollection]:
        numbers = p | beam.Create(range(10))
        return {
            "beam": numbers | "Beam" >> beam.BatchElements(min_batch_size=1, max_batch_size=32),
            "ours": numbers | "Ours" >> Batches(32),
        }

    got = run_on_dask(dask_cluster, tmp_path, build)
    assert [sorted(batch) for batch in got["ours"]] == [list(range(10))]
    # Beam's own: batches left at the end of a bundle come out of finish_bundle, never seen
    assert sum(len(batch) for batch in got.get("beam", [])) < 10
