"""Throughput of the stream's near-dup stage with a large index (not a test: run it by hand).

    .venv/bin/python -m benchmarks.stateful_near [--index 50000] [--queries 2000]

The index holds ``--index`` canonicals: ANT articles (real JawharaFM text) plus synthetic
stories drawn from ANT's vocabulary to reach the size; the queries are ANT articles that are
not in the index. It reports

* ``decide``: the pure per-element work (signature, band lookup with the cap, verification,
  remembering) in a plain loop: the ceiling of the single-key stage;
* ``dofn``: the same queries through ``StreamingNearDedup`` on FnApiRunner, state included
  (the index arrives as a seed file, so the figure includes reading it into the state once);
* the in-memory index's size per entry (tracemalloc).

It lives here rather than in benchmarks/ only because that folder was being reworked when it
was written.
"""

from __future__ import annotations

import argparse
import pickle
import random
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from akhbar.schemas.records import Article, Duplicate
from akhbar.seeds.ant import read_ant_docs
from akhbar.transforms.dedup.exact import DedupGroup, cluster_id_for
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import near_doc
from akhbar.transforms.dedup.near_index import index_entry, save_index
from akhbar.transforms.dedup.stateful_near import Canonical, NearIndex, StreamingNearDedup, decide
from akhbar.transforms.normalize import normalize_fast
from akhbar.transforms.prepare import content_hash
from tests.helpers import make_article

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def as_article(id: str, text: str, hours: float) -> Article:
    normalized = normalize_fast(text)
    a = make_article(
        id,
        published_at=T0 + timedelta(hours=hours),
        fetched_at=datetime.now(UTC),
        text=text,
        text_normalized=normalized,
        content_hash=content_hash(normalized),
    )
    return replace(a, cluster_id=cluster_id_for(a))


def corpus(size: int, queries: int) -> tuple[list[Article], list[Article]]:
    texts = [d["text"] for d in read_ant_docs() if len(d.get("text", "").split()) >= 30]
    rng = random.Random(7)
    rng.shuffle(texts)
    asked, known = texts[:queries], texts[queries:]
    vocabulary = sorted({w for t in known for w in t.split()})
    while len(known) < size:
        known.append(" ".join(rng.choice(vocabulary) for _ in range(150)))
    # published within a week, so that the time rule never spares a comparison
    index = [as_article(f"i{i:06d}", t, rng.uniform(0, 160)) for i, t in enumerate(known[:size])]
    return index, [as_article(f"q{i:06d}", t, rng.uniform(0, 160)) for i, t in enumerate(asked)]


def bench_decide(index_articles: list[Article], queries: list[Article]) -> dict[str, float]:
    tracemalloc.start()
    index = NearIndex(DEFAULT_MINHASH)
    now = time.time()
    for a in index_articles:
        doc = replace(near_doc(a, DEFAULT_MINHASH), cluster_id=a.cluster_id)
        index.add(Canonical(doc, now))
    per_entry = tracemalloc.get_traced_memory()[0] / len(index_articles)
    tracemalloc.stop()
    started = time.perf_counter()
    comparisons = matched = 0
    for q in queries:
        index.expire(now - 7 * 86400)
        d = decide(index, q, now)
        for entry in d.remember:
            index.add(entry)
        comparisons += d.comparisons
        matched += isinstance(d.emit, Duplicate)
    seconds = time.perf_counter() - started
    return {
        "docs_per_s": len(queries) / seconds,
        "comparisons_per_doc": comparisons / len(queries),
        "matched": matched,
        "bytes_per_entry": per_entry,
    }


def _load(path: str) -> list[Article]:
    with open(path, "rb") as handle:
        return pickle.load(handle)


def _pipeline_seconds(paths: list[str], queries: list[Article], folder: str) -> float:
    """One FnApiRunner run; the queries are read inside the pipeline (a ``Create`` of them
    would pickle and bz2 them into the graph, which costs more than deciding them)."""
    batch = f"{folder}/queries-{len(queries)}.pickle"
    with open(batch, "wb") as handle:
        pickle.dump(queries, handle)
    options = PipelineOptions(["--runner=FnApiRunner"])
    started = time.perf_counter()
    with beam.Pipeline(options=options) as p:
        kept, dups, _ = (
            p | "Q" >> beam.Create([batch]) | "Read" >> beam.FlatMap(_load),
            p | "D" >> beam.Create([]),
        ) | StreamingNearDedup(DEFAULT_MINHASH, 7, paths)
        _ = (kept, dups) | beam.Flatten() | beam.combiners.Count.Globally()
    return time.perf_counter() - started


def bench_dofn(index_articles: list[Article], queries: list[Article]) -> dict[str, float]:
    """Marginal rate: (all queries) - (one query), so that pipeline start-up and reading the
    seed into the state (once per key, paid by the first element) are left out, and reported."""
    with tempfile.TemporaryDirectory() as folder:
        entries = [index_entry(DedupGroup(a), DEFAULT_MINHASH) for a in index_articles]
        paths = [f.path for f in save_index(entries, folder, "bench")]
        one = _pipeline_seconds(paths, queries[:1], folder)
        empty = _pipeline_seconds([], queries[:1], folder)
        full = _pipeline_seconds(paths, queries, folder)
    return {
        "docs_per_s": (len(queries) - 1) / (full - one),
        "seed_seconds": one - empty,
        "total_seconds": full,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    index_articles, queries = corpus(args.index, args.queries)
    print(f"index {len(index_articles):,} canonicals, {len(queries):,} queries")
    print("decide:", {k: round(v, 1) for k, v in bench_decide(index_articles, queries).items()})
    print("dofn:  ", {k: round(v, 1) for k, v in bench_dofn(index_articles, queries).items()})


if __name__ == "__main__":
    main()
