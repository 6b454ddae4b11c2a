"""Calendar rules of date mentions: which year a day or month without one falls in, where a
relative expression lands, and at which granularity (tests/golden/GUIDELINES.md, Dates).

Pure date arithmetic on the publication date (in the article's own time zone), kept apart from
the patterns that find the mentions (``mentions``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

DAY, MONTH, YEAR = "day", "month", "year"

# fmt: off
SMALL_NUMBERS = {
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6,
    "سبع": 7, "سبعه": 7, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
}
# fmt: on


PAST = frozenset(["الماضي", "الماضيه", "المنصرم", "الفارط", "الفائت"])
NEXT = frozenset(["المقبل", "المقبله", "القادم", "القادمه"])
CURRENT = frozenset(["الجاري", "الجاريه", "الحالي", "الحاليه"])


def shift_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def year_for(month: int, day: int, qual: str | None, pub: date) -> int:
    if qual in CURRENT:
        return pub.year
    candidates = [pub.year - 1, pub.year, pub.year + 1]
    valid = [(y, safe_date(y, month, day)) for y in candidates]
    dated = [(y, d) for y, d in valid if d is not None]
    if qual in PAST:
        past = [y for y, d in dated if d <= pub]
        return max(past) if past else pub.year - 1
    if qual in NEXT:
        future = [y for y, d in dated if d >= pub]
        return min(future) if future else pub.year + 1
    return min(dated, key=lambda yd: abs((yd[1] - pub).days))[0] if dated else pub.year


def month_year(month: int, qual: str | None, pub: date) -> int:
    if qual in PAST:
        return pub.year if month < pub.month else pub.year - 1
    if qual in NEXT:
        return pub.year if month > pub.month else pub.year + 1
    if qual in CURRENT:
        return pub.year
    return year_for(month, 1, None, pub.replace(day=1))


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def weekday_date(target: int, qual: str | None, pub: date, future: bool) -> date:
    delta = (target - pub.weekday()) % 7
    if qual in NEXT:
        return pub + timedelta(days=delta or 7)
    if qual in PAST:
        back = (pub.weekday() - target) % 7
        return pub - timedelta(days=back or 7)
    if future:
        return pub + timedelta(days=delta)
    return pub - timedelta(days=(pub.weekday() - target) % 7)


def ago(m: re.Match[str], pub: datetime) -> tuple[date, str] | None:
    """ "منذ 3 أيام" (day), "منذ شهرين" (month), "منذ 10 سنوات", "قبل سنة" (year)."""
    unit, raw = m.group("unit"), m.group("n")
    if unit in ("ساعتين", "يومين", "اسبوعين", "شهرين", "عامين", "سنتين"):
        count = 2
    elif raw is None:
        count = 1
        if unit in ("ساعات", "دقائق", "ايام", "اسابيع", "اشهر", "شهور", "اعوام", "سنوات"):
            return None  # "منذ سنوات": no single date
    else:
        count = int(raw) if raw.isdigit() else SMALL_NUMBERS[raw]
    sign = 1 if m.group("dir") == "بعد" else -1
    if unit.startswith(("ساع", "دقي", "دقا")):
        minutes = count * (60 if unit.startswith("ساع") else 1)
        return (pub + sign * timedelta(minutes=minutes)).date(), DAY
    base = pub.date()
    if unit.startswith(("يوم", "ايام")):
        return base + sign * timedelta(days=count), DAY
    if unit.startswith("اسب"):
        return base + sign * timedelta(days=7 * count), DAY
    if unit.startswith(("شه", "اشه")):
        return shift_months(base.replace(day=1), sign * count), MONTH
    return date(base.year + sign * count, 1, 1), YEAR


def nearest_month(month: int, pub: date) -> date:
    """The first day of ``month`` in the year that puts it nearest to publication."""
    here = pub.year * 12 + pub.month - 1
    year = min(
        (pub.year - 1, pub.year, pub.year + 1), key=lambda y: (abs(y * 12 + month - 1 - here), -y)
    )
    return date(year, month, 1)


def period(m: re.Match[str], pub: date) -> tuple[date, str]:
    """ "العام الماضي" -> (1 January of last year, year); "الشهر المقبل" -> (next month, month)."""
    unit = m.group("this") or m.group("unit") or m.group("edge")
    qual = m.group("qual") or m.group("edge_qual")
    sign = -1 if qual in PAST else (1 if qual in NEXT else 0)
    if unit == "الشهر":
        return shift_months(pub.replace(day=1), sign), MONTH
    return date(pub.year + sign, 1, 1), YEAR


def relative(m: re.Match[str], pub: date) -> date:
    if m.group("before2"):
        return pub - timedelta(days=2)
    if m.group("yesterday"):
        return pub - timedelta(days=1)
    if m.group("after2"):
        return pub + timedelta(days=2)
    if m.group("tomorrow"):
        return pub + timedelta(days=1)
    if m.group("today"):
        return pub
    sign = -1 if m.group("pq") in PAST else (1 if m.group("pq") in NEXT else 0)
    return pub + timedelta(days=7 * sign)  # الأسبوع الماضي / المقبل
