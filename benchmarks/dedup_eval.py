"""Run near dedup on a labelled syndication set and score it pairwise (shared by the quality
benchmark and the gate test, so the gate measures exactly what the report states).

Scoring is pairwise over items: a predicted pair is two items that end in the same story
(same canonical article), a true pair is two items made from the same ANT article. Per
perturbation, only pairs with at least one copy of that perturbation count. A *hard-negative
merge* is a predicted pair of two different stories from the same category and week.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from akhbar.schemas.records import Article
from akhbar.transforms.dedup.exact import (
    DedupGroup,
    ExactDedupGroups,
    cluster_id_for,
    exact_groups_plain,
)
from akhbar.transforms.dedup.minhash import MinhashConfig
from akhbar.transforms.dedup.near import NearDedup
from akhbar.transforms.dedup.near_cluster import NearDedupStats, near_dedup_plain
from akhbar.transforms.normalize import NormalizeConfig
from akhbar.transforms.prepare import PrepareConfig, prepare_item
from benchmarks.syndication import PERTURBATIONS, LabelledItem

NOW = datetime(2026, 11, 29, tzinfo=UTC)
NORMALIZATION_OFF = NormalizeConfig(
    unicode_nfkc=False,
    dediacritize=False,
    remove_tatweel=False,
    alef=False,
    alef_maksura=False,
    teh_marbuta=False,
    digits=False,
)


def prepare(items: Sequence[LabelledItem], normalize: bool = True) -> list[Article]:
    """Items through the real clean/normalize step; any reject is a broken benchmark."""
    config = PrepareConfig() if normalize else PrepareConfig(normalize=NORMALIZATION_OFF)
    out = []
    for item in items:
        result = prepare_item(item.raw, config, NOW)
        if not isinstance(result, Article):
            raise ValueError(f"benchmark item rejected: {item.raw.origin}: {result.reason}")
        out.append(result)
    return out


def assignments(groups: Iterable[DedupGroup]) -> dict[str, str]:
    """item id -> id of the canonical article of its story."""
    out: dict[str, str] = {}
    for g in groups:
        out[g.canonical.id] = g.canonical.id
        for d in g.duplicates:
            out[d.id] = g.canonical.id
    return out


@dataclass(slots=True)
class Run:
    name: str
    clusters: dict[str, str]
    seconds: float
    stats: NearDedupStats | None = None
    kinds: dict[str, int] = field(default_factory=dict)


def run_plain(articles: Sequence[Article], config: MinhashConfig, name: str = "plain") -> Run:
    start = time.perf_counter()
    result = near_dedup_plain(exact_groups_plain(articles), config)
    seconds = time.perf_counter() - start
    kinds: dict[str, int] = defaultdict(int)
    for g in result.groups:
        for d in g.duplicates:
            kinds[d.kind] += 1
    return Run(name, assignments(result.groups), seconds, result.stats, dict(kinds))


class _DumpFn(beam.DoFn):
    def __init__(self, path: str) -> None:
        self.path = path

    def process(self, element: tuple[None, Iterable[object]]) -> Iterator[int]:
        with open(self.path, "w", encoding="utf-8") as handle:
            json.dump([list(x) if isinstance(x, tuple) else x for x in element[1]], handle)
        yield 1


def _membership(group: DedupGroup) -> Iterator[tuple[str, str, str, str]]:
    cluster = group.canonical.cluster_id or cluster_id_for(group.canonical)
    yield (group.canonical.id, group.canonical.id, "canonical", cluster)
    for d in group.duplicates:
        yield (d.id, group.canonical.id, d.kind, d.cluster_id or cluster)


def _stats_row(stats: NearDedupStats) -> tuple[str, str, str, str]:
    return ("", json.dumps(asdict(stats)), "stats", "")


def run_beam(articles: Sequence[Article], config: MinhashConfig, name: str = "beam") -> Run:
    """ExactDedupGroups | NearDedup on FnApiRunner; the time includes pipeline start-up."""
    run, _ = _beam_rows(articles, config, name)
    return run


@dataclass(slots=True)
class Member:
    """What scoring needs of a story member: its id and cluster."""

    id: str
    cluster_id: str


@dataclass(slots=True)
class Story:
    canonical: Member
    duplicates: list[Member]


def run_plain_groups(
    articles: Sequence[Article], config: MinhashConfig
) -> tuple[list[DedupGroup], dict[str, int]]:
    """The final stories of exact + near dedup, plain functions, and near dedup's counters."""
    result = near_dedup_plain(exact_groups_plain(articles), config)
    return result.groups, asdict(result.stats)


def run_beam_groups(
    articles: Sequence[Article], config: MinhashConfig
) -> tuple[list[Story], dict[str, int]]:
    """``run_plain_groups`` through the Beam transforms on FnApiRunner."""
    run, rows = _beam_rows(articles, config, "beam")
    stories: dict[str, Story] = {}
    for item, _, kind, cluster in rows:
        if kind == "canonical":
            stories.setdefault(item, Story(Member(item, cluster), []))
            stories[item].canonical = Member(item, cluster)
    for item, canonical, kind, cluster in rows:
        if kind not in ("canonical", "stats"):
            stories[canonical].duplicates.append(Member(item, cluster))
    return list(stories.values()), asdict(run.stats) if run.stats else {}


def _beam_rows(
    articles: Sequence[Article], config: MinhashConfig, name: str
) -> tuple[Run, list[list[str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "clusters.json")
        start = time.perf_counter()
        with beam.Pipeline(options=PipelineOptions(["--runner=FnApiRunner"])) as p:
            groups, _ = p | "Articles" >> beam.Create(list(articles)) | ExactDedupGroups()
            result = groups | NearDedup(config)
            rows = (
                result.groups | "Members" >> beam.FlatMap(_membership),
                result.stats | "Stats" >> beam.Map(_stats_row),
            ) | beam.Flatten()
            _ = (
                rows
                | beam.Map(lambda r: (None, r))
                | "Gather" >> beam.GroupByKey()
                | beam.ParDo(_DumpFn(path))
            )
        seconds = time.perf_counter() - start
        with open(path, encoding="utf-8") as handle:
            dumped = json.load(handle)
    clusters: dict[str, str] = {}
    kinds: dict[str, int] = defaultdict(int)
    stats = None
    for item, canonical, kind, _ in dumped:
        if kind == "stats":
            stats = NearDedupStats(**json.loads(canonical))
            continue
        clusters[item] = canonical
        if kind != "canonical":
            kinds[kind] += 1
    return Run(name, clusters, seconds, stats, dict(kinds)), dumped


@dataclass(slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int


def score(predicted: set[tuple[str, str]], true: set[tuple[str, str]]) -> Score:
    correct = len(predicted & true)
    p = correct / len(predicted) if predicted else 1.0
    r = correct / len(true) if true else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(round(p, 4), round(r, 4), round(f1, 4), len(predicted), len(true), correct)


def _pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for item, label in labels.items():
        members[label].append(item)
    out: set[tuple[str, str]] = set()
    for ids in members.values():
        out.update(itertools.combinations(sorted(ids), 2))
    return out


@dataclass(slots=True)
class Evaluation:
    overall: Score
    per_perturbation: dict[str, Score]
    copy_recall: dict[str, float]  # share of copies put in their original's story
    hard_negative_pairs: int
    hard_negatives_merged: int
    merged_examples: list[tuple[str, str]]


def evaluate(items: Sequence[LabelledItem], clusters: dict[str, str]) -> Evaluation:
    by_id = {it.raw.item_id: it for it in items}
    missing = [i for i in by_id if i not in clusters]
    if missing:
        raise ValueError(f"{len(missing)} items have no cluster (lost by the pipeline)")
    predicted = _pairs({i: clusters[i] for i in by_id})
    true = _pairs({i: it.story for i, it in by_id.items()})
    per = {}
    for p in PERTURBATIONS:

        def involves(pair: tuple[str, str], p: str = p) -> bool:
            return by_id[pair[0]].perturbation == p or by_id[pair[1]].perturbation == p

        per[p] = score({x for x in predicted if involves(x)}, {x for x in true if involves(x)})
    original = {it.story: it.raw.item_id for it in items if it.perturbation == "original"}
    copy_recall = {}
    for p in PERTURBATIONS:
        copies = [it for it in items if it.perturbation == p]
        if copies:
            hits = sum(clusters[c.raw.item_id] == clusters[original[c.story]] for c in copies)
            copy_recall[p] = round(hits / len(copies), 4)
    stories_by_group: dict[str, set[str]] = defaultdict(set)
    for it in items:
        stories_by_group[it.group].add(it.story)
    items_per_story: dict[str, int] = defaultdict(int)
    for it in items:
        items_per_story[it.story] += 1
    hard_pairs = sum(
        items_per_story[a] * items_per_story[b]
        for stories in stories_by_group.values()
        for a, b in itertools.combinations(sorted(stories), 2)
    )
    merged = [
        (a, b)
        for a, b in predicted - true
        if by_id[a].group == by_id[b].group and by_id[a].story != by_id[b].story
    ]
    examples = sorted({(by_id[a].story, by_id[b].story) for a, b in merged})[:10]
    return Evaluation(score(predicted, true), per, copy_recall, hard_pairs, len(merged), examples)
