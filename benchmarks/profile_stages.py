"""Where the time goes: akhbar's pure functions stage by stage, timed and then cProfiled.

    python -m benchmarks.profile_stages INPUT.jsonl [--top 12] [--out results/profile.md]
        [--limit N] [--json OUT.json]

Runs the plain-loop pipeline (benchmarks/plain_loop.py: the same functions as ``akhbar ingest``,
no Beam) twice: once timed per stage with ``perf_counter`` (the figures to trust), once under
cProfile per stage (the functions to look at; cProfile inflates many-small-call code, so its
totals are larger). Writes a Markdown report: per-stage seconds, microseconds per article and
share, then the top functions of each stage by own time. ``--limit N`` profiles the first N
articles only; ``--json`` writes the timed stages (µs per article) and skips cProfile:
``benchmarks/run.py`` uses it for the per-stage row of every corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import near_doc
from benchmarks.plain_loop import Stage, stages

SIGNATURES = "minhash signatures only (part of near dedup)"


def profiled_stages(path: str, output: str) -> list[Stage]:
    """The plain loop's stages, plus signing alone before near dedup (shown, not totalled)."""

    def signatures(s: dict[str, Any]) -> None:
        s["docs"] = [near_doc(g.canonical, DEFAULT_MINHASH) for g in s["groups"]]

    steps = stages(path, output)
    at = next(i for i, (name, _) in enumerate(steps) if name.startswith("near dedup"))
    return [*steps[:at], (SIGNATURES, signatures), *steps[at:]]


def timed(path: str) -> tuple[int, list[tuple[str, float]]]:
    state: dict[str, Any] = {}
    out: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, step in profiled_stages(path, tmp):
            start = time.perf_counter()
            step(state)
            out.append((name, time.perf_counter() - start))
    return len(state["raw"]), out


def profiled(path: str, top: int) -> list[tuple[str, str]]:
    state: dict[str, Any] = {}
    out: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, step in profiled_stages(path, tmp):
            profiler = cProfile.Profile()
            profiler.runcall(step, state)
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(top)
            text = buffer.getvalue()
            body = text[text.find("ncalls") :] if "ncalls" in text else text
            out.append((name, body.replace(str(Path.cwd()) + "/", "")))
    return out


def head(path: str, limit: int, folder: str) -> str:
    """The first ``limit`` lines of ``path`` as a file in ``folder`` (streamed)."""
    target = Path(folder) / Path(path).name
    with open(path, "rb") as source, target.open("wb") as out:
        for i, line in enumerate(source):
            if i >= limit:
                break
            out.write(line)
    return str(target)


def stage_micros(path: str, limit: int | None = None) -> dict[str, Any]:
    """{"items": n, "stages": {stage: µs per item}, "total_us": ...} over the first ``limit``
    articles: the plain loop holds its whole input in memory, so large corpora are cut."""
    with tempfile.TemporaryDirectory() as tmp:
        n, times = timed(head(path, limit, tmp) if limit else path)
    per = {name: round(1e6 * seconds / max(n, 1), 1) for name, seconds in times}
    total = sum(v for k, v in per.items() if k != SIGNATURES)
    return {"items": n, "stages": per, "total_us": round(total, 1)}


def report(path: str, top: int) -> str:
    n, times = timed(path)
    total = sum(t for name, t in times if name != SIGNATURES)
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
        share = "" if name == SIGNATURES else f"{100 * seconds / total:.0f}%"
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
    parser.add_argument("--limit", type=int, help="profile only the first N articles")
    parser.add_argument("--json", type=Path, help="write the timed stages here; no cProfile")
    args = parser.parse_args()
    if args.json:
        result = stage_micros(args.input, args.limit)
        args.json.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        print(json.dumps(result, ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = head(args.input, args.limit, tmp) if args.limit else args.input
        text = report(source, args.top)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        print(text)


if __name__ == "__main__":
    main()
