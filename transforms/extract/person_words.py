"""The words of person names (``persons``): which words start, continue or stop a name, the
titles and roles around names, and the tests a name without any title must pass. Pure
functions of a word or of a token list, kept apart from the name reader.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from akhbar.transforms.extract.dates import ARABIC_MONTHS
from akhbar.transforms.extract.keywords import IdfTable
from akhbar.transforms.extract.lexicon import (
    ATTRIBUTION_VERBS,
    COMPLEMENTS,
    COMPOUND_FIRST,
    COMPOUND_SECOND,
    MEDIA_ADJUNCTS,
    NAME_PARTICLES,
    PARTICIPLES,
    ROLE_AFTER,
    STOPWORDS,
    TITLE_HEADS,
)
from akhbar.transforms.extract.scan import COMPOUND, SPEAKS, STOP, STRONG, TITLE
from akhbar.transforms.extract.tokens import (
    WORD,
    Span,
    Tokens,
    kind_bits,
    strip_conjunction,
    with_conjunction,
)

MONTH_WORDS = frozenset(m for m in ARABIC_MONTHS if " " not in m and len(m) > 2)
TITLES = with_conjunction(TITLE_HEADS)
ROLES = with_conjunction(ROLE_AFTER)
VERBS = with_conjunction(ATTRIBUTION_VERBS)
FOREIGN_SHARE = 0.002  # an unknown word after a title is a name only if this rare in the reference
FAMILY_SHARE = 0.01


@dataclass(frozen=True, slots=True)
class PersonLexicon:
    given_names: frozenset[str]  # may start a name
    nisba: frozenset[str]
    idf: IdfTable
    family_names: frozenset[str] = frozenset()  # may continue one (source given + family names)
    foreign_given: frozenset[str] = frozenset()  # curated transliterated given names


def verb_like(word: str) -> bool:
    """Future and imperfect verb prefixes ("سينضم", "يتوقع"): such a word ends a name."""
    return len(word) >= 4 and word.startswith(("سي", "ست", "سن", "ي"))


def title_key(word: str) -> str:
    """ "السفيرة" -> "سفير", "رئيسها" -> "رئيس": the role, without article or endings."""
    if word not in TITLE_HEADS and word not in ROLE_AFTER:
        word = strip_conjunction(word)  # "والوزير", but not the و of "وزير"
    if word.startswith("ال"):
        word = word[2:]
    for ending in ("ها", "ه"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def name_bits(word: str, given: frozenset[str]) -> int:
    """How one word takes part in a person's name (the ``scan`` word classes STOP, STRONG,
    TITLE, SPEAKS, COMPOUND), computed once per distinct word by the token scan so that the
    rules below test bits instead of five vocabularies per token."""
    bits = 0
    if (
        word in given
        or word.startswith("عبد")
        or word in ("ابو", "ابن")
        or conjoined_given(word, given)
    ):
        bits |= STRONG  # "ونادية بوستة" in a list of names
    if word not in given and (  # "أمين" is a name before it is a title
        not kind_bits(word) & WORD
        or word in STOPWORDS
        or word in TITLES
        or word in ROLES
        or word in VERBS
    ):
        bits |= STOP
    if word in TITLES:
        bits |= TITLE
    base = strip_conjunction(word)
    if base in ATTRIBUTION_VERBS and base not in PARTICIPLES:
        bits |= SPEAKS
    if word in COMPOUND_FIRST:
        bits |= COMPOUND
    return bits


def conjoined_given(word: str, given: frozenset[str]) -> bool:
    """A given name glued to the conjunction و ("ونادية"), and not itself a name ("وسام")."""
    return word[:1] == "و" and len(word) > 4 and word[1:] in given and word not in given


def full_name(texts: list[str], j: int, k: int, lex: PersonLexicon) -> bool:
    """A given name followed by a family name the lexicons know, or by a word the reference
    corpus never has (a name no list holds: "محمد أبونيان", "حكيم زياش"), or a transliterated
    given name followed by a rare word ("كريستيانو رونالدو"): a person without title or role.

    A rare common word is not enough after an Arabic given name: "صافي أرباح" (net profit)
    starts with a given name and continues with a word rare in the reference corpus."""
    second = texts[j + 1]
    if second in NAME_PARTICLES or second in COMPOUND_SECOND:
        return k - j >= 3 or second in COMPOUND_SECOND
    if not_a_name_word(second):
        return False
    if second in lex.family_names or second in lex.given_names:
        return True
    share = lex.idf.word_share(second)
    if second.startswith("ال") and second.endswith("ي") and share < FOREIGN_SHARE:
        return True  # a rare nisba family name: "كمال البوزيدي"
    return share == 0 or (texts[j] in lex.foreign_given and share < 2.5 * FOREIGN_SHARE)


PRONOUN_ENDINGS = ("ها", "هم", "هما", "كم", "هن")


def not_a_name_word(word: str) -> bool:
    """A word glued to و, a word with a pronoun suffix, a month name: not part of a name."""
    return (
        (word[:1] == "و" and len(word) > 4)
        or (len(word) > 4 and word.endswith(PRONOUN_ENDINGS) and not word.startswith("ال"))
        or word in MONTH_WORDS
    )


PERSON_TRIGGERS = TITLES | VERBS | COMPOUND_FIRST  # with the given names: see _triggers


@lru_cache(maxsize=8)
def trigger_words(given_names: frozenset[str]) -> frozenset[str]:
    """Words that announce a name or start one (checked first: most words are neither)."""
    return TITLES | VERBS | given_names | COMPOUND_FIRST


def role_after_name(texts: list[str], k: int) -> str:
    if k < len(texts) and texts[k] in "،,":
        k += 1
    if k < len(texts) and texts[k] in ROLES:
        return title_key(texts[k])
    return ""


MAX_SPEECH_REACH = 12  # tokens between a speech verb and its complement
PLACE_PREPOSITIONS = frozenset(["في", "من", "الي", "عن", "علي", "داخل", "قرب"])
SPEECH_OPENS = COMPLEMENTS | MEDIA_ADJUNCTS  # reported speech, or the outlet it was told to


def name_before_speech(
    texts: list[str],
    bits: list[int],
    known: list[Span | None],
    i: int,
    share: Callable[[str], float],
    given: frozenset[str],
) -> tuple[int, int] | None:
    """Two or three words the reference corpus never has, right before the reported speech
    of verb ``i`` (or before the outlet it was told to): a transliterated name after a role
    no list holds ("وأوضح مصفف الشعر اللندني غوستاف فوشيه لصحيفة ديلي ميل أن")."""
    size = len(texts)
    k = i + 1
    while k < size and k - i <= MAX_SPEECH_REACH and bits[k] & WORD:
        word = texts[k]
        if word in SPEECH_OPENS:
            break
        k += 1
    else:
        return None
    if k >= size or k - i > MAX_SPEECH_REACH or not (texts[k] in COMPLEMENTS or bits[k] & WORD):
        return None
    j = k
    while (
        j > i + 1
        and texts[j - 2] not in PLACE_PREPOSITIONS
        and k - j < 3
        and known[j - 1] is None
        and not bits[j - 1] & STOP
        and len(texts[j - 1]) >= 3
        and texts[j - 1] not in STOPWORDS  # not in the reference's vocabulary either
        and not texts[j - 1].startswith(("ال", "لل"))
        and share(texts[j - 1]) == 0
    ):
        j -= 1
    if k - j == 3 and texts[j] not in given:
        j += 1  # "قرغيزستان رخات سليمانوف": a place before a two-word name
    return (j, k) if k - j >= 2 else None


def record_title_before(tokens: Tokens, span: Span, titles: list[tuple[int, str, str]]) -> None:
    """ "الرئيس عبد الفتاح السيسي" (a gazetteer name): remember that the title went with it."""
    starts, texts = tokens.starts, tokens.texts
    i = bisect_right(tokens.ends, span.start)  # the first token the span covers
    if i >= len(texts) or starts[i] >= span.end:
        return
    if span.start < starts[i]:
        return
    k = i - 1
    if k >= 0 and texts[k] in ("،", ","):
        k -= 1  # "رئيس الجمهورية، الباجي قائد السبسي"
    while k > 0 and i - k <= 3 and texts[k].startswith("ال") and texts[k] not in TITLES:
        k -= 1  # the title's complement: "رئيس الجمهورية", "وزير الخارجية"
    if k >= 0 and texts[k] in TITLES:
        titles.append((span.start, title_key(texts[k]), span.canonical))
