"""A connected component of verified pairs -> its stories, and the plain reference run.

Issue 20 changed how a component becomes stories:

* **best match, not first match**: every pair of the component is verified
  (``verify.verdict``), and the duplicate pairs are joined best first (highest similarity
  first), so an item ends in the story it matches best;
* **one cluster per story**: two groups that a verified duplicate pair connects become one
  story, even when their canonicals are not themselves similar enough (a cut-down copy of a
  rewrite). Templates, shared blocks and follow-ups are not duplicate pairs, so they do not
  chain stories together. Earlier runs' articles are already written: a story never holds two;
* **follow-ups**: a same-source later article that updates an earlier one (``Kind.FOLLOWUP``)
  stays its own story, in the earlier story's cluster, with ``updates_id`` naming the
  article it updates. Links always point back in time, so chains (A <- B <- C) share A's
  cluster.

The canonical of a story is its earlier run's article if it has one, else its earliest member.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from akhbar.schemas.records import Duplicate, stable_id
from akhbar.transforms.dedup.candidates import doc_band_blob, verified_pairs
from akhbar.transforms.dedup.exact import DedupGroup, cluster_id_for
from akhbar.transforms.dedup.minhash import MinhashConfig
from akhbar.transforms.dedup.near_cluster import (
    Merged,
    NearDedupStats,
    NearDoc,
    NearResult,
    Target,
    components,
    near_duplicate,
    repoint,
    signed,
)
from akhbar.transforms.dedup.verify import Kind, verdict


class _Sets:
    """Union-find over node indices where no set may hold two prior articles."""

    def __init__(self, priors: list[bool]) -> None:
        self.parent = list(range(len(priors)))
        self.prior = list(priors)

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx == ry or (self.prior[rx] and self.prior[ry]):
            return
        lo, hi = (rx, ry) if rx < ry else (ry, rx)
        self.parent[hi] = lo
        self.prior[lo] = self.prior[lo] or self.prior[hi]


def merge_component(
    members: Iterable[tuple[DedupGroup, NearDoc]],
    target: Target,
    config: MinhashConfig,
    hashes: Mapping[str, bytes] | None = None,
) -> Merged:
    """Split a component into stories (module docstring). ``hashes`` is accepted for the old
    signature's sake: every verdict is made on the documents' features, as in the band
    partitions, so both reach the same stories."""
    ordered = sorted(members, key=lambda m: m[1].order)
    nodes: list[NearDoc] = [*target.priors, *(doc for _, doc in ordered)]
    group_of = {doc.id: group for group, doc in ordered}
    duplicate_edges: list[tuple[float, int, int]] = []
    followups: list[tuple[float, int, int]] = []  # (similarity, earlier, later)
    for x, y in itertools.combinations(range(len(nodes)), 2):
        a, b = nodes[x], nodes[y]
        if a.prior and b.prior:
            continue
        found = verdict(a, b, config)
        if found.kind is Kind.DUPLICATE:
            duplicate_edges.append((found.similarity, x, y))
        elif found.kind is Kind.FOLLOWUP:
            earlier, later = (x, y) if a.order <= b.order else (y, x)
            followups.append((found.similarity, earlier, later))
    sets = _Sets([n.prior for n in nodes])
    for _, x, y in sorted(duplicate_edges, key=lambda e: (-e[0], nodes[e[1]].id, nodes[e[2]].id)):
        sets.union(x, y)
    story: dict[int, list[int]] = defaultdict(list)
    for x in range(len(nodes)):
        story[sets.find(x)].append(x)
    best: dict[int, float] = defaultdict(float)  # node -> its best duplicate similarity
    direct: dict[tuple[int, int], float] = {}
    for sim, x, y in duplicate_edges:
        best[x], best[y] = max(best[x], sim), max(best[y], sim)
        direct[(x, y)] = direct[(y, x)] = sim
    canonical_of = {
        root: next((m for m in xs if nodes[m].prior), min(xs, key=lambda m: nodes[m].order))
        for root, xs in story.items()
    }
    links = _links(followups, sets, canonical_of, nodes)
    clusters: dict[int, str] = {}
    out = Merged()
    stats = out.stats
    stats.unchained = (
        sum(1 for xs in story.values() if len(xs) == 1 and not nodes[xs[0]].prior)
        if len(nodes) > 1
        else 0
    )
    for root in sorted(story, key=lambda r: nodes[canonical_of[r]].order):
        xs = story[root]
        head = nodes[canonical_of[root]]
        others = [m for m in xs if m != canonical_of[root]]

        def similarity(m: int, c: int = canonical_of[root]) -> float:
            return direct.get((m, c), best[m])

        if head.prior:
            cluster = head.cluster_id or stable_id("cluster", head.id)
            clusters[root] = cluster
            stats.prior_matched_groups += len(others)
            for m in others:
                group, sim = group_of[nodes[m].id], similarity(m)
                same = group.canonical.content_hash == head.content_hash
                out.duplicates.append(near_duplicate(group.canonical, head.id, cluster, sim, same))
                out.duplicates.extend(repoint(d, head.id, cluster, sim) for d in group.duplicates)
            continue
        group = group_of[head.id]
        updates = links.get(root)
        if updates is not None:
            stats.followups += 1
            cluster = clusters[updates]
            canonical = replace(
                group.canonical, cluster_id=cluster, updates_id=nodes[canonical_of[updates]].id
            )
        elif others:
            cluster = cluster_id_for(group.canonical)
            canonical = replace(group.canonical, cluster_id=cluster)
        else:
            clusters[root] = group.canonical.cluster_id or cluster_id_for(group.canonical)
            out.groups.append(group)  # unchanged: nothing folded into it, updates nothing
            continue
        clusters[root] = cluster
        stats.merged_groups += len(others)
        dups = [repoint(d, canonical.id, cluster, 1.0) for d in group.duplicates]
        for m in others:
            member, sim = group_of[nodes[m].id], similarity(m)
            dups.append(near_duplicate(member.canonical, canonical.id, cluster, sim, False))
            dups.extend(repoint(d, canonical.id, cluster, sim) for d in member.duplicates)
        out.groups.append(DedupGroup(canonical, sorted(dups, key=lambda d: d.id)))
    return out


def _links(
    followups: list[tuple[float, int, int]],
    sets: _Sets,
    canonical_of: Mapping[int, int],
    nodes: list[NearDoc],
) -> dict[int, int]:
    """Story root -> the root of the story it updates: its best follow-up pair to an earlier
    story (by canonical order, so links never form a cycle). A story holding an earlier
    run's article is written already and updates nothing."""
    links: dict[int, tuple[float, str, int]] = {}
    for sim, earlier, later in followups:
        old, new = sets.find(earlier), sets.find(later)
        if old == new or nodes[canonical_of[new]].prior:
            continue
        if nodes[canonical_of[old]].order >= nodes[canonical_of[new]].order:
            continue
        choice = (sim, nodes[canonical_of[old]].id, old)
        known = links.get(new)
        if known is None or (choice[0], known[1]) > (known[0], choice[1]):
            links[new] = choice
    return {new: old for new, (_, _, old) in links.items()}


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
    entries = [(doc, doc_band_blob(doc, config)) for _, doc in docs.values()]
    entries += [(p, doc_band_blob(p, config)) for p in prior_docs.values()]
    found = verified_pairs(entries, config)
    stats = NearDedupStats(
        comparisons=len(found.compared),
        matches=len(found.passed),
        oversized_bands=len(found.oversized),
        oversized_members=sum(b.size for b in found.oversized),
    )
    priors = {d.id: d for d in found.passed_docs() if d.prior}
    targets = components([*found.passed, *found.followups], priors, stats)
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
