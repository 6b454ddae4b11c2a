"""Runs that die mid-way, runs that overlap, and runs that meet earlier output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from akhbar.transforms.lock import OutputLock

from tests.conftest import REPO, SAMPLES, akhbar_cmd, run_akhbar


def table_rows(output: Path, name: str, drop: tuple[str, ...] = ()) -> list[dict]:
    folder = output / name
    if not folder.exists():
        return []
    data = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    keep = [c for c in data.column_names if c not in drop]
    return sorted(data.select(keep).to_pylist(), key=lambda r: r["id"])


def visible_parquet(output: Path) -> list[str]:
    """Published table files, by partition folder (file names carry each run's fingerprint)."""
    return (
        sorted(
            str(p.parent.relative_to(output))
            for name in ("articles", "duplicates", "rejects")
            for p in (output / name).rglob("*.parquet")
        )
        if output.exists()
        else []
    )


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("clean")
    proc = run_akhbar("ingest", "--output", str(output))
    assert proc.returncode == 0, proc.stderr
    return output


@pytest.mark.slow
@pytest.mark.parametrize(
    "point",
    # mid-read: while reading the inputs (after 5 items of a file); after-file: while writing
    # (one table file staged); the rest: between the commit's steps, up to updating _state/
    ["mid-read", "after-file", "before-pending", "after-pending", "mid-moves", "before-record"],
)
def test_sigkill_at_any_commit_point_then_rerun_equals_clean_run(
    point: str, tmp_path: Path, clean_run: Path
) -> None:
    env = {**os.environ, "AKHBAR_CRASH_AT": point}
    crashed = subprocess.run(
        [*akhbar_cmd(), "ingest", "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert crashed.returncode == -9, (point, crashed.returncode, crashed.stderr[-2000:])
    if point in ("mid-read", "after-file", "before-pending"):
        # nothing committed yet: readers see no table file at all
        assert visible_parquet(tmp_path) == []
    rerun = run_akhbar("ingest", "--output", str(tmp_path))
    assert rerun.returncode == 0, rerun.stderr
    assert "OK" in rerun.stdout
    for name in ("articles", "duplicates"):
        assert table_rows(tmp_path, name) == table_rows(clean_run, name), (point, name)
    assert table_rows(tmp_path, "rejects", ("rejected_at",)) == table_rows(clean_run, "rejects", ("rejected_at",))
    assert visible_parquet(tmp_path) == visible_parquet(clean_run)
    assert not list((tmp_path / "_staging").rglob("*.parquet"))
    assert not list((tmp_path / "_state" / "pending").glob("*.json"))
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".inprogress")]
    assert leftovers == []


def test_second_run_on_a_locked_output_exits_3(tmp_path: Path) -> None:
    with OutputLock(str(tmp_path)):
        proc = run_akhbar("ingest", "--output", str(tmp_path))
    assert proc.returncode == 3
    assert "is busy: another run holds it" in proc.stderr
    assert visible_parquet(tmp_path) == []


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = tmp_path / "_state" / "lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"host": os.uname().nodename, "pid": dead.pid, "at": 0}))
    proc = run_akhbar("ingest", "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert not lock.exists()


def test_copy_in_a_later_run_points_at_the_earlier_article(tmp_path: Path) -> None:
    first = run_akhbar("ingest", "--output", str(tmp_path))
    assert first.returncode == 0
    seed = [a for a in table_rows(tmp_path, "articles") if "لياو ليتشانج" in a["text"]]
    assert len(seed) == 1
    later = tmp_path / "later"
    later.mkdir()
    record = {
        "id": "later-1",
        "url": "https://www.shorouknews.com/news/view.aspx?id=42",
        "source": "shorouknews.com",
        "title": "السفير الصيني",
        "published": "2020-09-11T09:00:00Z",
        "text": seed[0]["text"],
    }
    (later / "later.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n")
    second = run_akhbar("ingest", "--input", str(later), "--output", str(tmp_path))
    assert second.returncode == 0, second.stderr
    dups = [d for d in table_rows(tmp_path, "duplicates") if d["source"] == "shorouknews.com"]
    assert len(dups) == 1
    assert dups[0]["duplicate_of"] == seed[0]["id"]
    assert dups[0]["cluster_id"] == seed[0]["cluster_id"]
    assert dups[0]["kind"] == "exact"
    # the first run's rows are untouched
    assert len(table_rows(tmp_path, "articles")) == 39


def test_samples_copied_elsewhere_are_already_ingested(tmp_path: Path) -> None:
    """The same items read from another folder are the same items: nothing is written again
    (before: all 42 became duplicates of themselves, and the one reject was written twice)."""
    output = tmp_path / "out"
    assert run_akhbar("ingest", "--output", str(output)).returncode == 0
    before = {name: table_rows(output, name) for name in ("articles", "duplicates", "rejects")}
    copy = tmp_path / "copy"
    shutil.copytree(SAMPLES, copy)
    proc = run_akhbar("ingest", "--input", str(copy), "--output", str(output))
    assert proc.returncode == 0, proc.stderr
    assert "already ingested 43" in proc.stdout
    after = {name: table_rows(output, name) for name in ("articles", "duplicates", "rejects")}
    assert after == before
