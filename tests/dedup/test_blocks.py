"""Blocks an outlet repeats (a programme blurb), learned across runs and cut before shingling
(issue 20, ``transforms.dedup.blocks``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from akhbar.schemas.records import Article
from akhbar.transforms.dedup.blocks import (
    BlockCounter,
    load_blocks,
    save_blocks,
    sentence_hashes,
    strip_blocks,
)
from akhbar.transforms.dedup.keys import dedup_key
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import signed
from akhbar.transforms.dedup.verify import Kind, verdict
from tests.conftest import run_akhbar
from tests.dedup.stories import story

CFG = DEFAULT_MINHASH
T0 = datetime(2017, 3, 1, 8, tzinfo=UTC)


@cache
def texts() -> tuple[str, list[str]]:
    """The benchmark's programme blurb and twelve short real news items: ANT openings without
    numbers or lexicon names (slots would tell two items apart on their own)."""
    from akhbar.transforms.lexicons import name_lexicon
    from akhbar.transforms.normalize import normalize_fast
    from benchmarks.dedup_pairs import ant_docs, blurb_text

    docs = ant_docs()
    items = []
    for docno in sorted(docs):
        opening = " ".join(docs[docno].get("text", "").split()[:14])
        words = normalize_fast(opening).split()
        if (
            docs[docno].get("cat") != "localNews"
            or len(words) < 14
            or any(c.isdigit() for c in opening)
        ):
            continue
        if not name_lexicon().names_in(words):
            items.append(opening + ".")
        if len(items) == 12:
            break
    return blurb_text(docs), items


def item(i: int, body: str, hours: int) -> Article:
    return story(f"item-{i}", body, hours=hours, source="radio.example")


def test_a_blurb_learned_from_earlier_runs_is_cut_before_matching(shared_data: Path) -> None:
    """Short items carrying one long blurb look like copies of each other (the blurb is most of
    their words, too much for the shared-block rule); once the outlet's blurb is learned, they
    are different items again."""
    blurb, news = texts()
    a, b = (item(i, news[i] + "\n\n" + blurb, i) for i in (0, 1))
    plain = [signed(dedup_key(x, CFG), CFG)[0] for x in (a, b)]
    assert verdict(*plain, CFG).kind is Kind.DUPLICATE  # what one run alone can see
    counter = BlockCounter()
    acc = counter.create_accumulator()
    for i in range(2, 8):  # six earlier items of the outlet with the blurb
        key = dedup_key(item(i, news[i] + "\n\n" + blurb, i), CFG)
        acc = counter.add_input(acc, (key.source, key.sentences))
    blocks = load_blocks_from(counter.extract_output(acc))
    assert blocks["radio.example"]  # the blurb's sentences
    learned = [signed(dedup_key(x, CFG, blocks["radio.example"]), CFG)[0] for x in (a, b)]
    assert verdict(*learned, CFG).kind is Kind.DIFFERENT


def load_blocks_from(counts) -> dict[str, frozenset[int]]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/part-run.parquet"
        assert save_blocks(counts, path) > 0
        return load_blocks([path])


def test_strip_blocks_keeps_everything_else() -> None:
    """Only whole block sentences go; the rest of the text and its delimiters stay."""
    blurb = "هذا نص البرنامج الذي يتكرر في كل مقال من المقالات"
    text = f"خبر أول عن الطقس في تونس اليوم. {blurb}.\nخبر قصير"
    blocks = frozenset(np.frombuffer(sentence_hashes(blurb), np.uint32).tolist())
    assert strip_blocks(text, blocks) == "خبر أول عن الطقس في تونس اليوم..\nخبر قصير"


@pytest.mark.slow
def test_the_next_run_cuts_what_earlier_runs_learned(shared_data: Path, tmp_path: Path) -> None:
    """Two real ``akhbar ingest`` runs into one folder: the first merges blurb-dominated items
    and stores the outlet's repeated sentences in _state/near_blocks (moved there by the
    commit); the second cuts them and merges nothing."""
    blurb, news = texts()
    out = tmp_path / "out"

    def write(name: str, rows: range) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8") as handle:
            for i in rows:
                record = {
                    "id": f"n{i}",
                    "url": f"https://radio.example/n{i}",
                    "source": "radio.example",
                    "title": f"خبر {i}",
                    "published": (T0 + timedelta(hours=i)).isoformat(),
                    "text": news[i] + "\n\n" + blurb,
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return path

    def near(record_path: Path) -> int:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        return record.get("duplicates_by_kind", {}).get("near", 0)

    first = run_akhbar(
        "ingest", "--input", str(write("a.jsonl", range(8))), "--output", str(out), "--no-extract"
    )
    assert first.returncode == 0, first.stderr[-2000:]
    runs = sorted((out / "_runs").glob("*.json"))
    assert near(runs[-1]) > 0  # without learned blocks, the blurb merged them
    assert list((out / "_state" / "near_blocks").glob("part-*.parquet"))
    second = run_akhbar(
        "ingest",
        "--input",
        str(write("b.jsonl", range(8, 12))),
        "--output",
        str(out),
        "--no-extract",
    )
    assert second.returncode == 0, second.stderr[-2000:]
    latest = max((out / "_runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    assert near(latest) == 0
