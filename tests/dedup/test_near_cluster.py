"""dedup/near_cluster.py: candidates, the band cap, union-find, canonical choice, re-pointing."""

from __future__ import annotations

import copy
import itertools
import random
from dataclasses import replace

import pytest

from akhbar.transforms.dedup.exact import DedupGroup, cluster_id_for
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH, MinhashConfig
from akhbar.transforms.dedup.near_cluster import (
    Comparison,
    NearDoc,
    OversizedBand,
    Target,
    UnionFind,
    assign_components,
    band_pairs,
    close_in_time,
    compare,
    merge_component,
    near_dedup_plain,
    near_doc,
    order_key,
)
from tests.dedup.stories import at, cut, egyptian, paragraphs, story
from tests.helpers import make_duplicate

CFG = DEFAULT_MINHASH


def doc(id: str, prior: bool = False, hours: float = 0, cluster: str | None = None) -> NearDoc:
    return NearDoc(id, order_key(at(hours), "s", id), b"", 0, f"h-{id}", prior, cluster)


# --- candidates and the band cap ---------------------------------------------------------------


def test_small_band_gives_every_pair_once() -> None:
    pairs, oversized = band_pairs([("c", False), ("a", False), ("b", False), ("a", False)], CFG)
    assert sorted(pairs) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert oversized is None


def test_prior_entries_are_never_paired_together_and_stale_copies_drop() -> None:
    members = [("p1", True), ("p2", True), ("n", False), ("p3", True), ("p3", False)]
    pairs, _ = band_pairs(members, CFG)
    # p3 is in this run too: its prior copy is stale and drops; p1-p2 is never compared
    assert sorted(pairs) == [("n", "p1"), ("n", "p2"), ("n", "p3"), ("p1", "p3"), ("p2", "p3")]


@pytest.mark.parametrize("size", [101, 1000, 5000])
def test_oversized_band_is_linear_and_counted(size: int) -> None:
    config = MinhashConfig(max_band_size=100, oversized_band_sample=8)
    members = [(f"d{i:05d}", False) for i in range(size)]
    pairs, oversized = band_pairs(members, config)
    assert oversized == OversizedBand(size)
    assert len(pairs) == 8 * 7 // 2 + 8 * (size - 8)  # not size * (size - 1) / 2
    assert len(set(pairs)) == len(pairs)
    anchored = {x for pair in pairs for x in pair}
    assert anchored == {m for m, _ in members}  # every member still meets the anchors


def test_band_at_the_cap_is_paired_in_full() -> None:
    config = MinhashConfig(max_band_size=10)
    pairs, oversized = band_pairs([(str(i), False) for i in range(10)], config)
    assert oversized is None and len(pairs) == 45


# --- verification ------------------------------------------------------------------------------


def test_compare_passes_copies_and_rejects_other_paragraphs() -> None:
    text = paragraphs()[0]
    a = near_doc(story("a", text), CFG)
    copy_ = near_doc(story("b", egyptian(text), hours=5), CFG)
    other = near_doc(story("c", paragraphs()[1]), CFG)
    assert compare(a, copy_, CFG).passed and compare(a, copy_, CFG).similarity == 1.0
    assert not compare(a, other, CFG).passed


def test_copies_published_far_apart_are_not_merged() -> None:
    text = paragraphs()[0]
    a = near_doc(story("a", text, hours=0), CFG)
    late = near_doc(story("b", egyptian(text), hours=24 * 15), CFG)  # window: 14 days
    undated = near_doc(story("c", egyptian(text), hours=None), CFG)
    assert not compare(a, late, CFG).passed
    assert compare(a, late, replace(CFG, max_days_apart=None)).passed
    assert compare(a, undated, CFG).passed
    assert close_in_time(a.order, undated.order, CFG)


# --- union-find and components -----------------------------------------------------------------


def test_union_find_roots_are_the_smallest_id_in_any_order() -> None:
    edges = [("e", "d"), ("b", "a"), ("c", "b"), ("x", "y")]
    for order in itertools.permutations(edges):
        uf = UnionFind()
        for a, b in order:
            uf.union(a, b)
        assert uf.groups() == {"a": ["a", "b", "c"], "d": ["d", "e"], "x": ["x", "y"]}


def test_components_target_only_this_runs_documents() -> None:
    a, b, c, p = doc("a"), doc("b"), doc("c"), doc("p", prior=True, cluster="cp")
    results = [
        Comparison(a, b, 0.9, True),
        Comparison(b, p, 0.8, True),
        Comparison(a, c, 0.1, False),
        OversizedBand(300),
    ]
    targets, stats = assign_components(results)
    assert set(targets) == {"a", "b"}
    assert targets["a"] == targets["b"] == Target("a", (p,))
    assert (stats.comparisons, stats.matches, stats.components) == (3, 2, 1)
    assert (stats.oversized_bands, stats.oversized_members) == (1, 300)


# --- merging: canonical, re-pointing, chains, prior articles --------------------------------


def group_of(article, *dups) -> DedupGroup:
    cluster = cluster_id_for(article)
    return DedupGroup(
        replace(article, cluster_id=cluster), [replace(d, cluster_id=cluster) for d in dups]
    )


def test_earliest_wins_ties_by_source_then_id_and_every_duplicate_follows() -> None:
    text = paragraphs()[0]
    early = story("z-early", egyptian(text), hours=1, source="youm7.com")
    tie_a = story("m", text, hours=2, source="aljazeera.net")
    tie_b = story("a", cut(text, 0.9), hours=2, source="youm7.com")
    exact_copy = make_duplicate("x", "m", kind="exact", similarity=1.0)
    url_copy = make_duplicate("u", "a", kind="url", similarity=None)
    members = [
        (group_of(tie_b, url_copy), near_doc(tie_b, CFG)),
        (group_of(tie_a, exact_copy), near_doc(tie_a, CFG)),
        (group_of(early), near_doc(early, CFG)),
    ]
    snapshot = copy.deepcopy(members)
    for order in itertools.permutations(members):
        merged = merge_component(list(order), Target("a"), CFG)
        assert merged.duplicates == [] and len(merged.groups) == 1
        group = merged.groups[0]
        assert group.canonical.id == "z-early"
        cluster = cluster_id_for(early)
        assert group.canonical.cluster_id == cluster
        got = {(d.id, d.duplicate_of, d.kind, d.cluster_id) for d in group.duplicates}
        assert got == {
            ("m", "z-early", "near", cluster),
            ("a", "z-early", "near", cluster),
            ("x", "z-early", "near", cluster),  # an exact copy of m is a near copy of z-early
            ("u", "z-early", "url", cluster),
        }
        sims = {d.id: d.similarity for d in group.duplicates}
        assert sims["m"] == sims["x"] == 1.0  # same words once normalized
        assert sims["u"] is None and CFG.threshold <= sims["a"] <= 1.0
        assert merged.stats.merged_groups == 2
    assert members == snapshot  # nothing received was changed


def test_same_time_tie_break_uses_source_then_id() -> None:
    text = paragraphs()[0]
    docs = [
        story("b", text, hours=1, source="youm7.com"),
        story("c", egyptian(text), hours=1, source="aljazeera.net"),
        story("a", cut(text, 0.95), hours=1, source="youm7.com"),
    ]
    merged = merge_component([(group_of(d), near_doc(d, CFG)) for d in docs], Target("a"), CFG)
    assert merged.groups[0].canonical.id == "c"


def test_a_chain_of_verified_duplicates_is_one_story() -> None:
    """A~B and B~C verified, A and C too far apart: one story (issue 20: two clusters that a
    verified pair connects become one), with A, the earliest, as its canonical."""
    import random

    from benchmarks.corpus import perturb

    text = paragraphs()[0]
    b_text = perturb(text, random.Random(1), 0.03)  # estimates: A~B 0.91, B~C 0.88, A~C 0.79
    c_text = perturb(b_text, random.Random(2), 0.03)
    # three outlets (one outlet's later, changed text could be a follow-up); no second stage
    a = story("a", text, hours=0, source="a.example")
    b = story("b", b_text, hours=1, source="b.example")
    c = story("c", c_text, hours=2, source="c.example")
    config = replace(CFG, threshold=0.85, second_stage=0.85, use_containment=False)
    members = [(group_of(x), near_doc(x, config)) for x in (a, b, c)]
    docs = [m[1] for m in members]
    assert compare(docs[0], docs[1], config).passed and compare(docs[1], docs[2], config).passed
    assert not compare(docs[0], docs[2], config).passed
    merged = merge_component(members, Target("a"), config)
    stories = {g.canonical.id: sorted(d.id for d in g.duplicates) for g in merged.groups}
    assert stories == {"a": ["b", "c"]}
    assert merged.stats.unchained == 0


def test_an_item_joins_the_story_it_matches_best() -> None:
    """Two earlier runs' articles, both similar to a new copy: it joins the closer one, not
    the first in order (issue 20: best match, not first)."""
    text = paragraphs()[0]
    far = story("far", cut(text, 0.75), hours=-30, source="a.example")
    close = story("close", text, hours=-20, source="b.example")
    new = story("new", egyptian(text), hours=1, source="c.example")
    config = replace(CFG, threshold=0.5)
    priors = tuple(
        replace(near_doc(x, config), prior=True, cluster_id=f"cluster-{x.id}") for x in (far, close)
    )
    doc = near_doc(new, config)
    assert all(compare(doc, p, config).passed for p in priors)
    merged = merge_component([(group_of(new), doc)], Target("new", priors), config)
    assert [(d.id, d.duplicate_of) for d in merged.duplicates] == [("new", "close")]


def test_copies_of_a_prior_article_become_its_duplicates() -> None:
    text = paragraphs()[0]
    prior_article = story("old", text, hours=-30)
    prior = replace(near_doc(prior_article, CFG), prior=True, cluster_id="cluster-old")
    new = story("new", cut(text, 0.9), hours=1)
    same = story("same", text, hours=2, url_key="other")
    dup = make_duplicate("new-copy", "new", kind="exact", similarity=1.0)
    members = [(group_of(new, dup), near_doc(new, CFG)), (group_of(same), near_doc(same, CFG))]
    merged = merge_component(members, Target("new", (prior,)), CFG)
    assert merged.groups == []
    got = {(d.id, d.duplicate_of, d.cluster_id, d.kind) for d in merged.duplicates}
    assert got == {
        ("new", "old", "cluster-old", "near"),
        ("same", "old", "cluster-old", "exact"),  # same normalized text as the prior article
        ("new-copy", "old", "cluster-old", "near"),
    }
    assert merged.stats.prior_matched_groups == 2


# --- the whole algorithm -----------------------------------------------------------------------


def corpus() -> list:
    p = paragraphs()
    articles = []
    for i, text in enumerate(p):
        articles.append(story(f"s{i}", text, hours=i))
        articles.append(story(f"s{i}-egy", egyptian(text), hours=i + 3, source="masrawy.com"))
        # the shortest paragraph has 25 words: a cut to 85% keeps its Jaccard above 0.7
        articles.append(story(f"s{i}-cut", cut(text, 0.85), hours=i + 5, source="hespress.com"))
    return articles


def test_plain_run_finds_every_copy_and_no_false_merge() -> None:
    articles = corpus()
    rng = random.Random(3)
    rng.shuffle(articles)
    groups = [group_of(a) for a in articles]
    result = near_dedup_plain(groups, CFG)
    stories = {g.canonical.id: sorted(d.id for d in g.duplicates) for g in result.groups}
    assert stories == {f"s{i}": [f"s{i}-cut", f"s{i}-egy"] for i in range(len(paragraphs()))}
    assert result.stats.merged_groups == 2 * len(paragraphs())
    assert result.prior_duplicates == []


def test_plain_run_matches_prior_articles() -> None:
    p = paragraphs()
    prior = [
        replace(near_doc(story("old0", p[0], hours=-20), CFG), prior=True, cluster_id="c0"),
        replace(near_doc(story("old1", p[1], hours=-20), CFG), prior=True, cluster_id="c1"),
    ]
    groups = [group_of(story("n0", egyptian(p[0]))), group_of(story("n2", p[2]))]
    result = near_dedup_plain(groups, CFG, prior)
    assert [g.canonical.id for g in result.groups] == ["n2"]
    assert [(d.id, d.duplicate_of, d.cluster_id) for d in result.prior_duplicates] == [
        ("n0", "old0", "c0")
    ]
    assert result.stats.prior_matched_groups == 1
