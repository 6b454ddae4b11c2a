"""Near-duplicate dedup across the whole run as a Beam PTransform (MinHash + LSH bands).

    groups ─Sign─┬─ (partition, (doc, its band keys there)) ─GroupByKey(partition)─ verify
    prior files ─┘        ─CombineGlobally(union-find)─ Targets (one dict, a side input)
                 └─ groups ─Route(Targets)─┬─ alone ─────────────────────────────┐
                                           └─ GroupByKey(component) ─ merge ──────┴─ groups

The groups are stories of ``DedupKey``s (``transforms.dedup.keys``): no article text crosses any
of these shuffles, and each key already carries its MinHash signature and shingle hashes.

Band keys are hashed into ``band_partitions`` reducers. Each document goes once to every
partition holding some of its band keys, with its signature, so a partition finds its candidate
pairs (``band_pairs``: the plain path's rule and cap) and verifies them on the spot. A pair found
in two partitions is verified twice and counted once by union-find.

Union-find is a ``CombineGlobally``: every partition's verified pairs are merged into one
accumulator (runners can combine partial results where they are made) and its connected
components become Targets, one dict, which ``Route`` reads as a side input: a story nobody
copied goes on alone, the others meet their component in one GroupByKey and are merged there.
Union-find only sees the verified comparisons (about two per article on syndicated input), never
the documents.

Copies of an article an earlier run wrote (prior index entries) come out on
``prior_duplicates`` and never as groups.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from akhbar.schemas.records import compact_pickle
from akhbar.transforms.dedup.candidates import doc_band_keys, verified_pairs
from akhbar.transforms.dedup.exact import DedupGroup
from akhbar.transforms.dedup.minhash import MinhashConfig
from akhbar.transforms.dedup.near_cluster import (
    NearDedupStats,
    NearDoc,
    OversizedBand,
    Target,
    components,
    merge_component,
    signed,
)
from akhbar.transforms.dedup.near_index import article_entry, read_prior_docs
from akhbar.transforms.state import use_storage_options

LOG = logging.getLogger(__name__)
NAMESPACE = "near_dedup"
PRIOR_DUPLICATES_TAG = "prior_duplicates"
STATS_TAG = "stats"
_GROUP = "group"
ENTRIES_TAG = "entries"
# Reducers of the band shuffle. Every document is sent (with its 0.5 KB signature) to each
# partition holding one of its keys, and a pair may be verified in several: on 20k syndicated
# articles 2 partitions cost 2.0 s, 4 cost 3.3 s, 8 cost 4.9 s. Pipelines pass one per worker.
DEFAULT_BAND_PARTITIONS = 2


class NearDedupResult(NamedTuple):
    groups: Any  # PCollection[DedupGroup]
    prior_duplicates: Any  # PCollection[Duplicate]: copies of articles earlier runs wrote
    stats: Any  # PCollection[NearDedupStats], exactly one element
    entries: Any  # PCollection[IndexEntry]: the index rows of the output groups' canonicals


class _SignFn(beam.DoFn):
    """Group -> its canonical's NearDoc (for verification), and the group (to route)."""

    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.documents = Metrics.counter(NAMESPACE, "documents")

    def process(self, group: DedupGroup) -> Iterator[Any]:
        doc, _hashes = signed(group.canonical, self.config)
        self.documents.inc()
        yield doc
        yield beam.pvalue.TaggedOutput(_GROUP, group)


class _ReadPriorFn(beam.DoFn):
    def __init__(
        self,
        config: MinhashConfig,
        not_before: datetime | None,
        storage: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.not_before = not_before
        self.storage = storage
        self.prior = Metrics.counter(NAMESPACE, "prior_documents")
        self.incompatible = Metrics.counter(NAMESPACE, "prior_incompatible")

    def setup(self) -> None:
        use_storage_options(self.storage)  # a Dask worker never saw the pipeline options

    def process(self, path: str) -> Iterator[NearDoc]:
        docs, skipped = read_prior_docs(path, self.config, self.not_before)
        self.incompatible.inc(skipped)
        for doc in docs:
            self.prior.inc()
            yield doc


def band_partition(key: bytes, partitions: int) -> int:
    """Which of ``partitions`` reducers owns a band key (its hash bytes, after the band number).

    ``partition_members`` computes the same for all of a document's keys at once (kept in step
    by ``tests/dedup/test_near_partitions.py``)."""
    return int.from_bytes(key[2:6], "big") % partitions


def partition_members(
    doc: NearDoc, config: MinhashConfig, partitions: int
) -> list[tuple[int, tuple[NearDoc, bytes]]]:
    """One element per partition holding some of ``doc``'s band keys: (partition, (doc, keys)),
    the keys one ``bytes`` of ``KEY_BYTES`` each (``band_key_blob``).

    Shipping the document with its keys lets a partition verify its own candidate pairs; one
    element per partition instead of one per band divides the shuffled elements by ~8.
    """
    keys = doc_band_keys(doc, config)
    if not len(keys):
        return []
    if partitions == 1:
        return [(0, (doc, keys.tobytes()))]
    # band_partition of every key at once: bytes 2..6 of a key are the digest's high 32 bits
    owner = (keys["digest"] >> np.uint64(32)) % np.uint64(partitions)
    return [(int(p), (doc, keys[owner == p].tobytes())) for p in np.unique(owner).tolist()]


@compact_pickle
@dataclass(frozen=True, slots=True)
class PartitionResult:
    """Everything one band partition found, as one compact element: Beam charges per element,
    and a partition verifies ~10^5 pairs on a syndicated input."""

    compared: frozenset[tuple[str, str]]  # every distinct pair verified here
    passed: tuple[tuple[str, str], ...]  # the duplicates among them
    followups: tuple[tuple[str, str], ...]  # the same-source updates among them
    fresh: frozenset[str]  # endpoints of passed pairs that are this run's documents
    priors: dict[str, NearDoc]  # endpoints that are earlier runs' articles (Target.priors)
    oversized: tuple[OversizedBand, ...]


def partition_comparisons(
    values: Iterable[tuple[NearDoc, bytes]], config: MinhashConfig
) -> PartitionResult:
    """Candidate pairs of every band key of one partition (``band_pairs``: same rule and cap as
    the plain path), each distinct pair verified once, in bulk (``candidates.verified_pairs``).
    A pair sharing band keys in several partitions is verified in each; union-find counts it
    once."""
    found = verified_pairs(values, config)
    ends = found.passed_docs()
    return PartitionResult(
        frozenset(found.compared),
        tuple(found.passed),
        tuple(found.followups),
        frozenset(d.id for d in ends if not d.prior),
        {d.id: d for d in ends if d.prior},
        tuple(found.oversized),
    )


@dataclass(slots=True)
class VerifiedSoFar:
    """Union-find's accumulator: the partitions' results merged, each pair counted once."""

    compared: set[tuple[str, str]]
    passed: set[tuple[str, str]]
    followups: set[tuple[str, str]]
    fresh: set[str]
    priors: dict[str, NearDoc]
    oversized_bands: int = 0
    oversized_members: int = 0

    @classmethod
    def empty(cls) -> VerifiedSoFar:
        return cls(set(), set(), set(), set(), {})

    def add(self, part: PartitionResult) -> VerifiedSoFar:
        self.compared |= part.compared
        self.passed.update(part.passed)
        self.followups.update(part.followups)
        self.fresh |= part.fresh
        self.priors.update(part.priors)
        self.oversized_bands += len(part.oversized)
        self.oversized_members += sum(b.size for b in part.oversized)
        return self

    def merge(self, other: VerifiedSoFar) -> VerifiedSoFar:
        self.compared |= other.compared
        self.passed |= other.passed
        self.followups |= other.followups
        self.fresh |= other.fresh
        self.priors.update(other.priors)
        self.oversized_bands += other.oversized_bands
        self.oversized_members += other.oversized_members
        return self

    def targets(self) -> tuple[dict[str, Target], NearDedupStats]:
        """Connected components -> Targets (the same figures as ``assign_components`` on the
        plain path)."""
        stats = NearDedupStats(
            comparisons=len(self.compared),
            matches=len(self.passed),
            oversized_bands=self.oversized_bands,
            oversized_members=self.oversized_members,
        )
        # an id that is this run's document anywhere is this run's (a prior copy is stale)
        live_priors = {i: d for i, d in self.priors.items() if i not in self.fresh}
        edges = sorted(self.passed | self.followups)
        return components(edges, live_priors, stats), stats


def union_partitions(
    results: Iterable[PartitionResult],
) -> tuple[dict[str, Target], NearDedupStats]:
    """The partitions' results -> Targets, counting each pair once however many partitions
    verified it."""
    so_far = VerifiedSoFar.empty()
    for part in results:
        so_far.add(part)
    return so_far.targets()


class UnionFind(beam.CombineFn):
    """Every partition's PartitionResult -> (Targets by document id, statistics)."""

    def create_accumulator(self) -> VerifiedSoFar:
        return VerifiedSoFar.empty()

    def add_input(self, acc: VerifiedSoFar, part: PartitionResult) -> VerifiedSoFar:
        return acc.add(part)

    def merge_accumulators(self, accs: Iterable[VerifiedSoFar]) -> VerifiedSoFar:
        merged = VerifiedSoFar.empty()
        for acc in accs:
            merged.merge(acc)
        return merged

    def extract_output(self, acc: VerifiedSoFar) -> tuple[dict[str, Target], NearDedupStats]:
        targets, stats = acc.targets()
        LOG.info("near dedup: %d components", stats.components)
        return targets, stats


class SumStats(beam.CombineFn):
    """Near-dedup statistics from every step, summed (one element even when there are none)."""

    def create_accumulator(self) -> NearDedupStats:
        return NearDedupStats()

    def add_input(self, acc: NearDedupStats, stats: NearDedupStats) -> NearDedupStats:
        return acc.add(stats)

    def merge_accumulators(self, accs: Iterable[NearDedupStats]) -> NearDedupStats:
        total = NearDedupStats()
        for acc in accs:
            total = total.add(acc)
        return total

    def extract_output(self, acc: NearDedupStats) -> NearDedupStats:
        LOG.info("near dedup: %s", acc)
        return acc


class _PartitionPairsFn(beam.DoFn):
    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.comparisons = Metrics.counter(NAMESPACE, "partition_comparisons")
        self.oversized = Metrics.counter(NAMESPACE, "oversized_bands")

    def process(
        self, element: tuple[int, Iterable[tuple[NearDoc, bytes]]]
    ) -> Iterator[PartitionResult]:
        result = partition_comparisons(element[1], self.config)
        self.comparisons.inc(len(result.compared))
        self.oversized.inc(len(result.oversized))
        yield result


def route(group: DedupGroup, found: tuple[Mapping[str, Target], NearDedupStats]) -> Iterator[Any]:
    """A story nobody copied goes on alone; one with a Target goes to its component."""
    target = found[0].get(group.canonical.id)
    if target is None:
        yield beam.pvalue.TaggedOutput("alone", group)
    else:
        yield (target.component, (group, target))


class _MergeFn(beam.DoFn):
    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.merged = Metrics.counter(NAMESPACE, "merged_groups")
        self.prior_matched = Metrics.counter(NAMESPACE, "prior_matched_groups")

    def process(self, element: tuple[str, Iterable[tuple[DedupGroup, Target]]]) -> Iterator[Any]:
        values = list(element[1])
        members = [(group, signed(group.canonical, self.config)) for group, _ in values]
        hashes = {doc.id: h for _, (doc, h) in members}
        merged = merge_component(
            [(group, doc) for group, (doc, _) in members], values[0][1], self.config, hashes
        )
        self.merged.inc(merged.stats.merged_groups)
        self.prior_matched.inc(merged.stats.prior_matched_groups)
        yield from merged.groups
        for dup in merged.duplicates:
            yield beam.pvalue.TaggedOutput(PRIOR_DUPLICATES_TAG, dup)
        yield beam.pvalue.TaggedOutput(STATS_TAG, merged.stats)


def index_entry_of(group: DedupGroup, config: MinhashConfig) -> Any:
    """The cross-run index row of a final story's canonical (its signature was computed once)."""
    return article_entry(group.canonical, signed(group.canonical, config)[0], config)


class NearDedup(beam.PTransform):
    """DedupGroups (from ``ExactDedupGroups``) -> DedupGroups with near duplicates merged.

    ``prior_index_paths`` are Parquet files written by ``near_index.write_index`` in earlier
    runs (select them with ``near_index.select_index_files``); their articles take part in
    matching and are never emitted. ``prior_not_before`` drops index rows older than the
    horizon inside the selected files. Returns ``NearDedupResult(groups, prior_duplicates,
    stats, entries)``. Ids are unique (they include the item's origin), which the Targets
    dict, keyed by canonical id, relies on.
    """

    def __init__(
        self,
        config: MinhashConfig,
        prior_index_paths: Sequence[str] = (),
        prior_not_before: datetime | None = None,
        band_partitions: int = DEFAULT_BAND_PARTITIONS,
        storage: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.storage = storage
        if band_partitions < 1:
            raise ValueError("band_partitions must be at least 1")
        self.band_partitions = band_partitions
        self.config = config
        self.prior_index_paths = list(prior_index_paths)
        self.prior_not_before = prior_not_before

    def expand(self, groups):
        config = self.config
        signed_groups = groups | "Sign" >> beam.ParDo(_SignFn(config)).with_outputs(
            _GROUP, main="docs"
        )
        docs = [signed_groups.docs]
        if self.prior_index_paths:
            docs.append(
                groups.pipeline
                | "PriorIndexFiles" >> beam.Create(self.prior_index_paths)
                | "ReadPriorIndex"
                >> beam.ParDo(_ReadPriorFn(config, self.prior_not_before, self.storage))
            )
        found = (
            docs
            | "AllDocs" >> beam.Flatten()
            | "BandPartitions" >> beam.FlatMap(partition_members, config, self.band_partitions)
            | "GroupByPartition" >> beam.GroupByKey()
            | "VerifyPairs" >> beam.ParDo(_PartitionPairsFn(config))
            | "UnionFind" >> beam.CombineGlobally(UnionFind())
        )
        routed = signed_groups[_GROUP] | "Route" >> beam.FlatMap(
            route, beam.pvalue.AsSingleton(found)
        ).with_outputs("alone", main="to_merge")
        merged = (
            routed.to_merge
            | "GroupByComponent" >> beam.GroupByKey()
            | "Merge"
            >> beam.ParDo(_MergeFn(config)).with_outputs(
                PRIOR_DUPLICATES_TAG, STATS_TAG, main="groups"
            )
        )
        out = (routed.alone, merged.groups) | "NearGroups" >> beam.Flatten()
        entries = out | "IndexEntries" >> beam.Map(index_entry_of, config)
        stats = (
            (found | "UnionFindStats" >> beam.Map(lambda f: f[1]), merged[STATS_TAG])
            | "PartialStats" >> beam.Flatten()
            | "SumStats" >> beam.CombineGlobally(SumStats())
        )
        return NearDedupResult(out, merged[PRIOR_DUPLICATES_TAG], stats, entries)


def stats_of(results: Iterable[NearDedupStats]) -> NearDedupStats:
    total = NearDedupStats()
    for s in results:
        total = total.add(s)
    return total
