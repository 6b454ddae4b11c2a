"""Publication dates in every shape feeds and archives use, always returned in UTC or None.

Order: the structured formats first (ISO 8601, RFC 822, DD/MM/YYYY, epoch), then Arabic dates
with MSA, Maghrebi and Levantine month names, and only then dateparser (slow to import, and
needed only for relative forms such as 'منذ ساعتين'). A date outside a plausible window (before
1990 or more than two days after the fetch) is treated as unusable, not as a publication date.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from akhbar.transforms.normalize import normalize_fast

EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=2)

# Normalized spellings (alef without hamza, final ه/ي) so one table serves every orthography.
ARABIC_MONTHS: dict[str, int] = {
    # MSA / Egyptian
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "ابريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يونيه": 6,
    "يوليو": 7,
    "يوليه": 7,
    "اغسطس": 8,
    "سبتمبر": 9,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
    # Maghrebi (Tunisia, Algeria; Morocco shares most MSA names)
    "جانفي": 1,
    "فيفري": 2,
    "افريل": 4,
    "ماي": 5,
    "جوان": 6,
    "جويليه": 7,
    "اوت": 8,
    "شتنبر": 9,
    "نونبر": 11,
    "دجنبر": 12,
    "يوليوز": 7,
    "غشت": 8,
    # Levantine / Iraqi
    "كانون الثاني": 1,
    "شباط": 2,
    "اذار": 3,
    "نيسان": 4,
    "ايار": 5,
    "حزيران": 6,
    "تموز": 7,
    "اب": 8,
    "ايلول": 9,
    "تشرين الاول": 10,
    "تشرين الثاني": 11,
    "كانون الاول": 12,
}
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in ARABIC_MONTHS), key=len, reverse=True))
# A paired name ('تشرين الثاني/نوفمبر', 'نوفمبر/تشرين الثاني') may itself be two words; a time may
# carry a 12-hour marker (ص / صباحا = a.m., م / مساء = p.m.).
_ARABIC_DATE = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s+(?:من\s+)?({_MONTH_ALT})(?:\s*/\s*(?:{_MONTH_ALT}|[^\s\d]+))?"
    r"\s*(?:،|,)?\s*(\d{4})"
    r"(?:\D{0,12}?(\d{1,2}):(\d{2})(?::\d{2})?(?:\s*(صباحا|مساء|ص|م)(?![\u0621-\u064A]))?)?"
)
_DMY = re.compile(
    r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)
_YMD_SLASH = re.compile(
    r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)
# ANT's broken form: 2017-01-21T133400
_COMPACT_TIME = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})\s*$")
_EPOCH = re.compile(r"^\s*\d{9,13}(?:\.\d+)?\s*$")
_HAS_ARABIC = re.compile(r"[\u0600-\u06FF]")


def to_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC (the only honest default without a zone)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def plausible(moment: datetime | None, now: datetime) -> datetime | None:
    if moment is None:
        return None
    if moment < EARLIEST_PLAUSIBLE or moment > now + FUTURE_TOLERANCE:
        return None
    return moment


# A dateline: a full date at the very top of the text, after at most a place name and a
# separator ("القاهرة في 5 ديسمبر 2026 -", "تونس (وات) 12/01/2017"). Anything later in the text
# may be a date the article talks about, not the day it was written.
DATELINE_MAX_PREFIX = 40
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")


def dateline_date(text_normalized: str, now: datetime) -> datetime | None:
    """The publication date a text states in its dateline, for items whose input gave none.

    ``text_normalized``: the normalized text (month names are matched in normalized spelling).
    Only a complete date (day, month, year) that starts within the first
    ``DATELINE_MAX_PREFIX`` characters counts, and it must be plausible for ``now``.
    """
    head = text_normalized[: DATELINE_MAX_PREFIX + 60]
    for pattern in (_ARABIC_DATE, _NUMERIC_DATE):
        m = pattern.search(head)
        if m and m.start() <= DATELINE_MAX_PREFIX and "\n" not in head[: m.start()]:
            return parse_date(m.group(0), now)
    return None


def parse_date(raw: Any, now: datetime | None = None) -> datetime | None:
    """Parse a publication date; never raises; returns an aware UTC datetime or None."""
    now = now or datetime.now(UTC)
    try:
        return plausible(_parse(raw, now), now)
    except (ValueError, TypeError, OverflowError, IndexError, KeyError, OSError):
        # OSError: datetime.fromtimestamp raises EOVERFLOW for epochs around +-1e17 seconds.
        return None


def _parse(raw: Any, now: datetime) -> datetime | None:
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, datetime):
        return to_utc(raw)
    if isinstance(raw, int | float):
        return _from_epoch(float(raw))
    text = str(raw).strip()
    if not text or len(text) > 200:
        return None
    text = text.replace("\x00", "")
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    if (m := _COMPACT_TIME.match(text)) is not None:
        y, mo, d, hh, mi, ss = (int(g) for g in m.groups())
        return datetime(y, mo, d, hh, mi, ss, tzinfo=UTC)
    iso = _parse_iso(text)
    if iso is not None:
        return iso
    if (m := _DMY.match(text)) is not None:
        d, mo, y, hh, mi, ss = (int(g or 0) for g in m.groups())
        return datetime(y, mo, d, hh, mi, ss, tzinfo=UTC)
    if (m := _YMD_SLASH.match(text)) is not None:
        y, mo, d, hh, mi, ss = (int(g or 0) for g in m.groups())
        return datetime(y, mo, d, hh, mi, ss, tzinfo=UTC)
    if "," in text or text[:3].isalpha():
        try:
            return to_utc(parsedate_to_datetime(text))
        except (ValueError, TypeError, IndexError):
            pass
    if _HAS_ARABIC.search(text):
        found = parse_arabic_date(text)
        if found is not None:
            return found
        return _dateparser(text, now)
    return _dateparser(text, now)


def local_time(moment: datetime, raw: str | None) -> datetime:
    """``moment`` in the UTC offset its source wrote (``raw``), when ``raw`` states one.

    ``published_at`` is stored in UTC, but "أمس" in an article published at 01:15 +03:00 on
    1 January means 31 December: relative dates resolve in the article's own time zone. The raw
    value's offset is used only when it denotes the same instant (else the time came from
    elsewhere, and UTC is the honest default).
    """
    if not raw:
        return moment
    text = raw.strip()
    try:
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":
            stated = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
        else:
            stated = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        return moment
    if stated.tzinfo is None or stated.utcoffset() is None or stated != moment:
        return moment
    return moment.astimezone(stated.tzinfo)


def _from_epoch(value: float) -> datetime | None:
    if value > 1e11:  # milliseconds
        value /= 1000.0
    return datetime.fromtimestamp(value, tz=UTC)


def _parse_iso(text: str) -> datetime | None:
    candidate = text
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    if len(candidate) >= 10 and candidate[4] == "-" and candidate[7] == "-":
        try:
            return to_utc(datetime.fromisoformat(candidate))
        except ValueError:
            return None
    return None


def parse_arabic_date(text: str) -> datetime | None:
    """'الأحد 29 نوفمبر 2026', '3 تشرين الثاني/نوفمبر 2025 - 14:30', '12 جوان 2019 9:05 م'."""
    norm = normalize_fast(text)
    m = _ARABIC_DATE.search(norm)
    if m is None:
        return None
    day, month_name, year, hh, mm, marker = m.groups()
    hour = int(hh or 0)
    if marker in ("م", "مساء") and hour < 12:
        hour += 12
    elif marker in ("ص", "صباحا") and hour == 12:
        hour = 0
    return datetime(int(year), ARABIC_MONTHS[month_name], int(day), hour, int(mm or 0), tzinfo=UTC)


def _dateparser(text: str, now: datetime) -> datetime | None:
    """Last resort (relative and unusual forms). Imported lazily: it costs ~0.3 s to import.

    An absolute date must state its day, month and year (``REQUIRE_PARTS``): dateparser would
    otherwise fill the missing parts from ``now``, so "2026" became the day of the run and "-1"
    January of this year on the run's day of the month: a publication date invented from the
    clock, different for each run. Relative forms ("منذ ساعتين", "أمس") still resolve against
    ``now``.
    """
    import dateparser

    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    found = dateparser.parse(text, languages=["ar", "en", "fr"], settings=settings)
    return to_utc(found) if found is not None else None
