"""Near-duplicate dedup across the whole run as a Beam PTransform (MinHash + LSH bands).

    groups ─Sign─┬─ (partition, (doc, its band keys there)) ─GroupByKey(partition)─ verify
    prior files ─┘        Comparisons + oversized bands ─GroupByKey(None)─ union-find ─ Targets
                 └─ (id, (group, doc, shingle hashes)) ─ GroupByKey(id) with Targets ─ GroupByKey(component) ─ merge
                                                        final (group, doc) ─ groups + index entries

(On the local runner the Targets reach the stories as a side input instead of through
``GroupByKey(id)``: see below.)

Band keys are hashed into ``band_partitions`` reducers. Each document goes once to every
partition holding some of its band keys, with its signature, so a partition finds its candidate
pairs (``band_pairs``: the plain path's rule and cap) and verifies them on the spot. The first
version shuffled one element per band key, then joined documents to pairs through two more
GroupByKeys: 32 band elements plus two per candidate pair per band; on 50k syndicated
articles that was most of the run's time. A pair found in two partitions is verified twice
and counted once by union-find.

Only Create, ParDo (Map/FlatMap), GroupByKey and Flatten by default: the Dask runner
translates nothing else, and keyed state would tie correctness to one runner. Beam 2.77's
DaskRunner accepts side inputs but computes a side input's bag inside every task that reads
it (``DaskBagWindowedIterator``: ``list(bag)``), i.e. the whole upstream graph again. So the one
side input, the Targets looked up by ``Route`` instead of joined with every story through
``GroupByDoc``, is opt-in (``targets_as_side_input``): the local runner uses it, where it saves
a shuffle of every packed story (2 workers, 50k ANT articles: 39.3-39.6 -> 35.0-38.1 s; at
100k on 1 worker the two join stages took 5.1 s, the lookup 3.7 s). Multi-output steps
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import apache_beam as beam
import numpy as np
from akhbar.schemas.records import compact_pickle
from akhbar.transforms.dedup.candidates import verified_pairs
from akhbar.transforms.dedup.exact import DedupGroup
from akhbar.transforms.dedup.minhash import MinhashConfig, band_key_array
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
from akhbar.transforms.packed import pack, unpack, unpack_all
from akhbar.transforms.portable import WithOutputs
from akhbar.transforms.state import use_storage_options
from apache_beam.metrics import Metrics

LOG = logging.getLogger(__name__)
NAMESPACE = "near_dedup"
PRIOR_DUPLICATES_TAG = "prior_duplicates"
STATS_TAG = "stats"
_GROUP, _TARGET = "group", "target"
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
    """Group -> its NearDoc (for verification), and (id, (group, doc, shingle hashes)) to merge."""

    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.documents = Metrics.counter(NAMESPACE, "documents")

    def process(self, group: DedupGroup) -> Iterator[Any]:
        doc, hashes = signed(group.canonical, self.config)
        self.documents.inc()
        yield doc
        # the shingle hashes travel with the group so that merging need not re-shingle it
        yield beam.pvalue.TaggedOutput(_GROUP, (doc.id, (_GROUP, pack((group, doc, hashes)))))


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
) -> list[tuple[int, bytes]]:
    """One element per partition holding some of ``doc``'s band keys: (partition, (doc, keys)),
    the keys one ``bytes`` of ``KEY_BYTES`` each (``band_key_blob``), the value packed
    (``transforms.packed``).

    Shipping the document with its keys lets a partition verify its own candidate pairs; one
    element per partition instead of one per band divides the shuffled elements by ~8.
    """
    keys = band_key_array(doc.signature, config)
    if not len(keys):
        return []
    if partitions == 1:
        return [(0, pack((doc, keys.tobytes())))]
    # band_partition of every key at once: bytes 2..6 of a key are the digest's high 32 bits
    owner = (keys["digest"] >> np.uint64(32)) % np.uint64(partitions)
    return [(int(p), pack((doc, keys[owner == p].tobytes()))) for p in np.unique(owner).tolist()]


@compact_pickle
@dataclass(frozen=True, slots=True)
class PartitionResult:
    """Everything one band partition found, as one compact element: Beam charges per element,
    and a partition verifies ~10^5 pairs on a syndicated input."""

    compared: frozenset[tuple[str, str]]  # every distinct pair verified here
    passed: tuple[tuple[str, str], ...]  # those at or above the threshold
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
        frozenset(d.id for d in ends if not d.prior),
        {d.id: d for d in ends if d.prior},
        tuple(found.oversized),
    )


def union_partitions(
    results: Iterable[PartitionResult | None],
) -> tuple[dict[str, Target], NearDedupStats]:
    """The partitions' results -> Targets, counting each pair once however many partitions
    verified it (the same figures as ``assign_components`` on the plain path)."""
    stats = NearDedupStats()
    compared: set[tuple[str, str]] = set()
    passed: set[tuple[str, str]] = set()
    fresh: set[str] = set()
    priors: dict[str, NearDoc] = {}
    for part in results:
        if part is None:
            continue
        compared |= part.compared
        passed.update(part.passed)
        fresh |= part.fresh
        priors.update(part.priors)
        stats.oversized_bands += len(part.oversized)
        stats.oversized_members += sum(b.size for b in part.oversized)
    stats.comparisons = len(compared)
    stats.matches = len(passed)
    # an id that is this run's document anywhere is this run's (a prior copy is stale)
    live_priors = {i: d for i, d in priors.items() if i not in fresh}
    return components(sorted(passed), live_priors, stats), stats


class _PartitionPairsFn(beam.DoFn):
    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.comparisons = Metrics.counter(NAMESPACE, "partition_comparisons")
        self.oversized = Metrics.counter(NAMESPACE, "oversized_bands")

    def process(self, element: tuple[int, Iterable[bytes]]) -> Iterator[PartitionResult]:
        result = partition_comparisons(unpack_all(element[1]), self.config)
        self.comparisons.inc(len(result.compared))
        self.oversized.inc(len(result.oversized))
        yield result


def _union_find(element: tuple[None, Iterable[Any]]) -> Iterator[Any]:
    """All partitions' results in one step -> one Target per member of a multi-member component."""
    targets, stats = union_partitions(element[1])
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
    if member is not None:
        yield _routed(member, target)


def _route_by_lookup(
    element: tuple[str, tuple[str, bytes]], targets: Mapping[str, tuple[str, Target]]
) -> Iterator[Any]:
    """``_route_group`` with the Targets looked up in a side input instead of joined."""
    doc_id, (_tag, member) = element
    found = targets.get(doc_id)
    yield _routed(member, None if found is None else found[1])


def _routed(member: bytes, target: Target | None) -> Any:
    """A story with no Target goes on alone, still packed: (group, doc, hashes) as the bytes it
    came in as (see NearGroups); one with a Target goes to its component."""
    if target is None:
        return beam.pvalue.TaggedOutput("alone", member)
    return (target.component, (member, target))


class _MergeFn(beam.DoFn):
    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.merged = Metrics.counter(NAMESPACE, "merged_groups")
        self.prior_matched = Metrics.counter(NAMESPACE, "prior_matched_groups")

    def process(self, element: tuple[str, Iterable[tuple[Any, Target]]]) -> Iterator[Any]:
        values = [(unpack(member), target) for member, target in element[1]]
        members = [(group, doc) for (group, doc, _), _ in values]
        hashes = {doc.id: h for (_, doc, h), _ in values}
        merged = merge_component(members, values[0][1], self.config, hashes)
        self.merged.inc(merged.stats.merged_groups)
        self.prior_matched.inc(merged.stats.prior_matched_groups)
        docs = {doc.id: doc for _, doc in members}
        for group in merged.groups:
            yield pack((group, docs[group.canonical.id]))
        for dup in merged.duplicates:
            yield beam.pvalue.TaggedOutput(PRIOR_DUPLICATES_TAG, dup)
        yield beam.pvalue.TaggedOutput(STATS_TAG, merged.stats)


def _split_entries(element: bytes, config: MinhashConfig) -> Iterator[Any]:
    """Packed (final group, its canonical's NearDoc[, hashes]) -> the group, and its cross-run
    index entry (so the index reuses the signature computed here instead of signing every
    article twice)."""
    group, doc = unpack(element)[:2]
    yield group
    yield beam.pvalue.TaggedOutput(ENTRIES_TAG, article_entry(group.canonical, doc, config))


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
    stats, entries)``; every output must reach the pipeline's terminal step (Dask computes only it).
    ``targets_as_side_input``: route the stories with the Targets as a side input instead of a
    GroupByKey join (same result; for runners that materialize side inputs once, not Dask's).
    Both assume what ids guarantee (they include the item's origin): no two groups share a
    canonical id. Were two to share one, the join would keep one group per id and the lookup
    both.
    """

    def __init__(
        self,
        config: MinhashConfig,
        prior_index_paths: Sequence[str] = (),
        prior_not_before: datetime | None = None,
        band_partitions: int = DEFAULT_BAND_PARTITIONS,
        storage: dict[str, Any] | None = None,
        targets_as_side_input: bool = False,
    ) -> None:
        super().__init__()
        self.storage = storage
        self.targets_as_side_input = targets_as_side_input
        if band_partitions < 1:
            raise ValueError("band_partitions must be at least 1")
        self.band_partitions = band_partitions
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
                | "ReadPriorIndex"
                >> beam.ParDo(_ReadPriorFn(config, self.prior_not_before, self.storage))
            )
        all_docs = docs | "AllDocs" >> beam.Flatten()
        partitions = self.band_partitions
        comparisons = (
            all_docs
            | "BandPartitions" >> beam.FlatMap(partition_members, config, partitions)
            | "GroupByPartition" >> beam.GroupByKey()
            | "VerifyPairs" >> beam.ParDo(_PartitionPairsFn(config))
        )
        seed = groups.pipeline | "StatsSeed" >> beam.Create([None], reshuffle=False)
        found = (
            (comparisons, seed)
            | "AllResults" >> beam.Flatten()
            | "ToOneKey" >> beam.Map(lambda r: (None, r))
            | "GatherResults" >> beam.GroupByKey()
            | "UnionFind" >> WithOutputs(beam.FlatMap(_union_find), STATS_TAG, main="targets")
        )
        if self.targets_as_side_input:
            routed = signed[_GROUP] | "Route" >> WithOutputs(
                beam.FlatMap(_route_by_lookup, beam.pvalue.AsDict(found.targets)),
                "alone",
                main="to_merge",
            )
        else:
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
        # Both branches stay packed: FnApiRunner materializes every Flatten of several inputs
        # (each element encoded into a buffer held until the next stage reads it), and a
        # (group, doc) object there was pickled without compression by Beam's fallback coder.
        out = (
            (routed.alone, merged.groups)
            | "NearGroups" >> beam.Flatten()
            | "SplitIndexEntries"
            >> WithOutputs(beam.FlatMap(_split_entries, config), ENTRIES_TAG, main="groups")
        )
        stats = (
            (found[STATS_TAG], merged[STATS_TAG])
            | "PartialStats" >> beam.Flatten()
            | "StatsToOneKey" >> beam.Map(lambda s: (None, s))
            | "GatherStats" >> beam.GroupByKey()
            | "SumStats" >> beam.Map(_sum_stats)
        )
        return NearDedupResult(out.groups, merged[PRIOR_DUPLICATES_TAG], stats, out[ENTRIES_TAG])


def stats_of(results: Iterable[NearDedupStats]) -> NearDedupStats:
    total = NearDedupStats()
    for s in results:
        total = total.add(s)
    return total
