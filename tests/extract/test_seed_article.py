"""The shared seed article (Youm7, Egyptian orthography) yields the issue's minimum output."""

from __future__ import annotations

from datetime import UTC, datetime

from akhbar.transforms.extract import ExtractConfig, get_extractor
from akhbar.transforms.normalize import normalize_fast
from tests.helpers import SEED_ARTICLE


def test_seed_article_minimum(shared_data) -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    out = get_extractor(ExtractConfig()).fields(text, datetime(2020, 9, 10, tzinfo=UTC))
    found = {(e["type"], normalize_fast(e["text"])) for e in out["entities"]} | {
        (e["type"], e["normalized"]) for e in out["entities"]
    }
    expected = [
        ("PER", "لياو ليتشانج"),
        ("PER", "عبد الفتاح السيسى"),
        ("LOC", "القاهرة"),
        ("LOC", "مصر"),
        ("LOC", "الصين"),
        ("LOC", "بكين"),
        ("ORG", "منظمة الصحة العالمية"),
    ]
    for type_, name in expected:
        assert (type_, normalize_fast(name)) in found, name
    assert {"text": "50 مليون دولار", "value": 50_000_000.0, "unit": "USD"} in out["amounts"]
    for entity in out["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
    assert {q["speaker"] for q in out["quotes"]} == {"لياو ليتشانج"}
