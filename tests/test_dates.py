"""extract/dates.py: every date shape feeds use -> aware UTC datetime, or None when unusable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.extract.dates import parse_arabic_date, parse_date
from akhbar.transforms.extract.metadata import clean_names, resolve_published, word_count

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


CASES = [
    # RFC 822 with zones
    ("Sun, 29 Nov 2026 10:30:00 +0200", utc(2026, 11, 29, 8, 30)),
    ("Sun, 29 Nov 2026 10:30:00 GMT", utc(2026, 11, 29, 10, 30)),
    ("Sun, 29 Nov 2026 10:30:00 EST", utc(2026, 11, 29, 15, 30)),
    ("Sun, 29 Nov 2026 10:30:00 -0330", utc(2026, 11, 29, 14, 0)),
    # ISO 8601
    ("2026-11-29T10:30:00Z", utc(2026, 11, 29, 10, 30)),
    ("2026-11-29T10:30:00.250z", datetime(2026, 11, 29, 10, 30, 0, 250_000, tzinfo=UTC)),
    ("2026-11-29T10:30:00+03:00", utc(2026, 11, 29, 7, 30)),
    ("2026-11-29T01:30:00-05:00", utc(2026, 11, 29, 6, 30)),
    ("2026-11-29T10:30:00", utc(2026, 11, 29, 10, 30)),
    ("2026-11-29 10:30:00", utc(2026, 11, 29, 10, 30)),
    ("2026-11-29", utc(2026, 11, 29)),
    # day first
    ("29/11/2026", utc(2026, 11, 29)),
    ("29/11/2026 10:30", utc(2026, 11, 29, 10, 30)),
    ("29.11.2026", utc(2026, 11, 29)),
    ("2026/11/29 10:30:15", utc(2026, 11, 29, 10, 30, 15)),
    # ANT's broken compact time
    ("2017-01-21T133400", utc(2017, 1, 21, 13, 34)),
    # epoch seconds and milliseconds, as numbers and as strings
    (1795948200, utc(2026, 11, 29, 10, 30)),
    (1795948200000, utc(2026, 11, 29, 10, 30)),
    ("1795948200", utc(2026, 11, 29, 10, 30)),
    ("1795948200500", datetime(2026, 11, 29, 10, 30, 0, 500_000, tzinfo=UTC)),
    # Arabic month names: MSA, Levantine (alone and paired), Maghrebi
    ("الأحد 29 نوفمبر 2026", utc(2026, 11, 29)),
    ("الأحد، 29 نوفمبر 2026 - 10:30", utc(2026, 11, 29, 10, 30)),
    ("3 تشرين الثاني 2025", utc(2025, 11, 3)),
    ("3 تشرين الثاني/نوفمبر 2025 - 14:30", utc(2025, 11, 3, 14, 30)),
    ("3 تشرين الثاني / نوفمبر 2025", utc(2025, 11, 3)),
    ("3 نوفمبر/تشرين الثاني 2025", utc(2025, 11, 3)),
    ("الاثنين 2 كانون الثاني/يناير 2023", utc(2023, 1, 2)),
    ("الثلاثاء 14 تشرين الأول 2025", utc(2025, 10, 14)),
    ("5 آب 2021", utc(2021, 8, 5)),
    ("1 أيار 2022", utc(2022, 5, 1)),
    ("12 جوان 2019", utc(2019, 6, 12)),
    ("12 جويلية 2019", utc(2019, 7, 12)),  # ة normalizes to the table's ه
    ("١٢ جوان ٢٠١٩", utc(2019, 6, 12)),
    ("15 جانفي 2020", utc(2020, 1, 15)),
    ("3 غشت 2024", utc(2024, 8, 3)),
    # 12-hour clock markers
    ("الأحد، 29 نوفمبر 2026 - 10:30 م", utc(2026, 11, 29, 22, 30)),
    ("29 نوفمبر 2026 10:30 مساءً", utc(2026, 11, 29, 22, 30)),
    ("29 نوفمبر 2026 12:10 ص", utc(2026, 11, 29, 0, 10)),
    ("29 نوفمبر 2026 09:05 صباحاً", utc(2026, 11, 29, 9, 5)),
    # implausible: before 1990, or more than two days after `now`
    ("1970-01-01T00:00:00Z", None),
    ("Thu, 01 Jan 1970 00:00:00 +0000", None),
    (0, None),
    ("2099-01-01", None),
    ("2026-12-04T00:00:00Z", None),
    ("1 يناير 2099", None),
    # not dates at all
    ("", None),
    ("   ", None),
    (None, None),
    (True, None),
    ("garbage", None),
    ("31/02/2026", None),
    ("2026-02-30", None),
    ("x" * 500, None),
    (float("nan"), None),
    (float("inf"), None),
    (1e30, None),
    (10**20, None),  # fromtimestamp raises OSError (EOVERFLOW) here, not ValueError
    (-(10**17), None),
    ("-100000000000", None),
]


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[str(c[0])[:40] for c in CASES])
def test_parse_date(raw: object, expected: datetime | None) -> None:
    found = parse_date(raw, NOW)
    assert found == expected
    if found is not None:
        assert found.tzinfo is UTC


def test_future_tolerance_is_two_days() -> None:
    assert parse_date("2026-12-03T11:59:00Z", NOW) == utc(2026, 12, 3, 11, 59)
    assert parse_date("2026-12-03T12:01:00Z", NOW) is None


def test_relative_dates_resolve_against_now() -> None:
    assert parse_date("منذ ساعتين", NOW) == utc(2026, 12, 1, 10, 0)
    assert parse_date("منذ 5 دقائق", NOW) == utc(2026, 12, 1, 11, 55)
    assert parse_date("منذ 3 أيام", NOW) == utc(2026, 11, 28, 12, 0)
    other_now = utc(2025, 6, 1, 8, 0)
    assert parse_date("منذ ساعتين", other_now) == utc(2025, 6, 1, 6, 0)


def test_datetime_inputs_are_converted_to_utc() -> None:
    cairo = timezone(timedelta(hours=2))
    assert parse_date(datetime(2026, 11, 29, 10, 30, tzinfo=cairo), NOW) == utc(2026, 11, 29, 8, 30)
    assert parse_date(datetime(2026, 11, 29, 10, 30), NOW) == utc(2026, 11, 29, 10, 30)


def test_parse_arabic_date_alone() -> None:
    assert parse_arabic_date("نشر في 7 من أكتوبر، 2024 الساعة 18:05") == utc(2024, 10, 7, 18, 5)
    assert parse_arabic_date("لا تاريخ هنا") is None


def test_resolve_published_prefers_the_source_parse() -> None:
    parsed = utc(2026, 11, 28, 9, 0)
    assert resolve_published(parsed, "2020-01-01", NOW) == parsed
    assert resolve_published(None, "2020-01-01", NOW) == utc(2020, 1, 1)
    assert resolve_published(utc(1980, 1, 1), "2020-01-01", NOW) is None
    assert resolve_published(None, None, NOW) is None


def test_clean_names_and_word_count() -> None:
    names = ["  <b>محمد</b> علي ", "محمد علي", "", "&amp; Co", "x\u200b"]
    assert clean_names(names) == ["محمد علي", "& Co", "x"]
    assert clean_names(["a"] * 100 + ["b"], limit=50) == ["a"]
    assert word_count("واحد  اثنان\nثلاثة") == 3


# --- properties --------------------------------------------------------------------------------

DATEISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "2026",
                "-",
                "11",
                "29",
                "T",
                "10:30",
                ":",
                "Z",
                "+03:00",
                "/",
                " ",
                ",",
                "نوفمبر",
                "تشرين الثاني",
                "جوان",
                "منذ",
                "ساعتين",
                "م",
                "ص",
                "Sun",
                "Nov",
                "GMT",
                "1795948200",
                "000",
                ".",
                "\x00",
                "٢٠٢٦",
                "99",
                "0",
            ]
        ),
        st.characters(),
    ),
    max_size=12,
).map("".join)
ANY_RAW = st.one_of(
    st.text(max_size=60),
    DATEISH,
    st.integers(),
    st.floats(),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(ANY_RAW)
def test_parse_date_total_and_utc(raw: object) -> None:
    found = parse_date(raw, NOW)
    assert found is None or (isinstance(found, datetime) and found.tzinfo is UTC)
    if found is not None:
        assert utc(1990, 1, 1) <= found <= NOW + timedelta(days=2)


@pytest.mark.parametrize("raw", ["2026", "-1", "December 2025", "Monday", "الاثنين", "10:30"])
def test_a_partial_date_is_not_completed_from_the_clock(raw: str) -> None:
    """A value without its day, month or year is no publication date: completing it from the
    run's clock gave "2026" the day of the run and "-1" January on the run's day of the month,
    so the same file landed in a different partition on each day it was ingested."""
    assert parse_date(raw, utc(2026, 12, 7, 23)) is None
    assert parse_date(raw, utc(2026, 12, 8, 1)) is None
