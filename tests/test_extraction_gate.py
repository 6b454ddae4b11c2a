"""Quality gate for the offline extraction baseline (like trafilatura's evaluation gate).

The floors are pinned: lower them only with a written reason in the commit, never to make a
change pass. The figures come from ``benchmarks.extraction_quality.evaluate`` on the golden set
``tests/golden/`` (annotation rules in its GUIDELINES.md).
"""

from __future__ import annotations

import pytest
from akhbar.transforms.extract import ExtractConfig

from benchmarks.extraction_quality import GOLDEN, evaluate, load_golden, surface_key

ENTITY_F1_FLOOR = 0.85
AMOUNT_F1_FLOOR = 0.90
DATE_F1_FLOOR = 0.90


@pytest.fixture(scope="module")
def report():
    return evaluate(ExtractConfig())


def test_golden_set_is_big_enough_and_well_formed() -> None:
    docs = load_golden(GOLDEN)
    assert len(docs) >= 21
    regions = " ".join(d["region"] for d in docs)
    for region in (
        "Egypt",
        "Saudi",
        "UAE",
        "Lebanon",
        "Syria",
        "Jordan",
        "Tunisia",
        "Morocco",
        "Algeria",
    ):
        assert region in regions
    assert any(d["id"].startswith("seed-") for d in docs)
    for doc in docs:
        for entity in doc["entities"]:
            assert entity["type"] in ("PER", "ORG", "LOC")
            assert entity["text"] in doc["text"] or surface_key(entity["text"]) in surface_key(
                doc["text"]
            )
        for item in doc["amounts"] + doc["dates"]:
            assert item["text"] in doc["text"], (doc["id"], item)


def test_entity_f1(report) -> None:
    assert report.score("entities").f1 >= ENTITY_F1_FLOOR, report.errors


def test_amount_f1(report) -> None:
    assert report.score("amounts").f1 >= AMOUNT_F1_FLOOR, report.errors


def test_date_f1(report) -> None:
    assert report.score("dates").f1 >= DATE_F1_FLOOR, report.errors


def test_the_gate_can_fail() -> None:
    """With every extractor off, the same scorer reports zero: the floors are not vacuous."""
    empty = evaluate(ExtractConfig(entities=False, amounts=False, dates=False, quotes=False))
    assert empty.score("entities").f1 == 0.0
    assert empty.score("amounts").f1 == 0.0 and empty.score("dates").f1 == 0.0
