"""Names inside organisation and place names (``heads``, ``places``): a company's bare or
quoted name after its head ("مجموعة إيني", "شركة «رين»"), and a person's name an institution
or facility is named after ("مستشفى الهادي شاكر", "ملعب الأمير مولاي عبد الله").
"""

from __future__ import annotations

from akhbar.transforms.extract.keywords import IdfTable
from akhbar.transforms.extract.lexicon import NAME_HONORIFICS, NAME_PARTICLES, STOPWORDS
from akhbar.transforms.extract.org_words import PRONOUNS, REGNAL
from akhbar.transforms.extract.tokens import WORD, Span, Tokens

FOREIGN_SHARE = 0.002  # a bare company name must be rarer than this


def bare_name(tokens: Tokens, i: int, gaz: list[Span | None], idf: IdfTable) -> Span | None:
    """ "مجموعة إيني الإيطالية": one or two rare words after a company head are its name.

    Not when they are a person's ("رئيس النادي فهد بن نافل"): a name particle ends it.
    """
    texts, bits = tokens.texts, tokens.bits
    k = i
    while k < len(texts) and k - i < 2 and gaz[k] is None and bits[k] & WORD:
        word = texts[k]
        if (
            word.startswith("ال")
            or (word[:1] == "و" and len(word) > 4)  # "الفريق وعززت": a conjunction and a verb
            or word in STOPWORDS
            or word in NAME_PARTICLES
            or idf.word_share(word) >= FOREIGN_SHARE
            or (len(word) > 4 and word.endswith(PRONOUNS))  # "الشركة حرفاءها"
        ):
            break
        k += 1
    if k < len(texts) and texts[k] in NAME_PARTICLES:
        return None
    if k == i:
        return None
    return Span(tokens.starts[i], tokens.ends[k - 1], "ORG", "", "pattern")


def quoted_name(tokens: Tokens, i: int) -> Span | None:
    """«إتش سي» right after a company head: the quoted words are the name."""
    texts = tokens.texts
    if i >= len(texts) or texts[i] not in ("«", '"'):
        return None
    closing = "»" if texts[i] == "«" else '"'
    for k in range(i + 1, min(i + 7, len(texts))):
        if texts[k] == closing:
            if k == i + 1 or not all(b & WORD for b in tokens.bits[i + 1 : k]):
                return None
            return Span(tokens.starts[i + 1], tokens.ends[k - 1], "ORG", "", "pattern")
    return None


MAX_PERSON_NAME = 5


def person_name_end(
    tokens: Tokens,
    i: int,
    gaz: list[Span | None],
    given: frozenset[str],
    family: frozenset[str],
) -> int | None:
    """Index after a person's name that opens at token ``i`` inside a place or institution name
    ("الأمير عبدالله الفيصل", "الهادي شاكر", "محمد السادس"), or None. An honorific or a given
    name opens it; given and family names, particles, "الله"/"الدين" and a regnal ordinal
    continue it. Two words at least (one given name is too little to take)."""
    texts, bits = tokens.texts, tokens.bits
    size = len(texts)
    if i >= size or gaz[i] is not None or not bits[i] & WORD:
        return None
    first = texts[i]
    if first not in NAME_HONORIFICS and first not in given and not first.startswith("عبد"):
        return None
    k = i + 1
    while k < size and k - i < MAX_PERSON_NAME and bits[k] & WORD and gaz[k] is None:
        word = texts[k]
        prev = texts[k - 1]
        if (
            word in NAME_HONORIFICS
            or word in given
            or word.startswith("عبد")
            or word in NAME_PARTICLES
            or prev in NAME_PARTICLES
            or word in REGNAL
            or word in ("الله", "الدين")
            or (word in family and word not in STOPWORDS)
        ):
            k += 1
            continue
        break
    named = [t for t in texts[i:k] if t not in NAME_HONORIFICS]
    return k if named and k - i >= 2 else None
