"""Quality gate for the offline extraction baseline (like trafilatura's evaluation gate).

The floors are pinned: lower them only with a written reason in the commit, never to make a
change pass. The figures come from ``benchmarks.extraction_quality.evaluate`` on the golden set
``tests/golden/`` (annotation rules in its GUIDELINES.md), per split: ``dev`` (tuned on),
``heldout`` (annotated blind; its errors were read in issue 21's round 3), ``heldout2``
(annotated blind in round 3; its errors were read in round 4) and ``heldout3`` (annotated blind
in round 4, never tuned on).
"""

from __future__ import annotations

from collections import Counter

import pytest

from akhbar.transforms.extract import ExtractConfig
from benchmarks.extraction_quality import GOLDEN, evaluate, load_golden, surface_key

# dev split (tuned on). Raised for issue 21 from 0.85 / 0.90 / 0.90 to what was reached.
ENTITY_F1_FLOOR = 0.96  # 0.95 before round 4
AMOUNT_F1_FLOOR = 0.99  # 0.98
DATE_F1_FLOOR = 0.99
DEV_FLOORS = {
    "entities:PER": 0.98,
    "entities:ORG": 0.96,  # 0.95 before round 3
    "entities:LOC": 0.93,
    "dates:day": 0.99,
    "quotes": 0.99,
}
# First held-out split (annotated blind; round 3 recorded its scores, then read its errors, so
# it is dev data from then on): raised in rounds 3 and 4 to what its rules reached.
HELDOUT_FLOORS = {
    "entities": 0.88,  # 0.81 before round 3, 0.87 before round 4
    "entities:PER": 0.89,  # 0.82, 0.86
    "entities:ORG": 0.88,  # 0.79
    "entities:LOC": 0.85,  # 0.83
    "amounts": 0.98,  # 0.90, 0.95
    "dates": 0.99,
    "dates:day": 0.99,
    "quotes": 0.89,  # 0.78, 0.80
}
HELDOUT_PER_RECALL_FLOOR = 0.85  # 0.76 before round 3, 0.81 before round 4
# Second held-out split (annotated blind in round 3; round 4 recorded its scores again, then
# read its errors, so it is dev data from then on): raised in round 4 to what was reached.
HELDOUT2_FLOORS = {
    "entities": 0.88,  # 0.71 before round 4
    "entities:PER": 0.89,  # 0.72
    "entities:ORG": 0.86,  # 0.59
    "entities:LOC": 0.88,  # 0.80
    "amounts": 0.99,  # 0.87
    "dates": 0.99,  # 0.97
    "dates:day": 0.99,
    "quotes": 0.85,  # 0.58
}
HELDOUT2_PER_RECALL_FLOOR = 0.87  # 0.69
# Third held-out split (annotated blind in round 4, never tuned on): its first scores were
# entities 0.762, PER 0.839 (recall 0.825), ORG 0.715, LOC 0.722, amounts 0.886, dates 0.938,
# quotes 0.761; the round-4 rules drawn from the other splits and from ANT raised them to the
# floors below. Issue 21's targets (entity F1 0.85, PER recall 0.80, every type 0.80, amounts
# 0.95, dates 0.90) are not all met on it: these floors only stop a regression.
HELDOUT3_FLOORS = {
    "entities": 0.79,
    "entities:PER": 0.83,
    "entities:ORG": 0.76,
    "entities:LOC": 0.77,
    "amounts": 0.92,
    "dates": 0.93,
    "dates:day": 0.93,
    "quotes": 0.84,
}
HELDOUT3_PER_RECALL_FLOOR = 0.82


@pytest.fixture(scope="module")
def report():
    return evaluate(ExtractConfig(), split="dev")


@pytest.fixture(scope="module")
def heldout():
    return evaluate(ExtractConfig(), split="heldout")


@pytest.fixture(scope="module")
def heldout2():
    return evaluate(ExtractConfig(), split="heldout2")


@pytest.fixture(scope="module")
def heldout3():
    return evaluate(ExtractConfig(), split="heldout3")


def _occurs(surface: str, text: str) -> bool:
    key, body = surface_key(surface), surface_key(text)
    return surface in text or key in body or ("ل" + key[1:]) in body


def test_golden_set_is_big_enough_and_well_formed() -> None:
    docs = load_golden(GOLDEN)
    assert len(docs) >= 76
    heldout = [d for d in docs if d["split"] == "heldout"]
    assert len(heldout) == 20
    assert all(d["annotation"].startswith("blind") for d in heldout)
    heldout2 = [d for d in docs if d["split"] == "heldout2"]
    assert len(heldout2) >= 12
    assert all(d["annotation"].startswith("blind") for d in heldout2)
    heldout3 = [d for d in docs if d["split"] == "heldout3"]
    assert len(heldout3) >= 14
    assert all(d["annotation"].startswith("blind") for d in heldout3)
    assert {d["split"] for d in docs} == {"dev", "heldout", "heldout2", "heldout3"}
    countries = {d["region"].split(" (")[0] for d in docs}
    assert len(countries) >= 8, countries
    assert len({d["outlet"] for d in docs}) >= 10
    regions = " ".join(d["region"] for d in docs)
    for region in ("Egypt", "Saudi", "UAE", "Lebanon", "Syria", "Jordan", "Tunisia", "Morocco"):
        assert region in regions
    assert any(d["id"].startswith("seed-") for d in docs)
    assert len({d["id"] for d in docs}) == len(docs)
    for doc in docs:
        for entity in doc["entities"]:
            assert entity["type"] in ("PER", "ORG", "LOC")
            assert _occurs(entity["text"], doc["text"]), (doc["id"], entity)
        for item in doc["amounts"] + doc["dates"]:
            assert item["text"] in doc["text"], (doc["id"], item)
        for mention in doc["dates"]:
            assert mention["granularity"] in ("day", "month", "year"), (doc["id"], mention)
            if mention["granularity"] == "month":
                assert mention["value"].endswith("-01"), (doc["id"], mention)
            if mention["granularity"] == "year":
                assert mention["value"].endswith("-01-01"), (doc["id"], mention)


def test_heldout2_comes_from_places_and_outlets_the_other_splits_lack() -> None:
    """The second blind split is only a new estimate if its outlets and regions are new."""
    docs = load_golden(GOLDEN)
    second = [d for d in docs if d["split"] == "heldout2"]
    before = [d for d in docs if d["split"] != "heldout2"]
    old_regions = {d["region"].split(" (")[0] for d in before}
    new_regions = {d["region"].split(" (")[0] for d in second} - old_regions
    assert len(new_regions) >= 8, new_regions
    old_outlets = {d["outlet"].split(",")[0].split(" style")[0] for d in before}
    new_outlets = {d["outlet"].split(",")[0].split(" style")[0] for d in second} - old_outlets
    assert len(new_outlets) >= 10, new_outlets
    assert sum(d["source"].startswith(("real", "ANT")) for d in second) >= 4
    grains = Counter(m["granularity"] for d in second for m in d["dates"])
    assert grains["day"] >= 10 and grains["month"] >= 8 and grains["year"] >= 4


def test_heldout3_comes_from_outlets_the_other_splits_lack() -> None:
    """The third blind split is only a new estimate if its outlets are new, and it must weigh
    what the hidden set found weakest: people without titles, organisations, money."""
    docs = load_golden(GOLDEN)
    third = [d for d in docs if d["split"] == "heldout3"]
    before = [d for d in docs if d["split"] != "heldout3"]
    old_outlets = {d["outlet"].split(",")[0].split(" style")[0] for d in before}
    new_outlets = {d["outlet"].split(",")[0].split(" style")[0] for d in third} - old_outlets
    assert len(new_outlets) >= 8, new_outlets
    assert sum(d["source"].startswith(("real", "ANT")) for d in third) >= 6
    types = Counter(e["type"] for d in third for e in d["entities"])
    assert types["PER"] >= 50 and types["ORG"] >= 50 and types["LOC"] >= 30
    money = [a for d in third for a in d["amounts"] if a["unit"] not in ("COUNT", "PERCENT")]
    assert len(money) >= 20 and len({a["unit"] for a in money}) >= 8


def test_heldout_covers_the_failure_classes_of_issue_21() -> None:
    """The blind split must exercise what failed on unseen news, or its scores say nothing."""
    heldout = load_golden(GOLDEN, "heldout")
    grains = Counter(m["granularity"] for d in heldout for m in d["dates"])
    assert grains["day"] >= 20 and grains["month"] >= 5 and grains["year"] >= 3
    assert sum(e["type"] == "PER" for d in heldout for e in d["entities"]) >= 50
    assert len({d["region"] for d in heldout}) >= 8


def test_entity_f1(report) -> None:
    assert report.score("entities").f1 >= ENTITY_F1_FLOOR, report.errors


def test_amount_f1(report) -> None:
    assert report.score("amounts").f1 >= AMOUNT_F1_FLOOR, report.errors


def test_date_f1(report) -> None:
    assert report.score("dates").f1 >= DATE_F1_FLOOR, report.errors


@pytest.mark.parametrize(("field", "floor"), sorted(DEV_FLOORS.items()))
def test_dev_floors_per_field(report, field: str, floor: float) -> None:
    assert report.score(field).f1 >= floor, [e for e in report.errors if field.split(":")[0] in e]


@pytest.mark.parametrize(("field", "floor"), sorted(HELDOUT_FLOORS.items()))
def test_heldout_floors(heldout, field: str, floor: float) -> None:
    """Scores only: the held-out errors are not printed, so that nobody tunes on them."""
    assert heldout.score(field).f1 >= floor, f"{field} F1 {heldout.score(field).f1:.3f}"


def test_heldout_person_recall(heldout) -> None:
    assert heldout.score("entities:PER").recall >= HELDOUT_PER_RECALL_FLOOR


@pytest.mark.parametrize(("field", "floor"), sorted(HELDOUT2_FLOORS.items()))
def test_heldout2_floors(heldout2, field: str, floor: float) -> None:
    """Scores only: the second held-out split's errors are never printed."""
    assert heldout2.score(field).f1 >= floor, f"{field} F1 {heldout2.score(field).f1:.3f}"


def test_heldout2_person_recall(heldout2) -> None:
    assert heldout2.score("entities:PER").recall >= HELDOUT2_PER_RECALL_FLOOR


@pytest.mark.parametrize(("field", "floor"), sorted(HELDOUT3_FLOORS.items()))
def test_heldout3_floors(heldout3, field: str, floor: float) -> None:
    """Scores only: the third held-out split's errors are never printed."""
    assert heldout3.score(field).f1 >= floor, f"{field} F1 {heldout3.score(field).f1:.3f}"


def test_heldout3_person_recall(heldout3) -> None:
    assert heldout3.score("entities:PER").recall >= HELDOUT3_PER_RECALL_FLOOR


def test_the_gate_can_fail() -> None:
    """With every extractor off, the same scorer reports zero: the floors are not vacuous."""
    empty = evaluate(ExtractConfig(entities=False, amounts=False, dates=False, quotes=False))
    assert empty.score("entities").f1 == 0.0
    assert empty.score("amounts").f1 == 0.0 and empty.score("dates").f1 == 0.0
