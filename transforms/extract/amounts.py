"""Amounts: money with its currency, percentages, and counts, as base-unit values.

Arabic news writes numbers as ASCII or Arabic-Indic digits (٫ decimal, ٬ thousands; Moroccan and
Tunisian outlets use a decimal comma), as words ("خمسون", "ألف وخمسمائة", "مليونا"), or mixed
("1.2 مليار"), then a currency, a percent marker or the counted noun. One scan over the tokens
reads a number phrase and looks right for its unit. Bare currency names shared by several
countries (دينار، ليرة، ريال، درهم، جنيه) are resolved from the countries the article mentions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from akhbar.transforms.extract.numbers import (
    NUMBER_STARTS,
    SCALES,
    parse_digits,
    parse_words,
    read_number,
)
from akhbar.transforms.extract.offsets import AlignedText
from akhbar.transforms.extract.tokens import Span, Token
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
    "فرنك": {"": "CHF", "سويسري": "CHF"},
    "استرليني": {"": "GBP"},
}
# fmt: off
_CURRENCY_FORMS = {
    "دولارا": "دولار", "دولارات": "دولار", "يوروهات": "يورو", "جنيها": "جنيه", "جنيهات": "جنيه",
    "ريالا": "ريال", "ريالات": "ريال", "دراهم": "درهم", "درهما": "درهم", "دينارا": "دينار",
    "دنانير": "دينار", "ليرات": "ليره", "شيكلا": "شيكل", "شواكل": "شيكل", "روبلا": "روبل",
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
_NOT_COUNTED = frozenset(
    normalize_fast(w)
    for w in [
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


def _currency(tokens: list[Token], k: int) -> tuple[str, str, int] | None:
    """(currency word, qualified code or "?", index after) for a currency at token ``k``."""
    if k >= len(tokens):
        return None
    word = tokens[k].text
    if word in _SYMBOLS:
        return word, _SYMBOLS[word], k + 1
    base = _CURRENCY_FORMS.get(word, word)
    if base not in _CURRENCIES:
        return None
    table = _CURRENCIES[base]
    if k + 1 < len(tokens) and tokens[k + 1].kind == "w":
        qualifier = tokens[k + 1].text
        for ending in ("ين", "يه", "ا", "ه"):
            stem = qualifier[: -len(ending)] if qualifier.endswith(ending) else qualifier
            if stem in table and stem:
                return base, table[stem], k + 2
        if qualifier in table and qualifier:
            return base, table[qualifier], k + 2
    return base, table[""], k + 1


def _percent(tokens: list[Token], k: int) -> int | None:
    """Index after a percent marker at ``k`` ('%', '٪', 'في المائة', 'بالمئة'), or None."""
    if k >= len(tokens):
        return None
    word = tokens[k].text
    if word in ("%", "٪") or word in _PERCENT_GLUED:
        return k + 1
    if word == "في" and k + 1 < len(tokens) and tokens[k + 1].text in _PERCENT_WORDS:
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
    tokens: list[Token],
    blocked: Iterable[tuple[int, int]],
    entities: list[Span],
    default_country: str | None = None,
    candidates: list[int] | None = None,
) -> list[Amount]:
    """Amounts in token order. ``blocked`` spans (dates) are never read as numbers.

    ``candidates``: indices of the tokens that may start a number (``scan.NUMBER``), in text
    order; found here when None.
    """
    blocked_spans = sorted(blocked)
    countries: Counter[str] = Counter(s.country for s in entities if s.type == "LOC" and s.country)
    out: list[Amount] = []
    if candidates is None:
        candidates = [
            i for i, tok in enumerate(tokens) if tok.kind == "n" or tok.text in NUMBER_STARTS
        ]
    resume = 0
    for i in candidates:
        if i < resume:
            continue
        tok = tokens[i]
        if any(s <= tok.start < e for s, e in blocked_spans):
            continue
        symbol_before = (
            i > 0 and tokens[i - 1].text in ("$", "€", "£") and tokens[i - 1].end == tok.start
        )
        number = read_number(tokens, i)
        if number is None:
            continue
        value, after, from_words, scaled = number
        start = tokens[i - 1].start if symbol_before else tok.start
        if symbol_before:
            code = _SYMBOLS[tokens[i - 1].text]
            out.append(Amount(start, tokens[after - 1].end, value, code))
            resume = after
            continue
        percent_end = _percent(tokens, after)
        if percent_end is not None:
            out.append(Amount(start, tokens[percent_end - 1].end, value, "PERCENT"))
            resume = percent_end
            continue
        currency = _currency(tokens, after)
        if currency is not None:
            word, code, end_index = currency
            if code == "TND/1000":
                value, code = value / 1000.0, "TND"
            else:
                code = resolve_currency(word, code, countries, default_country)
            out.append(Amount(start, tokens[end_index - 1].end, value, code))
            resume = end_index
            continue
        nxt = tokens[after] if after < len(tokens) else None
        unit_follows = nxt is not None and nxt.kind == "w" and nxt.text not in _NOT_COUNTED
        implied = _implied_currency(out, tokens, i) if scaled and not unit_follows else None
        if implied is not None:
            out.append(Amount(start, tokens[after - 1].end, value, implied))
            resume = after
            continue
        counted = _counted(tokens, i, after, value, from_words)
        if counted is not None:
            out.append(Amount(start, tokens[counted - 1].end, value, "COUNT"))
            resume = counted
            continue
        resume = after
    return out


def _counted(tokens: list[Token], i: int, after: int, value: float, from_words: bool) -> int | None:
    """Index after the counted noun when the number counts something, else None."""
    first = tokens[i]
    if not from_words and first.kind == "n":
        if after == i + 1 and 1900 <= value <= 2100 and float(value).is_integer():
            return None  # a year
        if i > 0:
            prev = tokens[i - 1]
            if prev.end == first.start and prev.kind == "w" and prev.text != "و":
                return None  # "الـ12": an ordinal ("و18" is a conjunction, not one)
            if prev.text in (":", "/", "-", ".") or prev.text in _LABEL_NOUNS:
                return None
            if (
                prev.kind == "w"
                and prev.text.startswith("ال")
                and len(prev.text) > 3
                and prev.text not in _NOT_COUNTED
            ):
                return None  # "الدورة 16": a label after its noun
    if after >= len(tokens):
        return None
    nxt = tokens[after]
    if nxt.text == "من" and after + 1 < len(tokens) and tokens[after + 1].text.startswith("ال"):
        return after + 2  # "ثلاثة من المصابين"
    if (
        nxt.text == "و"
        and after + 2 < len(tokens)
        and tokens[after + 1].kind == "n"
        and tokens[after + 1].start == nxt.end
    ):
        # "بين 14 و18 عاما": the first number of a range counts the noun after the second
        later = read_number(tokens, after + 1)
        if later is not None and _counted(tokens, after + 1, later[1], later[0], False):
            return after
    if nxt.kind != "w" or nxt.text in _NOT_COUNTED or nxt.text in SCALES:
        return None
    if not from_words and (
        (nxt.text.startswith("و") and len(nxt.text) > 3)
        or nxt.text.startswith(("بال", "لل", "فال", "وال", "كال"))
        or (nxt.text.startswith("ل") and nxt.text[1:2] in ("ت", "ي", "ن"))
    ):
        return None  # "22 وتتواصل", "16 لتظاهرة": a clause or a phrase, not a counted noun
    return after + 1


def _implied_currency(found: list[Amount], tokens: list[Token], i: int) -> str | None:
    """ "ارتفع إلى 10.6 مليارات دولار، بعدما كان 8.5 مليارات": a scaled number with no unit right
    after a money amount in the same sentence shares its currency."""
    if not found or found[-1].unit in ("PERCENT", "COUNT"):
        return None
    previous_end = found[-1].end
    between = [t for t in tokens[:i] if t.start >= previous_end]
    if len(between) > 8 or any(t.text in (".", "!", "?", "\n") for t in between):
        return None
    return found[-1].unit


def to_dicts(aligned: AlignedText, amounts: list[Amount]) -> list[dict[str, Any]]:
    out = []
    for amount in amounts:
        start, end = aligned.span(amount.start, amount.end)
        out.append(
            {"text": aligned.original[start:end], "value": float(amount.value), "unit": amount.unit}
        )
    return out


__all__ = ["Amount", "find_amounts", "parse_digits", "parse_words", "to_dicts"]
