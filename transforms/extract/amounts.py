"""Amounts: money with its currency, percentages, and counts, as base-unit values.

Arabic news writes numbers as ASCII or Arabic-Indic digits (٫ decimal, ٬ thousands; Moroccan and
Tunisian outlets use a decimal comma), as words ("خمسون", "ألف وخمسمائة", "مليونا"), or mixed
("1.2 مليار"), then a currency, a percent marker or the counted noun. One scan over the tokens
reads a number phrase and looks right for its unit. Bare currency names shared by several
countries (دينار، ليرة، ريال، درهم، جنيه) are resolved from the countries the article mentions.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from akhbar.transforms.extract.numbers import (
    DEFINITE_NUMBERS,
    NUMBER_STARTS,
    SCALES,
    parse_digits,
    parse_words,
    read_number,
)
from akhbar.transforms.extract.offsets import AlignedText
from akhbar.transforms.extract.tokens import DIGITS, WORD, Span, Tokens
from akhbar.transforms.normalize import normalize_fast

# currency word (normalized, without case endings) -> {qualifier nisba stem: code, "": default}
_CURRENCIES: dict[str, dict[str, str]] = {
    "دولار": {"": "USD", "امريكي": "USD", "اميركي": "USD", "كندي": "CAD", "استرالي": "AUD"},
    "يورو": {"": "EUR"},
    "اورو": {"": "EUR"},  # Maghrebi spelling
    "اوقيه": {"": "MRU"},
    "جنيه": {"": "?", "مصري": "EGP", "سوداني": "SDG", "استرليني": "GBP"},
    "ريال": {
        "": "?",
        "سعودي": "SAR",
        "قطري": "QAR",
        "عماني": "OMR",
        "يمني": "YER",
        "ايراني": "IRR",
    },
    "درهم": {"": "?", "اماراتي": "AED", "مغربي": "MAD"},
    "دينار": {
        "": "?",
        "كويتي": "KWD",
        "اردني": "JOD",
        "تونسي": "TND",
        "جزائري": "DZD",
        "عراقي": "IQD",
        "ليبي": "LYD",
        "بحريني": "BHD",
    },
    "ليره": {"": "?", "لبناني": "LBP", "سوري": "SYP", "تركي": "TRY"},
    "شيكل": {"": "ILS"},
    "شيقل": {"": "ILS"},
    "يوان": {"": "CNY"},
    "ين": {"": "JPY"},
    "روبل": {"": "RUB"},
    "روبيه": {"": "INR"},
    "فرنك": {
        "": "CHF",
        "سويسري": "CHF",
        "جيبوتي": "DJF",
        "افريقي": "XOF",  # the West African CFA franc of the Arabic press ("فرنك أفريقي")
        "سيفا": "XOF",
        "غيني": "GNF",
        "كونغولي": "CDF",
        "رواندي": "RWF",
        "قمري": "KMF",
    },
    "استرليني": {"": "GBP"},
}
# fmt: off
_CURRENCY_FORMS = {
    "دولارا": "دولار", "دولارات": "دولار", "يوروهات": "يورو", "جنيها": "جنيه", "جنيهات": "جنيه",
    "ريالا": "ريال", "ريالات": "ريال", "دراهم": "درهم", "درهما": "درهم", "دينارا": "دينار",
    "دنانير": "دينار", "ليرات": "ليره", "شيكلا": "شيكل", "شواكل": "شيكل", "روبلا": "روبل",
    "ينا": "ين", "يوانا": "يوان", "يوانات": "يوان", "فرنكا": "فرنك", "فرنكات": "فرنك",
    "روبلات": "روبل", "روبيات": "روبيه",
}
# Sub-units: word -> (the currency word it divides, how many make one). "15 فلسا" in a Jordanian
# story is 0.015 JOD; which dinar, pound or riyal is resolved like the bare name.
_SUBUNITS = {
    "فلس": ("دينار", 1000), "فلسا": ("دينار", 1000), "فلوس": ("دينار", 1000),
    "قرش": ("جنيه", 100), "قرشا": ("جنيه", 100), "قروش": ("جنيه", 100),
    "هلله": ("ريال", 100), "هللات": ("ريال", 100), "سنت": ("دولار", 100),
    "سنتا": ("دولار", 100), "سنتات": ("دولار", 100),
}
# Abbreviations and symbols that are a currency by themselves.
_SYMBOLS = {"دج": "DZD", "$": "USD", "€": "EUR", "£": "GBP", "مليم": "TND/1000"}
# Which country's currency a bare ambiguous name means.
_COUNTRY_CURRENCY = {
    "EG": "EGP", "SD": "SDG", "GB": "GBP", "SA": "SAR", "QA": "QAR", "OM": "OMR", "YE": "YER",
    "IR": "IRR", "AE": "AED", "MA": "MAD", "KW": "KWD", "JO": "JOD", "TN": "TND", "DZ": "DZD",
    "IQ": "IQD", "LY": "LYD", "BH": "BHD", "LB": "LBP", "SY": "SYP", "TR": "TRY",
}
_FALLBACK = {"جنيه": "EGP", "ريال": "SAR", "درهم": "AED", "دينار": "KWD", "ليره": "LBP"}
# fmt: on
_PERCENT_WORDS = frozenset(["المائه", "المئه", "المايه"])
_PERCENT_GLUED = frozenset(["بالمائه", "بالمئه", "بالمايه"])
_LABEL_NOUNS = frozenset(
    normalize_fast(w)
    for w in [
        "رقم",
        "عيار",
        "فئة",
        "المادة",
        "الفصل",
        "الدورة",
        "المرتبة",
        "المركز",
        "الجولة",
        "الطبعة",
        "النسخة",
        "القانون",
        "المرسوم",
        "العدد",
        "الحلقة",
        "الصفحة",
        "الفقرة",
        "البند",
        "الطريق",
        "الساعة",
        "سنة",
        "عام",
        "لعام",
        "لسنة",
        "موازنة",
        "ميزانية",
        "قانون",
    ]
)
# after a text's number: "القانون عدد 33 لسنة 2004", "الأمر عدد 717 المؤرخ في"
_OF_YEAR = frozenset(["لسنه", "لعام", "المؤرخ", "المؤرخه"])
_NOT_COUNTED = frozenset(
    normalize_fast(w)
    for w in [
        "العمر",  # "البالغ من العمر 79 عاما": an age, not a label
        "في",
        "من",
        "إلى",
        "على",
        "عن",
        "مع",
        "أو",
        "و",
        "ثم",
        "حتى",
        "منذ",
        "نحو",
        "حوالي",
        "قرابة",
        "إلا",
        "أن",
        "إن",
        "ما",
        "لا",
        "قد",
        "كما",
        "التي",
        "الذي",
        "هو",
        "هي",
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ]
)


@dataclass(frozen=True, slots=True)
class Amount:
    start: int  # normalized offsets
    end: int
    value: float
    unit: str


def _currency(texts: list[str], bits: list[int], k: int) -> tuple[str, str, int] | None:
    """(currency word, qualified code or "?", index after) for a currency at token ``k``."""
    if k >= len(texts):
        return None
    word = texts[k]
    if word in _SYMBOLS:
        return word, _SYMBOLS[word], k + 1
    if word in _SUBUNITS:
        return word, "?", k + 1
    base = _CURRENCY_FORMS.get(word, word)
    if base not in _CURRENCIES:
        return None
    table = _CURRENCIES[base]
    if k + 1 < len(texts) and bits[k + 1] & WORD:
        qualifier = texts[k + 1]
        for ending in ("ين", "يه", "ا", "ه"):
            stem = qualifier[: -len(ending)] if qualifier.endswith(ending) else qualifier
            if stem in table and stem:
                return base, table[stem], k + 2
        if qualifier in table and qualifier:
            return base, table[qualifier], k + 2
    return base, table[""], k + 1


def _percent(texts: list[str], k: int) -> int | None:
    """Index after a percent marker at ``k`` ('%', '٪', 'في المائة', 'بالمئة'), or None."""
    if k >= len(texts):
        return None
    word = texts[k]
    if word in ("%", "٪") or word in _PERCENT_GLUED:
        return k + 1
    if word == "في" and k + 1 < len(texts) and texts[k + 1] in _PERCENT_WORDS:
        return k + 2
    return None


def resolve_currency(
    word: str, code: str, countries: Counter[str], default_country: str | None
) -> str:
    """A qualified code as is; a bare shared name by the article's most mentioned country that
    uses it, then by ``default_country``, then by a fixed fallback."""
    if code != "?":
        return code
    known = set(_CURRENCIES.get(word, {}).values())
    for country, _count in countries.most_common():
        if _COUNTRY_CURRENCY.get(country) in known:
            return _COUNTRY_CURRENCY[country]
    if default_country and _COUNTRY_CURRENCY.get(default_country) in known:
        return _COUNTRY_CURRENCY[default_country]
    return _FALLBACK.get(word, "XXX")


def find_amounts(
    tokens: Tokens,
    blocked: Iterable[tuple[int, int]],
    entities: list[Span],
    default_country: str | None = None,
    candidates: list[int] | None = None,
) -> list[Amount]:
    """Amounts in token order. ``blocked`` spans (dates) are never read as numbers.

    ``candidates``: indices of the tokens that may start a number (``scan.NUMBER``), in text
    order; found here when None.
    """
    texts, starts, ends, bits = tokens.texts, tokens.starts, tokens.ends, tokens.bits
    if candidates is None:
        candidates = [
            i for i, text in enumerate(texts) if bits[i] & DIGITS or text in NUMBER_STARTS
        ]
    if not candidates:
        return []
    blocked_spans = sorted(blocked)
    countries: Counter[str] | None = None
    out: list[Amount] = []
    size = len(texts)
    resume = 0
    for i in candidates:
        if i < resume:
            continue
        start = starts[i]
        if blocked_spans and any(s <= start < e for s, e in blocked_spans):
            continue
        if texts[i] in DEFINITE_NUMBERS:
            if i > 0 and texts[i - 1].startswith("ال") and bits[i - 1] & WORD:
                # "السنوات الخمس": the counted noun comes first
                out.append(Amount(starts[i - 1], ends[i], DEFINITE_NUMBERS[texts[i]], "COUNT"))
            continue
        symbol_before = i > 0 and texts[i - 1] in ("$", "€", "£") and ends[i - 1] == start
        number = read_number(texts, bits, i)
        if number is None:
            continue
        value, after, from_words, scaled = number
        if symbol_before:
            code = _SYMBOLS[texts[i - 1]]
            out.append(Amount(starts[i - 1], ends[after - 1], value, code))
            resume = after
            continue
        percent_end = _percent(texts, after)
        if percent_end is not None:
            out.append(Amount(start, ends[percent_end - 1], value, "PERCENT"))
            resume = percent_end
            continue
        currency = _currency(texts, bits, after)
        if currency is not None:
            word, code, end_index = currency
            if code == "TND/1000":
                value, code = value / 1000.0, "TND"
            elif word in _SUBUNITS:
                parent, parts = _SUBUNITS[word]
                if countries is None:
                    countries = Counter(
                        s.country for s in entities if s.type == "LOC" and s.country
                    )
                value, code = (
                    value / parts,
                    resolve_currency(parent, _CURRENCIES[parent][""], countries, default_country),
                )
            else:
                if countries is None:
                    countries = Counter(
                        s.country for s in entities if s.type == "LOC" and s.country
                    )
                code = resolve_currency(word, code, countries, default_country)
            out.append(Amount(start, ends[end_index - 1], value, code))
            resume = end_index
            continue
        unit_follows = after < size and bits[after] & WORD and texts[after] not in _NOT_COUNTED
        implied = _implied_currency(out, tokens, i) if scaled and not unit_follows else None
        if implied is not None:
            out.append(Amount(start, ends[after - 1], value, implied))
            resume = after
            continue
        counted = _counted(texts, starts, ends, bits, i, after, value, from_words)
        if counted is not None:
            out.append(Amount(start, ends[counted - 1], value, "COUNT"))
            resume = counted
            continue
        resume = after
    return out


def _counted(
    texts: list[str],
    starts: list[int],
    ends: list[int],
    bits: list[int],
    i: int,
    after: int,
    value: float,
    from_words: bool,
) -> int | None:
    """Index after the counted noun when the number counts something, else None."""
    if not from_words and bits[i] & DIGITS:
        if after == i + 1 and 1900 <= value <= 2100 and float(value).is_integer():
            return None  # a year
        if i > 0:
            prev = texts[i - 1]
            if ends[i - 1] == starts[i] and bits[i - 1] & WORD and prev not in ("و", "ب", "ل"):
                return None  # "الـ12": an ordinal ("و18", "بـ130" are a conjunction, a preposition)
            if (prev in (":", "/", "-", ".") and after == i + 1) or prev in _LABEL_NOUNS:
                return None  # a label or a time, unless a scale word follows ("ولاية سوسة: 17 ألف")
            if (
                bits[i - 1] & WORD
                and prev.startswith("ال")
                and len(prev) > 3
                and prev not in _NOT_COUNTED
            ):
                return None  # "الدورة 16": a label after its noun
    if from_words and texts[i] in ("عشر", "عشره") and i > 0 and texts[i - 1].startswith("ال"):
        return None  # "الثامنة عشرة": an ordinal
    size = len(texts)
    if after >= size:
        return None
    nxt = texts[after]
    if nxt == "من" and after + 1 < size and texts[after + 1].startswith("ال"):
        return after + 2  # "ثلاثة من المصابين"
    if (
        nxt == "و"
        and after + 2 < size
        and bits[after + 1] & DIGITS
        and starts[after + 1] == ends[after]
    ):
        # "بين 14 و18 عاما": the first number of a range counts the noun after the second
        later = read_number(texts, bits, after + 1)
        if later is not None and _counted(
            texts, starts, ends, bits, after + 1, later[1], later[0], False
        ):
            return after
    if not bits[after] & WORD or nxt in _NOT_COUNTED or nxt in SCALES or nxt in _OF_YEAR:
        return None  # "33 لسنة 2004": a text's number and year
    if not from_words and (
        (nxt.startswith("و") and len(nxt) > 3)
        or nxt.startswith(("بال", "لل", "فال", "وال", "كال"))
        or (nxt.startswith("ل") and nxt[1:2] in ("ت", "ي", "ن"))
    ):
        return None  # "22 وتتواصل", "16 لتظاهرة": a clause or a phrase, not a counted noun
    return after + 1


def _implied_currency(found: list[Amount], tokens: Tokens, i: int) -> str | None:
    """ "ارتفع إلى 10.6 مليارات دولار، بعدما كان 8.5 مليارات": a scaled number with no unit right
    after a money amount in the same sentence shares its currency."""
    if not found or found[-1].unit in ("PERCENT", "COUNT"):
        return None
    previous_end = found[-1].end
    first = bisect_left(tokens.starts, previous_end, 0, i)  # the tokens between the two
    between = tokens.texts[first:i]
    if len(between) > 8 or any(t in (".", "!", "?", "\n") for t in between):
        return None
    return found[-1].unit


def to_dicts(aligned: AlignedText, amounts: list[Amount]) -> list[dict[str, Any]]:
    out = []
    for amount in amounts:
        out.append(
            {
                "text": aligned.text_of(amount.start, amount.end),
                "value": float(amount.value),
                "unit": amount.unit,
            }
        )
    return out


__all__ = ["Amount", "find_amounts", "parse_digits", "parse_words", "to_dicts"]
