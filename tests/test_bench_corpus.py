"""The unique-article corpus (benchmarks/unique_corpus.py): deterministic, and no near pairs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from benchmarks import unique_corpus as uc
from benchmarks.corpus import ant_records
from tests.conftest import SHARED_DATA

ANT = SHARED_DATA / "corpora" / "ant-v1.1-jawharafm" / "antcorpus_v1.1_all_10161_docs.tar.gz"
pytestmark = pytest.mark.skipif(not ANT.exists(), reason="needs ../shared/data (the ANT corpus)")
ANCHOR = datetime(2026, 12, 7, 18, tzinfo=UTC)


@pytest.fixture(scope="module")
def ant() -> tuple[list[dict[str, str]], uc.Pool]:
    records = ant_records(ANT)
    return records, uc.sentence_pool(records)


def test_pool_keeps_single_article_sentences_of_6_to_120_words() -> None:
    long = " ".join(["كلمة"] * 121)
    shared = "هذه جملة مشتركة بين مقالين في المدونة كلها."
    records = [
        {"text": f"جملة أولى من ست كلمات هنا. قصيرة جدا.\n{shared} {long}"},
        {"text": f"{shared}\nجملة ثانية من سبع كلمات في المقال."},
    ]
    pool = uc.sentence_pool(records)
    assert pool.sentences == ["جملة أولى من ست كلمات هنا.", "جملة ثانية من سبع كلمات في المقال."]
    assert pool.origin.tolist() == [0, 1] and pool.words.tolist() == [6, 7]
    assert pool.counts.tolist() == [uc.MIN_SENTENCES, uc.MIN_SENTENCES]  # clipped up


def test_plan_is_deterministic_and_keeps_its_constraints(ant) -> None:
    _records, pool = ant
    ids = uc.plan(pool, 3000, seed=19)
    assert np.array_equal(ids, uc.plan(pool, 3000, seed=19))
    assert not np.array_equal(ids, uc.plan(pool, 3000, seed=20))
    pairs: set[tuple[int, int]] = set()
    for row in ids.tolist():
        sentences = [i for i in row if i >= 0]
        assert uc.MIN_SENTENCES <= len(sentences) <= uc.MAX_SENTENCES
        assert len(set(sentences)) == len(sentences)
        words = [int(pool.words[i]) for i in sentences]
        assert max(words) <= uc.MAX_SHARE * sum(words)
        mine = {tuple(sorted(p)) for p in combinations(sentences, 2)}
        assert not mine & pairs, "two articles share two sentences"
        pairs |= mine


def test_plan_draws_colliding_articles_again_or_gives_up() -> None:
    """A pool so small that random draws must collide: the plan still shares no pair; and a
    corpus that cannot exist (more pairs needed than the pool has) is refused."""
    pool = uc.Pool(
        sentences=[f"s{i}" for i in range(12)],
        words=np.full(12, 10, dtype=np.int32),
        origin=np.zeros(12, dtype=np.int32),
        counts=np.array([3], dtype=np.int32),
    )
    ids = uc.plan(pool, 12, seed=1)  # 36 of the 66 pairs used
    keys = [tuple(sorted(p)) for row in ids.tolist() for p in combinations(row[:3], 2)]
    assert len(keys) == len(set(keys)) == 36
    with pytest.raises(ValueError, match="no plan of 30 articles"):
        uc.plan(pool, 30, seed=1)  # 90 pairs needed, 66 exist


def test_layouts_share_bodies_and_differ_in_dates_and_outlets(ant) -> None:
    records, pool = ant
    ids = uc.plan(pool, 500)
    backfill = list(uc.articles(records, pool, ids, "backfill", ANCHOR))
    live = list(uc.articles(records, pool, ids, "live", ANCHOR))
    assert [a["text"] for a in backfill] == [a["text"] for a in live]
    assert len({a["text"] for a in backfill}) == 500
    assert {a["source"] for a in backfill} == {uc.ANT_SOURCE}
    ant_dates = {r["published"] for r in records}
    assert all(a["published"] in ant_dates for a in backfill)
    moments = [datetime.fromisoformat(a["published"]) for a in live]
    assert all(ANCHOR - timedelta(days=uc.LIVE_DAYS) <= m <= ANCHOR for m in moments)
    assert len({a["source"] for a in live}) == 30
    assert len({a["url"] for a in live}) == len({a["id"] for a in live}) == 500


def test_akhbar_finds_no_copies_in_a_written_sample(ant, tmp_path: Path) -> None:
    """Written to JSONL, 1,500 articles read, prepared and deduplicated by akhbar's own
    functions (default near-dup config): no exact and no near copy among them."""
    records, pool = ant
    path = tmp_path / "u.jsonl"
    lines, _ = uc.write(path, uc.articles(records, pool, uc.plan(pool, 1500), "live", ANCHOR))
    assert lines == 1500
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["id"] == "u19-0000000"
    check = uc.near_pairs(path, 1500)
    assert check["articles"] == 1500
    assert (check["exact_duplicates"], check["near_duplicates"]) == (0, 0)


def test_manifest_decides_when_a_corpus_is_written_again() -> None:
    today = datetime.now(UTC).isoformat()
    old = {"size": 10, "seed": 19, "version": uc.VERSION, "anchor": "2020-01-01"}
    assert uc.is_current(old, "backfill", 10, 19)
    assert not uc.is_current(old, "live", 10, 19)
    assert uc.is_current({**old, "anchor": today}, "live", 10, 19)
    assert not uc.is_current({**old, "anchor": today, "seed": 18}, "live", 10, 19)
    assert not uc.is_current({**old, "version": uc.VERSION - 1}, "backfill", 10, 19)
    assert not uc.is_current(None, "backfill", 10, 19)
    assert uc.corpus_name("live", 1_000_000) == "unique-live-1m"
    assert uc.corpus_name("backfill", 50_000) == "unique-backfill-50k"
