"""Near-duplicate detection inside `akhbar ingest`: within a run and across runs."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.dataset as ds

from tests.conftest import SHARED_DATA, run_akhbar

SEED = (SHARED_DATA / "seed-article-ar.txt").read_text(encoding="utf-8").strip()


def rows(output: Path, table: str) -> list[dict]:
    return ds.dataset(output / table, format="parquet", partitioning="hive").to_table().to_pylist()


def syndicated_copy(text: str) -> str:
    """The wire story as another outlet runs it: dateline, ي for ى, a cut last paragraph."""
    paragraphs = text.split("\n")[:-1]
    body = "\n".join(paragraphs).replace("ى ", "ي ")
    return "القاهرة - أ ش أ:\n" + body + "\nالمصدر: وكالة أنباء الشرق الأوسط"


def jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def test_copy_in_the_same_run_is_a_near_duplicate(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    jsonl(
        inputs / "a.jsonl",
        [
            {
                "id": "orig",
                "url": "https://www.youm7.com/story/1",
                "source": "youm7.com",
                "title": "السفير الصينى",
                "published": "2020-09-10T10:00:00Z",
                "text": SEED,
            },
            {
                "id": "copy",
                "url": "https://www.shorouknews.com/news/2",
                "source": "shorouknews.com",
                "title": "سفير الصين بالقاهرة",
                "published": "2020-09-10T13:00:00Z",
                "text": syndicated_copy(SEED),
            },
        ],
    )
    output = tmp_path / "out"
    proc = run_akhbar("ingest", "--input", str(inputs), "--output", str(output))
    assert proc.returncode == 0, proc.stderr
    articles, duplicates = rows(output, "articles"), rows(output, "duplicates")
    assert [a["source"] for a in articles] == ["youm7.com"]
    assert len(duplicates) == 1 and duplicates[0]["kind"] == "near"
    assert duplicates[0]["duplicate_of"] == articles[0]["id"]
    assert duplicates[0]["cluster_id"] == articles[0]["cluster_id"]
    assert 0.5 <= duplicates[0]["similarity"] <= 1.0  # containment: a cut copy scores high
    assert articles[0]["duplicate_count"] == 1
    assert articles[0]["syndicated_by"] == ["shorouknews.com", "youm7.com"]


def test_copy_in_a_later_run_matches_the_earlier_article(tmp_path: Path, sample_copy: Path) -> None:
    output = sample_copy  # a run of the samples, then:
    [seed] = [a for a in rows(output, "articles") if "لياو ليتشانج" in a["text"]]
    later = tmp_path / "later"
    later.mkdir()
    jsonl(
        later / "b.jsonl",
        [
            {
                "id": "later",
                "url": "https://www.elwatannews.com/news/3",
                "source": "elwatannews.com",
                "title": "مصر والصين",
                "published": "2020-09-11T08:00:00Z",
                "text": syndicated_copy(SEED),
            },
        ],
    )
    proc = run_akhbar("ingest", "--input", str(later), "--output", str(output))
    assert proc.returncode == 0, proc.stderr
    copies = [d for d in rows(output, "duplicates") if d["source"] == "elwatannews.com"]
    assert len(copies) == 1 and copies[0]["kind"] == "near"
    assert copies[0]["duplicate_of"] == seed["id"] and copies[0]["cluster_id"] == seed["cluster_id"]
    assert len(rows(output, "articles")) == 39


def test_no_near_dedup_flag_keeps_the_copy(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    jsonl(
        inputs / "a.jsonl",
        [
            {"id": "orig", "source": "a", "text": SEED, "published": "2020-09-10T10:00:00Z"},
            {
                "id": "copy",
                "source": "b",
                "text": syndicated_copy(SEED),
                "published": "2020-09-10T11:00:00Z",
            },
        ],
    )
    output = tmp_path / "out"
    proc = run_akhbar("ingest", "--input", str(inputs), "--output", str(output), "--no-near-dedup")
    assert proc.returncode == 0, proc.stderr
    assert len(rows(output, "articles")) == 2
