"""akhbar.transforms.portable (multi-output ParDo and batching from single-output steps) and the graph
checks of pipelines.graph, on FnApiRunner. tests/cluster/test_portable_dask.py runs the same
constructs on a real Dask cluster, next to the Beam constructs they replace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apache_beam as beam
import pytest
from akhbar.pipelines.dryrun import dry_run
from akhbar.pipelines.graph import (
    GraphError,
    check_graph,
    collect,
    portability_problems,
    terminal_problems,
)
from akhbar.transforms.portable import Batches, TaggedPCollections, WithOutputs
from apache_beam.coders import StrUtf8Coder
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.userstate import BagStateSpec

from tests.conftest import SAMPLES
from tests.helpers import beam_pipeline


class Route(beam.DoFn):
    """Numbers: even on the main output, multiples of 3 also on "three", 5s only on "five"."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset

    def setup(self) -> None:
        self.ready = True

    def process(self, n: int, plus: int = 0) -> Iterator[object]:
        assert self.ready
        n = n + self.offset + plus
        if n % 5 == 0:
            yield beam.pvalue.TaggedOutput("five", n)
            return
        if n % 2 == 0:
            yield n
        if n % 3 == 0:
            yield beam.pvalue.TaggedOutput("three", n)


def expected(values: range, offset: int = 0) -> dict[str, list[int]]:
    shifted = [v + offset for v in values]
    return {
        "even": [n for n in shifted if n % 5 and n % 2 == 0],
        "three": [n for n in shifted if n % 5 and n % 3 == 0],
        "five": [n for n in shifted if n % 5 == 0],
    }


def test_with_outputs_splits_like_beam() -> None:
    values = range(40)
    want = expected(values, offset=1)
    with beam_pipeline() as p:
        out = (
            p
            | beam.Create(values)
            | "Route" >> WithOutputs(beam.ParDo(Route(1)), "three", "five", main="even")
        )
        assert isinstance(out, TaggedPCollections)
        assert out.even is out["even"] is out[0]
        assert_that(out.even, equal_to(want["even"]), label="even")
        assert_that(out["three"], equal_to(want["three"]), label="three")
        assert_that(out[2], equal_to(want["five"]), label="five")


def test_with_outputs_passes_extra_arguments_and_flatmaptuple() -> None:
    with beam_pipeline() as p:
        numbers = p | beam.Create(range(10))
        routed = numbers | "Plus" >> WithOutputs(
            beam.ParDo(Route(), plus=10), "three", "five", main="even"
        )
        assert_that(routed.five, equal_to([10, 15]), label="five")
        pairs = p | "Pairs" >> beam.Create([("a", 1), ("b", 2)])
        split = pairs | "Tuple" >> WithOutputs(
            beam.FlatMapTuple(
                lambda k, v, tag="": [k] if v == 1 else [beam.pvalue.TaggedOutput(tag, k)], "other"
            ),
            "other",
            main="ones",
        )
        assert_that(split.ones, equal_to(["a"]), label="ones")
        assert_that(split.other, equal_to(["b"]), label="other")


def test_with_outputs_rejects_repeated_tags() -> None:
    with pytest.raises(ValueError):
        WithOutputs(beam.ParDo(Route()), "x", "x", main="main")
    with pytest.raises(ValueError):
        WithOutputs(beam.ParDo(Route()), "main", main="main")


def test_batches_keep_every_element_in_bounded_lists() -> None:
    with beam_pipeline() as p:
        batches = p | beam.Create(range(70)) | Batches(32)
        assert_that(
            batches
            | "Sizes" >> beam.Map(len)
            | "All" >> beam.combiners.ToList()
            | "Sorted" >> beam.Map(sorted),
            equal_to([[6, 32, 32]]),
            label="sizes",
        )
        assert_that(batches | beam.FlatMap(lambda b: b), equal_to(list(range(70))), label="all")
    with pytest.raises(ValueError):
        Batches(0)


class _Stateful(beam.DoFn):
    SEEN = BagStateSpec("seen", StrUtf8Coder())

    def process(self, element: tuple[str, str], seen=beam.DoFn.StateParam(SEEN)):  # noqa: B008
        seen.add(element[1])
        yield element


class _EmitsAtEnd(beam.DoFn):
    def process(self, element: int) -> Iterator[int]:
        yield element

    def finish_bundle(self) -> Iterator[object]:
        yield from ()


def test_with_outputs_passes_side_inputs_on() -> None:
    """A FlatMap with a side input keeps it through WithOutputs (its ``args`` hold only a
    placeholder for it)."""
    with beam.Pipeline(runner="FnApiRunner") as p:
        names = p | "Names" >> beam.Create([(1, "one"), (3, "three")])
        routed = (
            p
            | beam.Create([1, 2, 3])
            | WithOutputs(
                beam.FlatMap(
                    lambda n, known: (
                        [n] if n not in known else [beam.pvalue.TaggedOutput("named", known[n])]
                    ),
                    beam.pvalue.AsDict(names),
                ),
                "named",
                main="other",
            )
        )
        assert_that(routed.named, equal_to(["one", "three"]), label="named")
        assert_that(routed.other, equal_to([2]), label="other")


def test_portability_problems_name_each_broken_construct() -> None:
    p = beam.Pipeline(runner="FnApiRunner")
    numbers = p | beam.Create([1, 2])
    _ = numbers | "Tagged" >> beam.ParDo(Route()).with_outputs("three", "five", main="even")
    _ = numbers | "Batch" >> beam.BatchElements()
    _ = numbers | beam.Map(lambda n: ("k", str(n))) | "State" >> beam.ParDo(_Stateful())
    _ = numbers | "AtEnd" >> beam.ParDo(_EmitsAtEnd())
    _ = numbers | "Fine" >> WithOutputs(beam.ParDo(Route()), "three", "five", main="even")
    _ = numbers | "Side" >> beam.Map(lambda n, m: n * m, beam.pvalue.AsSingleton(numbers))
    problems = "\n".join(portability_problems(p))
    assert "'Tagged' is ParDo.with_outputs" in problems
    assert "'Batch' is BatchElements" in problems
    assert "'State' uses state" in problems
    assert "'AtEnd' emits from finish_bundle" in problems
    assert "'Side' reads a side input" in problems
    assert "Fine" not in problems


def test_terminal_check_finds_a_branch_that_would_be_dropped() -> None:
    p = beam.Pipeline(runner="FnApiRunner")
    numbers = p | beam.Create([1, 2])
    routed = numbers | "Route" >> WithOutputs(beam.ParDo(Route()), "three", "five", main="even")
    _ = numbers | "SideWrite" >> beam.Map(print)  # a side effect nobody waits for
    _ = (routed.even, routed.three) | beam.Flatten() | "Commit" >> beam.Map(str)
    problems = terminal_problems(p, "Commit")
    assert problems == ["step 'SideWrite' does not feed 'Commit' (its output would be dropped)"]
    with pytest.raises(GraphError):
        check_graph(p, "FnApiRunner")
    q = beam.Pipeline(runner="FnApiRunner")
    _ = q | beam.Create([1]) | "Commit" >> beam.Map(str)
    _ = q | "Late" >> beam.Create([2])
    assert "the last step is 'Late/" in terminal_problems(q, "Commit")[0]


def test_ingest_graph_is_sound_and_dask_ready(capsys: pytest.CaptureFixture[str]) -> None:
    """The real ingest graph, with files and feeds: one terminal step, portable constructs."""
    code = dry_run(
        "ingest",
        ["--input", str(SAMPLES), "--feeds", "seeds/feeds.yaml", "--runner=FnApiRunner"],
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "dask-ready    yes" in out and "the last in 'Commit'" in out


def test_dry_run_builds_the_local_graph_and_checks_the_dask_one() -> None:
    """On the local runner, the dry run builds what a real run builds (near dedup's side input);
    "dask-ready" is judged on the graph Dask would get (the join), which is portable."""
    from akhbar.pipelines.dryrun import _build_ingest
    from apache_beam.options.pipeline_options import PipelineOptions

    def labels(pipeline: beam.Pipeline) -> set[str]:
        return {node.full_label for node in collect(pipeline).leaves}

    options = PipelineOptions(["--input", str(SAMPLES), "--runner=FnApiRunner"])
    local, on_dask, _ = _build_ingest(options, "FnApiRunner")
    assert not any(label.startswith("NearDedup/GroupByDoc") for label in labels(local))
    assert any(label.startswith("NearDedup/GroupByDoc") for label in labels(on_dask))
    assert [p for p in portability_problems(local) if "side input" in p]
    assert portability_problems(on_dask) == []
    dask_options = PipelineOptions(["--input", str(SAMPLES), "--runner=DaskRunner"])
    graph, same, _ = _build_ingest(dask_options, "DaskRunner")
    assert same is graph


def test_dry_run_leaves_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Beam makes a temp folder per Pipeline and removes it only on run(); a dry run never
    runs, so it must remove the folder itself."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for command in ("ingest", "stream"):
        extra = (
            ["--feeds", "seeds/feeds.yaml"] if command == "stream" else ["--input", str(SAMPLES)]
        )
        assert dry_run(command, [*extra, "--runner=FnApiRunner"]) == 0, capsys.readouterr()
    assert not list(tmp_path.glob("beam-pipeline-temp*"))
