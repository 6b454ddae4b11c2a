"""NearDedup's partitioned band shuffle gives exactly the plain algorithm's answer.

Real ANT articles, near copies of some (cut, re-spelled, perturbed), and a tiny band cap so
that oversized bands (sampled pairing) occur: the Beam transform with 1, 3 or 8 band partitions
must produce the same groups, the same counters and the same index entries as
``near_dedup_plain``, however a pair's band keys are spread over the partitions.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from functools import cache

import pytest
from apache_beam import Create, FlatMap, Map
from apache_beam.testing.util import assert_that, equal_to

from akhbar.seeds.ant import read_ant_docs
from akhbar.transforms.dedup.candidates import doc_band_blob
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH, KEY_BYTES, band_keys
from akhbar.transforms.dedup.near import (
    NearDedup,
    band_partition,
    partition_comparisons,
    partition_members,
    union_partitions,
)
from akhbar.transforms.dedup.near_cluster import near_dedup_plain, near_doc
from akhbar.transforms.dedup.near_index import index_entry
from benchmarks.corpus import perturb
from tests.dedup.stories import cut, respelled, story
from tests.dedup.test_near_cluster import group_of
from tests.helpers import beam_pipeline

# A small cap: bands shared by more than 4 documents are sampled (and counted).
CFG = replace(DEFAULT_MINHASH, max_band_size=4, oversized_band_sample=2)


@cache
def articles() -> tuple:
    docs = list(itertools.islice((d for d in read_ant_docs() if len(d.get("text", "")) > 400), 120))
    rng = random.Random(7)
    out = []
    for i, doc in enumerate(docs):
        text = doc["text"]
        out.append(story(f"a{i:03d}", text, hours=i % 48, source="jawharafm.net"))
        if i % 4 == 0:
            out.append(story(f"a{i:03d}-cut", cut(text, 0.8), hours=i % 48 + 1, source="b.tn"))
        if i % 6 == 0:
            out.append(story(f"a{i:03d}-re", respelled(text), hours=i % 48 + 2, source="c.tn"))
        if i % 5 == 0:
            out.append(story(f"a{i:03d}-p", perturb(text, rng), hours=i % 48 + 3, source="d.tn"))
    # one story carried by many outlets: its band keys are oversized under the small cap
    for j in range(8):
        out.append(story(f"z{j}", perturb(docs[1]["text"], rng), hours=50 + j, source=f"o{j}.tn"))
    return tuple(out)


def rows(group):
    yield (group.canonical.id, group.canonical.id, group.canonical.cluster_id, "canonical", 1.0)
    for d in group.duplicates:
        yield (d.id, d.duplicate_of, d.cluster_id, d.kind, round(d.similarity or 0.0, 6))


def stats_tuple(s):
    return (
        s.comparisons,
        s.matches,
        s.oversized_bands,
        s.oversized_members,
        s.components,
        s.merged_groups,
        s.unchained,
    )


def test_partitions_split_band_keys_by_hash() -> None:
    doc = near_doc(articles()[0], CFG)
    members = list(partition_members(doc, CFG, 3))
    # each partition's keys travel as one bytes of KEY_BYTES per key
    keys = [ks[i : i + KEY_BYTES] for _, (_, ks) in members for i in range(0, len(ks), KEY_BYTES)]
    # the signature's keys and (issue 20) the lead signature's
    expected = band_keys(doc.signature, CFG) + band_keys(doc.lead, CFG)
    assert sorted(keys) == sorted(expected) and len(keys) == 2 * CFG.bands
    assert all(
        band_partition(ks[i : i + KEY_BYTES], 3) == p
        for p, (_, ks) in members
        for i in range(0, len(ks), KEY_BYTES)
    )
    assert len(members) == len({p for p, _ in members}) == 3  # 32 keys fill 3 partitions
    [(only, (_, blob))] = list(partition_members(doc, CFG, 1))
    assert only == 0 and blob == doc_band_blob(doc, CFG)
    assert partition_members(replace(doc, signature=b""), CFG, 3) == []


def test_one_partition_verifies_the_plain_pairs_and_union_counts_them_once() -> None:
    docs = [near_doc(a, CFG) for a in articles()]
    values = [value for d in docs for _, value in partition_members(d, CFG, 1)]
    part = partition_comparisons(values, CFG)
    plain = near_dedup_plain([group_of(a) for a in articles()], CFG)
    assert len(part.compared) == plain.stats.comparisons > 50
    assert len(part.passed) == plain.stats.matches
    # a pair verified by several partitions is counted once, and the components are the same
    once_targets, once = union_partitions([part])
    twice_targets, twice = union_partitions([part, part])
    assert once_targets == twice_targets
    assert (once.comparisons, once.matches, once.components) == (
        plain.stats.comparisons,
        plain.stats.matches,
        plain.stats.components,
    )
    assert (twice.comparisons, twice.matches) == (once.comparisons, once.matches)
    # this run's documents travel as ids after verification
    assert part.fresh and not part.priors


@pytest.mark.parametrize(("partitions", "keys"), [(1, False), (3, False), (8, True), (3, True)])
def test_beam_equals_plain_for_any_partition_count(partitions: int, keys: bool) -> None:
    """Also on DedupKeys (signed in advance, no text), as the pipeline runs it."""
    from akhbar.transforms.dedup.exact import DedupGroup
    from akhbar.transforms.dedup.keys import dedup_key

    items = list(articles())
    random.Random(partitions).shuffle(items)
    groups = [group_of(a) for a in items]
    plain = near_dedup_plain(groups, CFG)
    expected = sorted(r for g in plain.groups for r in rows(g))
    assert plain.stats.oversized_bands > 0 and plain.stats.merged_groups > 10
    expected_entries = sorted(
        (e.id, e.cluster_id, e.signature, e.shingles)
        for e in (index_entry(g, CFG) for g in plain.groups)
    )
    if keys:
        groups = [DedupGroup(dedup_key(g.canonical, CFG), g.duplicates) for g in groups]
    with beam_pipeline() as p:
        result = p | Create(groups) | NearDedup(CFG, band_partitions=partitions)
        assert_that(result.groups | FlatMap(rows), equal_to(expected), label="groups")
        assert_that(
            result.stats | Map(stats_tuple), equal_to([stats_tuple(plain.stats)]), label="stats"
        )
        entries = result.entries | Map(lambda e: (e.id, e.cluster_id, e.signature, e.shingles))
        assert_that(entries, equal_to(expected_entries), label="entries")


def test_band_partitions_must_be_positive() -> None:
    with pytest.raises(ValueError):
        NearDedup(CFG, band_partitions=0)


def test_a_story_with_no_near_copy_goes_on_alone_and_a_copy_to_its_component() -> None:
    from akhbar.transforms.dedup.near import route
    from akhbar.transforms.dedup.near_cluster import NearDedupStats, Target

    group = group_of(
        story("one", "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في القاهرة")
    )
    [alone] = list(route(group, ({}, NearDedupStats())))
    assert alone.tag == "alone" and alone.value is group
    target = Target("component-1")
    [(component, (member, its_target))] = list(route(group, ({"one": target}, NearDedupStats())))
    assert (component, member, its_target) == ("component-1", group, target)
