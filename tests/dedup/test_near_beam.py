"""dedup/near.py: NearDedup on FnApiRunner agrees with the plain algorithm, uses earlier runs'
index, and always reports its counters."""

from __future__ import annotations

import random
from pathlib import Path

from apache_beam import Create, FlatMap, Map
from apache_beam.testing.util import assert_that, equal_to

from akhbar.transforms.dedup.exact import ExactDedupGroups, cluster_id_for
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near import NearDedup
from akhbar.transforms.dedup.near_cluster import near_dedup_plain
from akhbar.transforms.dedup.near_index import (
    WriteNearIndex,
    index_entry,
    read_index_file,
    save_index,
)
from tests.dedup.stories import cut, egyptian, paragraphs, story
from tests.dedup.test_near_cluster import corpus, group_of
from tests.helpers import beam_pipeline

CFG = DEFAULT_MINHASH


def memberships(group):
    yield (group.canonical.id, group.canonical.id, group.canonical.cluster_id, "canonical")
    for d in group.duplicates:
        yield (d.id, d.duplicate_of, d.cluster_id, d.kind)


def expected_memberships(groups):
    return sorted(m for g in groups for m in memberships(g))


def test_near_dedup_transform_equals_the_plain_run() -> None:
    articles = corpus()
    # an exact copy and a same-URL copy, so that exact duplicates must be re-pointed too
    articles.append(story("s0-exact", paragraphs()[0], hours=9, url_key="exact-url"))
    articles.append(story("s1-url", "نص آخر تماما", hours=9, url_key=articles[3].url_key))
    random.Random(5).shuffle(articles)
    with beam_pipeline() as p:
        groups, _ = p | Create(articles) | ExactDedupGroups()
        result = groups | NearDedup(CFG)
        rows = result.groups | FlatMap(memberships)
        # egyptian copies are exact duplicates already: only the cut copies are merged here
        stats = result.stats | Map(lambda s: (s.components, s.merged_groups, s.comparisons > 0))
        assert_that(rows, equal_to(EXPECTED), label="groups")
        assert_that(result.prior_duplicates, equal_to([]), label="no prior")
        assert_that(stats, equal_to([(len(paragraphs()), len(paragraphs()), True)]), label="stats")


def _expected() -> list[tuple[str, str, str, str]]:
    out = []
    for i in range(len(paragraphs())):
        canonical = story(f"s{i}", paragraphs()[i], hours=i)
        cluster = cluster_id_for(canonical)
        out.append((f"s{i}", f"s{i}", cluster, "canonical"))
        out.append((f"s{i}-egy", f"s{i}", cluster, "exact"))  # normalized text is identical
        out.append((f"s{i}-cut", f"s{i}", cluster, "near"))
    out.append(("s0-exact", "s0", cluster_id_for(story("s0", "")), "exact"))
    s1 = cluster_id_for(story("s1", ""))
    out.append(("s1-url", "s1", s1, "url"))
    return sorted(out)


EXPECTED = _expected()


def test_plain_run_gives_the_same_rows() -> None:
    articles = corpus()
    groups = [group_of(a) for a in articles]
    rows = expected_memberships(near_dedup_plain(groups, CFG).groups)
    beam_rows = [r for r in EXPECTED if not r[0].endswith(("-exact", "-url"))]
    # egyptian copies are exact duplicates in the pipeline, near ones when grouped one by one
    assert [(r[0], r[1], r[2]) for r in rows] == [(r[0], r[1], r[2]) for r in beam_rows]


def test_copies_of_earlier_runs_articles_point_at_them(tmp_path: Path) -> None:
    p = paragraphs()
    earlier = [group_of(story("old0", p[0], hours=-20)), group_of(story("old1", p[1], hours=-20))]
    [written] = save_index([index_entry(g, CFG) for g in earlier], str(tmp_path), "run1")
    today = [
        story("new0", cut(egyptian(p[0]), 0.8), hours=1, source="masrawy.com"),
        story("new0-copy", cut(egyptian(p[0]), 0.8), hours=2, url_key="other"),
        story("new2", p[2], hours=1),
        story("old1", p[1], hours=-20),  # the earlier run's own article again: not its copy
    ]
    old0_cluster = earlier[0].canonical.cluster_id
    with beam_pipeline() as pipe:
        groups, _ = pipe | Create(today) | ExactDedupGroups()
        result = groups | NearDedup(CFG, prior_index_paths=[written.path])
        assert_that(
            result.groups | Map(lambda g: (g.canonical.id, len(g.duplicates))),
            equal_to([("new2", 0), ("old1", 0)]),
            label="groups",
        )
        assert_that(
            result.prior_duplicates | Map(lambda d: (d.id, d.duplicate_of, d.cluster_id, d.kind)),
            equal_to(
                [
                    ("new0", "old0", old0_cluster, "near"),
                    ("new0-copy", "old0", old0_cluster, "near"),
                ]
            ),
            label="prior duplicates",
        )
        assert_that(
            result.stats | Map(lambda s: s.prior_matched_groups), equal_to([1]), label="stats"
        )


def test_stats_come_out_once_even_without_any_candidate() -> None:
    """No Targets at all: union-find still gives one (empty) result, stats come out once."""
    with beam_pipeline() as p:
        groups, _ = p | Create([story("only", paragraphs()[0])]) | ExactDedupGroups()
        result = groups | NearDedup(CFG)
        assert_that(result.stats | Map(lambda s: s.comparisons), equal_to([0]), label="stats")
        assert_that(result.groups | Map(lambda g: g.canonical.id), equal_to(["only"]))


def test_write_near_index_writes_one_file_per_month(tmp_path: Path) -> None:
    p = paragraphs()
    groups = [group_of(story("a", p[0], hours=0)), group_of(story("b", p[1], hours=30))]
    with beam_pipeline() as pipe:
        files = pipe | Create(groups) | WriteNearIndex(str(tmp_path), "run7", CFG)
        assert_that(
            files | Map(lambda f: (Path(f.path).parent.name, f.rows)),
            equal_to([("month=2026-11", 2)]),  # one file per month, not per day
        )
    ids = sorted(
        e.id for f in tmp_path.glob("month=*/part-run7.parquet") for e in read_index_file(str(f))
    )
    assert ids == ["a", "b"]


def test_keys_without_text_give_the_same_stories_as_articles() -> None:
    """The pipeline signs each article once, in the prepare step, and dedups its DedupKey
    (no text crosses a shuffle): the stories equal those of the Articles themselves."""
    from akhbar.transforms.dedup.keys import dedup_key

    articles = corpus()
    articles.append(story("s0-exact", paragraphs()[0], hours=9, url_key="exact-url"))
    keys = [dedup_key(a, CFG) for a in articles]
    assert all(not hasattr(k, "text") for k in keys)
    with beam_pipeline() as p:
        groups, _ = p | Create(keys) | ExactDedupGroups()
        result = groups | NearDedup(CFG)
        rows = result.groups | FlatMap(memberships)
        assert_that(rows, equal_to([r for r in EXPECTED if r[0] != "s1-url"]), label="groups")
