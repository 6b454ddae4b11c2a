"""Dates mentioned in an article, as calendar dates, relative ones resolved against publication.

Spans are found with regexes first and parsed afterwards, because dateparser's ``search_dates``
splits Arabic dates badly and does not know Levantine months. Patterns run from the most to the
least specific (full dates and day ranges, month + year, month + qualifier, relative words,
weekdays) and a later pattern never takes text an earlier one matched. Month names come from the
publication-date parser's table (MSA, Maghrebi, Levantine/Iraqi, paired forms).

Every mention carries its granularity (``day``, ``month`` or ``year``) and its value is the first
day of that period, so that a month-only mention ("في أكتوبر") never looks like a real 1 October.

Resolution rules (tests/golden/GUIDELINES.md): a day and month without a year take the year that
"الماضي"/"المقبل"/"الجاري" or, failing those, the nearest reading to publication implies ("12
يناير" written in late December is next January); "الأسبوع الماضي" is seven days earlier;
"الشهر المقبل" is next month and "العام الماضي" last year; a bare weekday is the last such day on
or before publication unless the sentence speaks of the future. ``published`` must carry the
article's own UTC offset: "أمس" in an article published at 01:15 local time is the local
yesterday, not UTC's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from akhbar.transforms.extract.date_rules import (
    DAY,
    MONTH,
    SMALL_NUMBERS,
    YEAR,
    ago,
    month_year,
    nearest_month,
    period,
    relative,
    safe_date,
    weekday_date,
    year_for,
)
from akhbar.transforms.extract.dates import ARABIC_MONTHS
from akhbar.transforms.extract.offsets import AlignedText
from akhbar.transforms.extract.tokens import DIGITS, Tokens, tokenize

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
_QUAL = (
    r"الماضي|الماضيه|المنصرم|المنصرمه|الفارط|الفائت|المقبل|المقبله|القادم|القادمه"
    r"|الجاري|الجاريه|الحالي|الحاليه"
)
_QUAL_MOVE = r"الماضي|الماضيه|المنصرم|الفارط|الفائت|المقبل|المقبله|القادم|القادمه"
_PART = r"(?:(?:يوم|يومي|مساء|صباح|فجر|ظهر|ليله|ليل|امس|اليوم|غدا|منتصف)\s+)*"
_EDGE = r"(?:(?:شهر|مطلع|بدايه|نهايه|منتصف|اواخر|اوائل|اخر)\s+)*"
_B = r"(?<![\w])"  # left word boundary that also works before Arabic letters
_E = r"(?![\w])"

# Calendar dates are anchored on a month name (one scan), then read leftwards (day, weekday,
# "يوم", "أمس") and rightwards (paired name, year, qualifier) in small windows: far cheaper than
# trying long alternations of month names at every position of the text.
_MONTH_WORD = re.compile(rf"{_B}(?:{_MONTH}){_E}")
_UNITS_ORD: tuple[str, ...] = ("الاول", "الثاني", "الثالث", "الرابع", "الخامس")
_UNITS_ORD += ("السادس", "السابع", "الثامن", "التاسع")
# "السابع من تشرين الأول", "الحادي والعشرين من", "فاتح شتنبر": ordinal days, normalized
ORDINAL_DAYS: dict[str, int] = {
    **{word: n for n, word in enumerate(_UNITS_ORD, start=1)},
    "العاشر": 10,
    "الحادي عشر": 11,
    **{f"{w} عشر": n + 10 for n, w in enumerate(_UNITS_ORD[1:], start=2)},
    "العشرين": 20,
    "الحادي والعشرين": 21,
    **{f"{w} والعشرين": n + 20 for n, w in enumerate(_UNITS_ORD[1:], start=2)},
    "الثلاثين": 30,
    "الحادي والثلاثين": 31,
    "اول": 1,
    "فاتح": 1,
}
_ORDINAL = "|".join(sorted(ORDINAL_DAYS, key=len, reverse=True))
_DAY_LEFT = re.compile(
    rf"{_B}(?:(?P<d1>\d{{1,2}})\s*(?:و|-|–|الي|حتى)\s*)?(?:(?P<day>\d{{1,2}})|(?P<first>{_ORDINAL}))\s+"
    rf"(?:من\s+)?(?:شهر\s+)?$"
)
_PART_LEFT = re.compile(rf"{_B}{_PART}(?:(?P<wd>{_WEEKDAY})\s+(?:الموافق\s+)?)?$")
_EDGE_LEFT = re.compile(rf"{_B}{_EDGE}$")
_NAMED_LEFT = re.compile(rf"{_B}(?:(?:مطلع|بدايه|نهايه|منتصف|اواخر|اوائل)\s+)*شهر\s+$")
_RIGHT = re.compile(
    rf"(?:\s*/\s*(?:{_MONTH}){_E})?(?:\s*[،,]?\s*(?P<year>\d{{4}}){_E})?(?:\s+(?P<qual>{_QUAL}){_E})?"
)
# A bare month name is a date only after a word that takes a time ("في نوفمبر", "بنهاية
# نوفمبر", "منذ يناير"): alone it may be a verb ("مارس الرياضة") or a noun ("اب").
_BARE_LEFT = re.compile(
    rf"{_B}(?:[وف]?(?:في|خلال|منذ|حتي|قبل|بعد|مع|طيله|طوال|بحلول)|[وفبل]?(?:نهايه|مطلع|بدايه|منتصف|اواخر|اوائل))"
    rf"\s+$"
)
# Years: "عام 2030", "العام 2025", "في 2025", "بحلول عام 2029"; not "لسنة 2026", a law's label.
_YEAR = re.compile(
    rf"{_B}(?:(?:[وف]?(?:في|حتي|بحلول|منذ|خلال|قبل|بعد|مطلع|نهايه|بدايه)\s+)?(?P<kw>[وفب]?(?:عام|العام|سنه|السنه))\s+"
    rf"|[وف]?(?:في|حتي|بحلول|منذ)\s+)(?P<year>(?:19|20)\d\d){_E}"
)
# Periods relative to publication: "العام الماضي", "السنة الجارية", "هذا الشهر", "نهاية العام".
_PERIOD = re.compile(
    rf"{_B}(?:ل?(?:هذا|هذه)\s+(?P<this>العام|السنه|الشهر)"
    rf"|(?P<unit>العام|السنه|الشهر)\s+(?P<qual>{_QUAL}){_E}"
    rf"|[وفبل]?(?:نهايه|مطلع|بدايه|منتصف|اواخر|اوائل)\s+(?P<edge>العام|السنه)"
    rf"(?:\s+(?P<edge_qual>{_QUAL}))?{_E}(?!\s+(?:المالي|الدراسي)))"
)
_NUMERIC = re.compile(rf"{_B}(?P<day>\d{{1,2}})[/.-](?P<month>\d{{1,2}})[/.-](?P<year>\d{{4}}){_E}")
_ANY_DIGIT = re.compile(r"\d")
_WINDOW = 48
_UNITS = (
    r"ساعه|ساعات|ساعتين|دقيقه|دقائق|يوم|ايام|يومين|اسبوع|اسابيع|اسبوعين|شهر|اشهر|شهور|شهرين|"
    r"عام|اعوام|عامين|سنه|سنوات|سنتين"
)
_AGO = re.compile(
    rf"{_B}(?P<dir>منذ|قبل|بعد)\s+(?:(?P<n>\d{{1,3}}|{'|'.join(SMALL_NUMBERS)})\s+)?(?P<unit>{_UNITS}){_E}"
    r"(?!\s+من\s)"
)
_RELATIVE = re.compile(
    rf"{_B}(?:(?P<before2>اول\s+(?:من\s+)?امس)|(?P<yesterday>(?:يوم\s+)?امس|البارحه|الليله\s+الماضيه)"
    rf"|(?P<after2>بعد\s+غد)|(?P<tomorrow>(?:يوم\s+)?غدا?|غدا)|(?P<today>اليوم)"
    rf"|(?P<period>الاسبوع)\s+(?P<pq>{_QUAL_MOVE}))"
    rf"(?:\s+(?P<wd>{_WEEKDAY}))?{_E}"
)
_WEEKDAY_RE = re.compile(
    rf"{_B}(?:(?:يوم|مساء|صباح|فجر|ظهر|ليله)\s+)?(?P<wd>{_WEEKDAY})(?:\s+(?P<qual>الماضي|المقبل|القادم))?{_E}"
)
_FUTURE_CUE = re.compile(
    r"(?<![\w])(?:سوف|المقرر|المرتقب|المنتظر|يعتزم|تعتزم|[وف]?س(?:ي|ت)(?!اس|ار|طر|د|ناء|ول|ين|ون|مائه|اد|ر)\w{3,})(?![\w])"
)


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int  # normalized offsets
    end: int
    value: date  # the first day of the period
    calendar: bool = True  # False for relative forms ("منذ 10 سنوات" also counts years)
    granularity: str = DAY


_F_MONTH, _F_NUMERIC, _F_YEAR, _F_AGO, _F_PERIOD, _F_RELATIVE, _F_WEEKDAY = range(7)
_EDGE_WORDS = ("نهايه", "مطلع", "بدايه", "منتصف", "اواخر", "اوائل")
# word -> the families of date patterns that may start at it
_OPENERS: dict[str, tuple[int, ...]] = {}
for _word, _family in [
    *((w.split()[0], _F_MONTH) for w in ARABIC_MONTHS),
    *((w, _F_AGO) for w in ("منذ", "قبل", "بعد")),
    *((w, _F_PERIOD) for w in ("هذا", "هذه", "لهذا", "لهذه")),
    *((w, _F_PERIOD) for w in ("العام", "السنه", "الشهر")),
    *((p + w, _F_PERIOD) for w in _EDGE_WORDS for p in ("", "و", "ف", "ب", "ل")),
    *(
        (w, _F_RELATIVE)
        for w in ("اول", "امس", "يوم", "البارحه", "الليله", "بعد", "غد", "غدا", "اليوم", "الاسبوع")
    ),
    *((w, _F_WEEKDAY) for w in WEEKDAYS),
]:
    _OPENERS[_word] = (*_OPENERS.get(_word, ()), _family)
_WEEKDAY_PREFIX = frozenset(["يوم", "مساء", "صباح", "فجر", "ظهر", "ليله"])


DATE_OPENERS = frozenset(_OPENERS)


def _trigger_offsets(tokens: Tokens, candidates: list[int] | None) -> list[list[int]]:
    """For each family of patterns, the offsets (in text order) where one may start.

    ``candidates``: indices of the date words and numbers (``scan.DATE | scan.NUMBER``); every
    token is looked at when None."""
    starts: list[list[int]] = [[] for _ in range(7)]
    openers = _OPENERS
    texts, offsets, bits = tokens.texts, tokens.starts, tokens.bits
    last = len(texts) - 1
    for i in range(len(texts)) if candidates is None else candidates:
        text = texts[i]
        families = openers.get(text)
        if families is not None:
            for family in families:
                if family == _F_WEEKDAY and i and texts[i - 1] in _WEEKDAY_PREFIX:
                    starts[family].append(offsets[i - 1])  # "يوم الأحد"
                starts[family].append(offsets[i])
        elif bits[i] & DIGITS:
            if len(text) == 4 and text[:2] in ("19", "20"):
                starts[_F_YEAR].append(offsets[i])
            elif (len(text) <= 2 and i < last and texts[i + 1] in "/-") or text.count(".") == 2:
                starts[_F_NUMERIC].append(offsets[i])  # "12/03/2025", "12.03.2025"
    return starts


def _matches(pattern: re.Pattern[str], text: str, offsets: list[int]) -> Iterator[re.Match[str]]:
    """``pattern`` matched at each offset, non-overlapping, like ``finditer`` restricted to
    the places where a match can begin."""
    end = -1
    for offset in offsets:
        if offset < end:
            continue
        m = pattern.match(text, offset)
        if m is not None and m.end() > m.start():
            end = m.end()
            yield m


def _years(text: str, offsets: list[int]) -> Iterator[re.Match[str]]:
    """Year mentions ending at each four-digit number ("عام 2030", "في 2025")."""
    for offset in offsets:
        for m in _YEAR.finditer(text, max(0, offset - 32), offset + 4):
            if m.start("year") == offset:
                yield m
                break


def find_dates(
    normalized: str,
    published: datetime,
    tokens: Tokens | None = None,
    candidates: list[int] | None = None,
) -> list[DateMention]:
    """Date mentions in normalized offsets, in text order; ``published`` anchors relative ones.

    One pass over the tokens (``tokens`` of ``normalized``; computed when not given) finds the
    words that can open a date of each family, and each family's pattern is then tried only
    there, with ``match`` at that offset: a regex scan of the whole text per family cost 15 to
    35 µs each, and most texts hold no date of most families.
    """
    if tokens is None:
        tokens = tokenize(normalized)
    starts = _trigger_offsets(tokens, candidates)
    pub = published.date()
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(
        start: int, end: int, value: date | None, calendar: bool = True, grain: str = DAY
    ) -> None:
        if value is not None:
            out.append(DateMention(start, end, value, calendar, grain))

    def since(start: int, qual: str | None) -> str | None:
        """ "منذ 22 مارس": a date after منذ is in the past."""
        if qual is None and normalized[max(0, start - 5) : start].strip().endswith("منذ"):
            return "الماضي"
        return qual

    def left(pattern: re.Pattern[str], end: int) -> int | None:
        window_start = max(0, end - _WINDOW)
        found = pattern.search(normalized, window_start, end)
        return found.start() if found is not None else None

    for m in _matches(_MONTH_WORD, normalized, starts[_F_MONTH]):
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
            day = (
                int(day_match.group("day"))
                if day_match.group("day")
                else ORDINAL_DAYS[day_match.group("first")]
            )
            qual = since(start, qual)
            year = int(year_text) if year_text else year_for(month, day, qual, pub)
            add(start, end, safe_date(year, month, day))
            if day_match.group("d1"):
                add(start, end, safe_date(year, month, int(day_match.group("d1"))))
        elif year_text or qual:
            edge = left(_EDGE_LEFT, m.start())
            start = edge if edge is not None else m.start()
            qual = since(start, qual)
            year = int(year_text) if year_text else month_year(month, qual, pub)
            add(start, end, safe_date(year, month, 1), grain=MONTH)
        else:
            named = left(_NAMED_LEFT, m.start())
            if named is not None:
                start, end = named, m.end()
                qual = since(start, None)
                value = safe_date(month_year(month, qual, pub), month, 1) if qual else None
                add(start, end, value or nearest_month(month, pub), grain=MONTH)
            elif _BARE_LEFT.search(normalized, window_start, m.start()) is not None:
                start, end = m.start(), m.end()
                qual = since(start, None)
                value = safe_date(month_year(month, qual, pub), month, 1) if qual else None
                add(start, end, value or nearest_month(month, pub), grain=MONTH)
            else:
                continue  # a bare month name ("مارس" is also a verb)
        taken.append((start, end))
    # _NUMERIC needs \d: one regex search, not a generator over every character (50 µs)
    if starts[_F_NUMERIC] or starts[_F_YEAR]:
        for m in _matches(_NUMERIC, normalized, starts[_F_NUMERIC]):
            if free(*m.span()):
                add(
                    m.start(),
                    m.end(),
                    safe_date(int(m.group("year")), int(m.group("month")), int(m.group("day"))),
                )
                taken.append(m.span())
        for m in _years(normalized, starts[_F_YEAR]):
            start = m.start("kw") if m.group("kw") else m.start("year")
            if free(start, m.end()):
                add(start, m.end(), date(int(m.group("year")), 1, 1), grain=YEAR)
                taken.append((start, m.end()))
    for m in _matches(_AGO, normalized, starts[_F_AGO]):
        if free(*m.span()):
            found = ago(m, published)
            if found is not None:
                add(m.start(), m.end(), found[0], calendar=False, grain=found[1])
            taken.append(m.span())
    if starts[_F_PERIOD]:
        for m in _matches(_PERIOD, normalized, starts[_F_PERIOD]):
            if free(*m.span()):
                value, grain = period(m, pub)
                add(m.start(), m.end(), value, calendar=False, grain=grain)
                taken.append(m.span())
    for m in _matches(_RELATIVE, normalized, starts[_F_RELATIVE]):
        if not free(*m.span()) or (
            m.group("today") and not m.group("wd") and _not_today(normalized, m)
        ):
            continue
        add(m.start(), m.end(), relative(m, pub), calendar=False)
        taken.append(m.span())
    for m in _matches(_WEEKDAY_RE, normalized, starts[_F_WEEKDAY]):
        if free(*m.span()):
            sentence_start = max(
                normalized.rfind(".", 0, m.start()), normalized.rfind("\n", 0, m.start())
            )
            future = _FUTURE_CUE.search(normalized, sentence_start + 1, m.start()) is not None
            value = weekday_date(WEEKDAYS[m.group("wd")], m.group("qual"), pub, future)
            add(m.start(), m.end(), value, calendar=False)
            taken.append(m.span())
    out.sort(key=lambda d: (d.start, d.value))
    return out


def _not_today(text: str, m: re.Match[str]) -> bool:
    """ "اليوم الوطني", "هذا اليوم", "اليوم الأول": the day, not today."""
    after = text[m.end() : m.end() + 12].split()
    if after and after[0].startswith("ال") and after[0] not in WEEKDAYS:
        return True
    before = text[max(0, m.start() - 8) : m.start()].split()
    return bool(before) and before[-1] in ("هذا", "ذلك", "ذات", "نفس")


def to_dicts(aligned: AlignedText, mentions: list[DateMention]) -> list[dict[str, Any]]:
    out = []
    identity = aligned.identity
    for mention in mentions:
        start, end = mention.start, mention.end
        if not identity or end <= start:
            start, end = aligned.span(start, end)
        out.append(
            {
                "text": aligned.original[start:end],
                "value": mention.value,
                "granularity": mention.granularity,
                "start": start,
                "end": end,
            }
        )
    return out
