"""dedup/near_index.py: save, load within the horizon, prune, refuse foreign signatures."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from akhbar.transforms.dedup.exact import DedupGroup, cluster_id_for
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import near_doc
from akhbar.transforms.dedup.near_index import (
    index_entry,
    index_file_path,
    load_index,
    prune_index,
    read_index_file,
    read_prior_docs,
    recent_index_files,
    save_index,
    select_index_files,
)
from tests.dedup.stories import at, paragraphs, story

CFG = DEFAULT_MINHASH


def groups_by_day(days: list[float]) -> list[DedupGroup]:
    p = paragraphs()
    out = []
    for i, day in enumerate(days):
        article = story(f"a{i}", p[i % len(p)], hours=24 * day)
        out.append(DedupGroup(replace(article, cluster_id=cluster_id_for(article))))
    return out


def test_save_and_read_back_round_trip(tmp_path: Path) -> None:
    groups = groups_by_day([0, 0, 1, 3])  # 2026-11-29, 29, 30, 2026-12-02
    entries = [index_entry(g, CFG) for g in groups]
    written = save_index(entries, str(tmp_path), "run1")
    assert [w.path for w in written] == [
        index_file_path(str(tmp_path), "2026-11", "run1"),
        index_file_path(str(tmp_path), "2026-12", "run1"),
    ]
    assert [w.rows for w in written] == [3, 1] and all(w.staged is None for w in written)
    back = [e for w in written for e in read_index_file(w.path)]
    assert back == sorted(entries, key=lambda e: (e.partition_date, e.id))
    doc = back[0].as_doc()
    assert doc.prior and doc.cluster_id == groups[0].canonical.cluster_id
    assert doc.signature == near_doc(groups[0].canonical, CFG).signature


def test_staged_files_land_where_the_commit_moves_them_from(tmp_path: Path) -> None:
    entries = [index_entry(g, CFG) for g in groups_by_day([0])]
    [written] = save_index(entries, str(tmp_path / "final"), "r", staging=str(tmp_path / "stage"))
    assert written.staged and Path(written.staged).is_file()
    assert not Path(written.path).exists()
    assert written.staged.replace(str(tmp_path / "stage"), str(tmp_path / "final")) == written.path


def test_load_keeps_the_horizon_only_and_reads_no_older_file(tmp_path: Path) -> None:
    entries = [index_entry(g, CFG) for g in groups_by_day([-40, -6, -1, 0])]
    save_index(entries, str(tmp_path), "r1")
    save_index(entries[-1:], str(tmp_path), "r2")  # the same article indexed by a re-run
    old = Path(index_file_path(str(tmp_path), "2026-10", "r1"))
    old.write_bytes(b"not parquet: reading it would raise")
    docs = load_index(str(tmp_path), at(0), timedelta(days=7), CFG)
    assert [d.id for d in docs] == ["a1", "a2", "a3"]
    assert all(d.prior for d in docs)
    assert len(select_index_files(str(tmp_path), at(-24 * 7))) == 2  # November, twice


def test_recent_files_are_chosen_by_write_time(tmp_path: Path) -> None:
    import os
    import time

    entries = [index_entry(g, CFG) for g in groups_by_day([-400, 0])]
    old, new = save_index(entries, str(tmp_path), "r")
    now = time.time()
    os.utime(old.path, (now - 30 * 86400, now - 30 * 86400))  # written a month ago
    assert recent_index_files(str(tmp_path), 7, now) == [new.path]
    assert recent_index_files(str(tmp_path), 60, now) == [old.path, new.path]


def test_rows_older_than_the_horizon_inside_a_selected_file_are_dropped(tmp_path: Path) -> None:
    entries = [index_entry(g, CFG) for g in groups_by_day([0])]
    [written] = save_index(entries, str(tmp_path), "r")
    docs, skipped = read_prior_docs(written.path, CFG, not_before=at(1))
    assert (docs, skipped) == ([], 0)


def test_one_index_file_per_month_not_per_day(tmp_path: Path) -> None:
    """A backfill over many days writes one file per month (before: one per day)."""
    entries = [index_entry(g, CFG) for g in groups_by_day([-60, -45, -10, -3, 0])]
    written = save_index(entries, str(tmp_path), "r")
    assert sorted(Path(w.path).parent.name for w in written) == [
        "month=2026-09",
        "month=2026-10",
        "month=2026-11",
    ]


def test_prune_deletes_only_months_before_the_horizon_and_old_daily_files(
    tmp_path: Path,
) -> None:
    entries = [index_entry(g, CFG) for g in groups_by_day([-40, -3, 0])]
    save_index(entries, str(tmp_path), "r")
    # a file of the earlier daily layout is read and pruned the same way
    [legacy] = save_index(entries[1:2], str(tmp_path / "legacy"), "old")
    daily = tmp_path / "date=2026-11-19" / "part-old.parquet"
    daily.parent.mkdir()
    Path(legacy.path).rename(daily)
    assert len(select_index_files(str(tmp_path), at(-24 * 365))) == 3
    removed = prune_index(str(tmp_path), at(-24 * 7))
    assert sorted(Path(p).parent.name for p in removed) == ["date=2026-11-19", "month=2026-10"]
    assert [Path(p).parent.name for p in select_index_files(str(tmp_path), at(-24 * 365))] == [
        "month=2026-11"
    ]


def test_signatures_of_another_config_are_skipped_not_misread(tmp_path: Path) -> None:
    entries = [index_entry(g, CFG) for g in groups_by_day([0, 0])]
    [written] = save_index(entries, str(tmp_path), "r")
    docs, skipped = read_prior_docs(written.path, replace(CFG, seed=1))
    assert docs == [] and skipped == 2
    assert len(read_prior_docs(written.path, CFG)[0]) == 2


def test_a_prior_article_keeps_its_verification_features(tmp_path: Path) -> None:
    """An earlier run's article is judged with the same features as this run's (issue 20): the
    index stores them, and a file written before them reads with none."""
    import pyarrow.parquet as pq

    group = groups_by_day([0])[0]
    [written] = save_index([index_entry(group, CFG)], str(tmp_path), "run1")
    doc = next(read_index_file(written.path)).as_doc()
    fresh = near_doc(group.canonical, CFG)
    assert (doc.marks, doc.numbers, doc.names, doc.rare, doc.source) == (
        fresh.marks, fresh.numbers, fresh.names, fresh.rare, fresh.source,
    )  # fmt: skip
    # round 3: the slot pairs and the title words too (the "another story" and follow-up
    # rules read the titles; templates are told by the slots)
    assert (doc.slots, doc.title_words) == (fresh.slots, fresh.title_words)
    assert doc.marks and doc.title_words  # a real text has marks, a real title words
    old = tmp_path / "old.parquet"  # the layout before issue 20: no feature columns
    table = pq.read_table(written.path)
    features = ["marks", "numbers", "names", "rare", "lead", "slots", "title_words"]
    pq.write_table(table.drop(features), old)
    legacy = next(read_index_file(str(old))).as_doc()
    assert legacy.signature == doc.signature and legacy.marks == b"" and legacy.lead == b""
    assert legacy.slots == b"" and legacy.title_words == b""
