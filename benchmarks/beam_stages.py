"""Where a Beam run spends its time: per-transform execution time from the runner's own metrics.

    python -m benchmarks.beam_stages INPUT.jsonl [--no-extract] [--workers 1] [--top 25]
        [--out results/beam-stages.md]

Builds the same pipeline ``akhbar ingest`` runs (``pipelines.ingest.build_pipeline``) on
FnApiRunner and prints the process/start/finish msecs Beam reports per transform, summed over the
transform's steps, next to the wall time. This is the Beam side of the per-stage profile
(``benchmarks/profile_stages.py`` profiles the same functions without Beam); the difference
between the two is what the framework costs and where.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from akhbar.pipelines.ingest import (
    band_partitions_for,
    build_pipeline,
    local_workers,
    plan_from_options,
)

_TIME_URNS = (
    "beam:metric:pardo_execution_time:process_bundle_msecs:v1",
    "beam:metric:pardo_execution_time:start_bundle_msecs:v1",
    "beam:metric:pardo_execution_time:finish_bundle_msecs:v1",
)


def transform_msecs(result: Any) -> dict[str, float]:
    """Execution msecs per transform label, from the runner's monitoring infos."""
    out: dict[str, float] = defaultdict(float)
    for info in result.monitoring_infos() if hasattr(result, "monitoring_infos") else []:
        if info.urn in _TIME_URNS:
            label = info.labels.get("PTRANSFORM", "?")
            from apache_beam.metrics import monitoring_infos

            out[label] += monitoring_infos.extract_counter_value(info)
    return dict(out)


def run(path: str, extract: bool, workers: int) -> tuple[float, dict[str, float]]:
    with tempfile.TemporaryDirectory() as output:
        argv = ["--input", path, "--output", output, "--runner", "DirectRunner"]
        argv += ["--direct_num_workers", str(workers)]
        argv += ["--direct_running_mode", "multi_processing" if workers > 1 else "in_memory"]
        if not extract:
            argv.append("--no-extract")
        options = PipelineOptions(argv)
        plan = plan_from_options(options)
        all_options = options.get_all_options()
        plan = replace(
            plan,
            near_partitions=band_partitions_for(all_options),
            workers=local_workers(all_options),
        )
        start = time.perf_counter()
        pipeline = beam.Pipeline(options=options)
        build_pipeline(pipeline, plan, "DirectRunner")
        result = pipeline.run()
        result.wait_until_finish()
        wall = time.perf_counter() - start
    return wall, transform_msecs(result)


def grouped(msecs: dict[str, float], depth: int) -> dict[str, float]:
    """Sum leaf transforms under their first ``depth`` path components (Read/..., Prepare/...)."""
    out: dict[str, float] = defaultdict(float)
    for label, value in msecs.items():
        out["/".join(label.split("/")[:depth])] += value
    return dict(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input")
    parser.add_argument("--no-extract", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", type=Path, help="also write the table as Markdown here")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    from akhbar.pipelines.allocator import tune_allocator

    tune_allocator()  # as `akhbar ingest` does
    wall, msecs = run(args.input, not args.no_extract, args.workers)
    rows = sorted(grouped(msecs, args.depth).items(), key=lambda kv: -kv[1])
    total = sum(msecs.values()) / 1000
    lines = [
        f"# Beam per-transform time: {Path(args.input).name}, {args.workers} worker(s),"
        f" extraction {'off' if args.no_extract else 'on'}",
        "",
        f"{datetime.now(UTC).isoformat(timespec='seconds')}. FnApiRunner's own execution-time"
        " metrics (process + start + finish bundle msecs, which include encoding each output"
        " for the next stage). Wall time minus their sum is the runner's share: grouping,"
        " bundle scheduling, the data channel.",
        "",
        f"Wall {wall:.2f} s; transforms {total:.2f} s; runner {wall - total:.2f} s.",
        "",
        "| transform | s | share of transforms |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {label} | {value / 1000:.2f} | {value / 1000 / max(total, 1e-9):.1%} |"
        for label, value in rows[: args.top]
    ]
    print("\n".join(lines))
    if args.json:
        figures = {
            "wall_s": round(wall, 3),
            "transforms_s": round(total, 3),
            "runner_s": round(wall - total, 3),
            "per_transform_s": {label: round(v / 1000, 3) for label, v in rows[: args.top]},
        }
        args.json.write_text(json.dumps(figures, ensure_ascii=False), encoding="utf-8")
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
