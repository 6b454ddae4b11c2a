"""akhbar's own pure functions in one Python loop, no Beam: the baseline for Beam's overhead.

    python -m benchmarks.plain_loop INPUT OUTPUT_DIR [--no-extract]

Same work as ``akhbar ingest``: read, clean/normalize, exact dedup, near dedup, extraction,
partitioned Parquet written to a staging folder and renamed into place, and the cross-run
near-duplicate index. The ratio of the pipeline's time to this one is what Beam costs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from schemas.records import Article, Reject
from schemas.tables import TABLES
from transforms.dedup.exact import (
    DedupGroup,
    collapse_content_group,
    collapse_url_group,
    url_group_key,
    with_story_counts,
)
from transforms.dedup.minhash import DEFAULT_MINHASH
from transforms.dedup.near_cluster import near_dedup_plain
from transforms.dedup.near_index import article_entry, save_index
from transforms.extract import ExtractConfig, get_extractor
from transforms.prepare import PrepareConfig, prepare_item
from transforms.sources.files import InputFile, read_input_file
from transforms.write import partition_key, write_partition


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--no-extract", action="store_true")
    args = parser.parse_args(argv)
    now = datetime.now(UTC).replace(microsecond=0)
    config = PrepareConfig()
    records: list = []
    articles: list[Article] = []
    for raw in read_input_file(
        InputFile(str(Path(args.input).resolve()), Path(args.input).name), now
    ):
        result = raw if isinstance(raw, Reject) else prepare_item(raw, config, now)
        (records if isinstance(result, Reject) else articles).append(result)
    by_url: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_url[url_group_key(article)].append(article)
    by_content: dict[str, list] = defaultdict(list)
    for members in by_url.values():
        survivor = collapse_url_group(members)
        by_content[survivor.article.content_hash].append(survivor)
    groups = [DedupGroup(*collapse_content_group(s)) for s in by_content.values()]
    near = near_dedup_plain(groups, DEFAULT_MINHASH)
    save_index(
        (
            article_entry(g.canonical, near.docs[g.canonical.id], DEFAULT_MINHASH)
            for g in near.groups
        ),
        str(Path(args.output) / "_state" / "near_index"),
        "plainloop",
    )
    extractor = None if args.no_extract else get_extractor(ExtractConfig())
    for group in near.groups:
        canonical = with_story_counts(group)
        records.append(extractor.extract(canonical) if extractor else canonical)
        records.extend(group.duplicates)
    records.extend(near.prior_duplicates)
    partitions: dict = defaultdict(list)
    for record in records:
        partitions[partition_key(record)].append(record)
    staging = str(Path(args.output) / "_staging" / "plainloop")
    written = []
    for key, rows in partitions.items():
        written += write_partition(
            args.output, key, rows, TABLES[key[0]], "plainloop", staging=staging
        )
    for file in written:  # the commit: staged files move into place
        Path(file.path).parent.mkdir(parents=True, exist_ok=True)
        os.replace(file.staged, file.path)


if __name__ == "__main__":
    main(sys.argv[1:])
