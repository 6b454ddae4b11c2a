"""Issue 21 dev-set amounts: ranges of counts, Maghrebi and Mauritanian currency names.

The first sentence is quoted from JawharaFM article JA-society-134-20082016 of the ANT corpus
v1.1 (Apache-2.0; Chouigui, Ben Khiroun, Elayeb, AICCSA 2017)."""

from __future__ import annotations

from tests.extract.conftest import run


def amounts(extractor, text: str) -> set[tuple[float, str]]:
    return {(a["value"], a["unit"]) for a in run(extractor, text)["amounts"]}


def test_a_range_counts_both_ends_and_years_are_counted(extractor) -> None:
    text = "من إيقاف 19 شخصا تتراوح أعمارهم بين 17 و40 سنة، كانوا يعتزمون اجتياز الحدود البحرية"
    assert amounts(extractor, text) == {(19.0, "COUNT"), (17.0, "COUNT"), (40.0, "COUNT")}


def test_maghrebi_euro_and_the_ouguiya(extractor) -> None:
    assert amounts(extractor, "قدّر بأكثر من 21 ألف دينار تونسي و3 آلاف أورو") == {
        (21000.0, "TND"),
        (3000.0, "EUR"),
    }
    assert amounts(extractor, "قد تبلغ 10 مليارات أوقية جديدة") == {(1e10, "MRU")}
