"""Small corrections of entity spans that need the whole article: a currency's country
adjective, a state's administrative head, a quoted second name, the outlet of a dateline.

Each is a pure function over spans and tokens, applied by ``entities.find_entities``.
"""

from __future__ import annotations

from bisect import bisect_right
from operator import itemgetter

from akhbar.transforms.extract.lexicon import COUNTRY_ADMIN_HEADS, CURRENCY_WORDS
from akhbar.transforms.extract.tokens import Span, Token
from akhbar.transforms.normalize import normalize_fast

_END = itemgetter(2)  # Token.end


def clip(span: Span, others: list[Span]) -> bool:
    """``span`` overlaps none of ``others``."""
    return all(span.end <= o.start or span.start >= o.end for o in others)


def drop_currency_adjectives(
    tokens: list[Token], spans: list[Span], currencies: list[int] | None = None
) -> list[Span]:
    """ "11 ألف ليرة سورية": سورية after a currency name is its adjective, not the country."""
    if currencies is None:
        currencies = [i for i, t in enumerate(tokens) if t.text in CURRENCY_WORDS]
    if not currencies:
        return spans
    currency_ends = {tokens[i].end for i in currencies}
    out = []
    for span in spans:
        if span.type == "LOC" and any(0 < span.start - end <= 1 for end in currency_ends):
            continue
        out.append(span)
    return out


def country_without_admin_head(
    norm: str, spans: list[Span], loc_keys: frozenset[str]
) -> list[Span]:
    """ "سلطنة عمان" -> عمان, "جمهورية الكونغو الديمقراطية" -> الكونغو الديمقراطية: the state
    form's head is not part of the place (GUIDELINES, LOC rule 6)."""
    out = []
    for span in spans:
        if span.type == "LOC":
            head, _, rest = norm[span.start : span.end].partition(" ")
            if head in COUNTRY_ADMIN_HEADS and rest in loc_keys:
                start = span.end - len(rest)
                span = Span(start, span.end, "LOC", normalize_fast(rest), span.source, span.country)
        out.append(span)
    return out


def quoted_acronyms(tokens: list[Token], spans: list[Span]) -> list[Span]:
    """ "منظمة الأمم المتحدة للطفولة «يونيسف»": a short quoted name right after an organisation
    is that organisation's other name."""
    ends = {s.end: s for s in spans if s.type == "ORG"}
    out: list[Span] = []
    for i, tok in enumerate(tokens[:-2]):
        if tok.text != "«" or i == 0 or tokens[i - 1].end not in ends:
            continue
        k = i + 1
        while k < len(tokens) and k - i <= 3 and tokens[k].kind == "w":
            k += 1
        if k < len(tokens) and tokens[k].text == "»" and k > i + 1:
            out.append(Span(tokens[i + 1].start, tokens[k - 1].end, "ORG", "", "pattern"))
    return [s for s in out if clip(s, spans)]


def dateline_agency(norm: str, tokens: list[Token], spans: list[Span]) -> list[Span]:
    """ "الرباط - ماب", "بغداد/ شفق نيوز": the words after a place and a dash on the opening
    line, when that line holds nothing else, name the agency or outlet (GUIDELINES rule 7)."""
    line_end = norm.find("\n")
    if line_end < 0 or line_end > 60:
        return []
    first = tokens[: bisect_right(tokens, line_end, key=_END)]  # the tokens of that line
    if len(first) < 3 or first[1].text not in ("-", "/", "–"):
        return []
    place = [s for s in spans if s.type == "LOC" and s.start <= first[0].start < s.end]
    words = first[2:]
    if words and words[0].text == "«" and words[-1].text == "»":
        words = words[1:-1]
    if not place or not 1 <= len(words) <= 3 or not all(t.kind == "w" for t in words):
        return []
    span = Span(words[0].start, words[-1].end, "ORG", "", "pattern")
    inside = [s for s in spans if span.start <= s.start and s.end <= span.end]
    crossing = [s for s in spans if s not in inside and not clip(span, [s])]
    if crossing or (inside and len(words) == 1):
        return []  # "صور - الوكالة": a one-word place after the dash is no agency
    return [span]  # "طرابلس - ليبيا الأحرار": the outlet's name may contain a place
