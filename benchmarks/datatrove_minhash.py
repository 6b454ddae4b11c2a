"""datatrove's MinHash dedup with its defaults, on a JSONL of {id, text}; run in its own venv.

    benchmarks/.venv-datatrove/bin/python benchmarks/datatrove_minhash.py IN WORKDIR OUT.json
        [--workers N] [--no-clusters]

datatrove needs its own environment (a trafilatura pin and spaCy's tokenizer clash with ours),
so this file imports nothing from akhbar. It runs the four documented stages (signatures,
buckets, clustering, filtering) with ``MinhashConfig()`` defaults (5-word shingles, 14 bands x
8 rows) and the Arabic word tokenizer, and writes each document's cluster label and the time.

``IN`` is one JSONL file or a folder of ``*.jsonl`` shards. datatrove parallelizes by file (task
``r`` of ``n`` reads files ``r, r+n, ...``), so ``--workers N`` runs the signature and filter
stages as N tasks over the shards and the bucket stage's tasks N at a time; it only helps when
the input has at least N files (benchmarks/run.py splits its corpus for that). ``--no-clusters``
(the speed benchmark) keeps datatrove's plain defaults, no cluster ids saved or read back, and
writes only the time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

LANGUAGE = "arb_Arab"  # Standard Arabic: spaCy's blank "ar" tokenizer


def reader(source: Path) -> JsonlReader:
    if source.is_dir():
        return JsonlReader(str(source), glob_pattern="*.jsonl", id_key="id")
    return JsonlReader(str(source.parent), glob_pattern=source.name, id_key="id")


def run(source: Path, work: Path, workers: int = 1, clusters: bool = True) -> dict[str, object]:
    config = MinhashConfig()
    logs = str(work / "logs")
    stages = [
        LocalPipelineExecutor(
            pipeline=[
                reader(source),
                MinhashDedupSignature(str(work / "sigs"), config=config, language=LANGUAGE),
            ],
            tasks=workers,
            workers=workers,
            logging_dir=f"{logs}/1",
        ),
        LocalPipelineExecutor(
            pipeline=[
                MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)
            ],
            tasks=config.num_buckets,
            workers=workers,
            logging_dir=f"{logs}/2",
        ),
        LocalPipelineExecutor(
            pipeline=[
                MinhashDedupCluster(
                    str(work / "buckets"),
                    str(work / "ids"),
                    config=config,
                    save_cluster_id=clusters,
                )
            ],
            tasks=1,
            logging_dir=f"{logs}/3",
        ),
        LocalPipelineExecutor(
            pipeline=[
                reader(source),
                MinhashDedupFilter(
                    str(work / "ids"),
                    exclusion_writer=JsonlWriter(str(work / "removed")),
                    load_cluster_ids=clusters,
                ),
                JsonlWriter(str(work / "kept")),
            ],
            tasks=workers,
            workers=workers,
            logging_dir=f"{logs}/4",
        ),
    ]
    start = time.perf_counter()
    for stage in stages:
        stage.run()
    seconds = time.perf_counter() - start
    result: dict[str, object] = {
        "seconds": round(seconds, 3),
        "config": str(config),
        "language": LANGUAGE,
        "workers": workers,
    }
    if not clusters:
        return result
    labels: dict[str, str] = {}
    for part in sorted(work.glob("kept/*.jsonl.gz")) + sorted(work.glob("removed/*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                label = doc.get("metadata", {}).get("minhash_cluster_id", -1)
                labels[doc["id"]] = f"c{label}" if label != -1 else f"s:{doc['id']}"
    return {"clusters": labels, **result}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path, help="a JSONL file or a folder of *.jsonl shards")
    parser.add_argument("work", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-clusters", action="store_true", help="speed run: no cluster ids")
    args = parser.parse_args(argv)
    result = run(args.source.resolve(), args.work.resolve(), args.workers, not args.no_clusters)
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
