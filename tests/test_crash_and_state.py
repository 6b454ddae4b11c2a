"""Runs that die mid-way, runs that overlap, and runs that meet earlier output.

Crash safety is shown twice. Once end to end: a real ``akhbar ingest`` SIGKILL'd in the middle
of its commit, then a real rerun, equal to a clean run. Then at every crash point, driven at the
step it belongs to (tests/crash_drive.py): the commit stopped before its manifest, after it,
between its moves and before the run record; a writer stopped after staging a file; a reader
stopped mid-file. Each time the output is recovered as the next run's start recovers it, and
compared with the session's clean run of the samples.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from akhbar.transforms.lock import OutputLock
from akhbar.transforms.state import (
    FetchState,
    load_validators,
    validators_path,
    write_json_atomic,
)
from tests.conftest import REPO, SAMPLES, SampleRun, akhbar_cmd, run_akhbar
from tests.crash_drive import (
    INDEX,
    Killed,
    crashing_at,
    publish_clean_run,
    published_files,
    stage_two_reject_files,
)


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


def assert_same_tables(output: Path, clean: Path) -> None:
    for name in ("articles", "duplicates"):
        assert table_rows(output, name) == table_rows(clean, name), name
    drop = ("rejected_at",)
    assert table_rows(output, "rejects", drop) == table_rows(clean, "rejects", drop)
    assert visible_parquet(output) == visible_parquet(clean)


def index_rows(output: Path) -> list[tuple[str, str]]:
    """The near-duplicate index: (date folder, article id) for every entry."""
    return sorted(
        (path.parent.name, row_id)
        for path in (output / INDEX).rglob("*.parquet")
        for row_id in pq.read_table(path, columns=["id"]).column("id").to_pylist()
    )


def assert_nothing_left_over(output: Path) -> None:
    assert not list((output / "_staging").rglob("*.parquet"))
    assert not list((output / "_state" / "pending").glob("*.json"))
    assert [p for p in output.rglob("*") if p.name.endswith(".inprogress")] == []


@pytest.mark.slow
def test_sigkill_mid_commit_then_rerun_equals_clean_run(
    tmp_path: Path, sample_run: SampleRun
) -> None:
    """The end-to-end crash: a real run killed between two of its commit's moves (part of the
    run visible, the rest staged, the manifest written), then a real rerun: it finishes the
    dead run's commit at its start, finds every item already ingested, and the output equals a
    clean run's. The other crash points are driven at their own step below."""
    env = {**os.environ, "AKHBAR_CRASH_AT": "mid-moves"}
    crashed = subprocess.run(
        [*akhbar_cmd(), "ingest", "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert crashed.returncode == -9, (crashed.returncode, crashed.stderr[-2000:])
    assert len(visible_parquet(tmp_path)) == 1  # killed right after the first move
    assert len(list((tmp_path / "_state" / "pending").glob("*.json"))) == 1
    assert not (tmp_path / "_runs").exists() or not list((tmp_path / "_runs").glob("*.json"))
    rerun = run_akhbar("ingest", "--output", str(tmp_path))
    assert rerun.returncode == 0, rerun.stderr
    assert "OK" in rerun.stdout
    assert_same_tables(tmp_path, sample_run.output)
    assert index_rows(tmp_path) == index_rows(sample_run.output)
    assert_nothing_left_over(tmp_path)
    assert len(list((tmp_path / "_runs").glob("*.json"))) == 2  # the dead run's and the rerun's


# point -> (pending manifest written, table files visible: none | one | all) when it fires
COMMIT_POINTS = {
    "before-pending": (False, "none"),
    "after-pending": (True, "none"),
    "mid-moves": (True, "one"),
    "before-record": (True, "all"),
}


# the feed state a run commits with its tables: an earlier run's, and the dead run's own poll
EARLIER = {
    "etag": '"e1"',
    "last_modified": None,
    "status": 200,
    "fetched_at": "2026-12-06T00:00:00Z",
}
POLLED = FetchState("https://feeds.example/a.xml", '"a2"', None, 200, "2026-12-07T00:00:00Z")


@pytest.mark.parametrize("point", list(COMMIT_POINTS))
def test_commit_killed_at_any_point_is_rolled_forward_or_discarded(
    point: str, tmp_path: Path, sample_run: SampleRun
) -> None:
    """Tables, index files, run record and HTTP validators (what makes the next poll of a
    feed conditional) are all finished by recovery once the manifest exists; before that,
    nothing of the run survives and the next run starts afresh."""
    from akhbar.transforms.commit import recover_incomplete_runs

    clean, output = sample_run.output, tmp_path / "out"
    write_json_atomic(validators_path(str(output)), {"https://feeds.example/b.xml": EARLIER})
    with crashing_at(point), pytest.raises(Killed):
        publish_clean_run(clean, str(output), "dead", fetched=(POLLED,))
    pending, visible = COMMIT_POINTS[point]
    assert (output / "_state" / "pending" / "dead.json").exists() is pending
    expected = {"none": 0, "one": 1, "all": len(visible_parquet(clean))}[visible]
    assert len(visible_parquet(output)) == expected, point
    assert not (output / "_runs" / "dead.json").exists()

    # the next run's start
    assert recover_incomplete_runs(str(output)) == (["dead"] if pending else [])
    assert_nothing_left_over(output)
    validators = load_validators(str(output))
    assert validators["https://feeds.example/b.xml"] == EARLIER  # kept either way
    if not pending:  # never committed: nothing of it survives, the next run starts afresh
        assert [p for p in output.rglob("*") if p.is_file()] == [Path(validators_path(str(output)))]
        assert list(validators) == ["https://feeds.example/b.xml"]
    else:  # rolled forward: the run is published whole, record included
        assert_same_tables(output, clean)
        assert published_files(output) == published_files(clean)
        assert index_rows(output) == index_rows(clean)
        record = json.loads((output / "_runs" / "dead.json").read_text(encoding="utf-8"))
        keys = ("articles", "duplicates", "rejects", "duplicates_by_kind", "rejects_by_reason")
        assert {k: record[k] for k in keys} == {k: sample_run.record[k] for k in keys}
        assert record["balanced"] and record["finished_at"]
        assert validators[POLLED.url]["etag"] == POLLED.etag  # the next poll is conditional
    before = sorted(str(p) for p in output.rglob("*") if p.is_file())
    assert recover_incomplete_runs(str(output)) == []  # recovering again changes nothing
    assert sorted(str(p) for p in output.rglob("*") if p.is_file()) == before


def test_writer_killed_after_staging_a_file_leaves_nothing_visible(tmp_path: Path) -> None:
    from akhbar.transforms.commit import recover_incomplete_runs

    output = tmp_path / "out"
    with crashing_at("after-file"), pytest.raises(Killed):
        stage_two_reject_files(str(output), "dead")
    assert len(list((output / "_staging" / "dead").rglob("*.parquet"))) == 1
    assert visible_parquet(output) == []
    assert recover_incomplete_runs(str(output)) == []
    assert [p for p in output.rglob("*") if p.is_file()] == []


def test_reader_killed_mid_file() -> None:
    """The run's reader dies at its ``mid-read`` point, a few items into a file. A reader only
    hands items on (nothing is staged before the writers), so a run killed there has nothing
    on disk to recover, like ``before-pending`` above with no staged file."""
    from datetime import UTC, datetime

    from akhbar.transforms.sources import MID_READ_AFTER, ReadFileDoFn
    from akhbar.transforms.sources.files import expand_inputs

    [sample] = expand_inputs([str(SAMPLES / "jawharafm.jsonl")])
    reader = ReadFileDoFn(datetime.now(UTC))
    reader.setup()
    handed_on = []
    with crashing_at("mid-read"), pytest.raises(Killed):
        for item in reader.process(sample):
            handed_on.append(item)
    assert len(handed_on) == MID_READ_AFTER - 1


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


def test_copy_in_a_later_run_points_at_the_earlier_article(
    tmp_path: Path, sample_copy: Path
) -> None:
    output = sample_copy  # a run of the samples, then:
    seed = [a for a in table_rows(output, "articles") if "لياو ليتشانج" in a["text"]]
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
    second = run_akhbar("ingest", "--input", str(later), "--output", str(output))
    assert second.returncode == 0, second.stderr
    dups = [d for d in table_rows(output, "duplicates") if d["source"] == "shorouknews.com"]
    assert len(dups) == 1
    assert dups[0]["duplicate_of"] == seed[0]["id"]
    assert dups[0]["cluster_id"] == seed[0]["cluster_id"]
    assert dups[0]["kind"] == "exact"
    # the first run's rows are untouched
    assert len(table_rows(output, "articles")) == 39


def test_samples_copied_elsewhere_are_already_ingested(tmp_path: Path, sample_copy: Path) -> None:
    """The same items read from another folder are the same items: nothing is written again
    (before: all 42 became duplicates of themselves, and the one reject was written twice)."""
    output = sample_copy  # a run of the samples, then:
    before = {name: table_rows(output, name) for name in ("articles", "duplicates", "rejects")}
    copy = tmp_path / "copy"
    shutil.copytree(SAMPLES, copy)
    proc = run_akhbar("ingest", "--input", str(copy), "--output", str(output))
    assert proc.returncode == 0, proc.stderr
    assert "already ingested 43" in proc.stdout
    after = {name: table_rows(output, name) for name in ("articles", "duplicates", "rejects")}
    assert after == before
