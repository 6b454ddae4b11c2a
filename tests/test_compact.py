"""``akhbar compact``: a partition's files become one, atomically, with the same rows.

A folder fed by many runs gains a file per run in the partitions they share; compaction merges
them. Readers see the old files or the new one (a swap of folders in one system call), a
SIGKILL at any step leaves the rows readable exactly once and the next run finishes the job.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from akhbar.schemas.tables import SCHEMA_VERSION, TABLES
from akhbar.transforms.compact import compact, partitions
from tests.conftest import REPO, SAMPLES, akhbar_cmd, run_akhbar

DAY = "2026-11-20"


def sample_texts() -> list[str]:
    texts: list[str] = []
    for line in (SAMPLES / "jawharafm.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            text = json.loads(line).get("text") or ""
        except ValueError:
            continue
        if len(text) > 100 and text not in texts:
            texts.append(text)
    return texts


def grow(output: Path, tmp_path: Path, runs: int, per_run: int = 2) -> None:
    """``runs`` runs, each adding ``per_run`` new articles of two sources on one day, and a
    bad line (a reject on that day's rejects partition)."""
    texts = sample_texts()
    for run in range(runs):
        folder = tmp_path / f"in-{run}"
        folder.mkdir()
        lines = []
        for i in range(per_run):
            n = run * per_run + i
            lines.append(json.dumps({
                "id": f"item-{n}", "source": f"s{n % 2}.example", "published": f"{DAY}T08:00:00Z",
                "title": f"خبر {n}", "text": f"الخبر رقم {n}. " + texts[n % len(texts)],
            }, ensure_ascii=False))  # fmt: skip
        lines.append('{"broken": ' + str(run))
        (folder / "day.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = run_akhbar("ingest", "--input", str(folder), "--output", str(output),
                          "--no-near-dedup", "--no-extract")  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]


def rows(output: Path) -> dict[str, list[dict]]:
    out = {}
    for table in TABLES:
        if not (output / table).exists():
            out[table] = []
            continue
        data = ds.dataset(output / table, format="parquet", partitioning="hive").to_table()
        out[table] = sorted(data.to_pylist(), key=lambda r: r["id"])
    return out


def file_counts(output: Path) -> Counter[str]:
    return Counter(p.table for p in partitions(str(output)) for _ in p.files)


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("grown")
    output = base / "out"
    grow(output, base, runs=3)
    return output


def copy_of(grown: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "out"
    shutil.copytree(grown, target)
    return target


def test_each_partition_becomes_one_file_with_the_same_rows(grown: Path, tmp_path: Path) -> None:
    output = copy_of(grown, tmp_path)
    before = rows(output)
    assert max(len(p.files) for p in partitions(str(output))) == 3
    done = run_akhbar("compact", "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert "files -> " in done.stdout
    assert all(len(p.files) == 1 for p in partitions(str(output)))
    assert rows(output) == before
    for p in partitions(str(output)):
        meta = pq.read_schema(p.files[0]).metadata
        assert meta[b"akhbar.schema_version"] == SCHEMA_VERSION.encode()
    assert not list((output / "_staging").rglob("*.parquet"))
    assert not list((output / "_state" / "pending").glob("*.json"))


def test_before_limits_the_days_and_an_old_schema_file_is_conformed(
    grown: Path, tmp_path: Path
) -> None:
    output = copy_of(grown, tmp_path)
    # a schema-1 rejects file (column "at", no item_key) in an older day's partition
    old = output / "rejects" / "date=2026-01-02"
    old.mkdir(parents=True)
    v1 = pa.table({"id": ["r1", "r2"], "input": ["x", "y"], "source": [None, None],
                   "stage": ["read"] * 2, "reason": ["jsonl:invalid-json"] * 2,
                   "detail": ["d"] * 2, "payload": ["p"] * 2,
                   "at": pa.array([0, 0], pa.timestamp("us", tz="UTC"))})  # fmt: skip
    pq.write_table(v1, old / "part-old1-0000.parquet")
    pq.write_table(
        v1.slice(0, 1).set_column(0, "id", pa.array(["r3"])), old / "part-old2-0000.parquet"
    )
    assert compact(str(output), before="2026-06-01")["partitions"] == 1
    [merged] = [p for p in partitions(str(output)) if p.folder.endswith("date=2026-01-02")]
    table = pq.read_table(merged.files[0])
    assert table.column("id").to_pylist() == ["r1", "r2", "r3"]
    assert table.column("rejected_at").null_count == 0 and table.column("item_key").null_count == 3
    assert max(len(p.files) for p in partitions(str(output))) == 3  # DAY is after --before


@pytest.mark.slow
@pytest.mark.parametrize("point", ["compact-staged", "compact-pending", "compact-swapped"])
def test_a_compaction_killed_at_any_step(point: str, grown: Path, tmp_path: Path) -> None:
    output = copy_of(grown, tmp_path)
    before = rows(output)
    killed = subprocess.run(
        [*akhbar_cmd(), "compact", "--output", str(output)],
        env={**os.environ, "AKHBAR_CRASH_AT": point}, cwd=REPO, capture_output=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -9
    assert rows(output) == before  # readable, each row once, whatever step it died at
    again = run_akhbar("compact", "--output", str(output))
    assert again.returncode == 0, again.stderr
    assert all(len(p.files) == 1 for p in partitions(str(output)))
    assert rows(output) == before
    assert not list((output / "_state" / "pending").glob("*.json"))


@pytest.mark.slow
def test_a_reader_never_sees_a_row_twice_or_miss_one(tmp_path: Path) -> None:
    """A reader lists and reads the tables in a loop while many partitions are compacted:
    every complete read has exactly the rows (a read that found a listed file gone retries)."""
    output = tmp_path / "out"
    grow(output, tmp_path, runs=3, per_run=12)  # 12 source x 1 day partitions of 3 files
    expected = {t: len(r) for t, r in rows(output).items() if t != "duplicates"}
    seen: list[dict[str, int]] = []
    retried = 0
    stop = threading.Event()

    def read() -> None:
        nonlocal retried
        while not stop.is_set():
            try:
                seen.append({t: ds.dataset(output / t, partitioning="hive").count_rows()
                             for t in ("articles", "rejects")})  # fmt: skip
            except (FileNotFoundError, OSError):
                retried += 1

    reader = threading.Thread(target=read)
    reader.start()
    try:
        done = subprocess.run([*akhbar_cmd(), "compact", "--output", str(output)],
                              cwd=REPO, capture_output=True, text=True, timeout=300)  # fmt: skip
    finally:
        stop.set()
        reader.join()
    assert done.returncode == 0, done.stderr
    assert seen and all(s == expected for s in seen), [s for s in seen if s != expected][:3]
    assert all(len(p.files) == 1 for p in partitions(str(output)))
    print(f"{len(seen)} complete reads, {retried} retried", file=sys.stderr)


def test_ingest_suggests_compacting_crowded_partitions(tmp_path: Path) -> None:
    output = tmp_path / "out"
    grow(output, tmp_path, runs=1)
    folder = next(p for p in partitions(str(output)) if p.table == "articles").folder
    for i in range(9):  # as if nine more runs had written there
        pq.write_table(pq.read_table(f"{folder}/{os.listdir(folder)[0]}"),
                       f"{folder}/part-r{i:015d}-0000.parquet")  # fmt: skip
    again = run_akhbar("ingest", "--input", str(tmp_path / "in-0"), "--output", str(output))
    assert again.returncode == 0, again.stderr
    assert "1 partitions hold more than 8 files; akhbar compact --output" in again.stdout


def test_compact_usage_errors(tmp_path: Path) -> None:
    done = run_akhbar("compact", "--output", str(tmp_path / "none"))
    assert done.returncode == 2 and done.stderr.startswith("akhbar compact: error: ")
    done = run_akhbar("compact", "--before", "yesterday", "--output", str(tmp_path))
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr
