"""Extraction cost per article on the ANT corpus, before/after comparisons on a busy machine.

    python -m benchmarks.extraction_speed [--articles 3000] [--rounds 5]
        [--baseline-commit f102d97] [--out benchmarks/results/extraction_speed.md]

Times ``Extractor.fields`` (everything ``ExtractInfo`` does per article) over ANT articles in a
plain loop, one core, resources loaded and caches warmed before the clock starts. CPU time
(``time.process_time``) rather than wall time, and the best of ``--rounds`` passes: the machine
this runs on is shared, and both choices make the figure depend less on what else runs.

With ``--baseline-commit``, the same measurement of that commit's extractor (checked out with
``git archive`` into a temporary folder and imported in a child process instead of this tree)
runs in alternation with this tree's, round by round, so both see the same load; the report gives
both and their ratio, with the load average before and after. Issue 19's budget is 200 µs per
article for this figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "results" / "extraction_speed.md"
BUDGET_US = 200.0
# The child process: time one pass of the extractor it can import over the cached articles.
CHILD = r"""
import json, sys, time
from datetime import UTC, datetime
from akhbar.transforms.extract import ExtractConfig
from akhbar.transforms.extract.engine import Extractor
docs = json.load(open(sys.argv[1], encoding="utf-8"))
extractor = Extractor(ExtractConfig())
anchor = datetime(2017, 1, 1, tzinfo=UTC)
for doc in docs[:200]:
    extractor.fields(doc["text"], anchor, doc["title"])
for line in sys.stdin:
    start = time.process_time()
    for doc in docs:
        extractor.fields(doc["text"], anchor, doc["title"])
    print(1e6 * (time.process_time() - start) / len(docs), flush=True)
"""


def ant_articles(count: int) -> list[dict[str, str]]:
    from akhbar.seeds.ant import read_ant_docs

    out = []
    for doc in read_ant_docs():
        out.append({"text": doc.get("text", ""), "title": doc.get("title", "")})
        if len(out) >= count:
            break
    return out


def stage_times(docs: list[dict[str, str]]) -> dict[str, float]:
    """CPU µs per article of each step of ``Extractor.fields`` in this tree (second pass)."""
    from akhbar.transforms.extract import ExtractConfig, mentions, quotes
    from akhbar.transforms.extract import amounts as amounts_mod
    from akhbar.transforms.extract import entities as entities_mod
    from akhbar.transforms.extract.engine import Extractor
    from akhbar.transforms.extract.keywords import top_keywords
    from akhbar.transforms.extract.offsets import align
    from akhbar.transforms.extract.scan import DATE, NUMBER, VERB, read
    from akhbar.transforms.normalize import normalize_fast

    extractor = Extractor(ExtractConfig())
    anchor = datetime(2017, 1, 1, tzinfo=UTC)
    totals: dict[str, float] = {}

    def timed(name: str, function: Any, *args: Any) -> Any:
        start = time.process_time()
        result = function(*args)
        totals[name] = totals.get(name, 0.0) + time.process_time() - start
        return result

    for _ in range(2):
        totals.clear()
        for doc in docs:
            aligned = timed("align (normalize, offsets)", align, doc["text"])
            roles = timed(
                "tokenize and scan (vocabulary)",
                read,
                aligned.normalized,
                extractor.resources.roles,
            )
            found = timed(
                "entities",
                entities_mod.find_entities,
                aligned,
                extractor.resources,
                None,
                None,
                roles,
            )
            surfaces: dict[str, str] = {}
            timed("entity dicts", entities_mod.to_dicts, aligned, found.spans, surfaces)
            dates = timed(
                "dates",
                mentions.find_dates,
                aligned.normalized,
                anchor,
                roles,
                roles.where(DATE | NUMBER),
            )
            timed("date dicts", mentions.to_dicts, aligned, dates)
            blocked = [(d.start, d.end) for d in dates if d.calendar]
            timed(
                "amounts",
                amounts_mod.find_amounts,
                roles,
                blocked,
                found.spans,
                None,
                roles.where(NUMBER),
            )
            found_quotes = timed(
                "quotes",
                quotes.find_quotes,
                aligned.normalized,
                roles,
                found.spans,
                found.persons.titles,
                roles.where(VERB),
            )
            timed("quote dicts", quotes.to_dicts, aligned, found_quotes, surfaces)
            timed(
                "keywords",
                top_keywords,
                aligned.normalized,
                extractor.idf,
                10,
                normalize_fast(doc["title"]),
                None,
                roles.terms(),
            )
    return {name: 1e6 * value / len(docs) for name, value in totals.items()}


def tree_of(commit: str, folder: Path) -> Path:
    """A folder that imports as ``akhbar`` from ``commit``'s sources (not this checkout)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit], check=True, capture_output=True
    ).stdout
    source = folder / "src"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    package = folder / "path" / "akhbar"
    package.mkdir(parents=True)
    for name in ("transforms", "schemas", "seeds", "pipelines"):
        (package / name).symlink_to(source / name)
    for init in (source / "akhbar").glob("*.py"):
        (package / init.name).write_bytes(init.read_bytes())
    return folder / "path"


class Child:
    """One interpreter that imports ``akhbar`` from ``path`` (this tree when None)."""

    def __init__(self, docs_file: Path, path: Path | None) -> None:
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

    def once(self) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def measure(articles: int, rounds: int, baseline: str | None) -> dict[str, object]:
    docs = ant_articles(articles)
    with tempfile.TemporaryDirectory() as tmp:
        docs_file = Path(tmp) / "docs.json"
        docs_file.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
        children = {"this tree": Child(docs_file, None)}
        if baseline:
            children[f"commit {baseline}"] = Child(docs_file, tree_of(baseline, Path(tmp)))
        load_before = os.getloadavg()
        times: dict[str, list[float]] = {name: [] for name in children}
        for _ in range(rounds):
            for name, child in children.items():
                times[name].append(child.once())
        load_after = os.getloadavg()
        for child in children.values():
            child.close()
    stages = stage_times(docs)
    return {
        "stages_us": stages,
        "articles": len(docs),
        "rounds": rounds,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_before": load_before,
        "load_after": load_after,
        "best_us": {name: min(values) for name, values in times.items()},
        "paired": paired_ratios(times),
        "all_us": times,
    }


def paired_ratios(times: dict[str, list[float]]) -> list[float]:
    """This tree's time over the baseline's, round by round: the two passes of a round run
    back to back, so each ratio compares them under nearly the same load."""
    if len(times) != 2:
        return []
    first, second = times.values()
    return [a / b for a, b in zip(first, second, strict=True)]


def markdown(result: dict[str, object]) -> str:
    best: dict[str, float] = result["best_us"]  # type: ignore[assignment]
    lines = [
        "# Extraction cost per article (ANT corpus, plain loop, one core)",
        "",
        f"`python -m benchmarks.extraction_speed`, {result['when']}: {result['articles']} ANT "
        f"articles, best of {result['rounds']} passes of CPU time per article, alternated "
        f"between extractors. Load average (1, 5, 15 min) before {result['load_before']}, "
        f"after {result['load_after']} on 2 cores: the machine is shared, so compare rows of "
        "one run, not runs.",
        "",
        "| extractor | µs per article (best) | every pass |",
        "| --- | ---: | --- |",
    ]
    for name, value in best.items():
        passes = ", ".join(f"{v:.0f}" for v in result["all_us"][name])  # type: ignore[index]
        lines.append(f"| {name} | {value:.0f} | {passes} |")
    if len(best) == 2:
        (a, va), (b, vb) = best.items()
        ratios = sorted(result["paired"])  # type: ignore[call-overload]
        median = ratios[len(ratios) // 2]
        lines += [
            "",
            f"{a} / {b}: {va / vb:.2f} (best against best); median of the {len(ratios)} "
            f"round-by-round ratios {median:.2f} (range {ratios[0]:.2f}-{ratios[-1]:.2f}). "
            f"Budget (issue 19): {BUDGET_US:.0f} µs.",
        ]
    stages: dict[str, float] = result["stages_us"]  # type: ignore[assignment]
    lines += [
        "",
        "## Where this tree's time goes (CPU µs per article, each step timed on its own)",
        "",
        "| step | µs | share |",
        "| --- | ---: | ---: |",
    ]
    total = sum(stages.values())
    for name, value in sorted(stages.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {value:.0f} | {100 * value / total:.0f}% |")
    lines.append(f"| **total** | {total:.0f} | 100% |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-commit", default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = time.perf_counter()
    result = measure(args.articles, args.rounds, args.baseline_commit)
    text = markdown(result)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
