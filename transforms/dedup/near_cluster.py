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

from akhbar.schemas.records import Article, Duplicate, compact_pickle, stable_id
from akhbar.transforms.dedup.exact import DedupGroup, cluster_id_for, duplicate_row
from akhbar.transforms.dedup.keys import DedupKey
from akhbar.transforms.dedup.minhash import (
    MinhashConfig,
    band_key_blob,
    hashed_similarity,
    shingle_hashes,
    shingles,
    signature,
    signature_similarity,
)

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

    def add(self, other: NearDedupStats) -> NearDedupStats:
        return NearDedupStats(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )


def near_doc(canonical: Article | DedupKey, config: MinhashConfig) -> NearDoc:
    return signed(canonical, config)[0]


def signed(canonical: Article | DedupKey, config: MinhashConfig) -> tuple[NearDoc, bytes]:
    """The canonical's NearDoc and its ``shingle_hashes`` (for merging): a ``DedupKey`` carries
    both (signed once, in the prepare step); an Article is shingled here."""
    if isinstance(canonical, DedupKey) and canonical.signature:
        doc = NearDoc(
            id=canonical.id,
            order=canonical.order_key(),
            signature=canonical.signature,
            size=canonical.shingles,
            content_hash=canonical.content_hash,
        )
        return doc, canonical.shingle_hashes
    if isinstance(canonical, DedupKey):
        raise ValueError(f"{canonical.id}: a DedupKey made without a MinhashConfig is not signed")
    sh = shingles(canonical.text_normalized, config)
    return _doc_of(canonical, sh, config), shingle_hashes(sh)


def _doc_of(canonical: Article, sh: set[str], config: MinhashConfig) -> NearDoc:
    return NearDoc(
        id=canonical.id,
        order=canonical.order_key(),
        signature=signature(sh, config),
        size=len(sh),
        content_hash=canonical.content_hash,
    )


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


def close_in_time(a: OrderKey, b: OrderKey, config: MinhashConfig) -> bool:
    """Both undated, one undated, or published at most ``max_days_apart`` apart."""
    if config.max_days_apart is None or a[0] or b[0]:
        return True
    return abs((a[1] - b[1]).total_seconds()) <= config.max_days_apart * 86400


def compare(a: NearDoc, b: NearDoc, config: MinhashConfig) -> Comparison:
    sim = signature_similarity(a.signature, a.size, b.signature, b.size, config)
    return Comparison(
        a, b, sim, sim >= config.threshold and close_in_time(a.order, b.order, config)
    )


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
    article: Article, canonical_id: str, cluster_id: str, similarity: float, same_text: bool
) -> Duplicate:
    return duplicate_row(
        article,
        canonical_id,
        cluster_id,
        "exact" if same_text else "near",
        1.0 if same_text else round(similarity, 4),
    )


def repoint(dup: Duplicate, canonical_id: str, cluster_id: str, similarity: float) -> Duplicate:
    """``dup`` pointed at the story's final canonical.

    An exact copy of a merged canonical is not an exact copy of the final one: it becomes
    ``near`` with its old canonical's similarity. URL duplicates keep their kind.
    """
    if dup.duplicate_of == canonical_id and dup.cluster_id == cluster_id:
        return dup
    if dup.kind == "exact":
        return replace(
            dup,
            duplicate_of=canonical_id,
            cluster_id=cluster_id,
            kind="near",
            similarity=round(similarity, 4),
        )
    return replace(dup, duplicate_of=canonical_id, cluster_id=cluster_id)


@dataclass(slots=True)
class Merged:
    """What one component becomes: stories of this run and duplicates of prior articles."""

    groups: list[DedupGroup] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    stats: NearDedupStats = field(default_factory=NearDedupStats)


@dataclass(slots=True)
class _Center:
    doc: NearDoc
    group: DedupGroup | None = None  # None for a prior article
    shingles: bytes = b""  # shingle_hashes
    members: list[tuple[DedupGroup, float]] = field(default_factory=list)


def _similarity(doc: NearDoc, sh: bytes, center: _Center, config: MinhashConfig) -> float:
    if center.group is None:
        return signature_similarity(
            doc.signature, doc.size, center.doc.signature, center.doc.size, config
        )
    return hashed_similarity(sh, center.shingles, config)


def merge_component(
    members: Iterable[tuple[DedupGroup, NearDoc]],
    target: Target,
    config: MinhashConfig,
    hashes: Mapping[str, bytes] | None = None,
) -> Merged:
    """Split a connected component into stories around canonicals, then fold each story.

    Connected components chain: A~B and B~C merge A with C even when A and C share little.
    So, in canonical order (prior articles first: they are already written; then this run's
    documents, earliest first), each document joins the first canonical it is itself similar
    to, or becomes a canonical. Similarity to a canonical of this run is exact (both texts are
    here); to a prior article it is estimated from the stored signature. It is recorded as
    the folded canonical's ``similarity``, and exact copies it carried become near ones.
    ``hashes``: the members' ``shingle_hashes`` by id, when signing kept them (else computed).
    """
    ordered = sorted(members, key=lambda m: m[1].order)
    centers = [_Center(p) for p in target.priors]
    out = Merged()
    for group, doc in ordered:
        sh = hashes.get(doc.id) if hashes else None
        if sh is None:
            sh = signed(group.canonical, config)[1]
        for center in centers:
            if not close_in_time(doc.order, center.doc.order, config):
                continue
            sim = _similarity(doc, sh, center, config)
            if sim >= config.threshold:
                center.members.append((group, sim))
                break
        else:
            centers.append(_Center(doc, group, sh))
    stats = out.stats
    fresh = [c for c in centers if c.group is not None]
    stats.unchained = sum(1 for c in fresh if not c.members) if len(centers) > 1 else 0
    for center in centers:
        if center.group is None:
            prior = center.doc
            cluster = prior.cluster_id or stable_id("cluster", prior.id)
            stats.prior_matched_groups += len(center.members)
            for group, sim in center.members:
                same = group.canonical.content_hash == prior.content_hash
                out.duplicates.append(near_duplicate(group.canonical, prior.id, cluster, sim, same))
                out.duplicates.extend(repoint(d, prior.id, cluster, sim) for d in group.duplicates)
            continue
        if not center.members:
            out.groups.append(center.group)  # unchanged: nothing folded into it
            continue
        stats.merged_groups += len(center.members)
        cluster = cluster_id_for(center.group.canonical)
        canonical = replace(center.group.canonical, cluster_id=cluster)
        dups = [repoint(d, canonical.id, cluster, 1.0) for d in center.group.duplicates]
        for group, sim in center.members:
            dups.append(near_duplicate(group.canonical, canonical.id, cluster, sim, False))
            dups.extend(repoint(d, canonical.id, cluster, sim) for d in group.duplicates)
        out.groups.append(DedupGroup(canonical, sorted(dups, key=lambda d: d.id)))
    return out


@dataclass(slots=True)
class NearResult:
    groups: list[DedupGroup]
    prior_duplicates: list[Duplicate]
    stats: NearDedupStats
    docs: dict[str, NearDoc] = field(default_factory=dict)  # every input canonical, signed


def near_dedup_plain(
    groups: Iterable[DedupGroup], config: MinhashConfig, prior: Iterable[NearDoc] = ()
) -> NearResult:
    """The whole algorithm in one process: the reference the Beam transform must agree with."""
    docs: dict[str, tuple[DedupGroup, NearDoc]] = {}
    hashes: dict[str, bytes] = {}
    for group in groups:
        doc, hashes[group.canonical.id] = signed(group.canonical, config)
        docs[group.canonical.id] = (group, doc)
    prior_docs: dict[str, NearDoc] = {}
    for p in prior:
        prior_docs.setdefault(p.id, p)
    from akhbar.transforms.dedup.candidates import verified_pairs  # it builds on this module

    entries = [(doc, band_key_blob(doc.signature, config)) for _, doc in docs.values()]
    entries += [(p, band_key_blob(p.signature, config)) for p in prior_docs.values()]
    found = verified_pairs(entries, config)
    stats = NearDedupStats(
        comparisons=len(found.compared),
        matches=len(found.passed),
        oversized_bands=len(found.oversized),
        oversized_members=sum(b.size for b in found.oversized),
    )
    priors = {d.id: d for d in found.passed_docs() if d.prior}
    targets = components(found.passed, priors, stats)
    by_component: dict[str, list[tuple[DedupGroup, NearDoc]]] = defaultdict(list)
    out: list[DedupGroup] = []
    for doc_id, entry in docs.items():
        target = targets.get(doc_id)
        if target is None:
            out.append(entry[0])
        else:
            by_component[target.component].append(entry)
    prior_dups: list[Duplicate] = []
    for members in by_component.values():
        merged = merge_component(members, targets[members[0][1].id], config, hashes)
        out.extend(merged.groups)
        prior_dups.extend(merged.duplicates)
        stats = stats.add(merged.stats)
    return NearResult(out, prior_dups, stats, {i: d for i, (_, d) in docs.items()})
