"""mentions.py: dates in the text, Arabic month names of every region, relative forms."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.extract.conftest import run

PUB = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)  # Sunday


def dates(extractor, text: str, published: datetime = PUB) -> list[date]:
    return [d["value"] for d in run(extractor, text, published)["dates_mentioned"]]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("عقد الاجتماع يوم الأحد 29 نوفمبر 2026 في القاهرة", date(2026, 11, 29)),
        ("في 3 تشرين الثاني 2025", date(2025, 11, 3)),
        ("في 3 تشرين الثاني/نوفمبر 2025", date(2025, 11, 3)),
        ("في 3 نوفمبر/تشرين الثاني 2025", date(2025, 11, 3)),
        ("في 15 كانون الثاني 2026", date(2026, 1, 15)),
        ("في 1 شباط 2026", date(2026, 2, 1)),
        ("في 9 آذار 2026", date(2026, 3, 9)),
        ("في 20 أيلول 2025", date(2025, 9, 20)),
        ("في 5 تموز 2025", date(2025, 7, 5)),
        ("في 14 آب 2025", date(2025, 8, 14)),
        ("يوم 8 جانفي 2017", date(2017, 1, 8)),
        ("يوم 9 جوان 2025", date(2025, 6, 9)),
        ("في 23 شتنبر 2025", date(2025, 9, 23)),
        ("في 30 جويلية 2025", date(2025, 7, 30)),
        ("في 5 أوت 2025", date(2025, 8, 5)),
        ("بتاريخ 12/03/2025", date(2025, 3, 12)),
        ("يوم ١٤ ديسمبر ٢٠٢٥", date(2025, 12, 14)),
        ("الأول من مايو 2026", date(2026, 5, 1)),
    ],
)
def test_full_dates(extractor, text: str, value: date) -> None:
    assert dates(extractor, text) == [value]


def test_paired_month_form_is_one_mention(extractor) -> None:
    out = run(extractor, "في 3 تشرين الثاني/نوفمبر 2025 عقد الاجتماع")["dates_mentioned"]
    assert [(d["text"], d["value"]) for d in out] == [
        ("3 تشرين الثاني/نوفمبر 2025", date(2025, 11, 3))
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("قال أمس إن", date(2026, 11, 28)),
        ("قال يوم أمس إن", date(2026, 11, 28)),
        ("أول أمس", date(2026, 11, 27)),
        ("وقع الحادث منذ ساعتين", date(2026, 11, 29)),
        ("وقع الحادث منذ يومين", date(2026, 11, 27)),
        ("وقع الحادث منذ 3 أيام", date(2026, 11, 26)),
        ("زار الوفد الأسبوع الماضي", date(2026, 11, 22)),
        ("يزور الوفد الأسبوع المقبل", date(2026, 12, 6)),
        ("يبدأ الشهر المقبل", date(2026, 12, 1)),  # a month (granularity month)
        ("بدأ الشهر الماضي", date(2026, 10, 1)),
        ("ارتفع العام الماضي", date(2025, 1, 1)),  # a year (granularity year)
        ("قال اليوم إن", date(2026, 11, 29)),
        ("ينطلق غدا", date(2026, 11, 30)),
    ],
)
def test_relative_forms_resolve_against_publication(extractor, text: str, value: date) -> None:
    assert dates(extractor, text) == [value]


def test_relative_month_end_is_clamped() -> None:
    from akhbar.transforms.extract.mentions import find_dates

    jan31 = datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert [d.value for d in find_dates("يبدا الشهر المقبل", jan31)] == [date(2026, 2, 1)]
    assert [d.value for d in find_dates("منذ شهرين", jan31)] == [date(2025, 11, 1)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("عقد يوم الخميس الماضي", date(2026, 11, 26)),
        ("يعقد الخميس المقبل", date(2026, 12, 3)),
        ("عقد الاجتماع يوم السبت", date(2026, 11, 28)),
        ("وسيعقد الاجتماع يوم الثلاثاء", date(2026, 12, 1)),
        ("مساء أمس السبت", date(2026, 11, 28)),
    ],
)
def test_weekdays(extractor, text: str, value: date) -> None:
    assert dates(extractor, text) == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("تراجع التضخم في فبراير الماضي", date(2026, 2, 1)),
        ("يصل في يناير المقبل", date(2027, 1, 1)),
        ("منذ مطلع أيلول الجاري", date(2026, 9, 1)),
        ("بلغ بنهاية يونيو 2025", date(2025, 6, 1)),
        ("منذ بداية شهر ماي", date(2026, 5, 1)),
        ("في 12 أكتوبر الماضي", date(2026, 10, 12)),
        ("يوم 24 ديسمبر", date(2026, 12, 24)),
        ("يوم 3 يناير", date(2027, 1, 3)),
    ],
)
def test_months_and_days_without_a_year(extractor, text: str, value: date) -> None:
    assert dates(extractor, text) == [value]


def test_day_ranges_give_both_days(extractor) -> None:
    assert dates(extractor, "قافلة ثقافية يومي 22و23 مارس 2017") == [
        date(2017, 3, 22),
        date(2017, 3, 23),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "اليوم الوطني للمرأة",
        "خلال العام المالي المقبل",
        "منذ سنوات طويلة",
        "مارس الرياضة بانتظام",  # مارس as a verb
        "قبل أسبوعين من انطلاق المعرض",  # relative to an event, not to publication
    ],
)
def test_not_dates(extractor, text: str) -> None:
    assert dates(extractor, text) == []


def test_date_offsets_point_into_the_text(extractor) -> None:
    text = "وقّع الطرفان الاتفاقَ يومَ الأحد ١٤ ديسمبر ٢٠٢٥ في القاهرة"
    [mention] = run(extractor, text)["dates_mentioned"]
    assert text[mention["start"] : mention["end"]] == mention["text"] == "يومَ الأحد ١٤ ديسمبر ٢٠٢٥"
