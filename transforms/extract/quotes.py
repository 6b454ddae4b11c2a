"""Quotes: who said what, with which verb.

Arabic news attributes speech with a verb (قال، أكد، أضاف، أوضح، أشار …, or an adverbial
participle such as مؤكدا) followed by its subject and then إن/أن, a colon or a quotation mark.
The speaker is the first person (else organisation) between the verb and that complement; a verb
with no subject there ("وأضاف أن") or a participle continues the previous speaker; a title alone
("وأشار المتحدث") points back to the person who last carried that title; and a verb right after
a named subject inside a clause ("بأن الرئيس السيسي شدد") takes that subject. What remains is an
unnamed source ("معاون وزير الاقتصاد"), reported with type UNK.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from akhbar.transforms.extract.lexicon import (
    ATTRIBUTION_VERBS,
    COMPANY_HEADS,
    COMPLEMENTS,
    MEDIA_ADJUNCTS,
    ORG_HEADS,
    PARTICIPLES,
    STOPWORDS,
    TITLE_HEADS,
)
from akhbar.transforms.extract.mentions import WEEKDAYS
from akhbar.transforms.extract.offsets import AlignedText
from akhbar.transforms.extract.person_words import title_key
from akhbar.transforms.extract.tokens import (
    WORD,
    Span,
    Tokens,
    covering,
    in_vocab,
    strip_conjunction,
    with_conjunction,
)

_VERB_FORMS = with_conjunction(ATTRIBUTION_VERBS)
VERB_FORMS = _VERB_FORMS
# in_vocab(word, ATTRIBUTION_VERBS) as one set lookup: the verbs, and those of over three letters
# with و or ف glued in front
_VERB_FORMS_ANY = frozenset(
    [*ATTRIBUTION_VERBS, *(p + v for v in ATTRIBUTION_VERBS for p in "وف" if len(p + v) > 3)]
)
MAX_SUBJECT_TOKENS = 22
PARTICIPLE_REACH = 4
_OPEN_QUOTES = {"«": "»", '"': '"', "“": "”"}
_SENTENCE_END = frozenset([".", "!", "?", "؟"])
_STOP_CHAR = re.compile("[.!?؟\n]")  # a sentence end or a line break
_ADJUNCT_HEADS = frozenset(
    ["في", "خلال", "عقب", "امام", "اثناء", "لدي", "عبر", "بعد", "قبل", "علي", "الي", "حسب"]
)
_COLON_ONLY = frozenset(["تابع", "تابعت"])  # "تابع" also means "followed": only with ':' or a quote
_DEFINITE_HEADS = frozenset("ال" + h for h in ORG_HEADS | COMPANY_HEADS if not h.startswith("ال"))
_REPRESENTS = frozenset(["النائب", "نائب", "الممثل", "ممثل", "المتحدث", "متحدث"])  # "X عن Y"
# "وفق ما ذكرت وكالة تاس", "حسبما أفادت": the verb names a source of a fact, not a speech
_AS_GLUED = frozenset(["حسبما", "بحسبما", "وفقما", "طبقما"])
_AS_BEFORE_MA = frozenset(["وفق", "وفقا", "حسب", "بحسب", "طبقا", "على"])
# "لصحيفة ديلي ميل", "لوكالة الأنباء": to whom it was said, after the speaker
# words of time that may follow an unnamed speaker ("قال مسؤولون أمريكيون الخميس")
_TIME_WORDS = frozenset(["اليوم", "امس", "مساء", "صباح", *WEEKDAYS])


@dataclass(frozen=True, slots=True)
class Quote:
    speaker: str | None  # normalized canonical name, or the unnamed source's words
    speaker_type: str
    verb: str
    start: int  # normalized offsets of the quoted or reported content
    end: int


def _line_break(normalized: str, end: int, start: int) -> bool:
    """A line break between a token that ends at ``end`` and the next one, at ``start``."""
    gap = start - end
    if gap <= 1:
        return gap == 1 and normalized[end] == "\n"
    return "\n" in normalized[end:start]


def _complement(tokens: Tokens, i: int, normalized: str, verb: str, participle: bool) -> int | None:
    """Index of the token that opens the reported speech, or None when the verb reports none."""
    texts, starts, ends = tokens.texts, tokens.starts, tokens.ends
    reach = PARTICIPLE_REACH if participle else MAX_SUBJECT_TOKENS
    colon_only = verb in _COLON_ONLY
    for j in range(i + 1, min(len(texts), i + 1 + reach)):
        text = texts[j]
        if _line_break(normalized, ends[j - 1], starts[j]) or text in _SENTENCE_END:
            return None
        if text == ":":
            return j
        if text in _OPEN_QUOTES and _is_speech(texts, i, j):
            return j
        if colon_only:
            continue
        if text in COMPLEMENTS:
            return j
        if (
            text == "عن"
            and j + 1 < len(texts)
            and texts[j + 1] not in COMPLEMENTS
            and texts[j - 1] not in _REPRESENTS
        ):
            return None  # "أعلن عن تخصيص", "معربا عن تقديره"; not "النائب عن طهران"
        if text in _VERB_FORMS_ANY:
            return None
    return None


def _is_speech(texts: list[str], i: int, j: int) -> bool:
    """An opening quote right after the verb, a colon or a comma opens speech; a short quoted
    phrase after a word is a name or a title ("شركة «إتش سي»", "برنامج «الحكاية»")."""
    if j == i + 1 or texts[j - 1] in (":", "،", ","):
        return True
    closing = _OPEN_QUOTES[texts[j]]
    return all(texts[k] != closing for k in range(j + 1, min(len(texts), j + 6)))


def _content_end(tokens: Tokens, j: int, normalized: str) -> int:
    """End (normalized offset) of the reported content opened at token ``j``: its closing
    quote, else the end of the token before the first sentence end or line break.

    Found with a string search instead of a walk over the tokens: a quotation mark or a
    sentence-end mark is always a token of its own, and a line break always lies between two
    tokens, so the first such character after token ``j`` names the token where the walk would
    stop; only a "." inside a number ("2.5") is skipped.
    """
    texts, starts, ends = tokens.texts, tokens.starts, tokens.ends
    closing = _OPEN_QUOTES.get(texts[j])
    if closing is None and j + 1 < len(texts) and texts[j + 1] in _OPEN_QUOTES:
        closing = _OPEN_QUOTES[texts[j + 1]]
        j += 1
    if closing is not None:
        at = normalized.find(closing, ends[j])
        return at + 1 if at >= 0 else ends[-1]
    pos = ends[j]
    while (found := _STOP_CHAR.search(normalized, pos)) is not None:
        at = found.start()
        k = bisect_left(starts, at)  # the first token at or after the mark
        if found.group() == "\n" or (k < len(starts) and starts[k] == at):
            return ends[k - 1]
        pos = at + 1  # a decimal point
    return ends[-1]


def find_quotes(
    normalized: str,
    tokens: Tokens,
    entities: list[Span],
    titles: list[tuple[int, str, str]],
    candidates: list[int] | None = None,
) -> list[Quote]:
    """Quotes in text order; ``candidates``: indices of attribution-verb tokens (``scan.VERB``),
    found here when None."""
    if not candidates and candidates is not None:
        return []
    texts, starts = tokens.texts, tokens.starts
    cover = covering(starts, tokens.ends, [s for s in entities if s.type in ("PER", "ORG")])
    out: list[Quote] = []
    previous: tuple[str, str] | None = None
    previous_at = -1  # token index of the previous quote's verb
    if candidates is None:
        candidates = [i for i, text in enumerate(texts) if text in _VERB_FORMS]
    for i in candidates:
        text = texts[i]
        base = strip_conjunction(text)
        lemma = ATTRIBUTION_VERBS.get(base) or ATTRIBUTION_VERBS.get(text)
        if lemma is None:
            continue
        verb_form = base if base in ATTRIBUTION_VERBS else text
        participle = verb_form in PARTICIPLES
        j = _complement(tokens, i, normalized, verb_form, participle)
        if j is None or _as_reported(texts, i):
            continue
        if participle and previous is not None:
            subject = _sentence_subject(tokens, i, previous_at, cover, normalized)
            if subject is not None:
                previous = subject  # "رحبت الوزيرة X بالقرار، مشيرة إلى أن": X speaks
        speaker = _speaker(
            tokens, i, j, cover, titles, normalized, previous, participle, text != base
        )
        content_start = starts[j + 1] if j + 1 < len(texts) and texts[j] == ":" else starts[j]
        out.append(
            Quote(speaker[0], speaker[1], lemma, content_start, _content_end(tokens, j, normalized))
        )
        if speaker[0] is not None:
            previous = (speaker[0], speaker[1])
            previous_at = i
    return out


def _as_reported(texts: list[str], i: int) -> bool:
    """ "وفق ما ذكرت", "حسبما أفادت": a source of information, not reported speech."""
    if i == 0:
        return False
    before = texts[i - 1]
    return before in _AS_GLUED or (before == "ما" and i > 1 and texts[i - 2] in _AS_BEFORE_MA)


def _sentence_subject(
    tokens: Tokens, i: int, previous_at: int, cover: list[Span | None], normalized: str
) -> tuple[str, str] | None:
    """The first person (else organisation) of the sentence of participle ``i`` when the last
    quote lies in an earlier sentence: a participle continues its own clause's subject."""
    texts, starts, ends = tokens.texts, tokens.starts, tokens.ends
    k = i - 1
    while k > previous_at:
        if texts[k] in _SENTENCE_END or _line_break(normalized, ends[k], starts[k + 1]):
            break
        k -= 1
    if k <= previous_at:
        return None  # the previous quote is in this sentence: it goes on
    found = [s for s in cover[k + 1 : i] if s is not None]
    for wanted in ("PER", "ORG"):
        for span in found:
            if span.type == wanted:
                return span.canonical, span.type
    return None


def _speaker(
    tokens: Tokens,
    i: int,
    j: int,
    cover: list[Span | None],
    titles: list[tuple[int, str, str]],
    normalized: str,
    previous: tuple[str, str] | None,
    participle: bool,
    prefixed: bool,
) -> tuple[str | None, str]:
    if participle:
        return previous if previous else (None, "UNK")
    texts, starts, ends, bits = tokens.texts, tokens.starts, tokens.ends, tokens.bits
    # The subject comes first: entities after a comma or inside an adjunct ("في تصريح لـ سانا")
    # are not speakers, unless the subject is a title ("مدير مستشفى ابن سينا في جنين الدكتور
    # وسام بكر"): then the person named anywhere before the complement is.
    end = i + 1
    while (
        end < j
        and texts[end] not in _ADJUNCT_HEADS
        and texts[end] not in "،,."
        and texts[end] not in MEDIA_ADJUNCTS  # "لصحيفة ديلي ميل": who was told
    ):
        end += 1
    if i + 1 < j and in_vocab(texts[i + 1], TITLE_HEADS):
        for span in cover[i + 1 : j]:
            if span is not None and span.type == "PER":
                return span.canonical, span.type
        key = title_key(texts[i + 1])
        for _position, title, name in reversed(titles[: bisect_left(titles, (starts[j],))]):
            if title == key:
                return name, "PER"
    window = [s for s in cover[i + 1 : end] if s is not None]
    for wanted in ("PER", "ORG"):
        for span in window:
            if span.type == wanted:
                return span.canonical, span.type
    before = cover[i - 1] if i > 0 else None
    if (
        not prefixed
        and before is not None
        and bits[i - 1] & WORD
        and not _line_break(normalized, ends[i - 1], starts[i])
    ):
        return before.canonical, before.type  # "بأن الرئيس السيسي شدد"
    pluperfect = _pluperfect_subject(texts, i, cover)
    if pluperfect is not None:
        return pluperfect  # "وكان الدكتور عمرو طلعت ... قد أكد"
    words = [
        texts[k]
        for k in range(i + 1, end)
        if bits[k] & WORD and texts[k] not in STOPWORDS and texts[k] not in _TIME_WORDS
    ]
    if not words:
        return previous if previous else (None, "UNK")
    key = title_key(words[0])
    for _position, title, name in reversed(titles[: bisect_left(titles, (starts[i],))]):
        if title == key:
            return name, "PER"
    if len(words) == 1 and words[0] in _DEFINITE_HEADS:
        named = _named_before(words[0][2:], cover, i)
        if named is not None:
            return named  # "وأوضحت الشرطة" after "شرطة واشنطن": the body named before
    return " ".join(words), "UNK"


def _named_before(head: str, cover: list[Span | None], i: int) -> tuple[str, str] | None:
    """The last organisation before token ``i`` whose name opens with ``head`` ("شرطة
    واشنطن" for "الشرطة", "وزارة الصحة" for "الوزارة")."""
    for span in reversed(cover[:i]):
        if span is not None and span.type == "ORG":
            first = span.canonical.split(" ", 1)[0]
            if first == head or first == "ال" + head:
                return span.canonical, "ORG"
    return None


def _pluperfect_subject(
    texts: list[str], i: int, cover: list[Span | None]
) -> tuple[str, str] | None:
    """The named subject of "(و)كان X قد VERB": it stands before the verb, after كان."""
    if i == 0 or texts[i - 1] != "قد":
        return None
    for k in range(i - 2, max(-1, i - 16), -1):
        text = texts[k]
        if text in _SENTENCE_END:
            return None
        if text in ("كان", "وكان", "كانت", "وكانت"):
            for span in cover[k + 1 : i - 1]:
                if span is not None and span.type in ("PER", "ORG"):
                    return span.canonical, span.type
            return None
    return None


def to_dicts(
    aligned: AlignedText, quotes: list[Quote], surfaces: dict[str, str]
) -> list[dict[str, Any]]:
    """Schema structs; a named speaker is shown in the article's own spelling when known."""
    out = []
    for quote in quotes:
        start, end = quote.start, quote.end
        if not aligned.identity or end <= start:
            start, end = aligned.span(start, end)
        speaker = quote.speaker
        if speaker is not None:
            speaker = surfaces.get(speaker, speaker)
        out.append(
            {
                "speaker": speaker,
                "speaker_type": quote.speaker_type,
                "verb": quote.verb,
                "text": aligned.original[start:end],
                "start": start,
                "end": end,
            }
        )
    return out
