"""Places announced by a head noun: "محافظة الزرقاء" -> الزرقاء, "مخيم جنين", "ستاد الأمير
عبدالله الفيصل".

Administrative heads (محافظة، ولاية، مدينة) are not part of the place's name; facility heads
(مخيم، حقل، ميناء، ملعب، سجن) are, and a facility named after a person keeps the person's whole
name (tests/golden/GUIDELINES.md, LOC rule 6). The shared chain machinery lives in ``heads``.
"""

from __future__ import annotations

from akhbar.transforms.extract.heads import COMMON_SHARE, _head, _head_forms
from akhbar.transforms.extract.inner_names import person_name_end
from akhbar.transforms.extract.keywords import IdfTable
from akhbar.transforms.extract.lexicon import (
    PLACE_ADMIN_HEADS,
    PLACE_ADMIN_PLURALS,
    PLACE_FACILITY_HEADS,
    STOPWORDS,
)
from akhbar.transforms.extract.org_words import CHAIN_STOP, PRONOUNS
from akhbar.transforms.extract.tokens import WORD, Span, Tokens, covering

_FACILITY_ADJECTIVES = frozenset(
    [
        "الكبير",
        "الكبري",
        "الدولي",
        "الجديد",
        "الجديده",
        "الوطني",
        "الاولمبي",
        "الرئيسي",
        "الشمالي",
        "الجنوبي",
        "الشرقي",
        "الغربي",
        "العالمي",
        "التجاري",
    ]
)


_ADMIN_FORMS = _head_forms(PLACE_ADMIN_HEADS)
_FACILITY_FORMS = _head_forms(PLACE_FACILITY_HEADS)
_PLURAL_FORMS = _head_forms(PLACE_ADMIN_PLURALS)
_PLACE_HEAD_TEXTS = frozenset(_ADMIN_FORMS) | frozenset(_FACILITY_FORMS) | frozenset(_PLURAL_FORMS)
MAX_LIST = 8
LIST_SHARE = 0.002  # a town in a list is a rare word
PLACE_HEAD_FORMS = _PLACE_HEAD_TEXTS  # every spelling of a place head, with clitics


def place_spans(
    tokens: Tokens,
    gazetteer: list[Span],
    idf: IdfTable,
    given: frozenset[str] = frozenset(),
    family: frozenset[str] = frozenset(),
    candidates: list[int] | None = None,
    cover: list[Span | None] | None = None,
) -> list[Span]:
    """Places named after an administrative head, and facilities named with theirs.

    ``candidates``: indices of the tokens that may be a place head (``scan.PLACE_HEAD``)."""
    gaz = cover if cover is not None else covering(tokens.starts, tokens.ends, gazetteer)
    out: list[Span] = []
    if candidates is None:
        candidates = [i for i, text in enumerate(tokens.texts) if text in _PLACE_HEAD_TEXTS]
    last = len(tokens.texts) - 1
    for i in candidates:
        if i >= last or gaz[i] is not None:
            continue
        if tokens.texts[i] in _PLURAL_FORMS:
            out.extend(_admin_list(tokens, i + 1, gaz, idf))
            continue
        admin = _head(tokens, i, _ADMIN_FORMS)
        if admin is not None:
            out.extend(_admin_names(tokens, i + 1, gaz, idf, dual=admin[1].endswith("تي")))
            continue
        facility = _head(tokens, i, _FACILITY_FORMS)
        if facility is not None:
            span = _person_facility(tokens, i + 1, gaz, given, family, facility[0])
            span = span or _facility(tokens, i + 1, gaz, idf, facility[0])
            if span is not None:
                out.append(span)
    return out


def _rare_name(word: str, idf: IdfTable) -> bool:
    return (
        len(word) >= 3
        and not (word.startswith("ي") and len(word) >= 4)  # "ملعب يحتضن": a verb
        and not (len(word) > 4 and word.endswith(PRONOUNS))  # "بإعطائها": a pronoun suffix
        and word not in STOPWORDS
        and not word.endswith(("يه", "يين", "يون"))  # adjectives: "مدينة ساحلية"
        and idf.word_share(word) < COMMON_SHARE
    )


def _admin_names(
    tokens: Tokens, i: int, gaz: list[Span | None], idf: IdfTable, dual: bool
) -> list[Span]:
    texts, starts, ends, bits = tokens.texts, tokens.starts, tokens.ends, tokens.bits
    size = len(texts)
    out = []
    for k in (i, i + 2) if dual else (i,):
        if k >= size or gaz[k] is not None or not bits[k] & WORD:
            break
        text = texts[k]
        word = text[1:] if k > i and text.startswith("و") else text
        if word.startswith("ال") and word in CHAIN_STOP:
            break
        if not _rare_name(word, idf):
            break
        out.append(Span(ends[k] - len(word), ends[k], "LOC", "", "pattern"))
        if dual and k + 1 < size and texts[k + 1].startswith("و") and bits[k + 1] & WORD:
            # "محافظتي أسيوط وسوهاج": the second name is glued to و
            if gaz[k + 1] is None and _rare_name(texts[k + 1][1:], idf):
                out.append(Span(starts[k + 1] + 1, ends[k + 1], "LOC", "", "pattern"))
            break
    return out


def _admin_list(tokens: Tokens, i: int, gaz: list[Span | None], idf: IdfTable) -> list[Span]:
    """ "ولايات جوبالاند وبونتلاند وغلمدغ", "محافظات البصرة وذي قار": after a plural head,
    every rare word of the list joined by و or commas is a place (known places are the
    gazetteer's already)."""
    texts, starts, ends, bits = tokens.texts, tokens.starts, tokens.ends, tokens.bits
    size = len(texts)
    out: list[Span] = []
    items = 0  # names in the list, known or new: one word alone may be anything ("مدن ناهزت")
    k = i
    while k < size and k - i < 2 * MAX_LIST:
        span = gaz[k]
        if span is not None:
            if span.type != "LOC":
                break
            while k < size and starts[k] < span.end:
                k += 1
            items += 1
        else:
            text = texts[k]
            word = text[1:] if k > i and text[:1] == "و" and len(text) > 3 else text
            if (
                not bits[k] & WORD
                or word in CHAIN_STOP
                or word.startswith(("بال", "لل", "كال", "فال"))  # "، بالإضافة إلى"
                or not _rare_name(word, idf)
                or idf.word_share(word) >= LIST_SHARE  # "مدن كثيرة", "قرى نائية": adjectives
            ):
                break
            out.append(Span(ends[k] - len(word), ends[k], "LOC", "", "pattern"))
            items += 1
            k += 1
        if k < size and texts[k] in ("،", ",", "و"):
            k += 1
        elif not (k < size and texts[k][:1] == "و"):
            break
    return out if items >= 2 else []


def _person_facility(
    tokens: Tokens,
    i: int,
    gaz: list[Span | None],
    given: frozenset[str],
    family: frozenset[str],
    start: int,
) -> Span | None:
    """A facility named after a person keeps the whole name: "ستاد الأمير عبدالله الفيصل",
    "ملعب الأمير مولاي عبد الله", "مطار الملك عبدالعزيز الدولي"."""
    k = person_name_end(tokens, i, gaz, given, family)
    if k is None:
        return None
    texts = tokens.texts
    if k < len(texts) and texts[k] in _FACILITY_ADJECTIVES and gaz[k] is None:
        k += 1
    return Span(start, tokens.ends[k - 1], "LOC", "", "pattern")


def _facility(
    tokens: Tokens, i: int, gaz: list[Span | None], idf: IdfTable, start: int
) -> Span | None:
    texts, starts, ends = tokens.texts, tokens.starts, tokens.ends
    size = len(texts)
    if i >= size or not tokens.bits[i] & WORD:
        return None
    span = gaz[i]
    if span is not None:
        if span.type == "PER":
            return None
        k = i
        while k < size and starts[k] < span.end:
            k += 1
        end = span.end
    else:
        word = texts[i]
        if not _rare_name(word, idf) and not (
            word.startswith("ال") and idf.word_share(word) < COMMON_SHARE
        ):
            return None
        if word.startswith("ال") and word in CHAIN_STOP:
            return None
        k, end = i + 1, ends[i]
    if k < size and texts[k] in _FACILITY_ADJECTIVES and gaz[k] is None:
        end = ends[k]
    return Span(start, end, "LOC", "", "pattern")
