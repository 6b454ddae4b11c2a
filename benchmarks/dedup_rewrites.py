"""Would a verifier on content terms find the heavy rewrites near dedup misses? (issue 20, round 2)

    .venv/bin/python -m benchmarks.dedup_rewrites [--out benchmarks/results/dedup_rewrites.md]

Round 2 of issue 20 proposed, for rewrites that share few word 3-shingles, candidates and a
verifier that do not need whole-text word overlap: TF-IDF cosine on lemma-ish terms, agreement
of numbers and names, the publication window. This measures that idea on the judged pairs
(``benchmarks/pairs/dedup_pairs.tsv``) before any of it enters the per-article path, where
every feature costs time (``benchmarks/dedup_speed.py``).

For every judged pair that near dedup leaves apart today (verdict ``different``), it computes:

* ``cos``: cosine of the two texts' content terms, weighted by IDF (terms as extraction's
  keywords form them: article and proclitics stripped; IDF from ``seeds/idf_ant.tsv.gz``);
* ``lead``: the same cosine over the first 25 content terms (a rewrite tells the same news
  first; a reaction, an outcome or the next round leads with something else);
* ``new numbers``, ``new names``: numbers and lexicon names of the later text the earlier lacks
  (the key's features), and whether any was substituted both ways (a template's slots);
* ``hours`` apart.

Then it searches a grid of rules ``cos >= c and lead >= l and hours <= h and no substitution
and at most n new numbers and no new name`` for the most rewrites found with 0, 1 and 3 false
merges among the pairs labelled follow-up, related, template and shared block.
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from akhbar.transforms.dedup.keys import dedup_key
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import signed
from akhbar.transforms.dedup.verify import Kind, verdict
from akhbar.transforms.extract.keywords import load_idf, terms
from benchmarks.dedup_eval import NOW
from benchmarks.dedup_pairs import _prepare_quietly, ant_docs, pair_items, read_pairs

OUT = Path(__file__).resolve().parent / "results" / "dedup_rewrites.md"
NEGATIVE = ("followup", "related", "template", "shared_block")
LEAD_TERMS = 25
GRID = {
    "cos": (0.5, 0.6, 0.7, 0.8),
    "lead": (0.4, 0.5, 0.6, 0.7, 0.8),
    "hours": (24, 72, 240),
    "new_numbers": (0, 1, 2),
}


@dataclass(frozen=True, slots=True)
class Row:
    cls: str
    a: str
    b: str
    cos: float
    lead: float
    hours: float
    new_numbers: int
    new_names: int
    substituted: bool


def _weights(words: Sequence[str], idf: dict[str, float]) -> dict[str, float]:
    return {t: idf[t] for t in set(words)}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    norm = math.sqrt(sum(x * x for x in a.values()) * sum(x * x for x in b.values()))
    return sum(a[t] * b[t] for t in a.keys() & b.keys()) / norm if norm else 0.0


def _set(data: bytes) -> set[int]:
    return set(np.frombuffer(data, np.uint32).tolist())


def rows() -> list[Row]:
    """Every judged pair near dedup leaves apart, with its term and slot figures."""
    table = load_idf()
    pairs = read_pairs()
    items = pair_items(pairs, ant_docs(), NOW)
    articles = {a.origin.removeprefix("pairs#"): a for a in _prepare_quietly(items.values(), NOW)}
    idf_of: dict[str, float] = {}
    out = []
    for p in pairs:
        a, b = articles[p.a], articles[p.b]
        if (b.published_at or NOW) < (a.published_at or NOW):
            a, b = b, a
        da, db = (signed(dedup_key(x, DEFAULT_MINHASH), DEFAULT_MINHASH)[0] for x in (a, b))
        if verdict(da, db, DEFAULT_MINHASH).kind is not Kind.DIFFERENT:
            continue
        ta, tb = terms(a.text_normalized, table=table), terms(b.text_normalized, table=table)
        for t in (*ta, *tb):
            if t not in idf_of:
                idf_of[t] = math.log(table.documents / (1 + table.df.get(t, 0)))
        na, nb, ma, mb = _set(da.numbers), _set(db.numbers), _set(da.names), _set(db.names)
        out.append(
            Row(
                p.cls,
                p.a,
                p.b,
                cosine(_weights(ta, idf_of), _weights(tb, idf_of)),
                cosine(_weights(ta[:LEAD_TERMS], idf_of), _weights(tb[:LEAD_TERMS], idf_of)),
                abs((b.published_at - a.published_at).total_seconds()) / 3600
                if a.published_at and b.published_at
                else 0.0,
                len(nb - na),
                len(mb - ma),
                bool((na - nb and nb - na) or (ma - mb and mb - ma)),
            )
        )
    return out


def search(found: list[Row]) -> list[tuple[int, int, dict[str, float]]]:
    """(false merges, rewrites found, rule) of every rule of the grid, best first."""
    results = []
    for cos, lead, hours, new_numbers in itertools.product(*GRID.values()):
        passed = [
            r
            for r in found
            if r.cos >= cos
            and r.lead >= lead
            and r.hours <= hours
            and not r.substituted
            and r.new_numbers <= new_numbers
            and r.new_names == 0
        ]
        rule = {"cos": cos, "lead": lead, "hours": hours, "new_numbers": new_numbers}
        false = sum(1 for r in passed if r.cls in NEGATIVE)
        results.append((false, sum(1 for r in passed if r.cls == "rewrite"), rule))
    return sorted(results, key=lambda x: (x[0], -x[1]))


def markdown(found: list[Row]) -> str:
    counts = Counter(r.cls for r in found)
    judged = Counter(p.cls for p in read_pairs())
    lines = [
        "# Rewrites: a verifier on content terms, measured (issue 20, round 2)",
        "",
        "`python -m benchmarks.dedup_rewrites`: the judged pairs near dedup leaves apart, and",
        "how many rewrites a rule on TF-IDF term cosine, lead agreement, slots and time would",
        "find for how many false merges (follow-ups, related reports, templates, shared blocks).",
        "",
        "| class | judged | left apart today |",
        "|---|---:|---:|",
        *(f"| {c} | {judged[c]} | {counts[c]} |" for c in sorted(judged)),
        "",
        "| false merges allowed | rewrites found | rule |",
        "|---:|---:|---|",
    ]
    results = search(found)
    for allowed in (0, 1, 3, 10):
        best = max(
            (r for r in results if r[0] <= allowed), key=lambda r: (r[1], -r[0]), default=None
        )
        if best:
            lines.append(f"| {allowed} | {best[1]} of {counts['rewrite']} | {best[2]} |")
    lines += [
        "",
        "The rewrites and their nearest negatives, by lead cosine:",
        "",
        "| class | cos | lead | hours | new numbers | new names | substituted | pair |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    close = sorted(
        (r for r in found if r.cos >= 0.5 and r.lead >= 0.5 and not r.substituted),
        key=lambda r: -r.lead,
    )
    for r in close:
        lines.append(
            f"| {r.cls} | {r.cos:.2f} | {r.lead:.2f} | {r.hours:.0f} | {r.new_numbers} "
            f"| {r.new_names} | {'yes' if r.substituted else 'no'} | {r.a} {r.b} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    text = markdown(rows())
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
