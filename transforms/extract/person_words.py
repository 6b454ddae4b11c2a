"""The words of person names (``persons``): which words start, continue or stop a name, the
titles and roles around names, and the tests a name without any title must pass. Pure
functions of a word or of a token list, kept apart from the name reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from akhbar.transforms.extract.dates import ARABIC_MONTHS
from akhbar.transforms.extract.keywords import IdfTable
from akhbar.transforms.extract.lexicon import (
    ATTRIBUTION_VERBS,
    COMPOUND_FIRST,
    COMPOUND_SECOND,
    NAME_PARTICLES,
    PARTICIPLES,
    ROLE_AFTER,
    STOPWORDS,
    TITLE_HEADS,
)
from akhbar.transforms.extract.scan import COMPOUND, SPEAKS, STOP, STRONG, TITLE
from akhbar.transforms.extract.tokens import WORD, kind_bits, strip_conjunction, with_conjunction

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
