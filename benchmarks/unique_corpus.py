"""Unique-article corpora for issue 19's benchmarks: ANT sentences recombined, no near pairs.

    python -m benchmarks.unique_corpus --sizes 10 100 1000 [--layouts backfill live]
        [--seed 19] [--out benchmarks/data] [--verify 10000]

Why: the old 5x/10x corpora repeat ANT with 3% of words perturbed, so four in five articles
are near duplicates, which skip extraction and flatter every figure. Here every article is a
new combination of real sentences, so each one pays for every stage.

How the bodies are made (``plan``), with a fixed seed:

- the *pool*: every distinct ANT sentence of 6 to 120 words that occurs in exactly one ANT
  article (a sentence found in two articles is boilerplate or a copy);
- each article draws its number of sentences from ANT's own distribution (clipped to 4-12)
  and then that many distinct pool sentences, in random order;
- **no sentence holds more than 35% of an article's words**, and **no two articles share two
  sentences** (every pair of sentences in the corpus belongs to one article at most; colliding
  articles are drawn again);
- the title, category and date come from an ANT article drawn independently of the sentences,
  so two articles that open with the same sentence do not also share a title and a day.

So two articles overlap in one sentence at most, at most 35% of either: each keeps at least
65% of its own text, their word-shingle Jaccard stays near 0.2, under the 0.4 at which akhbar's
near dedup starts verifying a pair, and the shorter is never mostly contained in the longer
(a cut-down copy), at any corpus size. A first version allowed half an article: akhbar's
second-stage verifier (issue 20) then merged two 10k articles that shared a 48-word lead and
their title. ``near_pairs`` checks a sample with akhbar's own functions (in the manifest).

Two date layouts share the same bodies (the plan depends on size and seed only):

- ``backfill``: ANT's outlet and ANT's own ``published`` strings (of the article the title
  comes from): about 1,250 publication days over 2014-2017, in ANT's three formats;
- ``live``: 30 outlets, publication times spread uniformly over the 7 days before the corpus
  was written (its *anchor*, in the manifest). ``ensure`` writes a live corpus again when its
  anchor is not today's date, so "the last 7 days" stays true for the run that uses it.

Files are streamed to ``<out>/unique-<layout>-<size>.jsonl`` (the 1M files are about 1.5 GB
each, written once and reused) with ``<name>.manifest.json`` beside them.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.corpus import ant_records

SEED = 19
VERSION = 2  # of the recipe: a corpus written by another version is written again
MIN_WORDS, MAX_WORDS = 6, 120
MIN_SENTENCES, MAX_SENTENCES = 4, 12
MAX_SHARE = 0.35  # of an article's words, for any one sentence
MAX_ROUNDS = 200
LAYOUTS = ("backfill", "live")
LIVE_DAYS = 7
ANT_SOURCE = "jawharafm.net"
LIVE_OUTLETS = (
    "youm7.com", "masrawy.com", "almasryalyoum.com", "shorouknews.com", "ahram.org.eg",
    "alarabiya.net", "aljazeera.net", "skynewsarabia.com", "bbc.com", "france24.com",
    "hespress.com", "le360.ma", "alyaoum24.com", "echoroukonline.com", "elkhabar.com",
    "jawharafm.net", "mosaiquefm.net", "assabah.com.tn", "alwasat.ly", "alkhaleej.ae",
    "albayan.ae", "alriyadh.com", "okaz.com.sa", "sabq.org", "alqabas.com",
    "alrai.com", "annahar.com", "aawsat.com", "alquds.co.uk", "almadapaper.net",
)  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\s*\n+\s*")


@dataclass(frozen=True)
class Pool:
    """Distinct single-article ANT sentences, their word counts and where each came from."""

    sentences: list[str]
    words: np.ndarray  # int32, words per sentence
    origin: np.ndarray  # int32, index of the ANT record each sentence came from
    counts: np.ndarray  # int32, sentences per ANT article (clipped): the length distribution


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of ``text``, whitespace collapsed."""
    return [" ".join(s.split()) for s in _SENTENCE_END.split(text) if s.strip()]


def sentence_pool(records: Sequence[dict[str, str]]) -> Pool:
    """The pool the bodies are drawn from (see the module docstring)."""
    first_seen: dict[str, int] = {}
    articles_with: dict[str, set[int]] = {}
    counts: list[int] = []
    for index, record in enumerate(records):
        kept = 0
        for sentence in split_sentences(record.get("text") or ""):
            if not MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
                continue
            kept += 1
            first_seen.setdefault(sentence, index)
            articles_with.setdefault(sentence, set()).add(index)
        counts.append(min(max(kept, MIN_SENTENCES), MAX_SENTENCES))
    sentences = [s for s, seen in articles_with.items() if len(seen) == 1]
    return Pool(
        sentences=sentences,
        words=np.array([len(s.split()) for s in sentences], dtype=np.int32),
        origin=np.array([first_seen[s] for s in sentences], dtype=np.int32),
        counts=np.array(counts, dtype=np.int32),
    )


def _bad_rows(ids: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Rows (of a -1 padded id matrix) that repeat a sentence or give one more than MAX_SHARE."""
    valid = ids >= 0
    ordered = np.sort(np.where(valid, ids, -1 - np.arange(ids.shape[1])), axis=1)
    repeats = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
    w = np.where(valid, words[np.maximum(ids, 0)], 0)
    too_big = w.max(axis=1) > MAX_SHARE * w.sum(axis=1)
    return repeats | too_big


def _pair_collisions(ids: np.ndarray, pool_size: int) -> np.ndarray:
    """Rows that hold a pair of sentences an earlier row (in pair order) already holds."""
    keys, rows = [], []
    for a in range(ids.shape[1]):
        for b in range(a + 1, ids.shape[1]):
            have = np.flatnonzero(ids[:, b] >= 0)  # filled left to right: b set implies a set
            if not have.size:
                continue
            lo = np.minimum(ids[have, a], ids[have, b]).astype(np.int64)
            hi = np.maximum(ids[have, a], ids[have, b]).astype(np.int64)
            keys.append(lo * pool_size + hi)
            rows.append(have)
    if not keys:
        return np.zeros(0, dtype=np.int64)
    key, row = np.concatenate(keys), np.concatenate(rows)
    order = np.argsort(key, kind="stable")
    key, row = key[order], row[order]
    return np.unique(row[1:][key[1:] == key[:-1]])


def plan(pool: Pool, n: int, seed: int = SEED) -> np.ndarray:
    """An (n, MAX_SENTENCES) matrix of pool indices, -1 padded: the bodies, deterministic."""
    rng = np.random.default_rng(seed)
    size = len(pool.sentences)
    k = rng.choice(pool.counts, size=n)
    ids = np.full((n, MAX_SENTENCES), -1, dtype=np.int32)
    todo = np.arange(n)
    for _ in range(MAX_ROUNDS):
        while todo.size:  # draw the rows again until each is valid on its own
            draw = rng.integers(0, size, size=(todo.size, MAX_SENTENCES), dtype=np.int32)
            draw[np.arange(MAX_SENTENCES)[None, :] >= k[todo, None]] = -1
            ids[todo] = draw
            todo = todo[_bad_rows(draw, pool.words)]
        todo = _pair_collisions(ids, size)
        if not todo.size:
            return ids
    raise ValueError(f"no plan of {n} articles without shared sentence pairs from {size} sentences")


def body(pool: Pool, row: np.ndarray) -> str:
    """The article text: its sentences two to a paragraph, paragraphs on their own lines."""
    sentences = [pool.sentences[i] for i in row if i >= 0]
    return "\n".join(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2))


def articles(
    records: Sequence[dict[str, str]],
    pool: Pool,
    ids: np.ndarray,
    layout: str,
    anchor: datetime,
    seed: int = SEED,
) -> Iterator[dict[str, str]]:
    """The JSONL records, one per plan row, in the given date layout (module docstring)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: one of {', '.join(LAYOUTS)}")
    rng = np.random.default_rng([seed, 7])  # metadata only: the bodies do not depend on it
    n = ids.shape[0]
    outlets = rng.integers(0, len(LIVE_OUTLETS), size=n)
    ages = rng.uniform(0.0, LIVE_DAYS * 86400.0, size=n)
    origins = rng.integers(0, len(records), size=n)  # title, category and date
    for i in range(n):
        origin = records[int(origins[i])]
        if layout == "backfill":
            source, published = ANT_SOURCE, origin.get("published", "")
        else:
            source = LIVE_OUTLETS[int(outlets[i])]
            moment = anchor - timedelta(seconds=float(ages[i]))
            published = moment.isoformat(timespec="seconds")
        yield {
            "id": f"u{seed}-{i:07d}",
            "url": f"https://www.{source}/news/u{seed}-{i:07d}",
            "source": source,
            "title": origin.get("title", ""),
            "published": published,
            "text": body(pool, ids[i]),
            "category": origin.get("category", ""),
        }


def corpus_name(layout: str, size: int) -> str:
    """``unique-backfill-10k``, ``unique-live-1m``: ``size`` in articles."""
    label = f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k"
    return f"unique-{layout}-{label}"


def write(path: Path, rows: Iterator[dict[str, str]]) -> tuple[int, int]:
    """Stream ``rows`` to ``path`` (through a temporary name): (lines, bytes)."""
    temp = path.with_name(path.name + ".partial")
    lines = 0
    with temp.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            lines += 1
    temp.replace(path)
    return lines, path.stat().st_size


def near_pairs(path: Path, limit: int) -> dict[str, int]:
    """akhbar's exact and near dedup (plain functions, default config) on the first ``limit``
    articles of ``path``: how many were filed as copies. A unique corpus gives 0 and 0."""
    from itertools import islice

    from akhbar.schemas.records import Article, Reject
    from akhbar.transforms.dedup.exact import exact_groups_plain
    from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
    from akhbar.transforms.dedup.near_cluster import near_dedup_plain
    from akhbar.transforms.prepare import PrepareConfig, prepare_item
    from akhbar.transforms.sources.files import InputFile, read_input_file

    now = datetime.now(UTC).replace(microsecond=0)
    raw = islice(read_input_file(InputFile(str(path.resolve()), path.name), now), limit)
    prepared = [prepare_item(r, PrepareConfig(), now) for r in raw if not isinstance(r, Reject)]
    kept = [a for a in prepared if isinstance(a, Article)]
    groups = exact_groups_plain(kept)
    near = near_dedup_plain(groups, DEFAULT_MINHASH)
    return {
        "articles": len(kept),
        "exact_duplicates": sum(len(g.duplicates) for g in groups),
        "near_duplicates": sum(len(g.duplicates) for g in near.groups)
        - sum(len(g.duplicates) for g in groups),
        "near_comparisons": near.stats.comparisons,
    }


def manifest_path(path: Path) -> Path:
    return path.with_name(path.stem + ".manifest.json")


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(manifest: dict[str, Any] | None, layout: str, size: int, seed: int) -> bool:
    """The corpus on disk is the one asked for; a live one must be anchored today (UTC)."""
    if not manifest or (manifest.get("size"), manifest.get("seed")) != (size, seed):
        return False
    if manifest.get("version") != VERSION:
        return False
    if layout == "live":
        return str(manifest.get("anchor", ""))[:10] == datetime.now(UTC).strftime("%Y-%m-%d")
    return True


def ensure(
    layout: str,
    size: int,
    out: Path,
    seed: int = SEED,
    verify: int = 10_000,
    records: Sequence[dict[str, str]] | None = None,
) -> Path:
    """The corpus file, written (with its manifest) unless a current one is already there."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{corpus_name(layout, size)}.jsonl"
    if path.exists() and is_current(read_manifest(path), layout, size, seed):
        return path
    started = time.perf_counter()
    records = records if records is not None else ant_records()
    pool = sentence_pool(records)
    ids = plan(pool, size, seed)
    anchor = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    lines, size_bytes = write(path, articles(records, pool, ids, layout, anchor, seed))
    manifest = {
        "name": corpus_name(layout, size),
        "layout": layout,
        "size": size,
        "seed": seed,
        "version": VERSION,
        "anchor": anchor.isoformat(),
        "lines": lines,
        "bytes": size_bytes,
        "pool_sentences": len(pool.sentences),
        "sentences_per_article": round(float((ids >= 0).sum(axis=1).mean()), 2),
        "written_in_s": round(time.perf_counter() - started, 1),
        "sample_check": near_pairs(path, verify) if verify else None,
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100], help="thousands")
    parser.add_argument("--layouts", nargs="+", default=list(LAYOUTS), choices=LAYOUTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--verify", type=int, default=10_000, help="articles checked, 0: none")
    args = parser.parse_args(argv)
    records = ant_records()
    for size in args.sizes:
        for layout in args.layouts:
            path = ensure(layout, size * 1000, args.out, args.seed, args.verify, records)
            print(f"{path}: {json.dumps(read_manifest(path))}", flush=True)


if __name__ == "__main__":
    main()
