"""Where the time goes: akhbar's pure functions stage by stage, timed and then cProfiled.

    python -m benchmarks.profile_stages INPUT.jsonl [--top 12] [--out results/profile.md]

Runs the plain-loop pipeline (benchmarks/plain_loop.py: the same functions as ``akhbar ingest``,
no Beam) twice: once timed per stage with ``perf_counter`` (the figures to trust), once under
cProfile per stage (the functions to look at; cProfile inflates many-small-call code, so its
totals are larger). Writes a Markdown report: per-stage seconds, microseconds per article and
share, then the top functions of each stage by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from transforms.dedup.near_cluster import near_dedup_plain, near_doc
from transforms.extract import ExtractConfig, get_extractor
from transforms.prepare import PrepareConfig, prepare_item
from transforms.sources.files import InputFile, read_input_file
from transforms.write import partition_key, write_partition


def stages(path: str, output: str) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    """The plain loop cut into named steps that pass their results through ``state``."""
    now = datetime.now(UTC).replace(microsecond=0)
    config = PrepareConfig()

    def read(s: dict[str, Any]) -> None:
        s["raw"] = list(read_input_file(InputFile(str(Path(path).resolve()), Path(path).name), now))

    def prepare(s: dict[str, Any]) -> None:
        s["prepared"] = [r if isinstance(r, Reject) else prepare_item(r, config, now) for r in s["raw"]]

    def exact(s: dict[str, Any]) -> None:
        articles = [a for a in s["prepared"] if isinstance(a, Article)]
        by_url: dict[str, list[Article]] = defaultdict(list)
        for article in articles:
            by_url[url_group_key(article)].append(article)
        by_content: dict[str, list[Any]] = defaultdict(list)
        for members in by_url.values():
            survivor = collapse_url_group(members)
            by_content[survivor.article.content_hash].append(survivor)
        s["groups"] = [DedupGroup(*collapse_content_group(v)) for v in by_content.values()]

    def signatures(s: dict[str, Any]) -> None:
        s["docs"] = [near_doc(g.canonical, DEFAULT_MINHASH) for g in s["groups"]]

    def near(s: dict[str, Any]) -> None:
        s["near"] = near_dedup_plain(s["groups"], DEFAULT_MINHASH)

    def extract(s: dict[str, Any]) -> None:
        extractor = get_extractor(ExtractConfig())
        s["articles"] = [extractor.extract(with_story_counts(g)) for g in s["near"].groups]

    def write(s: dict[str, Any]) -> None:
        records: list[Any] = [r for r in s["prepared"] if isinstance(r, Reject)]
        records += s["articles"]
        for group in s["near"].groups:
            records.extend(group.duplicates)
        partitions: dict[Any, list[Any]] = defaultdict(list)
        for record in records:
            partitions[partition_key(record)].append(record)
        for key, rows in partitions.items():
            write_partition(output, key, rows, TABLES[key[0]], "profile")

    return [
        ("read (JSONL -> RawItem)", read),
        ("prepare (clean, language, normalize, metadata, hash)", prepare),
        ("exact dedup (url, content hash)", exact),
        ("minhash signatures only (part of near dedup)", signatures),
        ("near dedup (signatures, LSH, verify, union-find)", near),
        ("extract (entities, amounts, dates, quotes, keywords)", extract),
        ("write (partitioned zstd Parquet)", write),
    ]


def timed(path: str) -> tuple[int, list[tuple[str, float]]]:
    state: dict[str, Any] = {}
    out: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, step in stages(path, tmp):
            start = time.perf_counter()
            step(state)
            out.append((name, time.perf_counter() - start))
    return len(state["raw"]), out


def profiled(path: str, top: int) -> list[tuple[str, str]]:
    state: dict[str, Any] = {}
    out: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, step in stages(path, tmp):
            profiler = cProfile.Profile()
            profiler.runcall(step, state)
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(top)
            text = buffer.getvalue()
            body = text[text.find("ncalls") :] if "ncalls" in text else text
            out.append((name, body.replace(str(Path.cwd()) + "/", "")))
    return out


def report(path: str, top: int) -> str:
    n, times = timed(path)
    total = sum(t for name, t in times if not name.startswith("minhash"))
    lines = [
        f"# Per-stage profile: {Path(path).name}, {n} items",
        "",
        f"{datetime.now(UTC).isoformat(timespec='seconds')}. Plain-loop stages (no Beam), timed "
        "with perf_counter; the signature row is a subset of near dedup and not added to the total.",
        "",
        "| stage | seconds | µs per item | share |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds in times:
        share = "" if name.startswith("minhash") else f"{100 * seconds / total:.0f}%"
        lines.append(f"| {name} | {seconds:.2f} | {1e6 * seconds / max(n, 1):.0f} | {share} |")
    lines.append(f"| **total** | {total:.2f} | {1e6 * total / max(n, 1):.0f} | 100% |")
    lines += ["", "## Top functions per stage (cProfile, own time)", ""]
    for name, body in profiled(path, top):
        lines += [f"### {name}", "", "```", body.rstrip(), "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    text = report(args.input, args.top)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
