"""Near-dedup cost against input size: time, peak memory and candidate comparisons.

    python -m benchmarks.corpus --copies 1 5          # writes benchmarks/data/ant-{1,5}x.jsonl
    .venv/bin/python -m benchmarks.dedup_scale [--sizes 10000 20000 50000] [--no-beam]

Inputs are the ANT corpus repeated with perturbations (``benchmarks/corpus.py``: every copy
after the first changes 3% of the words). To compare sizes fairly, each size takes the first N
stories of ``ant-5x.jsonl`` with all five copies, so the duplicate structure (clusters of five)
is the same at every size and only the input grows; ``ant-1x.jsonl`` (the corpus as is) is
measured too. Comparisons must grow like the input (x5 from 10k to 50k), not like its square
(x25). Each measurement runs in a fresh process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
REPEATS = 3
_COPY = re.compile(r"-c\d+$")  # benchmarks/corpus.py names copies <id>-c<n>


def load_records(path: Path, size: int | None) -> list[dict[str, str]]:
    """All copies of the first stories of ``path``, ``size`` records at most (two passes, so
    that only the kept records are ever held in memory)."""
    if size is None:
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]
    stories: dict[str, None] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            story = _COPY.sub("", json.loads(line)["id"])
            stories.setdefault(story, None)
    copies = len(stories) and sum(1 for _ in path.open(encoding="utf-8")) / len(stories)
    keep = set(list(stories)[: max(1, round(size / max(copies, 1)))])
    with path.open(encoding="utf-8") as handle:
        return [r for r in map(json.loads, handle) if _COPY.sub("", r["id"]) in keep]


def to_articles(records: list[dict[str, str]]) -> list[Any]:
    from akhbar.schemas.records import Article, RawItem
    from akhbar.transforms.prepare import PrepareConfig, prepare_item
    from benchmarks.dedup_eval import NOW

    out = []
    for rec in records:
        raw = RawItem(
            item_id=rec["id"],
            origin=f"scale#{rec['id']}",
            input_format="jsonl",
            source=rec.get("source") or "jawharafm.net",
            fetched_at=NOW,
            url=rec.get("url") or None,
            title=rec.get("title"),
            body=rec.get("text"),
            published_raw=rec.get("published"),
        )
        result = prepare_item(raw, PrepareConfig(), NOW)
        if isinstance(result, Article):
            out.append(result)
    return out


def run_beam_exact(articles: list[Any]) -> int:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from akhbar.transforms.dedup.exact import ExactDedupGroups

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "count"
        with beam.Pipeline(options=PipelineOptions(["--runner=FnApiRunner"])) as p:
            groups, _ = p | beam.Create(articles) | ExactDedupGroups()
            _ = (
                groups
                | beam.Map(lambda g: (None, 1))
                | beam.GroupByKey()
                | beam.Map(lambda kv: out.write_text(str(sum(kv[1]))))
            )
        return int(out.read_text())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path, size: int | None, mode: str) -> dict[str, Any]:
    """One measurement (run in its own process by ``main``)."""
    from akhbar.transforms.dedup.exact import exact_groups_plain
    from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
    from akhbar.transforms.dedup.near_cluster import near_dedup_plain
    from benchmarks.dedup_eval import run_beam

    articles = to_articles(load_records(path, size))
    gc.collect()
    gc.freeze()  # the prepared input is not the dedup's work: keep the collector off it
    n = len(articles)
    row: dict[str, Any] = {"input": path.name, "articles": n, "mode": mode}
    row["rss_before_mb"] = round(peak_rss_mb(), 1)
    if mode == "plain":
        groups = exact_groups_plain(articles)
        times = []
        for _ in range(REPEATS):  # best of three: the cores are shared with other work
            start = time.perf_counter()
            result = near_dedup_plain(groups, DEFAULT_MINHASH)
            times.append(time.perf_counter() - start)
        row["near_seconds"] = round(min(times), 2)
        row["near_seconds_all"] = [round(t, 2) for t in times]
        row["groups_in"] = len(groups)
        row["stories_out"] = len(result.groups)
        row["stats"] = asdict(result.stats)
    elif mode == "beam-exact":  # the same pipeline without NearDedup: its baseline
        start = time.perf_counter()
        stories = run_beam_exact(articles)
        row["pipeline_seconds"] = round(time.perf_counter() - start, 2)
        row["stories_out"] = stories
        row["stats"] = None
    else:
        run = run_beam(articles, DEFAULT_MINHASH)
        row["pipeline_seconds"] = round(run.seconds, 2)
        row["stories_out"] = len(set(run.clusters.values()))
        row["stats"] = asdict(run.stats) if run.stats else None
    row["peak_rss_mb"] = round(peak_rss_mb(), 1)
    row["all_pairs"] = n * (n - 1) // 2
    return row


def run_child(path: Path, size: int | None, mode: str) -> dict[str, Any]:
    args = [sys.executable, "-m", "benchmarks.dedup_scale", "--child", str(path), str(size), mode]
    done = subprocess.run(args, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "# Near-dedup scale (ANT repeated with perturbations)",
        "",
        "Generated by `python -m benchmarks.dedup_scale`. Time is the near stage alone for the "
        "plain functions (exact groups prepared before the clock starts; best of 3), and the whole "
        "`Create | ExactDedupGroups | NearDedup` pipeline on FnApiRunner (one process) for Beam; "
        "`beam-exact` is the same pipeline without NearDedup, so the difference is NearDedup's. "
        "Peak RSS is the process's, including the prepared articles held in memory "
        "(`rss_before` is the peak before dedup).",
        "",
        "| input | articles | mode | seconds | peak RSS MB (before) | comparisons | "
        "comparisons / article | all pairs | matches | oversized bands |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        s = r["stats"] or {}
        seconds = r.get("near_seconds", r.get("pipeline_seconds"))
        comparisons = s.get("comparisons", 0)
        lines.append(
            f"| {r['input']} | {r['articles']} | {r['mode']} | {seconds} | "
            f"{r['peak_rss_mb']} ({r['rss_before_mb']}) | {comparisons} | "
            f"{comparisons / max(r['articles'], 1):.2f} | {r['all_pairs']:.3g} | "
            f"{s.get('matches', 0)} | {s.get('oversized_bands', 0)} |"
        )
    plain = [r for r in rows if r["mode"] == "plain" and r["input"].startswith("ant-5x")]
    if len(plain) >= 2:
        a, b = plain[0], plain[-1]
        grow = b["articles"] / a["articles"]
        cmp_grow = b["stats"]["comparisons"] / max(a["stats"]["comparisons"], 1)
        time_grow = b["near_seconds"] / max(a["near_seconds"], 1e-9)
        lines += [
            "",
            f"From {a['articles']} to {b['articles']} articles (x{grow:.1f}): comparisons "
            f"x{cmp_grow:.2f}, near-stage time x{time_grow:.2f}; all pairs would grow "
            f"x{grow**2:.1f}.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        path, size, mode = Path(sys.argv[2]), sys.argv[3], sys.argv[4]
        print(json.dumps(measure(path, None if size == "None" else int(size), mode)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 20000, 50000])
    parser.add_argument("--no-beam", action="store_true")
    parser.add_argument("--beam-sizes", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    five, one = DATA / "ant-5x.jsonl", DATA / "ant-1x.jsonl"
    for path in (five, one):
        if not path.exists():
            sys.exit(f"{path} missing: run `python -m benchmarks.corpus --copies 1 5` first")
    plan: list[tuple[Path, int | None, str]] = [(one, None, "plain")]
    plan += [(five, size, "plain") for size in args.sizes]
    if not args.no_beam:
        for size in args.beam_sizes:
            plan += [(five, size, "beam-exact"), (five, size, "beam")]
    rows = []
    for path, size, mode in plan:
        rows.append(run_child(path, size, mode))
        print(json.dumps(rows[-1]), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dedup_scale.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    (args.out / "dedup_scale.md").write_text(render(rows), encoding="utf-8")
    print(render(rows))


if __name__ == "__main__":
    main()
