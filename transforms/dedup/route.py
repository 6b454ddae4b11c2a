"""Dedup's decisions meet the article bodies once, on their way to extraction and the writer.

Dedup works on ``DedupKey``s (no text), so its stories say which ids are copies, but the
bodies never left the prepare step. ``StoryDecisions`` turns the final stories into the
``duplicates`` rows (built from the keys alone) and one small decision per article that is part
of a story with copies, or is a follow-up: keep it (with its story's cluster id, count, outlets
and, for a follow-up, the article it updates) or drop it (its row is in ``duplicates``). ``RouteArticles`` reads those decisions as a side input and
applies them to the bodies: an article with no decision was nobody's copy and is kept as its
own story. The decisions hold only the articles of multi-member stories, not every article.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

import apache_beam as beam

from akhbar.schemas.records import Article, Duplicate, compact_pickle
from akhbar.transforms import coders  # noqa: F401  (registers the record coders)
from akhbar.transforms.dedup.exact import DUPLICATES_TAG, DedupGroup, cluster_id_for

DECISIONS_TAG = "decisions"


@compact_pickle
@dataclass(frozen=True, slots=True)
class StoryDecision:
    """What the body of an article of a multi-member story becomes."""

    keep: bool  # the story's canonical; False: a copy, written to duplicates from its key
    cluster_id: str | None = None
    duplicate_count: int = 0
    syndicated_by: tuple[str, ...] = ()
    updates_id: str | None = None  # a follow-up: the earlier article it updates


DROP = StoryDecision(keep=False)


def story_decisions(group: DedupGroup) -> Iterator[beam.pvalue.TaggedOutput]:
    """A final story -> its duplicate rows and (id, decision) for each of its articles; a
    story without copies needs no decision (``routed`` keeps such an article as it is), unless
    it is a follow-up (issue 20): it then carries the cluster it joins and ``updates_id``."""
    canonical = group.canonical
    updates = getattr(canonical, "updates_id", None)
    if not group.duplicates and updates is None:
        return
    outlets = tuple(sorted({canonical.source, *(d.source for d in group.duplicates)}))
    cluster = canonical.cluster_id or cluster_id_for(canonical)
    keep = StoryDecision(True, cluster, len(group.duplicates), outlets, updates)
    yield beam.pvalue.TaggedOutput(DECISIONS_TAG, (canonical.id, keep))
    for duplicate in group.duplicates:
        yield beam.pvalue.TaggedOutput(DUPLICATES_TAG, duplicate)
        yield beam.pvalue.TaggedOutput(DECISIONS_TAG, (duplicate.id, DROP))


def drop_copy(duplicate: Duplicate) -> tuple[str, StoryDecision]:
    """A copy of an article an earlier run wrote: its body is not written again."""
    return duplicate.id, DROP


def routed(article: Article, decisions: Mapping[str, StoryDecision]) -> Iterator[Article]:
    """The article with its story's figures, or nothing when it is a copy."""
    decision = decisions.get(article.id)
    if decision is None:  # nobody's copy: its own story
        yield replace(
            article,
            cluster_id=article.cluster_id or cluster_id_for(article),
            duplicate_count=0,
            syndicated_by=[article.source],
        )
    elif decision.keep:
        yield replace(
            article,
            cluster_id=decision.cluster_id,
            duplicate_count=decision.duplicate_count,
            syndicated_by=list(decision.syndicated_by),
            updates_id=decision.updates_id,
        )


class StoryDecisions(beam.PTransform):
    """Final DedupGroups of keys (+ the duplicates of earlier runs' articles) ->
    (duplicates rows, decisions by article id)."""

    def __init__(self, prior_duplicates: beam.PCollection | None = None) -> None:
        super().__init__()
        self.prior_duplicates = prior_duplicates

    def expand(self, groups):
        out = groups | "Decide" >> beam.FlatMap(story_decisions).with_outputs(
            DUPLICATES_TAG, DECISIONS_TAG
        )
        decisions = [out[DECISIONS_TAG]]
        duplicates = [out[DUPLICATES_TAG]]
        if self.prior_duplicates is not None:
            decisions.append(self.prior_duplicates | "DropCopiesOfEarlier" >> beam.Map(drop_copy))
            duplicates.append(self.prior_duplicates)
        return (
            duplicates | "AllDuplicates" >> beam.Flatten(),
            decisions | "AllDecisions" >> beam.Flatten(),
        )


class RouteArticles(beam.PTransform):
    """Article bodies + decisions (a side input) -> the articles to write."""

    def __init__(self, decisions: beam.PCollection) -> None:
        super().__init__()
        self.decisions = decisions

    def expand(self, articles):
        return articles | "ApplyDecisions" >> beam.FlatMap(
            routed, beam.pvalue.AsDict(self.decisions)
        ).with_output_types(Article)
