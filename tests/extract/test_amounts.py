"""amounts.py / numbers.py: digits, number words, scales, currencies, percentages, counts."""

from __future__ import annotations

import pytest

from akhbar.transforms.extract.numbers import parse_digits, parse_words
from akhbar.transforms.normalize import normalize_fast
from tests.extract.conftest import run


def amounts(extractor, text: str) -> list[tuple[float, str]]:
    return [(a["value"], a["unit"]) for a in run(extractor, text)["amounts"]]


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("خمسون", 50),
        ("خمسين", 50),
        ("مليونا", 1e6),
        ("ألف وخمسمائة", 1500),
        ("ألفا وخمسمائة", 1500),
        ("ثلاثة آلاف", 3000),
        ("خمسة ملايين", 5e6),
        ("ملياري", 2e9),
        ("مليار ونصف المليار", 1.5e9),
        ("مئة مليار", 1e11),
        ("ثلاثمائة وخمسة وعشرون", 325),
        ("إحدى عشرة", 11),
        ("مليون وخمسمائة ألف", 1.5e6),
    ],
)
def test_number_words(words: str, value: float) -> None:
    assert parse_words(normalize_fast(words)) == value


@pytest.mark.parametrize(
    ("digits", "value"),
    [
        ("1,300", 1300),
        ("89,500", 89500),
        ("1,8", 1.8),
        ("2,25", 2.25),
        ("2٫5", 2.5),
        ("15٬000", 15000),
        ("1.200.000", 1200000),
        ("10.6", 10.6),
    ],
)
def test_digit_separators(digits: str, value: float) -> None:
    assert parse_digits(digits) == value


def test_arabic_indic_digits_with_separators(extractor) -> None:
    found = amounts(extractor, "بمشاركة ١٥٬٠٠٠ فريق وبتكلفة ٣٢٠ مليون جنيه مصري ونمو ٢٫٥ في المائة")
    assert (15000.0, "COUNT") in found
    assert (320e6, "EGP") in found
    assert (2.5, "PERCENT") in found


@pytest.mark.parametrize(
    "text",
    [
        "ارتفع بنسبة 12 في المائة",
        "ارتفع بنسبة 12 فى المئة",
        "ارتفع 12 بالمئة",
        "ارتفع 12%",
        "ارتفع ١٢٪",
        "ارتفع 12 بالمائة",
    ],
)
def test_percentages(extractor, text: str) -> None:
    assert amounts(extractor, text) == [(12.0, "PERCENT")]


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("قرض بقيمة 50 مليون دولار", "USD"),
        ("منحة بـ 50 مليون يورو", "EUR"),
        ("خصصت 50 مليون دينار كويتي", "KWD"),
        ("خصصت 50 مليون دينارا أردنيا", "JOD"),
        ("بلغت 50 مليون ريال قطري", "QAR"),
        ("بلغت 50 مليون ريال سعودي", "SAR"),
        ("بلغت 50 مليون درهم مغربي", "MAD"),
        ("بلغت 50 مليون جنيه سوداني", "SDG"),
        ("بلغت 50 مليون جنيه إسترليني", "GBP"),
        ("بلغت 50 مليون ليرة لبنانية", "LBP"),
        ("بلغت 50 مليون ليرة تركية", "TRY"),
        ("بلغت 50 مليون شيكل", "ILS"),
        ("بلغت 50 مليون دج", "DZD"),
    ],
)
def test_currencies_and_country_variants(extractor, text: str, unit: str) -> None:
    assert amounts(extractor, text) == [(50e6, unit)]


def test_bare_shared_currency_takes_the_article_country(extractor) -> None:
    assert amounts(extractor, "قالت الحكومة في تونس إنها رصدت 12 مليون دينار") == [(12e6, "TND")]
    assert amounts(extractor, "أعلنت الكويت تخصيص 12 مليون دينار") == [(12e6, "KWD")]
    assert amounts(extractor, "افتتح في صفاقس مشروع بكلفة 3 مليون دينار") == [(3e6, "TND")]


def test_seed_amount(extractor) -> None:
    found = amounts(extractor, "وقدمت مساعدات نقدية بقيمة 50 مليون دولار لمنظمة الصحة العالمية")
    assert found == [(50_000_000.0, "USD")]


def test_counts_and_what_is_not_a_count(extractor) -> None:
    assert amounts(extractor, "أرسلت خبراء إلى أكثر من 30 دولة") == [(30.0, "COUNT")]
    assert amounts(extractor, "وصل ثلاثة من المصابين") == [(3.0, "COUNT")]
    assert amounts(extractor, "تستهدف ألفا وخمسمائة تلميذ") == [(1500.0, "COUNT")]
    assert amounts(extractor, "خلال عام 2024 تحسن الوضع") == []  # a year
    assert amounts(extractor, "في المؤتمر الـ12 حول الفيروس") == []  # an ordinal
    assert amounts(extractor, "سعر الذهب عيار 21 نحو 5200 جنيه") == [(5200.0, "EGP")]
    assert amounts(extractor, "في 22 مارس 2017 وتتواصل") == []  # a date
    assert amounts(extractor, "آلاف المحتجين في الشوارع") == []  # no number


def test_scaled_number_without_unit_shares_the_previous_currency(extractor) -> None:
    text = "ارتفع الاحتياطي إلى 10.6 مليارات دولار، بعدما كان 8.5 مليارات في أكتوبر 2024."
    assert amounts(extractor, text) == [(10.6e9, "USD"), (8.5e9, "USD")]
    text = "خصصت 120 مليون دينار لمشروع سينقل 300 مليون متر مكعب سنويا في الأردن"
    assert amounts(extractor, text) == [(120e6, "JOD"), (300e6, "COUNT")]


def test_amount_text_is_the_original_spelling(extractor) -> None:
    out = run(extractor, "بلغت الأرباح ٩٨٫٥ مليار ريال سعودي.")
    assert out["amounts"] == [{"text": "٩٨٫٥ مليار ريال سعودي", "value": 98.5e9, "unit": "SAR"}]
