"""Exact deduplication across the whole run: same canonical URL, or same normalized text.

Two keyed groupings, so the decision is global whatever the number of workers:
1. by URL key: the earliest item of a URL survives, the others are attached to it;
2. survivors by content hash: the earliest survivor is the canonical article of the cluster.
Attached items follow their survivor, so every duplicate points at the final canonical article.
``cluster_id`` derives from the canonical's id, so the same input gives the same ids every run.

The pipeline deduplicates ``DedupKey``s (``transforms.dedup.keys``: an article without its
text); the functions take Articles as well, which have the same attributes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import apache_beam as beam

from akhbar.schemas.records import Article, Duplicate, compact_pickle, stable_id
from akhbar.transforms import coders  # noqa: F401  (registers the record coders)
from akhbar.transforms.dedup.keys import DedupKey
from akhbar.transforms.dedup.prior import PriorEntry

Story = Article | DedupKey  # what dedup decides on: the pipeline passes keys, tests Articles

DUPLICATES_TAG = "duplicates"
SEEN_TAG = "already_ingested"


@compact_pickle
@dataclass(slots=True)
class Survivor:
    """The earliest item of a URL group plus the items that share its URL."""

    article: Story
    attached: list[Story] = field(default_factory=list)


def cluster_id_for(canonical: Story) -> str:
    return stable_id("cluster", canonical.id)


def url_group_key(article: Story) -> str:
    return f"u:{article.url_key}" if article.url_key else f"i:{article.id}"


def collapse_url_group(members: Iterable[Story]) -> Survivor:
    ordered = sorted(members, key=lambda m: m.order_key())
    return Survivor(ordered[0], ordered[1:])


def duplicate_row(
    article: Story, canonical_id: str, cluster_id: str, kind: str, similarity: float | None
) -> Duplicate:
    """The ``duplicates`` row of ``article``, pointing at ``canonical_id`` (every dedup stage)."""
    return Duplicate(
        id=article.id,
        source=article.source,
        guid=article.guid,
        url=article.url,
        title=article.title,
        published_at=article.published_at,
        fetched_at=article.fetched_at,
        cluster_id=cluster_id,
        duplicate_of=canonical_id,
        kind=kind,
        similarity=similarity,
        content_hash=article.content_hash,
        origin=article.origin,
        item_key=article.item_key,
        published_from=article.published_from,
    )


def as_duplicate(article: Story, canonical: Story | PriorEntry, cluster_id: str) -> Duplicate:
    """``article`` as a duplicate row of ``canonical`` (an article of this run or an earlier one)."""
    same_text = article.content_hash == canonical.content_hash
    canonical_id = canonical.canonical_id if isinstance(canonical, PriorEntry) else canonical.id
    return duplicate_row(
        article,
        canonical_id,
        cluster_id,
        "exact" if same_text else "url",
        1.0 if same_text else None,
    )


def collapse_content_group(survivors: Iterable[Survivor]) -> tuple[Story, list[Duplicate]]:
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


@compact_pickle
@dataclass(slots=True)
class DedupGroup:
    """One story so far: its canonical article and every duplicate pointing at it.

    Dedup stages (exact, then near) pass groups along, so that when a later stage merges two
    stories every earlier duplicate is re-pointed at the final canonical article.
    """

    canonical: Story
    duplicates: list[Duplicate] = field(default_factory=list)


def exact_groups_plain(articles: Iterable[Story]) -> list[DedupGroup]:
    """``ExactDedupGroups`` (one run, no prior) as a plain loop over the same pure functions:
    the reference for benchmarks and the plain-loop baseline."""
    by_url: dict[str, list[Story]] = defaultdict(list)
    for article in articles:
        by_url[url_group_key(article)].append(article)
    by_hash: dict[str, list[Survivor]] = defaultdict(list)
    for members in by_url.values():
        survivor = collapse_url_group(members)
        by_hash[survivor.article.content_hash].append(survivor)
    return [DedupGroup(*collapse_content_group(m)) for m in by_hash.values()]


def with_story_counts(group: DedupGroup) -> Article:
    """The canonical article carrying how many copies its story had and which outlets ran it
    (the plain path, whose stories hold Articles; the pipeline's hold keys: ``route.py``)."""
    canonical = group.canonical
    if not isinstance(canonical, Article):
        raise TypeError(f"{canonical.id}: story counts are set on Articles, not on keys")
    outlets = sorted({canonical.source, *(d.source for d in group.duplicates)})
    return replace(canonical, duplicate_count=len(group.duplicates), syndicated_by=outlets)


def _emit(group: DedupGroup) -> Iterator[Article | beam.pvalue.TaggedOutput]:
    yield with_story_counts(group)
    for duplicate in group.duplicates:
        yield beam.pvalue.TaggedOutput(DUPLICATES_TAG, duplicate)


class EmitGroups(beam.PTransform):
    """DedupGroups of Articles -> (articles, duplicates) for the writers (the plain path and
    tests; the pipeline emits decisions for keys instead: ``transforms.dedup.route``)."""

    def expand(self, groups):
        return groups | "Emit" >> beam.FlatMap(_emit).with_outputs(DUPLICATES_TAG, main="articles")


def earliest_prior(priors: list[PriorEntry]) -> PriorEntry:
    return min(priors, key=lambda p: (p.published_at is None, str(p.published_at), p.canonical_id))


def split_url_group(
    members: Iterable[Story | PriorEntry],
) -> Iterator[Survivor | beam.pvalue.TaggedOutput]:
    """Stage 1 with earlier runs: a URL an earlier run wrote makes every new copy a duplicate
    of that article. (The very same item an earlier run wrote never gets here: it is counted
    as already ingested before dedup, ``transforms.prepare``.)"""
    articles = [m for m in members if not isinstance(m, PriorEntry)]
    priors = [m for m in members if isinstance(m, PriorEntry)]
    if not articles:
        return
    if not priors:
        yield collapse_url_group(articles)
        return
    target = earliest_prior(priors)
    for article in articles:
        yield beam.pvalue.TaggedOutput(
            DUPLICATES_TAG, as_duplicate(article, target, target.cluster_id)
        )


def url_member(story: Story) -> tuple[str, Story]:
    """(URL group key, story) for stage 1."""
    return url_group_key(story), story


def prior_url_member(prior: PriorEntry) -> tuple[str, PriorEntry]:
    """An earlier run's article in stage 1 (it never goes on to stage 2)."""
    return f"u:{prior.url_key}", prior


def collapse_url_members(
    members: Iterable[Story | PriorEntry],
) -> Iterator[tuple[str, Story | Survivor] | beam.pvalue.TaggedOutput]:
    """Stage 1 -> (content hash, survivor) for stage 2. A story alone under its URL (nearly
    all of them) goes on as it is: stage 2 reads it as a Survivor with nothing attached."""
    members = list(members)
    if len(members) == 1 and not isinstance(members[0], PriorEntry):
        yield members[0].content_hash, members[0]
        return
    for out in split_url_group(members):
        if isinstance(out, Survivor):
            yield out.article.content_hash, out
        else:
            yield out


def as_survivor(member: Survivor | Story | PriorEntry) -> Survivor | PriorEntry:
    """A stage-2 member: a bare story is a URL group of one that stage 1 passed on as it was."""
    return member if isinstance(member, Survivor | PriorEntry) else Survivor(member)


def split_content_group(
    members: Iterable[Survivor | PriorEntry],
) -> Iterator[DedupGroup | beam.pvalue.TaggedOutput]:
    """Stage 2 with earlier runs: text an earlier run wrote turns the whole group into its
    duplicates; otherwise the earliest survivor becomes the canonical article."""
    survivors = [m for m in members if isinstance(m, Survivor)]
    priors = [m for m in members if isinstance(m, PriorEntry)]
    if not survivors:
        return
    if not priors:
        yield DedupGroup(*collapse_content_group(survivors))
        return
    target = earliest_prior(priors)
    for survivor in survivors:
        for article in (survivor.article, *survivor.attached):
            yield beam.pvalue.TaggedOutput(
                DUPLICATES_TAG, as_duplicate(article, target, target.cluster_id)
            )


class ExactDedupGroups(beam.PTransform):
    """Stories (``DedupKey``s; Articles in tests) + what earlier runs wrote -> DedupGroups and
    duplicates of earlier articles."""

    def __init__(self, prior=None) -> None:
        super().__init__()
        self.prior = prior

    def expand(self, stories):
        by_url = [stories | "KeyByUrl" >> beam.Map(url_member)]
        by_content = []
        if self.prior is not None:
            by_url.append(
                self.prior
                | "PriorWithUrl" >> beam.Filter(lambda p: p.url_key is not None)
                | "KeyPriorByUrl" >> beam.Map(prior_url_member)
            )
            by_content.append(
                self.prior
                | "PriorWithHash" >> beam.Filter(lambda p: p.content_hash is not None)
                | "KeyPriorByContent" >> beam.Map(lambda p: (p.content_hash, p))
            )
        stage1 = (
            by_url
            | "UrlMembers" >> beam.Flatten()
            | "GroupByUrl" >> beam.GroupByKey()
            | "CollapseUrlGroups"
            >> beam.FlatMapTuple(lambda _k, members: collapse_url_members(members))
            .with_output_types(tuple[str, Any])
            .with_outputs(DUPLICATES_TAG, main="survivors")
        )
        stage2 = (
            [stage1.survivors, *by_content]
            | "ContentMembers" >> beam.Flatten()
            | "GroupByContent" >> beam.GroupByKey()
            | "CollapseContentGroups"
            >> beam.FlatMapTuple(
                lambda _k, members: split_content_group([as_survivor(m) for m in members])
            )
            .with_output_types(DedupGroup)
            .with_outputs(DUPLICATES_TAG, main="groups")
        )
        prior_duplicates = (
            stage1[DUPLICATES_TAG],
            stage2[DUPLICATES_TAG],
        ) | "DuplicatesOfEarlierRuns" >> beam.Flatten()
        return stage2.groups, prior_duplicates


class ExactDedup(beam.PTransform):
    """Articles -> (unique articles with cluster_id and story counts, duplicates); one run only."""

    def expand(self, articles):
        groups, _prior_duplicates = articles | "Groups" >> ExactDedupGroups()
        return groups | "Split" >> EmitGroups()
