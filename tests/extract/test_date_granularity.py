"""Issue 21: every date mention has a granularity, the year of a date without one is the nearest
reading (across New Year too), and relative dates resolve in the article's own time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tests.extract.conftest import run
from tests.helpers import make_article

SUNDAY = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)


def mentions(extractor, text: str, published: datetime = SUNDAY) -> list[tuple[date, str]]:
    out = run(extractor, text, published)["dates_mentioned"]
    return [(d["value"], d["granularity"]) for d in out]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a month-only mention is the month, never a day-1 date
        ("تراجع التضخم في فبراير الماضي", (date(2026, 2, 1), "month")),
        ("بلغ بنهاية يونيو 2025", (date(2025, 6, 1), "month")),
        ("ومن المقرر أن تستضيف دبي في نوفمبر منتدى", (date(2026, 11, 1), "month")),
        ("يبدأ الشهر المقبل", (date(2026, 12, 1), "month")),
        # a real first day stays a day
        ("الأول من مايو 2026", (date(2026, 5, 1), "day")),
        ("ابتداء من فاتح شتنبر المقبل", (date(2027, 9, 1), "day")),
        ("منذ السابع من تشرين الأول 2023", (date(2023, 10, 7), "day")),
        # years
        ("ارتفع العام الماضي", (date(2025, 1, 1), "year")),
        ("في الربع الثالث من عام 2028", (date(2028, 1, 1), "year")),
        ("حتى نهاية العام الحالي", (date(2026, 1, 1), "year")),
        ("خلال السنة الجارية،", (date(2026, 1, 1), "year")),
        ("بلغ 17 مليار دولار في 2025.", (date(2025, 1, 1), "year")),
        ("منذ 10 سنوات", (date(2016, 1, 1), "year")),
        ("مقابل 13 في المائة قبل سنة", (date(2025, 1, 1), "year")),
        # days
        ("خلال الليلة الماضية", (date(2026, 11, 28), "day")),
        ("قال أمس إن", (date(2026, 11, 28), "day")),
    ],
)
def test_granularity_and_first_day_of_the_period(extractor, text: str, expected) -> None:
    assert mentions(extractor, text) == [expected]


@pytest.mark.parametrize(
    "label",
    [
        "قانون المالية لسنة 2026",  # a law's label, not a year mention
        "القانون عدد 33 لسنة 2004",
        "خلال العام المالي المقبل",
        "مارس الرياضة بانتظام",
    ],
)
def test_labels_are_not_year_mentions(extractor, label: str) -> None:
    text = f"{label}، والخطة تمتد حتى عام 2030"
    assert mentions(extractor, text) == [(date(2030, 1, 1), "year")]


def test_a_future_day_without_year_crosses_new_year(extractor) -> None:
    december = datetime(2026, 12, 28, 10, 15, tzinfo=UTC)
    assert mentions(extractor, "سيقام الحفل في 12 يناير بحضور الوزير", december) == [
        (date(2027, 1, 12), "day")
    ]
    assert mentions(extractor, "تبدأ الدراسة في فبراير", december) == [(date(2027, 2, 1), "month")]


def test_a_past_day_without_year_crosses_new_year_backwards(extractor) -> None:
    january = datetime(2026, 1, 4, 8, 30, tzinfo=UTC)
    assert mentions(extractor, "وافق المجلس في اجتماعه يوم 28 ديسمبر على", january) == [
        (date(2025, 12, 28), "day")
    ]
    assert mentions(extractor, "ارتفعت الودائع بنهاية نوفمبر", january) == [
        (date(2025, 11, 1), "month")
    ]


def test_relative_dates_resolve_in_the_articles_own_time_zone(extractor) -> None:
    """01:15 on 1 January in Aden is still 31 December in UTC: "أمس" is 31 December."""
    aden = timezone(timedelta(hours=3))
    local = datetime(2027, 1, 1, 1, 15, tzinfo=aden)
    text = "أعلن البنك اليوم الجمعة أن الوديعة وصلت أمس"
    assert mentions(extractor, text, local) == [
        (date(2027, 1, 1), "day"),
        (date(2026, 12, 31), "day"),
    ]


def test_extract_takes_the_offset_from_published_raw(extractor) -> None:
    raw = "2027-01-01T01:15:00+03:00"
    text = "أعلن البنك أن الوديعة وصلت أمس"
    article = replace(
        make_article("ye-1", text=text, text_normalized=text),
        published_at=datetime.fromisoformat(raw).astimezone(UTC),
        published_raw=raw,
    )
    [mention] = extractor.extract(article).dates_mentioned
    assert (mention["value"], mention["granularity"]) == (date(2026, 12, 31), "day")


def test_local_time_uses_the_raw_offset_only_for_the_same_instant() -> None:
    from akhbar.transforms.extract.dates import local_time

    utc = datetime(2026, 12, 31, 22, 15, tzinfo=UTC)
    assert local_time(utc, "Fri, 01 Jan 2027 01:15:00 +0300").isoformat() == (
        "2027-01-01T01:15:00+03:00"
    )
    assert local_time(utc, "2027-01-01T01:15:00+03:00").utcoffset() == timedelta(hours=3)
    assert local_time(utc, "2027-01-02T01:15:00+03:00") is utc  # another instant
    assert local_time(utc, "01/01/2027") is utc and local_time(utc, None) is utc
