"""Near-duplicate detection for streaming: an LSH index of recent canonicals in keyed state.

The batch rules of ``near_cluster``, applied to a stream that never ends:

* **First seen is canonical** (there is no "earliest published" in an endless stream). An
  article is a near copy when ``near_cluster.compare`` passes (MinHash similarity ≥ threshold
  and ``close_in_time``) against a canonical in the index: this stream's, or one an earlier
  batch or stream run indexed in ``OUTPUT/_state/near_index``. Of several, it joins the one seen
  first (earlier runs' first), as ``merge_component`` joins the first canonical in order.
  Only canonicals are indexed, so a copy never points at a duplicate.
* **Rows point at canonicals.** The exact stage's duplicate rows pass through here: one that
  points at an article made a near copy here is re-pointed (``near_cluster.repoint``). A row
  that points at an id not seen yet (the row overtook its article on another path) *pins* it:
  that article stays canonical when it arrives, rather than leave the row pointing at a copy.
* **Memory is bounded by the horizon.** Entries carry the wall-clock time they were seen
  (earlier runs' entries: their ``fetched_at``) and are dropped once older than the horizon,
  when the key is touched, never by timers (the local runner fires them every tick,
  docs/design-notes.md#local-streaming-runner). Earlier runs' files are those written within the horizon (``recent_index_files``).

State design. LSH must see every document before deciding, so all elements share one key: the
stage runs on one worker (throughput in README, "Live feeds"). Re-pickling the index per element
would cost O(n) each, so state is an append-only ``BagState`` of small entries (``Canonical``,
``Redirect``, ``Pinned``) plus a ``ReadModifyWriteState`` ``Version`` (a new random token per
write, and the bag length). The index itself (band key → ids, id → entry) is cached on the DoFn
instance and rebuilt from the bag only when the stored token is not the cached one: a new
worker, a restore, or a retried bundle whose state went back while the cache had moved on.
Expired entries leave the cache at once and the bag is rewritten once they are
``rewrite_share`` of it. Earlier runs' index files are read into the state by the key's first
element, inside the DoFn: a seed read by a separate source could arrive after the first
articles. A band key shared by more than ``max_band_size`` canonicals (boilerplate) offers only
its ``oversized_band_sample`` oldest members, so an element costs at most ``bands ×
max_band_size`` comparisons whatever the index size.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec

from akhbar.schemas.records import Article, Duplicate, stable_id
from akhbar.transforms.dedup.exact import DUPLICATES_TAG
from akhbar.transforms.dedup.minhash import MinhashConfig, band_keys
from akhbar.transforms.dedup.near_cluster import NearDoc, compare, near_doc, near_duplicate, repoint
from akhbar.transforms.dedup.near_index import (
    article_entry,
    read_index_file,
)

LOG = logging.getLogger(__name__)
NAMESPACE = "near_dedup"
INDEX_TAG = "near_index"


@dataclass(frozen=True, slots=True)
class Canonical:
    """An article that is written (here or by an earlier run): matched against."""

    doc: NearDoc  # cluster_id set
    seen_at: float

    @property
    def id(self) -> str:
        return self.doc.id


@dataclass(frozen=True, slots=True)
class Redirect:
    """A duplicate: rows pointing at ``id`` are re-pointed at ``canonical_id``."""

    id: str
    canonical_id: str
    cluster_id: str
    similarity: float
    seen_at: float


@dataclass(frozen=True, slots=True)
class Pinned:
    """An id that rows already point at, not seen here yet: it must stay canonical."""

    id: str
    seen_at: float


Entry = Canonical | Redirect | Pinned


class NearIndex:
    """The in-memory index of one key's entries: band key → canonical ids, id → entry."""

    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.canonicals: dict[str, Canonical] = {}
        self.redirects: dict[str, Redirect] = {}
        self.pinned: dict[str, Pinned] = {}
        # one id string is shared by all its band slots; one member stays a bare str
        self.bands: dict[bytes, str | dict[str, None]] = {}
        self._expiry: list[tuple[float, int, str]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self.canonicals) + len(self.redirects) + len(self.pinned)

    def add(self, entry: Entry) -> None:
        if isinstance(entry, Canonical):
            self.pinned.pop(entry.id, None)
            if entry.id in self.canonicals:  # the same id again: the newer entry replaces it
                self._drop_canonical(self.canonicals[entry.id])
            self.canonicals[entry.id] = entry
            for key in band_keys(entry.doc.signature, self.config):
                held = self.bands.get(key)
                if held is None:
                    self.bands[key] = entry.id
                elif isinstance(held, str):
                    self.bands[key] = {held: None, entry.id: None}
                else:
                    held[entry.id] = None
        elif isinstance(entry, Redirect):
            self.pinned.pop(entry.id, None)
            self.redirects[entry.id] = entry
        else:
            self.pinned[entry.id] = entry
        heapq.heappush(self._expiry, (entry.seen_at, next(self._order), entry.id))

    def _drop_canonical(self, entry: Canonical) -> None:
        del self.canonicals[entry.id]
        for key in band_keys(entry.doc.signature, self.config):
            held = self.bands.get(key)
            if held == entry.id:
                del self.bands[key]
            elif isinstance(held, dict):
                held.pop(entry.id, None)
                if len(held) == 1:
                    self.bands[key] = next(iter(held))

    def expire(self, not_before: float) -> int:
        """Forget entries seen before ``not_before``; returns how many were dropped."""
        dropped = 0
        while self._expiry and self._expiry[0][0] < not_before:
            seen_at, _, id = heapq.heappop(self._expiry)
            for table in (self.canonicals, self.redirects, self.pinned):
                entry = table.get(id)
                if entry is not None and entry.seen_at == seen_at:
                    if isinstance(entry, Canonical):
                        self._drop_canonical(entry)
                    else:
                        del table[id]
                    dropped += 1
        return dropped

    def candidates(self, doc: NearDoc) -> tuple[list[Canonical], int]:
        """Canonicals sharing a band key with ``doc`` (capped per band), and how many of its
        band keys were over ``max_band_size``."""
        cap, sample = self.config.max_band_size, self.config.oversized_band_sample
        found: dict[str, None] = {}
        oversized = 0
        for key in band_keys(doc.signature, self.config):
            held = self.bands.get(key)
            if held is None:
                continue
            if isinstance(held, str):
                found[held] = None
                continue
            if len(held) > cap:
                oversized += 1
                found.update(dict.fromkeys(itertools.islice(held, sample)))
            else:
                found.update(held)
        found.pop(doc.id, None)
        return [self.canonicals[i] for i in found], oversized

    def entries(self) -> list[Entry]:
        """Every live entry, in the order it was seen (to rewrite the bag)."""
        live: list[Entry] = [*self.canonicals.values(), *self.redirects.values()]
        live.extend(self.pinned.values())
        return sorted(live, key=lambda e: e.seen_at)


@dataclass(frozen=True, slots=True)
class Decision:
    """What one element does: entries to remember, the record to emit, the counters."""

    remember: tuple[Entry, ...]
    emit: Article | Duplicate
    indexed: NearDoc | None = None  # a new canonical of this stream: goes to the index files
    comparisons: int = 0
    oversized_bands: int = 0
    dangling: bool = False  # rows already point at this id, which is itself a duplicate


def decide(
    index: NearIndex,
    element: Article | Duplicate,
    now: float,
    blocks: Mapping[str, frozenset[int]] | None = None,
) -> Decision:
    """The decision for one element against the index (not changed: the caller adds
    ``remember``). Pure, so it is unit-tested alone. ``blocks``: per source, the repeated
    sentences earlier runs learned (``transforms.dedup.blocks``), cut before matching as in
    a batch run."""
    if isinstance(element, Duplicate):
        return _decide_duplicate(index, element, now)
    known = index.redirects.get(element.id)
    if element.id in index.canonicals:  # the same article again (a replay): still canonical
        return Decision((), element)
    if known is not None:
        dup = near_duplicate(element, known.canonical_id, known.cluster_id, known.similarity, False)
        return Decision((), dup)
    learned = blocks.get(element.source, frozenset()) if blocks else frozenset()
    doc = replace(near_doc(element, index.config, learned), cluster_id=element.cluster_id)
    if element.id in index.pinned:  # rows already point at it: it must stay canonical
        return Decision((Canonical(doc, now),), element, doc)
    candidates, oversized = index.candidates(doc)
    comparisons = [compare(doc, c.doc, index.config) for c in candidates]
    passed = [(c, r.similarity) for c, r in zip(candidates, comparisons, strict=True) if r.passed]
    if not passed:
        return Decision((Canonical(doc, now),), element, doc, len(comparisons), oversized)
    canonical, similarity = min(passed, key=lambda p: (p[0].seen_at, p[0].id))
    target = canonical.doc
    cluster = target.cluster_id or stable_id("cluster", target.id)
    same_text = element.content_hash == target.content_hash
    dup = near_duplicate(element, target.id, cluster, similarity, same_text)
    redirect = Redirect(element.id, target.id, cluster, dup.similarity or 1.0, now)
    return Decision((redirect,), dup, None, len(comparisons), oversized)


def _decide_duplicate(index: NearIndex, dup: Duplicate, now: float) -> Decision:
    target = index.redirects.get(dup.duplicate_of)
    if target is not None:
        dup = repoint(dup, target.canonical_id, target.cluster_id, target.similarity)
    remember: list[Entry] = [
        Redirect(dup.id, dup.duplicate_of, dup.cluster_id, dup.similarity or 1.0, now)
    ]
    if target is None and dup.duplicate_of not in index.canonicals:
        remember.append(Pinned(dup.duplicate_of, now))
    return Decision(tuple(remember), dup, dangling=dup.id in index.pinned)


def seed_entries(paths: Iterable[str], config: MinhashConfig) -> tuple[list[Canonical], int]:
    """Earlier runs' index rows usable with ``config`` as canonicals seen at their fetch time,
    and how many rows another config or algorithm version wrote (skipped)."""
    seeds: dict[str, Canonical] = {}
    skipped = 0
    for path in paths:
        for entry in read_index_file(path):
            if entry.signature_key != config.signature_key:
                skipped += 1
            elif entry.id not in seeds:
                seeds[entry.id] = Canonical(entry.as_doc(), entry.fetched_at.timestamp())
    return sorted(seeds.values(), key=lambda c: c.seen_at), skipped


@dataclass(frozen=True, slots=True)
class Version:
    token: str
    entries: int  # bag length, expired entries included


def _new_version(entries: int) -> Version:
    return Version(secrets.token_hex(8), entries)


class _NearStateFn(beam.DoFn):
    ENTRIES = BagStateSpec("entries", PickleCoder())
    VERSION = ReadModifyWriteStateSpec("version", PickleCoder())

    def __init__(
        self,
        config: MinhashConfig,
        horizon_seconds: float,
        prior_index_paths: Sequence[str] = (),
        blocks: Mapping[str, frozenset[int]] | None = None,
        rewrite_share: float = 0.5,
        rewrite_min: int = 1000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.horizon = horizon_seconds
        self.prior_index_paths = list(prior_index_paths)
        self.blocks = dict(blocks or {})
        self.rewrite_share = rewrite_share
        self.rewrite_min = rewrite_min
        self.clock = clock

    def setup(self) -> None:
        self.index: NearIndex | None = None
        self.version: Version | None = None
        names = ("documents", "comparisons", "matches", "oversized_bands", "repointed",
                 "rebuilds", "expired", "bag_rewrites", "prior_documents", "prior_incompatible",
                 "dangling")  # fmt: skip
        self.counters = {n: Metrics.counter(NAMESPACE, f"stream_{n}") for n in names}

    def _index(self, entries: Any, version: Any, now: float) -> tuple[NearIndex, Version]:
        stored: Version | None = version.read()
        if stored is not None and self.index is not None and stored == self.version:
            return self.index, stored
        index = NearIndex(self.config)
        if stored is None:  # the key's first element: seed from earlier runs' index files
            seeds, skipped = seed_entries(self.prior_index_paths, self.config)
            self.counters["prior_incompatible"].inc(skipped)
            for seed in seeds:
                if seed.seen_at >= now - self.horizon:
                    index.add(seed)
                    entries.add(seed)
            self.counters["prior_documents"].inc(len(index))
            stored = _new_version(len(index))
        else:
            started = time.perf_counter()
            for entry in entries.read():
                index.add(entry)
            self.counters["rebuilds"].inc()
            LOG.info("near dedup: index rebuilt from state, %d entries in %.2f s",
                     stored.entries, time.perf_counter() - started)  # fmt: skip
        return index, stored

    def process(
        self,
        element: tuple[str, Article | Duplicate],
        entries=beam.DoFn.StateParam(ENTRIES),  # noqa: B008
        version=beam.DoFn.StateParam(VERSION),  # noqa: B008
    ) -> Iterator[Any]:
        now = self.clock()
        index, stored = self._index(entries, version, now)
        bag_length = stored.entries
        expired = index.expire(now - self.horizon)
        self.counters["expired"].inc(expired)
        garbage = bag_length - len(index)
        if garbage >= max(self.rewrite_min, self.rewrite_share * bag_length):
            entries.clear()
            for entry in index.entries():
                entries.add(entry)
            bag_length = len(index)
            self.counters["bag_rewrites"].inc()
        decision = decide(index, element[1], now, self.blocks)
        for entry in decision.remember:
            index.add(entry)
            entries.add(entry)
        self.version = _new_version(bag_length + len(decision.remember))
        self.index = index
        version.write(self.version)
        self._count(element[1], decision)
        if isinstance(decision.emit, Duplicate):
            yield beam.pvalue.TaggedOutput(DUPLICATES_TAG, decision.emit)
        else:
            yield decision.emit
            if decision.indexed is not None:
                row = article_entry(decision.emit, decision.indexed, self.config)
                yield beam.pvalue.TaggedOutput(INDEX_TAG, row)

    def _count(self, element: Article | Duplicate, decision: Decision) -> None:
        article = isinstance(element, Article)
        for name, value in (
            ("comparisons", decision.comparisons),
            ("oversized_bands", decision.oversized_bands),
            ("dangling", decision.dangling),
            ("documents", article),
            ("matches", article and isinstance(decision.emit, Duplicate)),
            ("repointed", not article and decision.emit is not element),
        ):
            self.counters[name].inc(int(value))


class StreamingNearDedup(beam.PTransform):
    """(articles, duplicates) of ``StreamingExactDedup`` -> (articles, duplicates, index entries).

    Articles that are near copies of a canonical become ``near`` duplicates; duplicate rows are
    re-pointed at canonicals; every new canonical's ``IndexEntry`` comes out for
    ``WriteStreamIndex``. ``prior_index_paths``: earlier runs' index files (select them with
    ``near_index.recent_index_files``), read into the state on the first element. ``blocks``:
    the repeated sentences earlier runs learned per source (``blocks.load_blocks``).
    """

    def __init__(
        self,
        config: MinhashConfig,
        horizon_days: float,
        prior_index_paths: Sequence[str] = (),
        blocks: Mapping[str, frozenset[int]] | None = None,
        **tuning: Any,
    ) -> None:
        super().__init__()
        self.fn = _NearStateFn(config, horizon_days * 86400.0, prior_index_paths, blocks, **tuning)

    def expand(self, inputs):
        articles, duplicates = inputs
        result = (
            (articles, duplicates)
            | "ArticlesAndDuplicates" >> beam.Flatten()
            | "OneKey" >> beam.Map(lambda x: ("near", x))
            | "NearDecide"
            >> beam.ParDo(self.fn).with_outputs(DUPLICATES_TAG, INDEX_TAG, main="articles")
        )
        return result.articles, result[DUPLICATES_TAG], result[INDEX_TAG]
