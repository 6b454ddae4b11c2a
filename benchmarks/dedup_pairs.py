"""Judged real-news pairs for near dedup, per class (akhbar issue 20).

    .venv/bin/python -m benchmarks.dedup_quality --pairs-only

``benchmarks/pairs/dedup_pairs.tsv`` holds 432 pairs, each with its class and label; how they
were found and judged is in ``benchmarks/pairs/README.md``. Texts are never stored here: a
pair names ANT articles by DOCNO (``ant:<docno>``, read from the ANT tarball in ``shared/``),
or a *derived* item built from real ANT texts by a fixed recipe:

* ``lead:<docno>``: another outlet's cut-down copy, the first sentences of the article
  (at least 40 words, at most 35% of it);
* ``append:<a>+<b>``: article a with article b's full text appended after «ومن جهة أخرى»
  (two stories in one text);
* ``blurb:<docno>``: the article followed by one programme blurb that many items carry;
* ``slot:<docno>:<country>``: the same text about another country, with other numbers (an
  official template filled for a different event).

Scoring is per pair: a pair is *merged* when both items end in the same story (one is filed
as a duplicate of the other's canonical). Positive classes (``duplicate``: syndicated, rewrite,
cutdown) count recall; negative ones (``different``: template, shared_block, related) count
false merges; ``followup`` pairs must not be merged either (and may share a cluster).
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from akhbar.schemas.records import Article, RawItem, stable_id
from akhbar.transforms.dedup.minhash import MinhashConfig
from akhbar.transforms.prepare import PrepareConfig, prepare_item
from benchmarks.syndication import OUTLETS, parse_ant_time

PAIRS_FILE = Path(__file__).resolve().parent / "pairs" / "dedup_pairs.tsv"
POSITIVE = ("syndicated", "rewrite", "cutdown")
NEGATIVE = ("template", "shared_block", "related")
CLASSES = (*POSITIVE, "followup", *NEGATIVE)
ANT_SOURCE = "jawharafm.net"
ANOTHER_DAY = "ومن جهة أخرى، "
COUNTRIES = (
    "الجزائر", "المغرب", "مصر", "ليبيا", "فرنسا", "إيطاليا", "ألمانيا", "قطر", "السعودية",
    "تركيا", "الأردن", "لبنان", "موريتانيا", "الإمارات", "الكويت", "سلطنة عمان", "البحرين",
    "العراق", "السودان", "اليمن",
)  # fmt: skip
SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Pair:
    cls: str
    label: str  # duplicate | followup | different
    a: str  # item spec (module docstring)
    b: str
    origin: str  # real | derived
    note: str


def read_pairs(path: Path = PAIRS_FILE) -> list[Pair]:
    rows = path.read_text(encoding="utf-8").splitlines()
    header = rows[0].split("\t")
    if header != ["class", "label", "a", "b", "origin", "note"]:
        raise ValueError(f"{path}: unexpected header {header}")
    out = [Pair(*line.split("\t")) for line in rows[1:] if line.strip()]
    unknown = {p.cls for p in out} - set(CLASSES)
    if unknown:
        raise ValueError(f"{path}: unknown classes {unknown}")
    return out


def _pick(seed: str, options: Sequence[str]) -> str:
    return options[
        int(hashlib.blake2b(seed.encode(), digest_size=4).hexdigest(), 16) % len(options)
    ]


def lead(text: str, min_words: int = 40) -> str:
    """The first sentences of ``text``, at least ``min_words`` words (the cut-down copy)."""
    out: list[str] = []
    words = 0
    for sentence in SENTENCE_END.split(text.strip()):
        out.append(sentence)
        words += len(sentence.split())
        if words >= min_words:
            break
    return " ".join(out)


def blurb_text(docs: Mapping[str, dict[str, str]]) -> str:
    """The programme blurb the ``blurb:`` items carry: the opening 70 words of the first ANT
    culture article (by DOCNO) whose title announces a programme (``برنامج``)."""
    for docno in sorted(docs):
        d = docs[docno]
        if (
            d.get("cat") == "culture"
            and "برنامج" in d.get("title", "")
            and len(d["text"].split()) >= 70
        ):
            return " ".join(d["text"].split()[:70])
    raise ValueError("no programme article in the corpus")


def slot_text(text: str, country: str, seed: str) -> str:
    """``text`` with ``country`` replaced by another and every number changed."""
    other = _pick(seed, [c for c in COUNTRIES if c != country])
    swapped = re.sub(rf"(?<!\w){re.escape(country)}(?!\w)", other, text)
    return _NUMBER.sub(lambda m: str(int(m.group()) + 3), swapped)


def _moment(doc: dict[str, str]) -> datetime:
    when = parse_ant_time(doc.get("time", ""))
    if when is None:
        raise ValueError(f"ANT {doc['docno']} has no usable time")
    return when


def build_item(spec: str, docs: Mapping[str, dict[str, str]], now: datetime) -> RawItem:
    """The RawItem of one item spec, always the same for the same spec."""
    kind, _, rest = spec.partition(":")
    item_id = stable_id("pairs", spec)

    def raw(source: str, title: str, body: str, when: datetime, url: str | None) -> RawItem:
        return RawItem(
            item_id=item_id,
            origin=f"pairs#{spec}",
            input_format="jsonl",
            source=source,
            fetched_at=now,
            url=url,
            title=title,
            body=body,
            published_at=when,
        )

    if kind == "ant":
        d = docs[rest]
        return raw(ANT_SOURCE, d.get("title", ""), d["text"], _moment(d), d.get("url") or None)
    if kind == "lead":
        d = docs[rest]
        outlet = _pick(spec, OUTLETS)
        body = lead(d["text"])
        return raw(outlet, d.get("title", ""), body, _moment(d) + timedelta(hours=5),
                   f"https://{outlet}/n/{item_id[:12]}")  # fmt: skip
    if kind == "append":
        first, second = (docs[x] for x in rest.split("+"))
        body = first["text"].rstrip() + "\n\n" + ANOTHER_DAY + second["text"].strip()
        when = max(_moment(first), _moment(second)) + timedelta(hours=2)
        return raw(ANT_SOURCE, first.get("title", ""), body, when, None)
    if kind == "blurb":
        d = docs[rest]
        body = d["text"].rstrip() + "\n\n" + blurb_text(docs)
        return raw(ANT_SOURCE, d.get("title", ""), body, _moment(d), None)
    if kind == "slot":
        docno, country = rest.split(":", 1)
        d = docs[docno]
        body = slot_text(d["text"], country, spec)
        title = slot_text(d.get("title", ""), country, spec)
        return raw(ANT_SOURCE, title, body, _moment(d) + timedelta(days=1), None)
    raise ValueError(f"unknown item spec {spec!r}")


def pair_items(
    pairs: Iterable[Pair], docs: Mapping[str, dict[str, str]], now: datetime
) -> dict[str, RawItem]:
    """Every item the pairs name, once (by spec)."""
    out: dict[str, RawItem] = {}
    for p in pairs:
        for spec in (p.a, p.b):
            if spec not in out:
                out[spec] = build_item(spec, docs, now)
    return out


@dataclass(slots=True)
class ClassScore:
    pairs: int = 0
    merged: int = 0
    linked: int = 0  # followups: kept, and in the same cluster (updates_id)
    examples: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return round(self.merged / self.pairs, 4) if self.pairs else 0.0


@dataclass(slots=True)
class PairReport:
    per_class: dict[str, ClassScore]
    precision: float  # merged duplicate pairs / every merged judged pair
    class_precision: dict[str, float]

    def recall(self, cls: str) -> float:
        return self.per_class[cls].share

    def false_merges(self, cls: str) -> int:
        return self.per_class[cls].merged

    def as_dict(self) -> dict[str, object]:
        return {
            "precision": self.precision,
            "classes": {
                c: {
                    "pairs": s.pairs,
                    "merged": s.merged,
                    "linked": s.linked,
                    ("recall" if c in POSITIVE else "merged_share"): s.share,
                    **({"precision": self.class_precision[c]} if c in POSITIVE else {}),
                    "examples": s.examples[:5],
                }
                for c, s in self.per_class.items()
            },
        }


def score_pairs(
    pairs: Sequence[Pair],
    ids: Mapping[str, str],
    stories: Mapping[str, str],
    clusters: Mapping[str, str] | None = None,
) -> PairReport:
    """``ids``: item spec -> article id; ``stories``: article id -> its story's canonical id;
    ``clusters``: article id -> cluster id (optional; a followup pair in one cluster but two
    stories counts as linked)."""
    per = {c: ClassScore() for c in CLASSES}
    merged_items: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for p in pairs:
        a, b = ids[p.a], ids[p.b]
        if a not in stories or b not in stories:
            raise ValueError(f"pair {p.a} {p.b}: an item has no story (lost by the run)")
        score = per[p.cls]
        score.pairs += 1
        together = stories[a] == stories[b]
        if together:
            score.merged += 1
            if (p.label == "duplicate") != together or p.label != "duplicate":
                score.examples.append(f"{p.a} {p.b}")
            merged_items[p.a].append((p.cls, p.label == "duplicate"))
            merged_items[p.b].append((p.cls, p.label == "duplicate"))
        elif p.label == "duplicate":
            score.examples.append(f"missed {p.a} {p.b}")
        if p.cls == "followup" and not together and clusters is not None:
            score.linked += clusters.get(a) is not None and clusters.get(a) == clusters.get(b)
    merged_true = sum(per[c].merged for c in POSITIVE)
    merged_all = merged_true + sum(per[c].merged for c in (*NEGATIVE, "followup"))
    precision = round(merged_true / merged_all, 4) if merged_all else 1.0
    class_precision: dict[str, float] = {}
    for c in POSITIVE:
        specs = {s for p in pairs if p.cls == c for s in (p.a, p.b)}
        wrong = sum(
            1
            for p in pairs
            if p.label != "duplicate"
            and (p.a in specs or p.b in specs)
            and stories[ids[p.a]] == stories[ids[p.b]]
        )
        good = per[c].merged
        class_precision[c] = round(good / (good + wrong), 4) if good + wrong else 1.0
    return PairReport(per, precision, class_precision)


def summary_counts(pairs: Sequence[Pair]) -> Counter[tuple[str, str]]:
    return Counter((p.cls, p.origin) for p in pairs)


@functools.cache
def ant_docs() -> dict[str, dict[str, str]]:
    """ANT by DOCNO, read once per process (callers must not change it)."""
    from akhbar.seeds.ant import read_ant_docs

    return {d["docno"]: d for d in read_ant_docs()}


def stories_and_clusters(groups: Iterable[object]) -> tuple[dict[str, str], dict[str, str]]:
    """item id -> its story's canonical id, and -> its cluster id, from final DedupGroups (a
    canonical without a cluster id gets the one the router gives it)."""
    from akhbar.transforms.dedup.exact import cluster_id_for

    stories: dict[str, str] = {}
    clusters: dict[str, str] = {}
    for g in groups:
        canonical = g.canonical  # type: ignore[attr-defined]
        cluster = canonical.cluster_id or cluster_id_for(canonical)
        stories[canonical.id] = canonical.id
        clusters[canonical.id] = cluster
        for d in g.duplicates:  # type: ignore[attr-defined]
            stories[d.id] = canonical.id
            clusters[d.id] = d.cluster_id or cluster
    return stories, clusters


@dataclass(slots=True)
class PairRun:
    report: PairReport
    articles: int
    seconds: float
    stats: dict[str, int]


def evaluate_pairs(
    config: MinhashConfig,
    now: datetime,
    corpus: bool = False,
    beam: bool = False,
    pairs: Sequence[Pair] | None = None,
) -> PairRun:
    """Near dedup (after exact dedup) over the pairs' items, and with ``corpus`` over the whole
    ANT corpus too (the real pairs then compete with 10k other articles for their stories)."""
    from benchmarks.dedup_eval import run_beam_groups, run_plain_groups

    pairs = list(pairs if pairs is not None else read_pairs())
    docs = ant_docs()
    items = pair_items(pairs, docs, now)
    if corpus:
        for docno in sorted(docs):
            spec = f"ant:{docno}"
            if spec not in items and docs[docno].get("text", "").strip():
                try:
                    items[spec] = build_item(spec, docs, now)
                except ValueError:  # no usable time: the corpus run keeps it undated
                    continue
    articles = [a for a in _prepare_quietly(items.values(), now)]
    ids = {a.origin.removeprefix("pairs#"): a.id for a in articles}
    start = time.perf_counter()
    groups, stats = (run_beam_groups if beam else run_plain_groups)(articles, config)
    seconds = time.perf_counter() - start
    stories, clusters = stories_and_clusters(groups)
    return PairRun(score_pairs(pairs, ids, stories, clusters), len(articles), seconds, stats)


def _prepare_quietly(items: Iterable[RawItem], now: datetime) -> Iterable[Article]:
    """Prepared articles; the corpus's few empty texts are skipped (pair items never are)."""
    for raw in items:
        result = prepare_item(raw, PrepareConfig(), now)
        if isinstance(result, Article):
            yield result
        elif raw.origin.startswith("pairs#") and not raw.origin.startswith("pairs#ant:"):
            raise ValueError(f"benchmark item rejected: {raw.origin}: {result.reason}")


TARGETS = {
    "syndicated": "precision >= 0.98, recall >= 0.95",
    "rewrite": "recall >= 0.90",
    "cutdown": "recall >= 0.90",
    "followup": "none filed as a duplicate",
    "template": "0 merges",
    "shared_block": "0 merges",
    "related": "0 merges",
}


def pairs_section(config: MinhashConfig, now: datetime, beam: bool) -> dict[str, object]:
    """The per-class figures: the pairs alone (plain and, with ``beam``, on FnApiRunner) and
    inside the whole ANT corpus."""
    out: dict[str, object] = {
        "counts": {f"{c}/{o}": n for (c, o), n in summary_counts(read_pairs()).items()}
    }
    runs = [("pairs", False, False), ("ant", True, False)]
    if beam:
        runs.insert(1, ("pairs_beam", False, True))
    for name, corpus, on_beam in runs:
        run = evaluate_pairs(config, now, corpus=corpus, beam=on_beam)
        out[name] = {
            "articles": run.articles,
            "seconds": round(run.seconds, 2),
            "stats": run.stats,
            **run.report.as_dict(),
        }
    return out


def render_pairs(section: Mapping[str, object]) -> list[str]:
    lines = [
        "## Judged real-news pairs, per class (issue 20)",
        "",
        "`benchmarks/pairs/dedup_pairs.tsv` (how the pairs were judged: `benchmarks/pairs/README.md`).",
        "*pairs*: the pairs' own items only; *ANT*: the same pairs inside a run over the whole ANT",
        "corpus. Positive classes give recall (and precision: merged true pairs over those plus",
        "the negative pairs merged that share an item with them); negative classes give merges.",
        "",
        "| class | target | pairs | merged (pairs) | score (pairs) | merged (ANT) | score (ANT) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    pairs = section["pairs"]
    ant = section["ant"]
    for cls in CLASSES:
        p = pairs["classes"][cls]  # type: ignore[index]
        a = ant["classes"][cls]  # type: ignore[index]

        def score(x: Mapping[str, object], cls: str = cls) -> str:
            if cls in POSITIVE:
                return f"R {x['recall']:.3f} / P {x['precision']:.3f}"
            linked = f", {x['linked']} linked" if cls == "followup" else ""
            return f"{x['merged']} merged{linked}"

        lines.append(
            f"| {cls} | {TARGETS[cls]} | {p['pairs']} | {p['merged']} | {score(p)} | {a['merged']} | {score(a)} |"
        )
    lines += [
        "",
        f"Overall pairwise precision: {pairs['precision']:.3f} (pairs), {ant['precision']:.3f} (ANT).",  # type: ignore[index]
        "",
    ]
    return lines
