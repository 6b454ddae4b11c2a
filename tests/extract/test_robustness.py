"""Property tests: no extractor raises on random Arabic, markup or noise, and every offset is a
valid slice of the text that reproduces the reported surface."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.transforms.extract import ExtractConfig, get_extractor

_PIECES = st.sampled_from(
    [
        "قال",
        "وقال",
        "أكد",
        "مؤكدا",
        "إن",
        "أن",
        "الرئيس",
        "السفير",
        "وزير",
        "الخارجية",
        "عبد",
        "الفتاح",
        "بن",
        "آل",
        "أبو",
        "محمد",
        "بالقاهرة",
        "ومصر",
        "للصين",
        "مدينة",
        "وزارة",
        "البنك",
        "المركزي",
        "شركة",
        "مليون",
        "مليار",
        "ألف",
        "وخمسمائة",
        "دولار",
        "دينار",
        "ليرة",
        "سورية",
        "في",
        "المائة",
        "بالمئة",
        "%",
        "٪",
        "50",
        "١٥٬٠٠٠",
        "٢٫٥",
        "1,8",
        "2024",
        "الـ12",
        "يوم",
        "الأحد",
        "أمس",
        "منذ",
        "ساعتين",
        "الأسبوع",
        "الماضي",
        "المقبل",
        "تشرين",
        "الثاني",
        "/",
        "نوفمبر",
        "كانون",
        "«",
        "»",
        '"',
        ":",
        "،",
        ".",
        "\n",
        " ",
        "<p>",
        "</b>",
        "&amp;",
        "\u064e",
        "\u0651",
        "\u0640",
        "\ufefb",
        "\u0654",
        "ى",
        "ة",
        "x",
        "😀",
        "\u200f",
    ]
)
_TEXT = st.lists(_PIECES, max_size=80).map(" ".join) | st.text(max_size=300)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_extractors_never_raise_and_offsets_are_in_bounds(text: str, published: datetime) -> None:
    out = get_extractor(ExtractConfig()).fields(
        text, published.replace(tzinfo=UTC), title=text[:40]
    )
    for key in ("entities", "dates_mentioned", "quotes"):
        for item in out[key]:
            assert 0 <= item["start"] <= item["end"] <= len(text)
            assert text[item["start"] : item["end"]] == item["text"]
    for entity in out["entities"]:
        assert entity["text"] and entity["type"] in ("PER", "ORG", "LOC")
    for amount in out["amounts"]:
        assert isinstance(amount["value"], float) and amount["value"] >= 0
        assert amount["text"] in text
    assert len(out["keywords"]) <= 10
    assert len(set(out["places"])) == len(out["places"])
