"""Portable stand-ins for Beam constructs that some runners translate wrongly.

Beam's DaskRunner (2.77, ``runners/dask/transform_evaluator.py``) translates only Create, ParDo,
GroupByKey and Flatten, and two of its shortcuts change results without any error:

- A multi-output ParDo (``.with_outputs(...)``) loses its tags: every tagged PCollection
  receives *all* of the DoFn's outputs, so rejects reach the article writer and read counts
  reach the cleaner. ``WithOutputs`` builds the same thing from single-output steps: the DoFn's
  outputs become ``(tag, value)`` pairs on one PCollection, and one FlatMap per tag selects its
  values. On FnApiRunner, Flink and Dataflow those selectors fuse with the ParDo, so the price
  is one tuple per element.
- Outputs emitted from ``finish_bundle`` are dropped (the bundle's results are collected before
  ``finish_bundle`` runs), which empties ``beam.BatchElements`` for small inputs. ``Batches``
  batches through a GroupByKey instead, which every runner executes.

``tests/test_portable.py`` runs both on FnApiRunner and on a real Dask cluster;
``pipelines.graph.portability_problems`` rejects an ingest graph that uses the broken forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.pvalue import PCollection, TaggedOutput
from apache_beam.utils.windowed_value import WindowedValue


class TaggedPCollections(tuple):
    """What ``ParDo.with_outputs`` returns, for ``WithOutputs``: access by tag, attribute or index.

    A tuple with ``_fields`` (like a named tuple), so Beam registers every PCollection as an
    output of the composite under its tag.
    """

    _fields: tuple[str, ...]

    def __new__(cls, named: dict[str, PCollection]) -> TaggedPCollections:
        self = super().__new__(cls, tuple(named.values()))
        self._fields = tuple(named)
        return self

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._fields.index(key))
        return tuple.__getitem__(self, key)

    def __getattr__(self, name: str) -> PCollection:
        fields = self.__dict__.get("_fields", ())
        if name in fields:
            return tuple.__getitem__(self, fields.index(name))
        raise AttributeError(name)


def _pairs(outputs: Iterable[Any] | None, main: str) -> Iterator[Any]:
    for out in outputs or ():
        if isinstance(out, TaggedOutput):
            tag, value = out.tag, out.value
        else:
            tag, value = main, out
        if isinstance(value, WindowedValue):  # from finish_bundle: keep its window
            yield value.with_value((tag, value.value))
        else:
            yield (tag, value)


class _PairTagsFn(beam.DoFn):
    """Runs ``inner`` and turns each of its outputs into ``(tag, value)`` on the main output.

    ``inner.process`` must take the element plus the ParDo's extra arguments only (no
    ``DoFn.WindowParam``/``StateParam``): they would not be passed through this wrapper.
    """

    def __init__(self, inner: beam.DoFn, main: str) -> None:
        self.inner = inner
        self.main = main

    def setup(self) -> None:
        self.inner.setup()

    def start_bundle(self) -> None:
        self.inner.start_bundle()

    # *args/**kwargs stay unannotated: Beam would read the annotations as type hints of the
    # ParDo's side arguments and reject the inner DoFn's own arguments.
    def process(self, element: Any, *args, **kwargs) -> Iterator[Any]:
        yield from _pairs(self.inner.process(element, *args, **kwargs), self.main)

    def finish_bundle(self) -> list[Any] | None:
        # Not a generator, so that a graph check can tell "emits from finish_bundle" (which
        # DaskRunner drops) from "does not": that depends on the inner DoFn alone.
        outputs = self.inner.finish_bundle()
        return list(_pairs(outputs, self.main)) if outputs is not None else None

    def teardown(self) -> None:
        self.inner.teardown()


class _SelectTagFn(beam.DoFn):
    """Keeps the values of one tag. Pure: a graph check may ignore it when nothing reads it."""

    side_effect_free = True

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def process(self, pair: tuple[str, Any]) -> Iterator[Any]:
        if pair[0] == self.tag:
            yield pair[1]


class WithOutputs(beam.PTransform):
    """``WithOutputs(beam.ParDo(fn), "rejects", main="items")`` is
    ``beam.ParDo(fn).with_outputs("rejects", main="items")`` built from single-output steps.

    ``pardo`` may be any ParDo (``beam.ParDo``, ``beam.FlatMap``, ``beam.FlatMapTuple`` ...);
    its extra arguments, side inputs included, are passed on. The result is indexed by tag
    (``out["rejects"]``), by attribute (``out.items``) or by position (main first), like
    ``DoOutputsTuple``.
    """

    def __init__(self, pardo: beam.ParDo, *tags: str, main: str) -> None:
        super().__init__()
        if main in tags or len(set(tags)) != len(tags):
            raise ValueError(f"output tags must be distinct: main={main!r}, tags={tags!r}")
        self.pardo = pardo
        self.tags = tags
        self.main = main

    def expand(self, pcoll: PCollection) -> TaggedPCollections:
        # raw_side_inputs: the ParDo's extra arguments as given, side inputs (AsDict ...)
        # included; ``args`` holds placeholders for those, which a new ParDo would not fill
        args, kwargs = self.pardo.raw_side_inputs
        pairs = pcoll | "Run" >> beam.ParDo(_PairTagsFn(self.pardo.fn, self.main), *args, **kwargs)
        return TaggedPCollections(
            {
                tag: pairs | f"Select[{tag}]" >> beam.ParDo(_SelectTagFn(tag))
                for tag in (self.main, *self.tags)
            }
        )


def _chunks(keyed: tuple[Any, Iterable[Any]], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for element in keyed[1]:
        batch.append(element)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Batches(beam.PTransform):
    """Elements -> lists of at most ``size`` elements, for a small PCollection (a feed list).

    Everything goes through one key, so it suits thousands of elements, not millions; use it
    where ``beam.BatchElements`` would be used on a list known to be small.
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        if size < 1:
            raise ValueError("batch size must be at least 1")
        self.size = size

    def expand(self, pcoll: PCollection) -> PCollection:
        return (
            pcoll
            | "OneKey" >> beam.Map(lambda element: (None, element))
            | "Gather" >> beam.GroupByKey()
            | "Chunk" >> beam.FlatMap(_chunks, self.size)
        )
