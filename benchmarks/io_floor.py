"""The I/O floor: read JSONL, build an Arrow table, write zstd Parquet. Nothing else.

python -m benchmarks.io_floor INPUT.jsonl OUTPUT.parquet
"""

from __future__ import annotations

import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def main(source: str, target: str) -> None:
    columns: dict[str, list[str]] = {
        k: [] for k in ("id", "url", "source", "title", "published", "text")
    }
    with open(source, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            for key, values in columns.items():
                values.append(str(record.get(key, "")))
    pq.write_table(pa.table(columns), target, compression="zstd", row_group_size=64 * 1024)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
