"""Copies of one article by two outlets that each edit it their own way (issue 20, round 3).

    .venv/bin/python -m benchmarks.dedup_outlets [--pairs 600] [--seed 5]

ANT is one outlet, so its judged syndicated pairs are reposts by the same newsroom; what other
outlets do to a wire story is simulated here on real ANT texts, one pair per article, by fixed
seeded recipes, and each pair is judged by ``verify.verdict`` (this tree) and by the MinHash
estimate alone (``verify=False``, the rule before issue 20):

* ``drop``: each outlet drops a different sentence (not the first);
* ``framing``: one outlet opens with two framing sentences of its own, the other drops the
  last sentence (both keep the title; the second prefixes it with «عاجل:»).

Every pair is a true duplicate, so the figure is recall; what the verifier's rules cost on
copies like these is the gap between the two columns. Results:
``benchmarks/results/dedup_outlets.md``.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from akhbar.schemas.records import Article, RawItem, stable_id
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import near_doc
from akhbar.transforms.dedup.verify import Kind, verdict
from akhbar.transforms.prepare import PrepareConfig, prepare_item
from benchmarks.dedup_eval import NOW
from benchmarks.dedup_pairs import SENTENCE_END, _moment, ant_docs

OUT = Path(__file__).resolve().parent / "results" / "dedup_outlets.md"
FRAMING = (
    "نشرت وسائل إعلام محلية صباح اليوم تفاصيل جديدة حول هذا الموضوع الذي شغل الرأي العام خلال"
    " الأيام الأخيرة في البلاد. وقد تداولت صفحات التواصل الاجتماعي الخبر على نطاق واسع منذ ساعات"
    " الصباح الأولى وسط تساؤلات كثيرة من المتابعين."
)


def copy_of(
    doc: dict[str, str], body: str, source: str, hours: int, title_prefix: str = ""
) -> Article:
    raw = RawItem(
        item_id=stable_id("outlets", f"{doc['docno']}:{source}:{body[:200]}"),
        origin=f"outlets#{doc['docno']}",
        input_format="jsonl",
        source=source,
        fetched_at=NOW,
        url=None,
        title=title_prefix + doc.get("title", ""),
        body=body,
        published_at=_moment(doc) + timedelta(hours=hours),
    )
    article = prepare_item(raw, PrepareConfig(), NOW)
    if not isinstance(article, Article):
        raise ValueError(f"{doc['docno']}: {article.reason}")
    return article


def pairs(recipe: str, count: int, seed: int) -> list[tuple[str, Article, Article]]:
    """``count`` pairs of one recipe, from ANT articles of 60 to 600 words with 4 or more
    sentences, in a seeded order."""
    rng = random.Random(seed)
    docs = ant_docs()
    keys = sorted(k for k, d in docs.items() if 60 <= len(d["text"].split()) <= 600)
    rng.shuffle(keys)
    out = []
    for key in keys:
        doc = docs[key]
        sentences = [s for s in SENTENCE_END.split(doc["text"].strip()) if s]
        if len(sentences) < 4:
            continue
        try:
            if recipe == "drop":
                i, j = rng.sample(range(1, len(sentences)), 2)
                a = " ".join(s for n, s in enumerate(sentences) if n != i)
                b = " ".join(s for n, s in enumerate(sentences) if n != j)
                first, second = copy_of(doc, a, "youm7.com", 0), copy_of(doc, b, "alarabiya.net", 3)
            else:
                a = FRAMING + " " + " ".join(sentences)
                b = " ".join(sentences[:-1])
                first = copy_of(doc, a, "youm7.com", 0)
                second = copy_of(doc, b, "alarabiya.net", 3, "عاجل: ")
        except ValueError:  # no usable time
            continue
        out.append((key, first, second))
        if len(out) >= count:
            break
    return out


def judge(recipe: str, count: int, seed: int) -> dict[str, Counter[str]]:
    before = replace(DEFAULT_MINHASH, verify=False)
    found: dict[str, Counter[str]] = {"this tree": Counter(), "estimate only": Counter()}
    for _, a, b in pairs(recipe, count, seed):
        for name, config in (("this tree", DEFAULT_MINHASH), ("estimate only", before)):
            v = verdict(near_doc(a, config), near_doc(b, config), config)
            found[name][v.reason or "-" if v.kind is not Kind.DUPLICATE else "duplicate"] += 1
    return found


def markdown(results: dict[str, dict[str, Counter[str]]], count: int, seed: int) -> str:
    lines = [
        "# Copies of one article by two outlets (`python -m benchmarks.dedup_outlets`)",
        "",
        f"{count} pairs per recipe (seed {seed}), built from real ANT articles as the module"
        " docstring says; every pair is a duplicate. Merged: the verdict is a duplicate.",
        "",
        "| recipe | pairs | merged (this tree) | merged (estimate only) | kept apart because |",
        "|---|---:|---:|---:|---|",
    ]
    for recipe, found in results.items():
        mine, old = found["this tree"], found["estimate only"]
        total = sum(mine.values())
        why = ", ".join(f"{r} {n}" for r, n in mine.most_common() if r != "duplicate")
        lines.append(
            f"| {recipe} | {total} | {mine['duplicate']} | {old['duplicate']} | {why or '-'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=600)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    results = {r: judge(r, args.pairs, args.seed) for r in ("drop", "framing")}
    text = markdown(results, args.pairs, args.seed)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
