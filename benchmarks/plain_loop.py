"""akhbar's own pure functions in one Python loop, no Beam: the baseline for Beam's overhead.

    python -m benchmarks.plain_loop INPUT OUTPUT_DIR [--no-extract]

Same work as ``akhbar ingest``: read, clean/normalize, exact dedup, near dedup, extraction,
partitioned Parquet written to a staging folder and renamed into place, and the cross-run
near-duplicate index. The ratio of the pipeline's time to this one is what Beam costs.
``stages`` is also what ``benchmarks/profile_stages.py`` times and profiles, step by step.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from akhbar.schemas.records import Article, Reject
from akhbar.schemas.tables import TABLES
from akhbar.transforms.dedup.exact import exact_groups_plain, with_story_counts
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import near_dedup_plain
from akhbar.transforms.dedup.near_index import article_entry, save_index
from akhbar.transforms.extract import ExtractConfig, get_extractor
from akhbar.transforms.prepare import PrepareConfig, prepare_item
from akhbar.transforms.sources.files import InputFile, read_input_file
from akhbar.transforms.write import partition_key, write_partition

Stage = tuple[str, Callable[[dict[str, Any]], None]]


def stages(path: str, output: str, extract: bool = True) -> list[Stage]:
    """The plain loop cut into named steps that pass their results through a state dict."""
    now = datetime.now(UTC).replace(microsecond=0)
    config = PrepareConfig()

    def read(s: dict[str, Any]) -> None:
        s["raw"] = list(read_input_file(InputFile(str(Path(path).resolve()), Path(path).name), now))

    def prepare(s: dict[str, Any]) -> None:
        s["prepared"] = [
            r if isinstance(r, Reject) else prepare_item(r, config, now) for r in s["raw"]
        ]

    def exact(s: dict[str, Any]) -> None:
        s["groups"] = exact_groups_plain(a for a in s["prepared"] if isinstance(a, Article))

    def near(s: dict[str, Any]) -> None:
        s["near"] = near_dedup_plain(s["groups"], DEFAULT_MINHASH)

    def extraction(s: dict[str, Any]) -> None:
        extractor = get_extractor(ExtractConfig()) if extract else None
        canonicals = (with_story_counts(g) for g in s["near"].groups)
        s["articles"] = [extractor.extract(a) if extractor else a for a in canonicals]

    def write(s: dict[str, Any]) -> None:
        near = s["near"]
        save_index(
            (
                article_entry(g.canonical, near.docs[g.canonical.id], DEFAULT_MINHASH)
                for g in near.groups
            ),
            str(Path(output) / "_state" / "near_index"),
            "plainloop",
        )
        records: list[Any] = [r for r in s["prepared"] if isinstance(r, Reject)]
        records += s["articles"]
        for group in near.groups:
            records.extend(group.duplicates)
        records.extend(near.prior_duplicates)
        partitions: dict[Any, list[Any]] = defaultdict(list)
        for record in records:
            partitions[partition_key(record)].append(record)
        staging = str(Path(output) / "_staging" / "plainloop")
        written = []
        for key, rows in partitions.items():
            written += write_partition(
                output, key, rows, TABLES[key[0]], "plainloop", staging=staging
            )
        for file in written:  # the commit: staged files move into place
            Path(file.path).parent.mkdir(parents=True, exist_ok=True)
            os.replace(file.staged, file.path)

    return [
        ("read (JSONL -> RawItem)", read),
        ("prepare (clean, language, normalize, metadata, hash)", prepare),
        ("exact dedup (url, content hash)", exact),
        ("near dedup (signatures, LSH, verify, union-find)", near),
        ("extract (entities, amounts, dates, quotes, keywords)", extraction),
        ("write (index, partitioned zstd Parquet, staged then renamed)", write),
    ]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--no-extract", action="store_true")
    args = parser.parse_args(argv)
    state: dict[str, Any] = {}
    for _name, step in stages(args.input, args.output, extract=not args.no_extract):
        step(state)


if __name__ == "__main__":
    main(sys.argv[1:])
