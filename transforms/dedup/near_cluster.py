"""Near-duplicate clustering as pure functions: candidates, verification, components, merging.

The Beam transform (``near.py``) and the plain-loop baseline (``near_dedup_plain``) call the same
functions, so the distributed run and the benchmark's reference compute the same answer:

1. every story (a ``DedupGroup`` from exact dedup) becomes a ``NearDoc`` of its canonical;
2. documents sharing an LSH band key are candidates (``band_pairs``); a band key shared by more
   than ``max_band_size`` documents is boilerplate-like and only yields pairs with a few anchor
   members, so comparisons stay linear;
3. each distinct candidate pair is verified once (``compare``);
4. verified pairs are edges; connected components (``assign_components``, union-find) are the
   candidate stories;
5. each component is split around canonicals and merged (``merge_component``): in order,
   prior articles from earlier runs first (they are already written), then the earliest of
   this run, each document joins the first canonical it is itself similar to, so A~B~C does
   not chain A and C together; the other canonicals become ``near`` duplicates and every
   duplicate they carried is re-pointed at the winner.

Records never change in place: Beam forbids mutating received elements, so merging copies with
``dataclasses.replace``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime

from akhbar.schemas.records import Article, Duplicate, compact_pickle
from akhbar.transforms.dedup.exact import DedupGroup, duplicate_row
from akhbar.transforms.dedup.keys import DedupKey, dedup_key
from akhbar.transforms.dedup.minhash import MinhashConfig
from akhbar.transforms.dedup.verify import Kind, close_in_time, verdict  # noqa: F401 (re-exported)

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
OrderKey = tuple[bool, datetime, str, str]


def order_key(published_at: datetime | None, source: str, id: str) -> OrderKey:
    """``Article.order_key`` for documents that are not Articles (prior index entries)."""
    return (published_at is None, published_at or FAR_FUTURE, source, id)


@compact_pickle
@dataclass(frozen=True, slots=True)
class NearDoc:
    """What near dedup needs of one story's canonical: order, signature, and for a prior
    article (one written by an earlier run) its cluster id."""

    id: str
    order: OrderKey
    signature: bytes
    size: int  # number of shingles
    content_hash: str
    prior: bool = False
    cluster_id: str | None = None
    # issue 20: the outlet (follow-ups are same-source) and the verification features
    # (``transforms.dedup.features``); empty for an index entry written before them
    source: str = ""
    marks: bytes = b""
    numbers: bytes = b""
    names: bytes = b""
    lead: bytes = b""
    rare: bytes = b""
    title_words: bytes = b""
    slots: bytes = b""  # (context, value) pairs of numbers and names (``features.slot_pairs``)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One verified candidate pair."""

    a: NearDoc
    b: NearDoc
    similarity: float
    passed: bool


@dataclass(frozen=True, slots=True)
class OversizedBand:
    """A band key shared by more documents than the cap (counted, sampled)."""

    size: int


@compact_pickle
@dataclass(frozen=True, slots=True)
class Target:
    """Where a document of this run goes: its component, and the component's prior articles."""

    component: str
    priors: tuple[NearDoc, ...] = ()


@dataclass(slots=True)
class NearDedupStats:
    """Counters of one near-dedup run (also Beam metrics under ``near_dedup``)."""

    comparisons: int = 0  # distinct candidate pairs verified
    matches: int = 0  # pairs at or above the threshold
    oversized_bands: int = 0  # band keys over max_band_size (sampled, not paired in full)
    oversized_members: int = 0  # documents in those band keys, summed
    components: int = 0  # connected components of two or more documents
    merged_groups: int = 0  # this run's groups folded into another of this run's groups
    prior_matched_groups: int = 0  # this run's groups folded into an earlier run's article
    unchained: int = 0  # component members left apart: not similar to any earlier canonical
    followups: int = 0  # same-source updates kept as articles and linked (``updates_id``)

    def add(self, other: NearDedupStats) -> NearDedupStats:
        return NearDedupStats(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )


def near_doc(
    canonical: Article | DedupKey, config: MinhashConfig, blocks: frozenset[int] = frozenset()
) -> NearDoc:
    return signed(canonical, config, blocks)[0]


def signed(
    canonical: Article | DedupKey, config: MinhashConfig, blocks: frozenset[int] = frozenset()
) -> tuple[NearDoc, bytes]:
    """The canonical's NearDoc and its ``shingle_hashes`` (for merging): a ``DedupKey`` carries
    both (signed once, in the prepare step); an Article is shingled here, without the learned
    ``blocks`` of its source (``transforms.dedup.blocks``; a key had them cut when made)."""
    if isinstance(canonical, DedupKey) and not canonical.signature:
        raise ValueError(f"{canonical.id}: a DedupKey made without a MinhashConfig is not signed")
    key = canonical if isinstance(canonical, DedupKey) else dedup_key(canonical, config, blocks)
    doc = NearDoc(
        id=key.id,
        order=key.order_key(),
        signature=key.signature,
        size=key.shingles,
        content_hash=key.content_hash,
        source=key.source,
        marks=key.marks,
        numbers=key.numbers,
        names=key.names,
        lead=key.lead,
        rare=key.rare,
        title_words=key.title_words,
        slots=key.slots,
    )
    return doc, key.shingle_hashes


def band_pairs(
    members: Iterable[tuple[str, bool]], config: MinhashConfig
) -> tuple[list[tuple[str, str]], OversizedBand | None]:
    """Candidate pairs of one band key, as sorted (id, id) tuples.

    A prior entry with the id of one of this run's documents is a stale copy of it and is
    dropped; two prior entries are never paired (earlier runs decided them). Above
    ``max_band_size`` members, each member is paired only with the first
    ``oversized_band_sample`` members (by id, which is a hash): linear, not quadratic.
    """
    unique = sorted(set(members))
    new_ids = {i for i, prior in unique if not prior}
    kept: dict[str, bool] = {}
    for i, prior in unique:
        if prior and i in new_ids:
            continue
        kept[i] = prior
    ids = sorted(kept)
    oversized = None
    if len(ids) > config.max_band_size:
        oversized = OversizedBand(len(ids))
        anchors = ids[: config.oversized_band_sample]
        candidates: Iterable[tuple[str, str]] = itertools.chain(
            itertools.combinations(anchors, 2),
            ((a, b) for a in anchors for b in ids[config.oversized_band_sample :]),
        )
    else:
        candidates = itertools.combinations(ids, 2)
    pairs = [(a, b) if a < b else (b, a) for a, b in candidates if not (kept[a] and kept[b])]
    return pairs, oversized


def compare(a: NearDoc, b: NearDoc, config: MinhashConfig) -> Comparison:
    """One pair: ``passed`` when ``verify.verdict`` calls it a duplicate."""
    found = verdict(a, b, config)
    return Comparison(a, b, found.similarity, found.kind is Kind.DUPLICATE)


class UnionFind:
    """Disjoint sets over string ids; the root of a set is its smallest id (order-independent)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        while parent != x:
            grand = self.parent[parent]
            self.parent[x] = grand  # path halving
            x, parent = parent, grand
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return {root: sorted(members) for root, members in out.items()}


def assign_components(
    results: Iterable[Comparison | OversizedBand],
) -> tuple[dict[str, Target], NearDedupStats]:
    """Union-find over the passing comparisons: this run's document id -> its Target.

    Only documents in components of two or more get a Target; a document of this run and a prior
    entry with the same id are one node (the prior entry is a stale copy of it). The component
    key is its smallest id, so it does not depend on the order comparisons arrive in.
    """
    stats = NearDedupStats()
    docs: dict[str, NearDoc] = {}
    edges: list[tuple[str, str]] = []
    for result in results:
        if isinstance(result, OversizedBand):
            stats.oversized_bands += 1
            stats.oversized_members += result.size
            continue
        stats.comparisons += 1
        if result.passed:
            stats.matches += 1
            edges.append((result.a.id, result.b.id))
            keep_doc(docs, result.a)
            keep_doc(docs, result.b)
    priors = {i: d for i, d in docs.items() if d.prior}
    return components(edges, priors, stats), stats


def keep_doc(docs: dict[str, NearDoc], doc: NearDoc) -> None:
    """Remember ``doc`` under its id; this run's document wins over a stale prior copy."""
    known = docs.get(doc.id)
    if known is None or (known.prior and not doc.prior):
        docs[doc.id] = doc


def components(
    edges: Iterable[tuple[str, str]], priors: dict[str, NearDoc], stats: NearDedupStats
) -> dict[str, Target]:
    """Connected components of the verified edges -> Targets of this run's members. ``priors``
    holds the endpoints that are earlier runs' articles (every other endpoint is this run's);
    ``stats.components`` counts the components."""
    uf = UnionFind()
    for a, b in edges:
        uf.union(a, b)
    targets: dict[str, Target] = {}
    for root, members in uf.groups().items():
        if len(members) < 2:
            continue
        stats.components += 1
        found = sorted((priors[m] for m in members if m in priors), key=lambda d: d.order)
        target = Target(root, tuple(found))
        for m in members:
            if m not in priors:
                targets[m] = target
    return targets


def near_duplicate(
    article: Article | DedupKey,
    canonical_id: str,
    cluster_id: str,
    similarity: float,
    same_text: bool,
) -> Duplicate:
    return duplicate_row(
        article,
        canonical_id,
        cluster_id,
        "exact" if same_text else "near",
        1.0 if same_text else round(similarity, 4),
    )


def repoint(dup: Duplicate, canonical_id: str, cluster_id: str, similarity: float) -> Duplicate:
    """``dup`` pointed at the story's final canonical and cluster.

    An exact copy of a merged canonical is not an exact copy of the final one: it becomes
    ``near`` with its old canonical's similarity. A copy of the same canonical only changes
    cluster (a follow-up's story joins the story it updates). URL duplicates keep their kind.
    """
    if dup.duplicate_of == canonical_id:
        return dup if dup.cluster_id == cluster_id else replace(dup, cluster_id=cluster_id)
    if dup.kind == "exact":
        return replace(
            dup,
            duplicate_of=canonical_id,
            cluster_id=cluster_id,
            kind="near",
            similarity=round(similarity, 4),
        )
    return replace(dup, duplicate_of=canonical_id, cluster_id=cluster_id)


def merge_component(
    members: Iterable[tuple[DedupGroup, NearDoc]],
    target: Target,
    config: MinhashConfig,
    hashes: Mapping[str, bytes] | None = None,
) -> Merged:
    """``near_merge.merge_component`` (kept here, where callers have always found it)."""
    from akhbar.transforms.dedup.near_merge import merge_component as merge

    return merge(members, target, config, hashes)


def near_dedup_plain(
    groups: Iterable[DedupGroup], config: MinhashConfig, prior: Iterable[NearDoc] = ()
) -> NearResult:
    """``near_merge.near_dedup_plain``: the whole algorithm in one process."""
    from akhbar.transforms.dedup.near_merge import near_dedup_plain as plain

    return plain(groups, config, prior)


@dataclass(slots=True)
class Merged:
    """What one component becomes: stories of this run and duplicates of prior articles."""

    groups: list[DedupGroup] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    stats: NearDedupStats = field(default_factory=NearDedupStats)


@dataclass(slots=True)
class NearResult:
    groups: list[DedupGroup]
    prior_duplicates: list[Duplicate]
    stats: NearDedupStats
    docs: dict[str, NearDoc] = field(default_factory=dict)  # every input canonical, signed
