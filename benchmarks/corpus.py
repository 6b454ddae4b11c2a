"""Build benchmark inputs from the shared ANT corpus, reproducibly.

    python -m benchmarks.corpus --out benchmarks/data [--copies 1 5 10] [--seed 13]

``ant-1x.jsonl`` is the corpus as-is (10,161 articles). ``ant-Nx.jsonl`` repeats it N times; every
copy after the first perturbs 3% of the words (fixed seed) and gets its own ids and URLs, so the
copies are near-duplicates, not exact ones.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from akhbar.seeds.ant import DEFAULT_TARBALL, read_ant_docs


def ant_records(tarball: Path = DEFAULT_TARBALL) -> list[dict[str, str]]:
    return [
        {
            "id": doc["docno"],
            "url": doc.get("url", ""),
            "source": "jawharafm.net",
            "title": doc.get("title", ""),
            "published": doc.get("time", ""),
            "text": doc.get("text", ""),
            "category": doc.get("cat", ""),
        }
        for doc in read_ant_docs(tarball)
    ]


def perturb(text: str, rng: random.Random, share: float = 0.03) -> str:
    words = text.split(" ")
    for _ in range(max(1, int(len(words) * share))):
        i = rng.randrange(len(words))
        words[i] = words[i][::-1] if rng.random() < 0.5 else words[i] + "ة"
    return " ".join(words)


def write_copies(records: list[dict[str, str]], copies: int, path: Path, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for rec in records:
                if copy:
                    rec = {
                        **rec,
                        "id": f"{rec['id']}-c{copy}",
                        "url": f"{rec['url']}?copy={copy}",
                        "text": perturb(rec["text"], rng),
                    }
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("benchmarks/data"))
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    records = ant_records()
    for copies in args.copies:
        target = args.out / f"ant-{copies}x.jsonl"
        write_copies(records, copies, target, args.seed)
        print(f"{target}: {len(records) * copies} articles")


if __name__ == "__main__":
    main()
