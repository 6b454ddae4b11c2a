"""Dates mentioned in an article, as calendar dates, relative ones resolved against publication.

Spans are found with regexes first and parsed afterwards, because dateparser's ``search_dates``
splits Arabic dates badly and does not know Levantine months. Patterns run from the most to the
least specific (full dates and day ranges, month + year, month + qualifier, relative words,
weekdays) and a later pattern never takes text an earlier one matched. Month names come from the
publication-date parser's table (MSA, Maghrebi, Levantine/Iraqi, paired forms).

Resolution rules (tests/golden/GUIDELINES.md): a month without a day is its first day; a day and
month without a year take the year that "الماضي"/"المقبل"/"الجاري" or, failing those, proximity
to publication implies; "الأسبوع الماضي" is seven days earlier, "الشهر المقبل" the same day a
month later; a bare weekday is the last such day on or before publication unless the sentence
speaks of the future.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from akhbar.transforms.extract.dates import ARABIC_MONTHS
from akhbar.transforms.extract.offsets import AlignedText

_MONTH = "|".join(sorted((re.escape(m) for m in ARABIC_MONTHS), key=len, reverse=True))
WEEKDAYS = {
    "الاثنين": 0,
    "الثلاثاء": 1,
    "الاربعاء": 2,
    "الخميس": 3,
    "الجمعه": 4,
    "السبت": 5,
    "الاحد": 6,
}
_WEEKDAY = "|".join(WEEKDAYS)
_QUAL = r"الماضي|الماضيه|المنصرم|الفارط|الفائت|المقبل|المقبله|القادم|القادمه|الجاري|الحالي"
_QUAL_MOVE = r"الماضي|الماضيه|المنصرم|الفارط|الفائت|المقبل|المقبله|القادم|القادمه"
_PART = r"(?:(?:يوم|يومي|مساء|صباح|فجر|ظهر|ليله|ليل|امس|اليوم|غدا|منتصف)\s+)*"
_EDGE = r"(?:(?:شهر|مطلع|بدايه|نهايه|منتصف|اواخر|اوائل|اخر)\s+)*"
_B = r"(?<![\w])"  # left word boundary that also works before Arabic letters
_E = r"(?![\w])"

# Calendar dates are anchored on a month name (one scan), then read leftwards (day, weekday,
# "يوم", "أمس") and rightwards (paired name, year, qualifier) in small windows: far cheaper than
# trying long alternations of month names at every position of the text.
_MONTH_WORD = re.compile(rf"{_B}(?:{_MONTH}){_E}")
_DAY_LEFT = re.compile(
    rf"{_B}(?:(?P<d1>\d{{1,2}})\s*(?:و|-|–|الي|حتى)\s*)?(?:(?P<day>\d{{1,2}})|(?P<first>الاول|اول))\s+"
    rf"(?:من\s+)?(?:شهر\s+)?$"
)
_PART_LEFT = re.compile(rf"{_B}{_PART}(?:(?P<wd>{_WEEKDAY})\s+(?:الموافق\s+)?)?$")
_EDGE_LEFT = re.compile(rf"{_B}{_EDGE}$")
_NAMED_LEFT = re.compile(rf"{_B}(?:(?:مطلع|بدايه|نهايه|منتصف|اواخر|اوائل)\s+)*شهر\s+$")
_RIGHT = re.compile(
    rf"(?:\s*/\s*(?:{_MONTH}){_E})?(?:\s*[،,]?\s*(?P<year>\d{{4}}){_E})?(?:\s+(?P<qual>{_QUAL}){_E})?"
)
_NUMERIC = re.compile(rf"{_B}(?P<day>\d{{1,2}})[/.-](?P<month>\d{{1,2}})[/.-](?P<year>\d{{4}}){_E}")
_ANY_DIGIT = re.compile(r"\d")
_WINDOW = 48
_UNITS = (
    r"ساعه|ساعات|ساعتين|دقيقه|دقائق|يوم|ايام|يومين|اسبوع|اسابيع|اسبوعين|شهر|اشهر|شهور|شهرين|"
    r"عام|اعوام|عامين|سنه|سنوات|سنتين"
)
# fmt: off
_SMALL = {
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6,
    "سبع": 7, "سبعه": 7, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
}
# fmt: on
_AGO = re.compile(
    rf"{_B}(?P<dir>منذ|قبل|بعد)\s+(?:(?P<n>\d{{1,3}}|{'|'.join(_SMALL)})\s+)?(?P<unit>{_UNITS}){_E}"
    r"(?!\s+من\s)"
)
_RELATIVE = re.compile(
    rf"{_B}(?:(?P<before2>اول\s+(?:من\s+)?امس)|(?P<yesterday>(?:يوم\s+)?امس|البارحه)"
    rf"|(?P<after2>بعد\s+غد)|(?P<tomorrow>(?:يوم\s+)?غدا?|غدا)|(?P<today>اليوم)"
    rf"|(?P<period>الاسبوع|الشهر|العام|السنه)\s+(?P<pq>{_QUAL_MOVE}))"
    rf"(?:\s+(?P<wd>{_WEEKDAY}))?{_E}"
)
_WEEKDAY_RE = re.compile(
    rf"{_B}(?:(?:يوم|مساء|صباح|فجر|ظهر|ليله)\s+)?(?P<wd>{_WEEKDAY})(?:\s+(?P<qual>الماضي|المقبل|القادم))?{_E}"
)
_FUTURE_CUE = re.compile(
    r"(?<![\w])(?:سوف|المقرر|المرتقب|المنتظر|يعتزم|تعتزم|[وف]?س(?:ي|ت)(?!اس|ار|طر|د|ناء|ول|ين|ون|مائه|اد|ر)\w{3,})(?![\w])"
)
_PAST = frozenset(["الماضي", "الماضيه", "المنصرم", "الفارط", "الفائت"])
_NEXT = frozenset(["المقبل", "المقبله", "القادم", "القادمه"])
_CURRENT = frozenset(["الجاري", "الحالي"])


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int  # normalized offsets
    end: int
    value: date
    calendar: bool = True  # False for relative forms ("منذ 10 سنوات" also counts years)


def _shift_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _year_for(month: int, day: int, qual: str | None, pub: date) -> int:
    if qual in _CURRENT:
        return pub.year
    candidates = [pub.year - 1, pub.year, pub.year + 1]
    valid = [(y, _safe(y, month, day)) for y in candidates]
    dated = [(y, d) for y, d in valid if d is not None]
    if qual in _PAST:
        past = [y for y, d in dated if d <= pub]
        return max(past) if past else pub.year - 1
    if qual in _NEXT:
        future = [y for y, d in dated if d >= pub]
        return min(future) if future else pub.year + 1
    return min(dated, key=lambda yd: abs((yd[1] - pub).days))[0] if dated else pub.year


def _month_year(month: int, qual: str | None, pub: date) -> int:
    if qual in _PAST:
        return pub.year if month < pub.month else pub.year - 1
    if qual in _NEXT:
        return pub.year if month > pub.month else pub.year + 1
    if qual in _CURRENT:
        return pub.year
    return _year_for(month, 1, None, pub.replace(day=1))


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday(target: int, qual: str | None, pub: date, future: bool) -> date:
    delta = (target - pub.weekday()) % 7
    if qual in _NEXT:
        return pub + timedelta(days=delta or 7)
    if qual in _PAST:
        back = (pub.weekday() - target) % 7
        return pub - timedelta(days=back or 7)
    if future:
        return pub + timedelta(days=delta)
    return pub - timedelta(days=(pub.weekday() - target) % 7)


def _ago(m: re.Match[str], pub: datetime) -> date | None:
    unit, raw = m.group("unit"), m.group("n")
    if unit in ("ساعتين", "يومين", "اسبوعين", "شهرين", "عامين", "سنتين"):
        count = 2
    elif raw is None:
        count = 1
        if unit in ("ساعات", "دقائق", "ايام", "اسابيع", "اشهر", "شهور", "اعوام", "سنوات"):
            return None  # "منذ سنوات": no single date
    else:
        count = int(raw) if raw.isdigit() else _SMALL[raw]
    sign = 1 if m.group("dir") == "بعد" else -1
    if unit.startswith(("ساع", "دقي", "دقا")):
        minutes = count * (60 if unit.startswith("ساع") else 1)
        return (pub + sign * timedelta(minutes=minutes)).date()
    base = pub.date()
    if unit.startswith(("يوم", "ايام")):
        return base + sign * timedelta(days=count)
    if unit.startswith("اسب"):
        return base + sign * timedelta(days=7 * count)
    if unit.startswith(("شه", "اشه")):
        return _shift_months(base, sign * count)
    return _shift_months(base, sign * 12 * count)


_RELATIVE_HINTS = ("امس", "غد", "اليوم", "البارحه", "الاسبوع", "الشهر", "العام", "السنه")


def find_dates(normalized: str, published: datetime) -> list[DateMention]:
    """Date mentions in normalized offsets, in text order; ``published`` anchors relative ones.

    Each family of patterns runs only when a cheap substring test says it can match: most of the
    cost of date finding is scanning texts that contain no date of that kind.
    """
    pub = published.date()
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(start: int, end: int, value: date | None, calendar: bool = True) -> None:
        if value is not None:
            out.append(DateMention(start, end, value, calendar))

    def since(start: int, qual: str | None) -> str | None:
        """ "منذ 22 مارس": a date after منذ is in the past."""
        if qual is None and normalized[max(0, start - 5) : start].strip().endswith("منذ"):
            return "الماضي"
        return qual

    def left(pattern: re.Pattern[str], end: int) -> int | None:
        window_start = max(0, end - _WINDOW)
        found = pattern.search(normalized, window_start, end)
        return found.start() if found is not None else None

    for m in _MONTH_WORD.finditer(normalized):
        if not free(*m.span()):
            continue
        month = ARABIC_MONTHS[m.group()]
        right = _RIGHT.match(normalized, m.end())
        end = right.end() if right else m.end()
        year_text = right.group("year") if right else None
        qual = right.group("qual") if right else None
        window_start = max(0, m.start() - _WINDOW)
        day_match = _DAY_LEFT.search(normalized, window_start, m.start())
        if day_match is not None:
            start = day_match.start()
            extended = left(_PART_LEFT, start)
            start = extended if extended is not None else start
            day = int(day_match.group("day")) if day_match.group("day") else 1
            qual = since(start, qual)
            year = int(year_text) if year_text else _year_for(month, day, qual, pub)
            add(start, end, _safe(year, month, day))
            if day_match.group("d1"):
                add(start, end, _safe(year, month, int(day_match.group("d1"))))
        elif year_text or qual:
            edge = left(_EDGE_LEFT, m.start())
            start = edge if edge is not None else m.start()
            qual = since(start, qual)
            year = int(year_text) if year_text else _month_year(month, qual, pub)
            add(start, end, _safe(year, month, 1))
        else:
            named = left(_NAMED_LEFT, m.start())
            if named is None:
                continue  # a bare month name ("مارس" is also a verb)
            start, end = named, m.end()
            add(start, end, _safe(_month_year(month, since(start, None), pub), month, 1))
        taken.append((start, end))
    # _NUMERIC needs \d: one regex search, not a generator over every character (50 µs)
    if _ANY_DIGIT.search(normalized):
        for m in _NUMERIC.finditer(normalized):
            if free(*m.span()):
                add(
                    m.start(),
                    m.end(),
                    _safe(int(m.group("year")), int(m.group("month")), int(m.group("day"))),
                )
                taken.append(m.span())
    has_ago = "منذ" in normalized or "قبل" in normalized or "بعد" in normalized
    for m in _AGO.finditer(normalized) if has_ago else ():
        if free(*m.span()):
            add(m.start(), m.end(), _ago(m, published), calendar=False)
            taken.append(m.span())
    has_relative = any(hint in normalized for hint in _RELATIVE_HINTS)
    for m in _RELATIVE.finditer(normalized) if has_relative else ():
        if not free(*m.span()) or (
            m.group("today") and not m.group("wd") and _not_today(normalized, m)
        ):
            continue
        add(m.start(), m.end(), _relative(m, pub), calendar=False)
        taken.append(m.span())
    has_weekday = any(day in normalized for day in WEEKDAYS)
    for m in _WEEKDAY_RE.finditer(normalized) if has_weekday else ():
        if free(*m.span()):
            sentence_start = max(
                normalized.rfind(".", 0, m.start()), normalized.rfind("\n", 0, m.start())
            )
            future = _FUTURE_CUE.search(normalized, sentence_start + 1, m.start()) is not None
            value = _weekday(WEEKDAYS[m.group("wd")], m.group("qual"), pub, future)
            add(m.start(), m.end(), value, calendar=False)
            taken.append(m.span())
    out.sort(key=lambda d: (d.start, d.value))
    return out


def _relative(m: re.Match[str], pub: date) -> date:
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
    sign = -1 if m.group("pq") in _PAST else (1 if m.group("pq") in _NEXT else 0)
    period = m.group("period")
    if period == "الاسبوع":
        return pub + timedelta(days=7 * sign)
    if period == "الشهر":
        return _shift_months(pub, sign)
    return _shift_months(pub, 12 * sign)


def _not_today(text: str, m: re.Match[str]) -> bool:
    """ "اليوم الوطني", "هذا اليوم", "اليوم الأول": the day, not today."""
    after = text[m.end() : m.end() + 12].split()
    if after and after[0].startswith("ال") and after[0] not in WEEKDAYS:
        return True
    before = text[max(0, m.start() - 8) : m.start()].split()
    return bool(before) and before[-1] in ("هذا", "ذلك", "ذات", "نفس")


def to_dicts(aligned: AlignedText, mentions: list[DateMention]) -> list[dict[str, Any]]:
    out = []
    for mention in mentions:
        start, end = aligned.span(mention.start, mention.end)
        out.append(
            {
                "text": aligned.original[start:end],
                "value": mention.value,
                "start": start,
                "end": end,
            }
        )
    return out
