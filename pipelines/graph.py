"""Checks on a built pipeline graph, before any runner sees it.

Two properties matter beyond the local runner:

- **One terminal step.** Every step must feed the commit step, and it must be the last one
  applied. Crash safety needs it (nothing is published before every table is staged), and
  Beam's DaskRunner computes only the bag of the last transform it visits
  (``dask.optimize(list(bags.values())[-1])``), silently dropping any branch that does not
  lead there.
- **Portable constructs.** DaskRunner translates only Create, ParDo, GroupByKey and Flatten, and
  gets some of those wrong without an error: multi-output ParDos lose their tags, outputs from
  ``finish_bundle`` are dropped, state and timers are not supported, ``Read`` and splittable
  DoFns are not translated, and a side input is computed again (with everything upstream of
  it) inside every task that reads it. ``transforms/portable.py`` has stand-ins.

``run_ingest`` refuses to run a graph that breaks the first rule on any runner, or the second
on Dask; ``akhbar ingest --dry-run`` prints both verdicts.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam
from apache_beam.pipeline import AppliedPTransform, PipelineVisitor
from apache_beam.runners.common import DoFnSignature


class GraphError(RuntimeError):
    """The pipeline graph would lose data or skip the commit on the chosen runner."""


@dataclass
class _Collect(PipelineVisitor):
    leaves: list[AppliedPTransform] = field(default_factory=list)
    composites: list[AppliedPTransform] = field(default_factory=list)

    def visit_transform(self, node: AppliedPTransform) -> None:
        self.leaves.append(node)

    def enter_composite_transform(self, node: AppliedPTransform) -> None:
        if node.transform is not None:
            self.composites.append(node)


def collect(pipeline: beam.Pipeline) -> _Collect:
    visitor = _Collect()
    pipeline.visit(visitor)
    return visitor


def _upstream(node: AppliedPTransform) -> list[AppliedPTransform]:
    producers = [pc.producer for pc in node.inputs if getattr(pc, "producer", None) is not None]
    producers += [si.pvalue.producer for si in node.side_inputs if si.pvalue.producer is not None]
    return producers


def terminal_problems(pipeline: beam.Pipeline, terminal: str) -> list[str]:
    """Problems with the rule "the last step is inside ``terminal`` and every step feeds it"."""
    leaves = collect(pipeline).leaves
    if not leaves:
        return ["the pipeline has no steps"]
    last = leaves[-1]
    problems = []
    if not (last.full_label == terminal or last.full_label.startswith(terminal + "/")):
        problems.append(f"the last step is {last.full_label!r}, not inside {terminal!r}")
    seen: set[str] = set()
    stack = [last]
    while stack:
        node = stack.pop()
        if node.full_label in seen:
            continue
        seen.add(node.full_label)
        stack.extend(_upstream(node))
    problems += [
        f"step {leaf.full_label!r} does not feed {terminal!r} (its output would be dropped)"
        for leaf in leaves
        if leaf.full_label not in seen
        # an unread tag of transforms.portable.WithOutputs: dropping it loses nothing
        and not getattr(getattr(leaf.transform, "fn", None), "side_effect_free", False)
    ]
    return problems


def _dofn_problems(label: str, fn: Any) -> list[str]:
    problems = []
    signature = DoFnSignature(fn)
    if signature.is_stateful_dofn():
        problems.append(f"{label!r} uses state or timers (not supported by DaskRunner)")
    if signature.is_splittable_dofn():
        problems.append(f"{label!r} is a splittable DoFn (not supported by DaskRunner)")
    for candidate in (fn, getattr(fn, "inner", None)):
        finish = getattr(type(candidate), "finish_bundle", None) if candidate is not None else None
        if finish is not None and inspect.isgeneratorfunction(finish):
            problems.append(f"{label!r} emits from finish_bundle (DaskRunner drops those outputs)")
    return problems


def portability_problems(pipeline: beam.Pipeline) -> list[str]:
    """Constructs that DaskRunner (Beam 2.77) runs wrongly or not at all."""
    graph = collect(pipeline)
    problems = []
    multi = getattr(beam.transforms.core, "_MultiParDo", ())  # what ParDo.with_outputs returns
    for node in graph.composites:
        if multi and isinstance(node.transform, multi):
            problems.append(
                f"{node.full_label!r} is ParDo.with_outputs (DaskRunner sends every output to "
                "every tag): use transforms.portable.WithOutputs"
            )
        if isinstance(node.transform, beam.BatchElements):
            problems.append(
                f"{node.full_label!r} is BatchElements (its last batch is emitted from "
                "finish_bundle, which DaskRunner drops): use transforms.portable.Batches"
            )
    for node in graph.leaves:
        transform = node.transform
        if isinstance(transform, beam.io.Read):
            problems.append(f"{node.full_label!r} is a Read (not translated by DaskRunner)")
        if not isinstance(transform, beam.ParDo):
            continue
        parent = node.parent.transform if node.parent is not None else None
        if len(node.outputs) > 1 and not (multi and isinstance(parent, multi)):
            problems.append(
                f"{node.full_label!r} has {len(node.outputs)} tagged outputs (DaskRunner sends "
                "every output to every tag): use transforms.portable.WithOutputs"
            )
        if node.side_inputs:
            problems.append(
                f"{node.full_label!r} reads a side input (DaskRunner computes its whole upstream "
                "graph again inside every task that reads it): join with a GroupByKey"
            )
        problems += _dofn_problems(node.full_label, transform.fn)
    return problems


def is_dask(runner: str) -> bool:
    return runner.rsplit(".", 1)[-1] == "DaskRunner"


def check_graph(pipeline: beam.Pipeline, runner: str, terminal: str = "Commit") -> None:
    """Raise ``GraphError`` when the graph would lose data on ``runner``."""
    problems = terminal_problems(pipeline, terminal)
    if is_dask(runner):
        problems += portability_problems(pipeline)
    if problems:
        raise GraphError("pipeline graph rejected:\n  " + "\n  ".join(problems))
