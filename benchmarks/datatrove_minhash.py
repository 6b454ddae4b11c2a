"""datatrove's MinHash dedup with its defaults, on a JSONL of {id, text}; run in its own venv.

    benchmarks/.venv-datatrove/bin/python benchmarks/datatrove_minhash.py IN.jsonl WORKDIR OUT.json

datatrove needs its own environment (a trafilatura pin and spaCy's tokenizer clash with ours),
so this file imports nothing from akhbar. It runs the four documented stages (signatures,
buckets, clustering, filtering) with ``MinhashConfig()`` defaults (5-word shingles, 14 bands x
8 rows) and the Arabic word tokenizer, and writes each document's cluster label and the time.
"""

from __future__ import annotations

import gzip
import json
import sys
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


def run(source: Path, work: Path) -> dict[str, object]:
    config = MinhashConfig()
    reader = JsonlReader(str(source.parent), glob_pattern=source.name, id_key="id")
    logs = str(work / "logs")
    stages = [
        LocalPipelineExecutor(
            pipeline=[
                reader,
                MinhashDedupSignature(str(work / "sigs"), config=config, language=LANGUAGE),
            ],
            tasks=1,
            logging_dir=f"{logs}/1",
        ),
        LocalPipelineExecutor(
            pipeline=[
                MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)
            ],
            tasks=config.num_buckets,
            workers=1,
            logging_dir=f"{logs}/2",
        ),
        LocalPipelineExecutor(
            pipeline=[
                MinhashDedupCluster(
                    str(work / "buckets"), str(work / "ids"), config=config, save_cluster_id=True
                )
            ],
            tasks=1,
            logging_dir=f"{logs}/3",
        ),
        LocalPipelineExecutor(
            pipeline=[
                JsonlReader(str(source.parent), glob_pattern=source.name, id_key="id"),
                MinhashDedupFilter(
                    str(work / "ids"),
                    exclusion_writer=JsonlWriter(str(work / "removed")),
                    load_cluster_ids=True,
                ),
                JsonlWriter(str(work / "kept")),
            ],
            tasks=1,
            logging_dir=f"{logs}/4",
        ),
    ]
    start = time.perf_counter()
    for stage in stages:
        stage.run()
    seconds = time.perf_counter() - start
    clusters: dict[str, str] = {}
    for part in sorted(work.glob("kept/*.jsonl.gz")) + sorted(work.glob("removed/*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                label = doc.get("metadata", {}).get("minhash_cluster_id", -1)
                clusters[doc["id"]] = f"c{label}" if label != -1 else f"s:{doc['id']}"
    return {
        "clusters": clusters,
        "seconds": round(seconds, 3),
        "config": str(config),
        "language": LANGUAGE,
    }


def main() -> None:
    source, work, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    out.write_text(json.dumps(run(source.resolve(), work.resolve())), encoding="utf-8")


if __name__ == "__main__":
    main()
