"""Small corrections of entity spans that need the whole article: a currency's country
adjective, a state's administrative head, a quoted second name, the outlet of a dateline.

Each is a pure function over spans and tokens, applied by ``entities.find_entities``.
"""

from __future__ import annotations

from bisect import bisect_right

from akhbar.transforms.extract.lexicon import COUNTRY_ADMIN_HEADS, CURRENCY_WORDS
from akhbar.transforms.extract.tokens import WORD, Span, Tokens
from akhbar.transforms.normalize import normalize_fast


def clip(span: Span, others: list[Span]) -> bool:
    """``span`` overlaps none of ``others``."""
    return all(span.end <= o.start or span.start >= o.end for o in others)


def drop_currency_adjectives(
    tokens: Tokens, spans: list[Span], currencies: list[int] | None = None
) -> list[Span]:
    """ "11 ألف ليرة سورية": سورية after a currency name is its adjective, not the country."""
    if currencies is None:
        currencies = [i for i, t in enumerate(tokens.texts) if t in CURRENCY_WORDS]
    if not currencies:
        return spans
    currency_ends = {tokens.ends[i] for i in currencies}
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


def quoted_acronyms(
    tokens: Tokens, spans: list[Span], marks: list[int] | None = None
) -> list[Span]:
    """ "منظمة الأمم المتحدة للطفولة «يونيسف»": a short quoted name right after an organisation
    is that organisation's other name. ``marks``: indices of the « tokens, when known."""
    texts, starts, ends, bits = tokens.texts, tokens.starts, tokens.ends, tokens.bits
    org_ends = {s.end: s for s in spans if s.type == "ORG"}
    size = len(texts)
    if marks is None:
        marks = [i for i, text in enumerate(texts) if text == "«"]
    out: list[Span] = []
    for i in marks:
        if i == 0 or i >= size - 2 or ends[i - 1] not in org_ends:
            continue
        k = i + 1
        while k < size and k - i <= 3 and bits[k] & WORD:
            k += 1
        if k < size and texts[k] == "»" and k > i + 1:
            out.append(Span(starts[i + 1], ends[k - 1], "ORG", "", "pattern"))
    return [s for s in out if clip(s, spans)]


def dateline_agency(norm: str, tokens: Tokens, spans: list[Span]) -> list[Span]:
    """ "الرباط - ماب", "بغداد/ شفق نيوز": the words after a place and a dash on the opening
    line, when that line holds nothing else, name the agency or outlet (GUIDELINES rule 7)."""
    line_end = norm.find("\n", 0, 61)
    if line_end < 0:
        return []
    texts = tokens.texts
    size = bisect_right(tokens.ends, line_end)  # the tokens of that line
    if size < 3 or texts[1] not in ("-", "/", "–"):
        return []
    first_start = tokens.starts[0]
    place = [s for s in spans if s.type == "LOC" and s.start <= first_start < s.end]
    lo, hi = 2, size
    if texts[hi - 1] == ":":
        hi -= 1  # "لندن - «القدس العربي»:"
    if texts[lo] == "«" and texts[hi - 1] == "»":
        lo, hi = lo + 1, hi - 1
    if not place or not 1 <= hi - lo <= 3 or not all(b & WORD for b in tokens.bits[lo:hi]):
        return []
    span = Span(tokens.starts[lo], tokens.ends[hi - 1], "ORG", "", "pattern")
    inside = [s for s in spans if span.start <= s.start and s.end <= span.end]
    crossing = [s for s in spans if s not in inside and not clip(span, [s])]
    if crossing or (inside and hi - lo == 1):
        return []  # "صور - الوكالة": a one-word place after the dash is no agency
    return [span]  # "طرابلس - ليبيا الأحرار": the outlet's name may contain a place
