"""Exact deduplication for streaming: keyed state instead of a global GroupByKey.

A stream never ends, so the batch rule (group everything, pick the earliest) cannot apply. Here
the first item seen for a canonical URL, then for a content hash, is the canonical article, and
later copies point at it. State lives in the global window and is never cleared by timers:
the local streaming runner fires event-time timers on every tick
(docs/design-notes.md#local-streaming-runner), which would
silently forget what was seen. Memory is bounded instead by pruning entries older than the
horizon whenever a key is touched. Earlier runs' output (``PriorEntry``) seeds the same state.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from akhbar.schemas.records import Article
from akhbar.transforms.dedup.exact import DUPLICATES_TAG, SEEN_TAG, as_duplicate, cluster_id_for
from akhbar.transforms.dedup.prior import PriorEntry


@dataclass(frozen=True, slots=True)
class Seen:
    """What a key remembers: the canonical it belongs to and the item identities already met."""

    canonical: PriorEntry
    identities: frozenset[tuple[str, str | None]]
    at: float


def as_prior(article: Article) -> PriorEntry:
    return PriorEntry(
        canonical_id=article.id,
        cluster_id=article.cluster_id or cluster_id_for(article),
        source=article.source,
        guid=article.guid,
        url_key=article.url_key,
        content_hash=article.content_hash,
        published_at=article.published_at,
    )


def decide(
    seen: Seen | None, element: Article | PriorEntry, skip_seen: bool, now: float, horizon: float
) -> tuple[Seen | None, Any]:
    """(new state, what to emit) for one element of one key. Pure, so it is unit-tested alone."""
    if seen is not None and now - seen.at > horizon:
        seen = None
    if isinstance(element, PriorEntry):
        if seen is None:
            return Seen(element, frozenset({element.item_identity()}), now), None
        return replace(seen, identities=seen.identities | {element.item_identity()}), None
    identity = (element.source, element.guid or element.url_key)
    if seen is None:
        return Seen(as_prior(element), frozenset({identity}), now), element
    if skip_seen and identity in seen.identities:
        return seen, beam.pvalue.TaggedOutput(SEEN_TAG, element.id)
    duplicate = as_duplicate(element, seen.canonical, seen.canonical.cluster_id)
    return replace(seen, identities=seen.identities | {identity}), beam.pvalue.TaggedOutput(
        DUPLICATES_TAG, duplicate
    )


class _KeyedDedupFn(beam.DoFn):
    SEEN = ReadModifyWriteStateSpec("seen", PickleCoder())

    def __init__(self, skip_seen: bool, horizon_seconds: float) -> None:
        self.skip_seen = skip_seen
        self.horizon = horizon_seconds

    def process(
        self,
        element: tuple[str, Article | PriorEntry],
        seen=beam.DoFn.StateParam(SEEN),  # noqa: B008
    ) -> Iterator[Any]:
        state, out = decide(seen.read(), element[1], self.skip_seen, time.time(), self.horizon)
        if state is not None:
            seen.write(state)
        if out is not None:
            yield out


def _url_key(item: Article | PriorEntry) -> str | None:
    if isinstance(item, PriorEntry):
        return f"u:{item.url_key}" if item.url_key else None
    return f"u:{item.url_key}" if item.url_key else f"i:{item.id}"


class StreamingExactDedup(beam.PTransform):
    """Articles (+ prior entries) -> (articles with cluster_id, duplicates, already-seen ids)."""

    def __init__(self, prior=None, skip_seen: bool = True, horizon_days: float = 7.0) -> None:
        super().__init__()
        self.prior = prior
        self.skip_seen = skip_seen
        self.horizon = horizon_days * 86400.0

    def expand(self, articles):
        members = [articles] if self.prior is None else [articles, self.prior]
        by_url = (
            members
            | "UrlMembers" >> beam.Flatten()
            | "KeyByUrl" >> beam.FlatMap(lambda x: [(k, x)] if (k := _url_key(x)) else [])
            | "DedupByUrl"
            >> beam.ParDo(_KeyedDedupFn(self.skip_seen, self.horizon)).with_outputs(
                DUPLICATES_TAG, SEEN_TAG, main="articles"
            )
        )
        content_members = [by_url.articles]
        if self.prior is not None:
            content_members.append(
                self.prior | "PriorWithHash" >> beam.Filter(lambda p: p.content_hash)
            )
        by_content = (
            content_members
            | "ContentMembers" >> beam.Flatten()
            | "KeyByContent" >> beam.Map(lambda x: (x.content_hash, x))
            | "DedupByContent"
            >> beam.ParDo(_KeyedDedupFn(False, self.horizon)).with_outputs(
                DUPLICATES_TAG, SEEN_TAG, main="articles"
            )
        )
        articles_out = by_content.articles | "SetCluster" >> beam.Map(
            lambda a: replace(a, cluster_id=cluster_id_for(a), syndicated_by=[a.source])
        )
        duplicates = (
            by_url[DUPLICATES_TAG],
            by_content[DUPLICATES_TAG],
        ) | "AllDuplicates" >> beam.Flatten()
        return articles_out, duplicates, by_url[SEEN_TAG]
