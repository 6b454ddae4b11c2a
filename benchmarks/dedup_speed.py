"""Near-dedup cost per article on the ANT corpus, this tree against a baseline commit.

    python -m benchmarks.dedup_speed [--articles 10000] [--rounds 5]
        [--baseline-commit 5c07c1e] [--out benchmarks/results/dedup_speed.md]

What near dedup costs an article is two parts: its ``DedupKey`` signed in the prepare step
(``dedup_key``: shingles, MinHash signature, and whatever else the verifiers need of the text),
and near dedup proper over the keys (``near_dedup_plain``: candidates, verification, clusters,
merging). Both are timed in a plain loop on one core, after exact dedup (not timed), as CPU time
(``time.process_time``), best of ``--rounds`` passes, because the machine is shared.

With ``--baseline-commit`` the same measurement runs on that commit's sources (``git archive``
into a temporary folder, imported in a child process) in alternation with this tree's, round by
round, so both see the same load. Issue 20's budget: at most 1.5x the baseline's total.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.extraction_speed import REPO, tree_of

OUT = REPO / "benchmarks" / "results" / "dedup_speed.md"
BUDGET = 1.5
CHILD = r"""
import json, sys, time
from datetime import UTC, datetime
from akhbar.schemas.records import Article, RawItem
from akhbar.transforms.dedup.exact import exact_groups_plain
from akhbar.transforms.dedup.keys import dedup_key
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import near_dedup_plain
from akhbar.transforms.prepare import PrepareConfig, prepare_item
now = datetime(2026, 11, 29, tzinfo=UTC)
docs = json.load(open(sys.argv[1], encoding="utf-8"))
articles = []
for d in docs:
    raw = RawItem(item_id=d["id"], origin="ant#" + d["id"], input_format="jsonl",
                  source="jawharafm.net", fetched_at=now, url=d["url"] or None,
                  title=d["title"], body=d["text"], published_raw=d["time"])
    a = prepare_item(raw, PrepareConfig(), now)
    if isinstance(a, Article):
        articles.append(a)
for a in articles[:200]:
    dedup_key(a, DEFAULT_MINHASH)
for line in sys.stdin:
    start = time.process_time()
    keys = [dedup_key(a, DEFAULT_MINHASH) for a in articles]
    signed = time.process_time() - start
    groups = exact_groups_plain(keys)
    start = time.process_time()
    result = near_dedup_plain(groups, DEFAULT_MINHASH)
    near = time.process_time() - start
    n = len(articles)
    print(json.dumps({"sign_us": 1e6 * signed / n, "near_us": 1e6 * near / n,
                      "total_us": 1e6 * (signed + near) / n, "articles": n,
                      "stories": len(result.groups)}), flush=True)
"""


def ant_docs(count: int) -> list[dict[str, str]]:
    from akhbar.seeds.ant import read_ant_docs

    out = []
    for doc in read_ant_docs():
        out.append(
            {
                "id": doc["docno"],
                "url": doc.get("url", ""),
                "title": doc.get("title", ""),
                "text": doc.get("text", ""),
                "time": doc.get("time", ""),
            }
        )
        if len(out) >= count:
            break
    return out


class Child:
    """One interpreter that imports ``akhbar`` from ``path`` (this tree when None)."""

    def __init__(self, docs_file: Path, path: Path | None) -> None:
        import subprocess
        import sys

        env = dict(os.environ)
        if path is not None:
            env["PYTHONPATH"] = str(path)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(docs_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(path or REPO),
        )

    def once(self) -> dict[str, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=120)


def measure(articles: int, rounds: int, baseline: str | None) -> dict[str, object]:
    docs = ant_docs(articles)
    with tempfile.TemporaryDirectory() as tmp:
        docs_file = Path(tmp) / "docs.json"
        docs_file.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
        children = {"this tree": Child(docs_file, None)}
        if baseline:
            children[f"commit {baseline}"] = Child(docs_file, tree_of(baseline, Path(tmp)))
        load_before = os.getloadavg()
        passes: dict[str, list[dict[str, float]]] = {name: [] for name in children}
        for _ in range(rounds):
            for name, child in children.items():
                passes[name].append(child.once())
        load_after = os.getloadavg()
        for child in children.values():
            child.close()
    best = {
        name: {
            key: round(min(p[key] for p in values), 1) for key in ("sign_us", "near_us", "total_us")
        }
        | {"articles": values[0]["articles"], "stories": values[0]["stories"]}
        for name, values in passes.items()
    }
    return {
        "articles": len(docs),
        "rounds": rounds,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_before": load_before,
        "load_after": load_after,
        "best": best,
        "passes": passes,
    }


def markdown(result: dict[str, object]) -> str:
    best: dict[str, dict[str, float]] = result["best"]  # type: ignore[assignment]
    lines = [
        "# Near-dedup cost per article (ANT corpus, plain loop, one core)",
        "",
        f"`python -m benchmarks.dedup_speed`, {result['when']}: {result['articles']} ANT "
        f"documents, best of {result['rounds']} passes of CPU time, alternated between trees. "
        f"Load average (1, 5, 15 min) before {result['load_before']}, after "
        f"{result['load_after']} on 2 cores: the machine is shared, so compare rows of one run.",
        "",
        "| tree | sign (µs/article) | near dedup (µs/article) | total (µs/article) | stories |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, b in best.items():
        lines.append(
            f"| {name} | {b['sign_us']:.1f} | {b['near_us']:.1f} | {b['total_us']:.1f} "
            f"| {b['stories']:.0f} |"
        )
    if len(best) == 2:
        (a, va), (b, vb) = best.items()
        ratio = va["total_us"] / vb["total_us"]
        lines += ["", f"{a} / {b}: {ratio:.2f} (budget, issue 20: {BUDGET:.1f})."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-commit", default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = time.perf_counter()
    result = measure(args.articles, args.rounds, args.baseline_commit)
    text = markdown(result)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(text)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
