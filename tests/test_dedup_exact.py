"""dedup/exact.py: who survives, what duplicates point at, and the same answer in any order."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from apache_beam import Create, Map
from apache_beam.testing.util import assert_that, equal_to

from akhbar.schemas.records import Article, stable_id
from akhbar.transforms.dedup.exact import (
    DUPLICATES_TAG,
    ExactDedup,
    Survivor,
    cluster_id_for,
    collapse_content_group,
    collapse_url_group,
    url_group_key,
)
from tests.helpers import beam_pipeline, make_article

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# --- URL groups --------------------------------------------------------------------------------


def test_url_group_earliest_published_wins() -> None:
    members = [
        make_article("b", published_at=at(2), url_key="k"),
        make_article("a", published_at=at(1), url_key="k"),
        make_article("c", published_at=at(3), url_key="k"),
    ]
    for order in itertools.permutations(members):
        survivor = collapse_url_group(order)
        assert survivor.article.id == "a"
        assert [x.id for x in survivor.attached] == ["b", "c"]


def test_undated_items_lose_to_dated_ones() -> None:
    members = [
        make_article("undated-first-id", published_at=None, url_key="k"),
        make_article("z-dated-late", published_at=at(1000), url_key="k"),
    ]
    assert collapse_url_group(members).article.id == "z-dated-late"
    assert collapse_url_group(reversed(members)).article.id == "z-dated-late"


def test_ties_broken_by_source_then_id() -> None:
    same_time = [
        make_article("a", source="youm7.com", published_at=at(1), url_key="k"),
        make_article("z", source="aljazeera.net", published_at=at(1), url_key="k"),
        make_article("m", source="aljazeera.net", published_at=at(1), url_key="k"),
    ]
    for order in itertools.permutations(same_time):
        survivor = collapse_url_group(order)
        assert survivor.article.id == "m"
        assert [x.id for x in survivor.attached] == ["z", "a"]
    undated = [make_article("y", url_key="k"), make_article("x", url_key="k")]
    assert collapse_url_group(undated).article.id == "x"


def test_url_group_key_falls_back_to_id() -> None:
    assert url_group_key(make_article("a", url_key="youm7.com/a")) == "u:youm7.com/a"
    assert url_group_key(make_article("a", url_key="")) == "i:a"


# --- content groups ----------------------------------------------------------------------------


def test_content_group_kinds_and_cluster() -> None:
    canonical = make_article("a", published_at=at(1), content_hash="H")
    copy = make_article("b", published_at=at(2), content_hash="H")
    same_url_other_text = make_article("c", published_at=at(3), content_hash="H2", url_key="a-url")
    chosen, duplicates = collapse_content_group(
        [Survivor(copy), Survivor(canonical, [same_url_other_text])]
    )
    assert chosen.id == "a"
    cluster = stable_id("cluster", "a")
    assert chosen.cluster_id == cluster == cluster_id_for(canonical)
    got = {(d.id, d.duplicate_of, d.kind, d.similarity, d.cluster_id) for d in duplicates}
    assert got == {("c", "a", "url", None, cluster), ("b", "a", "exact", 1.0, cluster)}


def test_duplicate_of_points_at_the_final_canonical() -> None:
    # "b" is the earliest of its URL and carries "c"; but "a" has b's text and is earlier still.
    a = make_article("a", published_at=at(1), content_hash="H", url_key="url-a")
    b = make_article("b", published_at=at(2), content_hash="H", url_key="url-b")
    c = make_article("c", published_at=at(3), content_hash="H-other", url_key="url-b")
    survivor_b = collapse_url_group([c, b])
    assert survivor_b.article.id == "b"
    chosen, duplicates = collapse_content_group([survivor_b, collapse_url_group([a])])
    assert chosen.id == "a"
    assert {(d.id, d.duplicate_of, d.kind) for d in duplicates} == {
        ("b", "a", "exact"),
        ("c", "a", "url"),
    }
    assert {d.cluster_id for d in duplicates} == {chosen.cluster_id}


def test_duplicate_rows_copy_the_item_fields() -> None:
    canonical = make_article("a", published_at=at(1), content_hash="H")
    dup = make_article("b", source="hespress.com", published_at=at(2), content_hash="H")
    _, [row] = collapse_content_group([Survivor(canonical, [dup])])
    assert (row.source, row.guid, row.url, row.title, row.published_at, row.origin) == (
        "hespress.com",
        "guid-b",
        "https://hespress.com/b",
        "title b",
        at(2),
        "test.jsonl#b",
    )
    assert row.content_hash == "H"


def test_cluster_id_is_stable_across_runs() -> None:
    first, _ = collapse_content_group([Survivor(make_article("a", content_hash="H"))])
    second, _ = collapse_content_group([Survivor(make_article("a", content_hash="H"))])
    assert first.cluster_id == second.cluster_id == stable_id("cluster", "a")
    assert len(first.cluster_id or "") == 32


# --- the PTransform ----------------------------------------------------------------------------


def corpus() -> list[Article]:
    """a1 is copied by a2 (exact) and republished under a2's URL (a3); b1/b2 share a URL only;
    c1 is alone; d1 (undated) has the text of d2 (dated) and loses to it."""
    return [
        make_article("a1", published_at=at(1), content_hash="A", url_key="u/a1"),
        make_article("a2", published_at=at(2), content_hash="A", url_key="u/a2"),
        make_article("a3", published_at=at(3), content_hash="A-edited", url_key="u/a2"),
        make_article("b1", published_at=at(1), content_hash="B1", url_key="u/b"),
        make_article("b2", published_at=None, content_hash="B2", url_key="u/b"),
        make_article("c1", published_at=at(5), content_hash="C", url_key="u/c"),
        make_article("d1", published_at=None, content_hash="D", url_key="u/d1"),
        make_article("d2", published_at=at(9), content_hash="D", url_key="u/d2"),
    ]


EXPECTED_ARTICLES = [
    ("a1", stable_id("cluster", "a1")),
    ("b1", stable_id("cluster", "b1")),
    ("c1", stable_id("cluster", "c1")),
    ("d2", stable_id("cluster", "d2")),
]
EXPECTED_DUPLICATES = [
    ("a2", "a1", "exact", stable_id("cluster", "a1")),
    ("a3", "a1", "url", stable_id("cluster", "a1")),
    ("b2", "b1", "url", stable_id("cluster", "b1")),
    ("d1", "d2", "exact", stable_id("cluster", "d2")),
]


def run_exact_dedup(items: list[Article]) -> None:
    with beam_pipeline() as p:
        result = p | Create(items, reshuffle=False) | ExactDedup()
        assert_that(
            result.articles | "ArticleIds" >> Map(lambda a: (a.id, a.cluster_id)),
            equal_to(EXPECTED_ARTICLES),
            label="articles",
        )
        assert_that(
            result[DUPLICATES_TAG]
            | "DuplicateIds" >> Map(lambda d: (d.id, d.duplicate_of, d.kind, d.cluster_id)),
            equal_to(EXPECTED_DUPLICATES),
            label="duplicates",
        )


def test_exact_dedup_pipeline() -> None:
    run_exact_dedup(corpus())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_dedup_pipeline_order_independent(seed: int) -> None:
    items = corpus()
    random.Random(seed).shuffle(items)
    run_exact_dedup(items)


def test_pure_functions_agree_with_pipeline_on_shuffles() -> None:
    """The same global decision computed without Beam, for many input orders."""
    results = set()
    for seed in range(20):
        items = corpus()
        random.Random(seed).shuffle(items)
        groups: dict[str, list[Article]] = {}
        for item in items:
            groups.setdefault(url_group_key(item), []).append(item)
        by_hash: dict[str, list[Survivor]] = {}
        for members in groups.values():
            survivor = collapse_url_group(members)
            by_hash.setdefault(survivor.article.content_hash, []).append(survivor)
        articles, duplicates = [], []
        for survivors in by_hash.values():
            chosen, dups = collapse_content_group(survivors)
            articles.append((chosen.id, chosen.cluster_id))
            duplicates.extend((d.id, d.duplicate_of, d.kind, d.cluster_id) for d in dups)
        results.add((tuple(sorted(articles)), tuple(sorted(duplicates))))
    assert results == {(tuple(EXPECTED_ARTICLES), tuple(EXPECTED_DUPLICATES))}


# --- stage members (the Beam stages' pure functions) ---------------------------------------------


def test_an_article_alone_under_its_url_passes_on_as_it_is() -> None:
    """No Survivor is built for the common case; stage 2 reads it as a Survivor of one."""
    from akhbar.transforms.dedup.exact import as_survivor, collapse_url_members, url_member

    article = make_article("a", published_at=at(1), url_key="k", content_hash="H")
    key, member = url_member(article)
    assert key == "u:k" and member is article
    [(content_hash, passed)] = list(collapse_url_members([member]))
    assert content_hash == "H" and passed is article
    assert as_survivor(passed) == Survivor(article)


def test_a_shared_url_is_collapsed_into_a_survivor_for_stage_two() -> None:
    from akhbar.transforms.dedup.exact import collapse_url_members, url_member

    first = make_article("a", published_at=at(1), url_key="k", content_hash="H1")
    later = make_article("b", published_at=at(2), url_key="k", content_hash="H2")
    out = list(collapse_url_members([url_member(later)[1], url_member(first)[1]]))
    [(content_hash, survivor)] = out
    assert content_hash == "H1" and survivor == Survivor(first, [later])


def test_earlier_runs_make_a_url_seen_once_here_a_duplicate() -> None:
    """A prior member never takes the lone-story shortcut: alone, it yields nothing."""
    from akhbar.transforms.dedup.exact import collapse_url_members, prior_url_member, url_member
    from akhbar.transforms.dedup.prior import PriorEntry

    article = make_article("a", published_at=at(5), url_key="k", content_hash="H")
    prior = PriorEntry("old", "cluster-old", "youm7.com", None, "k", "H0", at(-24))
    key, prior_member = prior_url_member(prior)
    assert key == "u:k" and prior_member is prior
    out = list(collapse_url_members([url_member(article)[1], prior_member]))
    [tagged] = out
    assert tagged.tag == DUPLICATES_TAG
    assert tagged.value.duplicate_of == "old" and tagged.value.kind == "url"
    assert list(collapse_url_members([prior_member])) == []


def test_keys_without_text_give_the_same_groups_as_articles() -> None:
    """The pipeline deduplicates DedupKeys (no text); the decisions equal the Articles'."""
    from akhbar.transforms.dedup.exact import exact_groups_plain
    from akhbar.transforms.dedup.keys import dedup_key

    articles = [
        make_article("a", published_at=at(2), url_key="k1", content_hash="H1"),
        make_article("b", published_at=at(1), url_key="k1", content_hash="H2"),
        make_article("c", published_at=at(3), url_key="k2", content_hash="H2"),
        make_article("d", published_at=None, url_key="k3", content_hash="H3"),
    ]

    def summary(groups):  # type: ignore[no-untyped-def]
        return sorted(
            (
                g.canonical.id,
                g.canonical.cluster_id,
                tuple(sorted((d.id, d.kind) for d in g.duplicates)),
            )
            for g in groups
        )

    keys = [dedup_key(a, None) for a in articles]
    assert summary(exact_groups_plain(keys)) == summary(exact_groups_plain(articles))
