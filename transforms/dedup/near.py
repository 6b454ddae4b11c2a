"""Near-duplicate dedup across the whole run as a Beam PTransform (MinHash + LSH bands).

    groups ─Sign─┬─ band keys ─GroupByKey(band)─ pairs ──────────────┐
                 ├─ (id, doc) ─────────────────────────────GroupByKey(id)─ (pair, doc)
    prior files ─┘                                           ─GroupByKey(pair)─ Comparison
                 │                   Comparisons + oversized bands ─GroupByKey(None)─ union-find
                 └─ (id, group) ──── GroupByKey(id) with Targets ── GroupByKey(component) ─ merge

Only Create, ParDo (Map/FlatMap), GroupByKey and Flatten: the Dask runner translates nothing
else, and side inputs or keyed state would tie correctness to one runner. Multi-output steps
use ``transforms.portable.WithOutputs`` (DaskRunner sends every output of ``with_outputs`` to
every tag). Joins are a Flatten of tagged values followed by a GroupByKey. Union-find runs in
one keyed step: it only sees the verified comparisons (about two per article on syndicated
input), never the documents. Where even that is too big for one worker, iterative label
propagation (min-id over edges, repeated until stable) is the scalable replacement.

Groups that are nobody's near duplicate pass through unchanged (same element, no copy); merged
groups come out as new ``DedupGroup`` copies. Copies of an article an earlier run wrote (prior
index entries) come out on ``prior_duplicates`` and never as groups.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.dedup.exact import DedupGroup
from transforms.dedup.minhash import MinhashConfig
from transforms.dedup.near_cluster import (
    Comparison,
    NearDedupStats,
    NearDoc,
    OversizedBand,
    Target,
    assign_components,
    band_members,
    band_pairs,
    compare,
    merge_component,
    near_doc,
)
from transforms.dedup.near_index import read_prior_docs
from transforms.portable import WithOutputs

LOG = logging.getLogger(__name__)
NAMESPACE = "near_dedup"
OVERSIZED_TAG = "oversized"
PRIOR_DUPLICATES_TAG = "prior_duplicates"
STATS_TAG = "stats"
_DOC, _WANT, _GROUP, _TARGET = "doc", "want", "group", "target"


class NearDedupResult(NamedTuple):
    groups: Any  # PCollection[DedupGroup]
    prior_duplicates: Any  # PCollection[Duplicate]: copies of articles earlier runs wrote
    stats: Any  # PCollection[NearDedupStats], exactly one element


class _SignFn(beam.DoFn):
    """Group -> its NearDoc keyed by id (for verification) and the group keyed by id."""

    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.documents = Metrics.counter(NAMESPACE, "documents")

    def process(self, group: DedupGroup) -> Iterator[Any]:
        doc = near_doc(group.canonical, self.config)
        self.documents.inc()
        yield (doc.id, (_DOC, doc))
        yield beam.pvalue.TaggedOutput(_GROUP, (doc.id, (_GROUP, (group, doc))))


class _ReadPriorFn(beam.DoFn):
    def __init__(self, config: MinhashConfig, not_before: datetime | None) -> None:
        self.config = config
        self.not_before = not_before
        self.prior = Metrics.counter(NAMESPACE, "prior_documents")
        self.incompatible = Metrics.counter(NAMESPACE, "prior_incompatible")

    def process(self, path: str) -> Iterator[tuple[str, tuple[str, NearDoc]]]:
        docs, skipped = read_prior_docs(path, self.config, self.not_before)
        self.incompatible.inc(skipped)
        for doc in docs:
            self.prior.inc()
            yield (doc.id, (_DOC, doc))


class _BandPairsFn(beam.DoFn):
    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.band_pairs = Metrics.counter(NAMESPACE, "band_pairs")
        self.oversized = Metrics.counter(NAMESPACE, "oversized_bands")

    def process(self, element: tuple[bytes, Iterable[tuple[str, bool]]]) -> Iterator[Any]:
        members = list(element[1])
        if len(members) < 2:
            return
        pairs, oversized = band_pairs(members, self.config)
        if oversized is not None:
            self.oversized.inc()
            yield beam.pvalue.TaggedOutput(OVERSIZED_TAG, oversized)
        self.band_pairs.inc(len(pairs))
        for a, b in pairs:
            yield (a, (_WANT, b))
            yield (b, (_WANT, a))


def _send_doc_to_pairs(element: tuple[str, Iterable[tuple[str, Any]]]) -> Iterator[Any]:
    """One id's doc (this run's wins over a stale prior copy) sent to each distinct pair."""
    doc_id, values = element
    doc: NearDoc | None = None
    partners: set[str] = set()
    for tag, value in values:
        if tag == _DOC:
            if doc is None or (doc.prior and not value.prior):
                doc = value
        else:
            partners.add(value)
    if doc is None:
        return
    for other in sorted(partners - {doc_id}):
        pair = (doc_id, other) if doc_id < other else (other, doc_id)
        yield (pair, doc)


class _CompareFn(beam.DoFn):
    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.comparisons = Metrics.counter(NAMESPACE, "comparisons")
        self.matches = Metrics.counter(NAMESPACE, "matches")

    def process(self, element: tuple[tuple[str, str], Iterable[NearDoc]]) -> Iterator[Comparison]:
        (a_id, b_id), docs = element
        by_id = {d.id: d for d in docs}
        if a_id not in by_id or b_id not in by_id:
            return
        result = compare(by_id[a_id], by_id[b_id], self.config)
        self.comparisons.inc()
        if result.passed:
            self.matches.inc()
        yield result


def _union_find(element: tuple[None, Iterable[Any]]) -> Iterator[Any]:
    """All comparisons in one step -> one Target per member of a multi-member component."""
    results = [r for r in element[1] if isinstance(r, Comparison | OversizedBand)]
    targets, stats = assign_components(results)
    Metrics.counter(NAMESPACE, "components").inc(stats.components)
    yield beam.pvalue.TaggedOutput(STATS_TAG, stats)
    for doc_id, target in targets.items():
        yield (doc_id, (_TARGET, target))


def _route_group(element: tuple[str, Iterable[tuple[str, Any]]]) -> Iterator[Any]:
    """A group with no Target passes through; one with a Target goes to its component."""
    _doc_id, values = element
    member = None
    target: Target | None = None
    for tag, value in values:
        if tag == _GROUP:
            member = value
        else:
            target = value
    if member is None:
        return
    if target is None:
        yield beam.pvalue.TaggedOutput("alone", member[0])
    else:
        yield (target.component, (member, target))


class _MergeFn(beam.DoFn):
    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.merged = Metrics.counter(NAMESPACE, "merged_groups")
        self.prior_matched = Metrics.counter(NAMESPACE, "prior_matched_groups")

    def process(self, element: tuple[str, Iterable[tuple[Any, Target]]]) -> Iterator[Any]:
        values = list(element[1])
        merged = merge_component([m for m, _ in values], values[0][1], self.config)
        self.merged.inc(merged.stats.merged_groups)
        self.prior_matched.inc(merged.stats.prior_matched_groups)
        yield from merged.groups
        for dup in merged.duplicates:
            yield beam.pvalue.TaggedOutput(PRIOR_DUPLICATES_TAG, dup)
        yield beam.pvalue.TaggedOutput(STATS_TAG, merged.stats)


def _sum_stats(element: tuple[None, Iterable[NearDedupStats]]) -> NearDedupStats:
    total = stats_of(element[1])
    LOG.info("near dedup: %s", total)
    return total


class NearDedup(beam.PTransform):
    """DedupGroups (from ``ExactDedupGroups``) -> DedupGroups with near duplicates merged.

    ``prior_index_paths`` are Parquet files written by ``near_index.write_index`` in earlier
    runs (select them with ``near_index.select_index_files``); their articles take part in
    matching and are never emitted. ``prior_not_before`` drops index rows older than the
    horizon inside the selected files. Returns ``NearDedupResult(groups, prior_duplicates,
    stats)``; every output must reach the pipeline's terminal step (Dask computes only it).
    """

    def __init__(
        self,
        config: MinhashConfig,
        prior_index_paths: Sequence[str] = (),
        prior_not_before: datetime | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.prior_index_paths = list(prior_index_paths)
        self.prior_not_before = prior_not_before

    def expand(self, groups):
        config = self.config
        signed = groups | "Sign" >> WithOutputs(beam.ParDo(_SignFn(config)), _GROUP, main="docs")
        docs = [signed.docs]
        if self.prior_index_paths:
            docs.append(
                groups.pipeline
                | "PriorIndexFiles" >> beam.Create(self.prior_index_paths, reshuffle=False)
                | "ReadPriorIndex" >> beam.ParDo(_ReadPriorFn(config, self.prior_not_before))
            )
        all_docs = docs | "AllDocs" >> beam.Flatten()
        banded = (
            all_docs
            | "BandKeys" >> beam.FlatMap(lambda kv: band_members(kv[1][1], config))
            | "GroupByBand" >> beam.GroupByKey()
            | "BandPairs"
            >> WithOutputs(beam.ParDo(_BandPairsFn(config)), OVERSIZED_TAG, main="wants")
        )
        comparisons = (
            (all_docs, banded.wants)
            | "DocsAndWants" >> beam.Flatten()
            | "GroupById" >> beam.GroupByKey()
            | "DocToPairs" >> beam.FlatMap(_send_doc_to_pairs)
            | "GroupByPair" >> beam.GroupByKey()
            | "Compare" >> beam.ParDo(_CompareFn(config))
        )
        seed = groups.pipeline | "StatsSeed" >> beam.Create([None], reshuffle=False)
        found = (
            (comparisons, banded[OVERSIZED_TAG], seed)
            | "AllResults" >> beam.Flatten()
            | "ToOneKey" >> beam.Map(lambda r: (None, r))
            | "GatherResults" >> beam.GroupByKey()
            | "UnionFind" >> WithOutputs(beam.FlatMap(_union_find), STATS_TAG, main="targets")
        )
        routed = (
            (signed[_GROUP], found.targets)
            | "GroupsAndTargets" >> beam.Flatten()
            | "GroupByDoc" >> beam.GroupByKey()
            | "Route" >> WithOutputs(beam.FlatMap(_route_group), "alone", main="to_merge")
        )
        merged = (
            routed.to_merge
            | "GroupByComponent" >> beam.GroupByKey()
            | "Merge"
            >> WithOutputs(
                beam.ParDo(_MergeFn(config)), PRIOR_DUPLICATES_TAG, STATS_TAG, main="groups"
            )
        )
        out = (routed.alone, merged.groups) | "NearGroups" >> beam.Flatten()
        stats = (
            (found[STATS_TAG], merged[STATS_TAG])
            | "PartialStats" >> beam.Flatten()
            | "StatsToOneKey" >> beam.Map(lambda s: (None, s))
            | "GatherStats" >> beam.GroupByKey()
            | "SumStats" >> beam.Map(_sum_stats)
        )
        return NearDedupResult(out, merged[PRIOR_DUPLICATES_TAG], stats)


def stats_of(results: Iterable[NearDedupStats]) -> NearDedupStats:
    total = NearDedupStats()
    for s in results:
        total = total.add(s)
    return total
