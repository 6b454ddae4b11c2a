"""The Parquet writer with 1 and with 2 threads per writer DoFn, on real partitions.

    python -m benchmarks.write_speed [--corpus benchmarks/data/unique-backfill-10k.jsonl]
        [--rounds 5] [--out benchmarks/results/write_speed.md]

The corpus is read and prepared once (no extraction: the writer's input only needs rows of the
right shape), the records are grouped by partition as ``WriteTables`` groups them, and the
writer DoFn itself (``_WritePartitionFn``: setup, one bundle, finish) writes them into a fresh
staging folder, alternating 1 and 2 threads round by round so both see the same load. Wall time
is what the threads can win (Arrow's C++ writer releases the GIL), CPU time what they cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from akhbar.schemas.records import Article, Reject
from akhbar.schemas.tables import TABLES
from akhbar.transforms.prepare import PrepareConfig, prepare_item
from akhbar.transforms.sources.files import InputFile, read_input_file
from akhbar.transforms.write import _WritePartitionFn, partition_key

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO / "benchmarks" / "data" / "unique-backfill-10k.jsonl"
OUT = REPO / "benchmarks" / "results" / "write_speed.md"


def partitions(path: Path) -> dict[Any, list[Any]]:
    """The corpus's records (articles and rejects) grouped by (table, date, source)."""
    now = datetime.now(UTC).replace(microsecond=0)
    config = PrepareConfig()
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for raw in read_input_file(InputFile(str(path.resolve()), path.name), now):
        record = raw if isinstance(raw, Reject) else prepare_item(raw, config, now)
        if isinstance(record, (Article, Reject)):
            grouped[partition_key(record)].append(record)
    return grouped


def write_all(grouped: dict[Any, list[Any]], folder: str, threads: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and files for one bundle of every partition."""
    fn = _WritePartitionFn(
        folder, TABLES, "bench", staging=f"{folder}/_staging", writer_threads=threads
    )
    fn.setup()
    wall, cpu = time.perf_counter(), time.process_time()
    fn.start_bundle()
    files = 0
    for key, rows in grouped.items():
        files += sum(1 for _ in fn.process((key, rows), window=None, timestamp=0))
    files += sum(1 for _ in fn.finish_bundle())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    fn.teardown()
    return wall, cpu, files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    grouped = partitions(args.corpus)
    rows = sum(len(v) for v in grouped.values())
    results: dict[int, list[tuple[float, float, int]]] = {1: [], 2: []}
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for threads in (1, 2):
            folder = tempfile.mkdtemp(prefix="akhbar-write-")
            try:
                results[threads].append(write_all(grouped, folder, threads))
            finally:
                shutil.rmtree(folder)
    load_after = os.getloadavg()
    lines = [
        "# Parquet writer: 1 vs 2 threads per writer DoFn",
        "",
        f"`python -m benchmarks.write_speed`, {datetime.now(UTC).isoformat(timespec='seconds')}: "
        f"{args.corpus.name}, {rows} rows in {len(grouped)} partitions, {args.rounds} rounds "
        f"alternated. Load average before {tuple(round(x, 2) for x in load_before)}, after "
        f"{tuple(round(x, 2) for x in load_after)} on {os.cpu_count()} cores.",
        "",
        "| threads | wall s (median) | CPU s (median) | files | every wall |",
        "| ---: | ---: | ---: | ---: | --- |",
    ]
    medians = {}
    for threads, runs in results.items():
        walls = sorted(r[0] for r in runs)
        cpus = sorted(r[1] for r in runs)
        medians[threads] = walls[len(walls) // 2]
        lines.append(
            f"| {threads} | {medians[threads]:.2f} | {cpus[len(cpus) // 2]:.2f} | {runs[0][2]} | "
            + ", ".join(f"{w:.2f}" for w in (r[0] for r in runs))
            + " |"
        )
    ratios = sorted(a[0] / b[0] for a, b in zip(results[1], results[2], strict=True))
    lines += [
        "",
        f"Wall time 1 thread / 2 threads: median of the round-by-round ratios "
        f"{ratios[len(ratios) // 2]:.2f} (range {ratios[0]:.2f}-{ratios[-1]:.2f}).",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
