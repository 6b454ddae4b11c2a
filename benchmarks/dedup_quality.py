"""Near-duplicate quality on a labelled syndication set built from the real ANT articles.

    .venv/bin/python -m benchmarks.dedup_quality [--stories 300] [--no-datatrove] [--no-beam]

Reports, into ``benchmarks/results/dedup_quality.{md,json}``:

* signature speed of rensa against datasketch on the ANT texts (why we use rensa);
* pairwise precision / recall / F1, overall and per perturbation, of exact + near dedup, run
  as plain functions and as the Beam transforms on FnApiRunner (they must agree);
* the same with Arabic normalization switched off (normalization's share of recall);
* datatrove's MinHash dedup with its defaults on the same set, in its own venv
  (``benchmarks/.venv-datatrove``, created on first use from the package registry);
* what exact + near dedup finds on the whole ANT corpus (10,161 articles);
* per class, on 300+ judged real-news pairs (``benchmarks/dedup_pairs.py``): syndicated copies,
  rewrites, cut-down copies, follow-ups, templates of different events, shared blocks, related
  reports; alone and inside the whole ANT corpus (``--pairs-only`` for just this part).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from akhbar.schemas.records import Article, RawItem, stable_id
from akhbar.seeds.ant import read_ant_docs
from akhbar.transforms.dedup.exact import exact_groups_plain
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH, MinhashConfig
from akhbar.transforms.dedup.near_cluster import near_dedup_plain
from akhbar.transforms.prepare import PrepareConfig, prepare_item
from benchmarks.dedup_eval import (
    NOW,
    Evaluation,
    Run,
    evaluate,
    prepare,
    run_beam,
    run_plain,
)
from benchmarks.dedup_pairs import pairs_section, render_pairs
from benchmarks.signature_speed import estimator_error, signature_speed
from benchmarks.syndication import PERTURBATIONS, LabelledItem, build_set

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DATATROVE_VENV = HERE / ".venv-datatrove"
DATATROVE_PACKAGES = [
    "datatrove==0.10.1",
    "spacy==3.8.18",
    "regex",
    "tokenizers",
    "orjson",
    "xxhash<4",  # xxhash 4 refuses str, which datatrove 0.10.1 passes
]


def near_pairs(items: list[LabelledItem]) -> list[tuple[str, str]]:
    articles = {it.raw.item_id: a for it, a in zip(items, prepare(items), strict=True)}
    original = {it.story: it.raw.item_id for it in items if it.perturbation == "original"}
    return [
        (articles[original[it.story]].text_normalized, articles[it.raw.item_id].text_normalized)
        for it in items
        if it.perturbation in ("paragraph_cut", "reworded_lead", "combined")
    ]


def ensure_datatrove_venv() -> Path:
    python = DATATROVE_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DATATROVE_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *DATATROVE_PACKAGES], check=True
        )
    return python


def run_datatrove(articles: list[Article]) -> Run:
    python = ensure_datatrove_venv()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in" / "input.jsonl"
        source.parent.mkdir()
        with source.open("w", encoding="utf-8") as out:
            for a in articles:  # the cleaned text: datatrove does its own normalization
                out.write(json.dumps({"id": a.id, "text": a.text}, ensure_ascii=False) + "\n")
        result = Path(tmp) / "out.json"
        script = HERE / "datatrove_minhash.py"
        done = subprocess.run(
            [str(python), str(script), str(source), str(Path(tmp) / "work"), str(result)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"datatrove failed: {done.stderr[-2000:]}")
        data = json.loads(result.read_text(encoding="utf-8"))
    return Run("datatrove", data["clusters"], data["seconds"], kinds={"config": data["config"]})


def ant_articles() -> tuple[list[Article], Counter[str]]:
    """The whole ANT corpus through prepare, as the JSONL reader would hand it over."""
    articles: list[Article] = []
    rejects: Counter[str] = Counter()
    for d in read_ant_docs():
        raw = RawItem(
            item_id=stable_id("ant", d["docno"]),
            origin=f"ant#{d['docno']}",
            input_format="jsonl",
            source="jawharafm.net",
            fetched_at=NOW,
            url=d.get("url") or None,
            title=d.get("title"),
            body=d.get("text"),
            published_raw=d.get("time"),
        )
        result = prepare_item(raw, PrepareConfig(), NOW)
        if isinstance(result, Article):
            articles.append(result)
        else:
            rejects[result.reason] += 1
    return articles, rejects


def ant_findings(config: MinhashConfig, beam: bool) -> dict[str, Any]:
    articles, rejects = ant_articles()
    exact = exact_groups_plain(articles)
    exact_kinds = Counter(d.kind for g in exact for d in g.duplicates)
    start = time.perf_counter()
    result = near_dedup_plain(exact, config)
    seconds = time.perf_counter() - start
    by_id = {a.id: a for a in articles}
    near = []
    for g in result.groups:
        for d in g.duplicates:
            if d.kind == "near" and d.id in by_id:
                a, b = by_id[g.canonical.id], by_id[d.id]
                days = None
                if a.published_at and b.published_at:
                    days = round(abs((b.published_at - a.published_at).total_seconds()) / 86400, 2)
                near.append(
                    {"similarity": d.similarity, "canonical": a.title, "copy": b.title,
                     "words": [a.word_count, b.word_count], "days_apart": days}
                )  # fmt: skip
    out: dict[str, Any] = {
        "items": len(articles) + sum(rejects.values()),
        "rejects": dict(rejects),
        "exact_stage": {"groups": len(exact), **dict(exact_kinds)},
        "after_near": {
            "articles": len(result.groups),
            **Counter(d.kind for g in result.groups for d in g.duplicates),
        },
        "near_stats": asdict(result.stats),
        "near_seconds_plain": round(seconds, 2),
        "near_pairs": sorted(near, key=lambda x: x["similarity"]),
    }
    if beam:
        run = run_beam(articles, config, "beam-ant")
        plain_clusters = {}
        for g in result.groups:
            plain_clusters[g.canonical.id] = g.canonical.id
            for d in g.duplicates:
                plain_clusters[d.id] = g.canonical.id
        out["beam_seconds"] = round(run.seconds, 2)
        out["beam_agrees_with_plain"] = run.clusters == plain_clusters
    return out


def summarize(run: Run, evaluation: Evaluation) -> dict[str, Any]:
    return {
        "name": run.name,
        "seconds": round(run.seconds, 3),
        "overall": asdict(evaluation.overall),
        "per_perturbation": {p: asdict(s) for p, s in evaluation.per_perturbation.items()},
        "copy_recall": evaluation.copy_recall,
        "hard_negative_pairs": evaluation.hard_negative_pairs,
        "hard_negatives_merged": evaluation.hard_negatives_merged,
        "merged_examples": evaluation.merged_examples,
        "stats": asdict(run.stats) if run.stats else None,
        "duplicate_kinds": run.kinds,
    }


def quality(items: list[LabelledItem], config: MinhashConfig, args: argparse.Namespace) -> dict:
    articles = prepare(items)
    runs = [run_plain(articles, config, "akhbar (plain functions)")]
    if not args.no_beam:
        runs.append(run_beam(articles, config, "akhbar (Beam, FnApiRunner)"))
    off = run_plain(prepare(items, normalize=False), config, "akhbar, normalization off")
    runs.append(off)
    if not args.no_datatrove:
        runs.append(run_datatrove(articles))
    results = [summarize(r, evaluate(items, r.clusters)) for r in runs]
    agree = None if args.no_beam else runs[0].clusters == runs[1].clusters
    return {"runs": results, "beam_agrees_with_plain": agree}


SWEEP = (0.4, 0.5, 0.6, 0.7, 0.8)
AUDIT = RESULTS / "dedup_ant_audit.json"


def threshold_sweep(items: list[LabelledItem], config: MinhashConfig) -> list[dict[str, Any]]:
    """Labelled-set precision/recall at other thresholds (plain functions; cheap)."""
    from dataclasses import replace

    articles = prepare(items)
    rows = []
    for threshold in SWEEP:
        e = evaluate(items, run_plain(articles, replace(config, threshold=threshold)).clusters)
        rows.append(
            {
                "threshold": threshold,
                "precision": e.overall.precision,
                "recall": e.overall.recall,
                "hard_negatives_merged": e.hard_negatives_merged,
                "min_copy_recall": min(e.copy_recall.values()),
            }
        )
    return rows


def audit_by_threshold(near_pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Hand labels (``dedup_ant_audit.json``) of the 75 ANT near pairs found at threshold 0.5:
    same story, related (follow-up) or a different article, judged from titles and a skim of
    the texts; and how many of each clear a higher threshold (the labelled pairs' own
    similarities). ``coverage``: how many of this run's near pairs carry a label."""
    if not AUDIT.exists():
        return {}
    audit = json.loads(AUDIT.read_text(encoding="utf-8"))
    labelled = {(x["canonical"], x["copy"]) for x in audit}
    rows = []
    for threshold in SWEEP[1:]:
        kept = [x for x in audit if x["similarity"] >= threshold]
        rows.append(
            {"threshold": threshold, "pairs": len(kept), **Counter(x["label"] for x in kept)}
        )
    covered = sum((p["canonical"], p["copy"]) in labelled for p in near_pairs)
    return {"rows": rows, "coverage": f"{covered} of {len(near_pairs)}"}


def pct(x: float) -> str:
    return f"{x:.3f}"


def render(report: dict[str, Any]) -> str:
    cfg, info, speed = report["config"], report["set"], report["signature_speed"]
    lines = [
        "# Near-duplicate quality (syndication set from ANT)",
        "",
        f"Generated by `python -m benchmarks.dedup_quality` on {report['machine']}.",
        f"Config: `{cfg}`.",
        "",
        "## Signatures: rensa vs datasketch",
        "",
        f"{speed['documents']} ANT articles, 3-shingles, {DEFAULT_MINHASH.num_perm} permutations, "
        "one core, shingling excluded.",
        "",
        "| implementation | ms / signature |",
        "| --- | ---: |",
        *[f"| {k} | {v} |" for k, v in speed["ms_per_signature"].items()],
        "",
        "Mean absolute error of the estimated Jaccard on the labelled set's (original, "
        "paragraph-cut / reworded-lead / combined copy) pairs: "
        + ", ".join(f"{k} {v}" for k, v in report["estimator_error"].items())
        + ". Same estimator quality; rensa is chosen for speed.",
        "",
        "## Labelled set",
        "",
        f"{info['stories']} ANT stories in {info['groups']} groups (same category and ISO week; "
        f"the stories of a group are each other's hard negatives), each with one copy per "
        f"perturbation: {info['items']} items. Stories need >= {info['min_words']} words; "
        f"{info['excluded_repeated']} ANT articles with a repeated text or URL and "
        f"{info['excluded_similar']} too similar to a group mate were not used.",
        "",
        "| run | precision | recall | F1 | hard negatives merged | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in report["quality"]["runs"]:
        o = r["overall"]
        lines.append(
            f"| {r['name']} | {pct(o['precision'])} | {pct(o['recall'])} | {pct(o['f1'])} | "
            f"{r['hard_negatives_merged']} of {r['hard_negative_pairs']} | {r['seconds']:.2f} |"
        )
    lines += ["", "Per perturbation (pairs with at least one copy of that kind; copy recall = "
              "share of copies put in their original's story):", ""]  # fmt: skip
    names = [r["name"] for r in report["quality"]["runs"]]
    lines.append("| perturbation | " + " | ".join(f"{n}: P / R / copy R" for n in names) + " |")
    lines.append("| --- |" + " ---: |" * len(names))
    for p in PERTURBATIONS:
        cells = []
        for r in report["quality"]["runs"]:
            s = r["per_perturbation"][p]
            cells.append(f"{pct(s['precision'])} / {pct(s['recall'])} / {r['copy_recall'][p]:.3f}")
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Threshold sweep (plain functions, same set):",
        "",
        "| threshold | precision | recall | hard negatives merged | lowest copy recall |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report.get("threshold_sweep", []):
        lines.append(
            f"| {row['threshold']} | {pct(row['precision'])} | {pct(row['recall'])} | "
            f"{row['hard_negatives_merged']} | {row['min_copy_recall']:.3f} |"
        )
    ant = report.get("ant")
    if ant:
        lines += [
            "",
            "## Whole ANT corpus, exact + near",
            "",
            f"{ant['items']} items; rejected by prepare: {ant['rejects']}.",
            f"Exact stage: {ant['exact_stage']}. After near dedup: {ant['after_near']}.",
            f"Near stage: {ant['near_stats']} ({ant['near_seconds_plain']} s plain"
            + (f", {ant['beam_seconds']} s Beam, agrees: {ant['beam_agrees_with_plain']}" if "beam_seconds" in ant else "")
            + ").",
            "",
            "Hand audit of the near pairs found at threshold 0.5 (`dedup_ant_audit.json`: all are one outlet's own "
            "articles; *different* = another article sharing a verbatim block, mostly sports "
            "fixture lists, daily digests and weather bulletins), and what a higher threshold "
            "would keep:",
            "",
            "| threshold | pairs | same story | related (follow-up) | different |",
            "| ---: | ---: | ---: | ---: | ---: |",
            *[
                f"| {a['threshold']} | {a['pairs']} | {a.get('same', 0)} | "
                f"{a.get('related', 0)} | {a.get('different', 0)} |"
                for a in ant.get("audit", {}).get("rows", [])
            ],
            "",
            f"This run's near pairs with a hand label: {ant.get('audit', {}).get('coverage')}.",
            "",
            "The 25 least similar near pairs (where mistakes would be):",
            "",
            "| similarity | days apart | words | canonical title | copy title |",
            "| ---: | ---: | --- | --- | --- |",
        ]  # fmt: skip
        for x in ant["near_pairs"][:25]:
            lines.append(
                f"| {x['similarity']} | {x['days_apart']} | {x['words']} | {x['canonical']} | {x['copy']} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-beam", action="store_true")
    parser.add_argument("--no-datatrove", action="store_true")
    parser.add_argument("--no-ant", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--pairs-only", action="store_true", help="only the judged real-news pairs, per class"
    )
    args = parser.parse_args()
    config = DEFAULT_MINHASH
    pairs = pairs_section(config, NOW, beam=not args.no_beam)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dedup_pairs.json").write_text(
        json.dumps(pairs, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (args.out / "dedup_pairs.md").write_text("\n".join(render_pairs(pairs)), encoding="utf-8")
    print("\n".join(render_pairs(pairs)))
    if args.pairs_only:
        return
    docs = list(read_ant_docs())
    items, info = build_set(docs, stories=args.stories, seed=args.seed)
    from akhbar.transforms.normalize import normalize_fast

    report: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "config": repr(config),
        "set": asdict(info),
        "signature_speed": signature_speed([normalize_fast(d["text"]) for d in docs], config),
        "estimator_error": estimator_error(near_pairs(items), config),
        "quality": quality(items, config, args),
    }
    report["threshold_sweep"] = threshold_sweep(items, config)
    if not args.no_ant:
        report["ant"] = ant_findings(config, beam=not args.no_beam)
        report["ant"]["audit"] = audit_by_threshold(report["ant"]["near_pairs"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dedup_quality.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (args.out / "dedup_quality.md").write_text(render(report), encoding="utf-8")
    print(render(report))


if __name__ == "__main__":
    main()
