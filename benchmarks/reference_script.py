"""The issue's reference: a plain single-process script with no framework.

NFKC + Arabic normalization via ``str.translate``, blake2b exact dedup, rensa MinHash
(128 permutations, 5-word shingles) with 16x8 LSH banding, and one zstd Parquet write.
akhbar's throughput is compared against this (issue 7's "must beat a script" target).

    python -m benchmarks.reference_script INPUT.jsonl OUTPUT.parquet
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata

import pyarrow as pa
import pyarrow.parquet as pq
from rensa import RMinHash

TABLE = str.maketrans(
    {
        **{c: None for c in "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640"},
        **{c: "\u0627" for c in "\u0625\u0623\u0671\u0622"},
        "\u0649": "\u064a",
        "\u0629": "\u0647",
        **{a: str(i) for i, a in enumerate("٠١٢٣٤٥٦٧٨٩")},
    }
)
BANDS, ROWS, PERMS, SHINGLE = 16, 8, 128, 5


def main(source: str, target: str) -> None:
    rows: dict[str, list] = {
        k: [] for k in ("id", "url", "title", "text", "text_normalized", "content_hash", "near_of")
    }
    seen_hash: set[str] = set()
    buckets: dict[tuple[int, tuple[int, ...]], str] = {}
    with open(source, encoding="utf-8") as handle:
        for line in handle:
            rec = json.loads(line)
            text = rec.get("text") or ""
            norm = unicodedata.normalize("NFKC", text).translate(TABLE)
            digest = hashlib.blake2b(norm.encode(), digest_size=16).hexdigest()
            if digest in seen_hash:
                continue
            seen_hash.add(digest)
            words = norm.split()
            mh = RMinHash(num_perm=PERMS, seed=42)
            mh.update(
                [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
            )
            values = mh.digest()
            near_of = None
            keys = [(b, tuple(values[b * ROWS : (b + 1) * ROWS])) for b in range(BANDS)]
            for key in keys:
                if key in buckets:
                    near_of = buckets[key]
                    break
            for key in keys:
                buckets.setdefault(key, rec.get("id", ""))
            for name, value in (
                ("id", rec.get("id", "")),
                ("url", rec.get("url", "")),
                ("title", rec.get("title", "")),
                ("text", text),
                ("text_normalized", norm),
                ("content_hash", digest),
                ("near_of", near_of),
            ):
                rows[name].append(value)
    pq.write_table(pa.table(rows), target, compression="zstd", row_group_size=64 * 1024)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
