"""Exact deduplication across the whole run: same canonical URL, or same normalized text.

Two keyed groupings, so the decision is global whatever the number of workers:
1. by URL key: the earliest item of a URL survives, the others are attached to it;
2. survivors by content hash: the earliest survivor is the canonical article of the cluster.
Attached items follow their survivor, so every duplicate points at the final canonical article.
``cluster_id`` derives from the canonical's id, so the same input gives the same ids every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import apache_beam as beam

from schemas.records import Article, Duplicate, stable_id

DUPLICATES_TAG = "duplicates"


@dataclass(slots=True)
class Survivor:
    """The earliest item of a URL group plus the items that share its URL."""

    article: Article
    attached: list[Article] = field(default_factory=list)


def cluster_id_for(canonical: Article) -> str:
    return stable_id("cluster", canonical.id)


def url_group_key(article: Article) -> str:
    return f"u:{article.url_key}" if article.url_key else f"i:{article.id}"


def collapse_url_group(members: Iterable[Article]) -> Survivor:
    ordered = sorted(members, key=Article.order_key)
    return Survivor(ordered[0], ordered[1:])


def as_duplicate(article: Article, canonical: Article, cluster_id: str) -> Duplicate:
    same_text = article.content_hash == canonical.content_hash
    return Duplicate(
        id=article.id,
        source=article.source,
        guid=article.guid,
        url=article.url,
        title=article.title,
        published_at=article.published_at,
        fetched_at=article.fetched_at,
        cluster_id=cluster_id,
        duplicate_of=canonical.id,
        kind="exact" if same_text else "url",
        similarity=1.0 if same_text else None,
        content_hash=article.content_hash,
        origin=article.origin,
    )


def collapse_content_group(survivors: Iterable[Survivor]) -> tuple[Article, list[Duplicate]]:
    """The canonical article of one content hash and every duplicate that points at it."""
    ordered = sorted(survivors, key=lambda s: s.article.order_key())
    cluster = cluster_id_for(ordered[0].article)
    # A copy, not a mutation: Beam forbids changing elements a step received.
    canonical = replace(ordered[0].article, cluster_id=cluster)
    duplicates = [as_duplicate(a, canonical, cluster) for a in ordered[0].attached]
    for other in ordered[1:]:
        duplicates.append(as_duplicate(other.article, canonical, cluster))
        duplicates.extend(as_duplicate(a, canonical, cluster) for a in other.attached)
    return canonical, duplicates


@dataclass(slots=True)
class DedupGroup:
    """One story so far: its canonical article and every duplicate pointing at it.

    Dedup stages (exact, then near) pass groups along, so that when a later stage merges two
    stories every earlier duplicate is re-pointed at the final canonical article.
    """

    canonical: Article
    duplicates: list[Duplicate] = field(default_factory=list)


def with_story_counts(group: DedupGroup) -> Article:
    """The canonical article carrying how many copies its story had and which outlets ran it."""
    outlets = sorted({group.canonical.source, *(d.source for d in group.duplicates)})
    return replace(
        group.canonical, duplicate_count=len(group.duplicates), syndicated_by=outlets
    )


def _emit(group: DedupGroup) -> Iterator[Article | beam.pvalue.TaggedOutput]:
    yield with_story_counts(group)
    for duplicate in group.duplicates:
        yield beam.pvalue.TaggedOutput(DUPLICATES_TAG, duplicate)


class EmitGroups(beam.PTransform):
    """DedupGroups -> (articles, duplicates) for the writers."""

    def expand(self, groups):
        return groups | "Emit" >> beam.FlatMap(_emit).with_outputs(DUPLICATES_TAG, main="articles")


class ExactDedupGroups(beam.PTransform):
    """Articles -> one DedupGroup per exact-duplicate cluster (singletons included)."""

    def expand(self, articles):
        survivors = (
            articles
            | "KeyByUrl" >> beam.Map(lambda a: (url_group_key(a), a))
            | "GroupByUrl" >> beam.GroupByKey()
            | "CollapseUrlGroups"
            >> beam.MapTuple(lambda _key, members: collapse_url_group(members))
        )
        return (
            survivors
            | "KeyByContent" >> beam.Map(lambda s: (s.article.content_hash, s))
            | "GroupByContent" >> beam.GroupByKey()
            | "CollapseContentGroups"
            >> beam.MapTuple(lambda _key, group: DedupGroup(*collapse_content_group(group)))
        )


class ExactDedup(beam.PTransform):
    """Articles -> (unique articles with cluster_id and story counts, duplicates)."""

    def expand(self, articles):
        return articles | "Groups" >> ExactDedupGroups() | "Split" >> EmitGroups()
