"""One pass over an article's tokens: which tokens can matter to which extractor.

Every extractor used to walk all the tokens in Python to find the few it cares about (titles and
given names for people, institutional heads, place heads, currency words, numbers, attribution
verbs, date words, the first words of gazetteer names): seven loops of ~150 tokens per article,
most of the per-article cost after tokenizing. Here one ``map`` over the token texts (C speed)
looks each word up in a vocabulary memoized per distinct word, which gives everything known
about the word at once as bits of one int: its roles, its kind (word, number, punctuation) and
the word classes the person and number rules test. ``compress`` keeps the indices of the tokens
with any role, and each extractor visits only its own indices; the rules test a token's bits
instead of looking its text up in several vocabularies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import compress
from operator import itemgetter

from akhbar.transforms.extract.tokens import WORD, Tokens, kind_bits, split_text

# Word classes of the person-name rules (``persons.name_bits``), not roles of their own; the
# kind bits (tokens.WORD, DIGITS, NUMBER_WORD) take 1, 2 and 4.
STOP = 8  # ends a name: punctuation, a number, a function word, a title, a role, a verb
STRONG = 16  # opens a name by itself: a given name, عبد..., ابو, ابن, و + given name
TITLE = 32  # a title or role before a name, with or without و/ف
SPEAKS = 64  # an attribution verb (not a participle) whose subject may follow
COMPOUND = 128  # first word of a compound given name ("عز" of "عز الدين")
# Roles: a token with any of them is a hit, visited by the extractors that want it.
PERSON = 1 << 8  # a title, an attribution verb, a given name or a name particle: a name may follow
ORG_HEAD = 1 << 9
PLACE_HEAD = 1 << 10
CURRENCY = 1 << 11
NUMBER = 1 << 12  # digits or a number word
VERB = 1 << 13  # attribution verb form (quotes)
DATE = 1 << 14  # a word that may open a date mention
QUOTE_MARK = 1 << 15  # «
GAZETTEER = 1 << 16  # may open a gazetteer name (after its proclitics)
ROLES = (1 << 17) - (1 << 8)  # every role bit
MEMO_LIMIT = 300_000  # distinct words remembered; news reuses a small vocabulary

Splits = tuple[tuple[int, tuple[str, ...]], ...]  # GazetteerMatcher.splits
_BITS = itemgetter(0)
_TERM = itemgetter(1)


def _no_splits(word: str) -> Splits:
    return ()


def _no_term(word: str) -> str:
    return ""


class Roles(dict[str, tuple[int, str, Splits]]):
    """word -> (its bits: roles, kind, word classes; its keyword term; the gazetteer names it
    may open), computed on first sight and remembered.

    ``classify`` gives the role and class bits; ``keyword_term`` the word's keyword form ("" for
    none), as ``keywords.IdfTable.keyword_term`` does; ``splits`` the gazetteer names the word
    may open, as ``gazetteer.GazetteerMatcher.splits`` does (the ``GAZETTEER`` bit is set when
    there are). One lookup per token gives all three: a second lookup per token in another
    vocabulary-sized dictionary cost about a tenth of the whole extraction (cache misses).
    """

    def __init__(
        self,
        classify: Callable[[str], int],
        splits: Callable[[str], Splits] = _no_splits,
        keyword_term: Callable[[str], str] = _no_term,
    ) -> None:
        super().__init__()
        self._classify = classify
        self._splits = splits
        self._keyword_term = keyword_term
        self._values: dict[int, int] = {}
        self._terms: dict[str, str] = {}

    def __missing__(self, word: str) -> tuple[int, str, Splits]:
        bits = kind_bits(word) | self._classify(word)
        splits = self._splits(word) if bits & WORD else ()
        if splits:
            bits |= GAZETTEER
        # one int object per distinct value: the few values above 256 stay in cache
        term = self._keyword_term(word)
        term = self._terms.setdefault(term, term)  # one object per term: identity compares
        info = (self._values.setdefault(bits, bits), term, splits)
        if len(self) < MEMO_LIMIT:
            self[word] = info
        return info


class Scan(Tokens):
    """An article's tokens and what the scan found, per token and per role; ``where(role)`` is
    computed once per role."""

    __slots__ = ("_hit_bits", "_infos", "_where", "hits")

    def __init__(
        self,
        texts: list[str],
        starts: list[int],
        ends: list[int],
        infos: list[tuple[int, str, Splits]],
    ) -> None:
        bits = list(map(_BITS, infos))
        super().__init__(texts, starts, ends, bits)
        self._infos = infos
        # tokens with any role, in order
        self.hits = list(compress(range(len(bits)), map(ROLES.__and__, bits)))
        self._hit_bits = [bits[i] for i in self.hits]
        self._where: dict[int, list[int]] = {}

    def where(self, role: int) -> list[int]:
        """Indices of the tokens with any of the ``role`` bits, in text order."""
        found = self._where.get(role)
        if found is None:
            found = self._where[role] = list(compress(self.hits, map(role.__and__, self._hit_bits)))
        return found

    def terms(self) -> Iterator[str]:
        """Each token's keyword term ("" for none), as ``IdfTable.keyword_term`` gives it."""
        return map(_TERM, self._infos)

    def openers(self) -> list[tuple[int, Splits]]:
        """(start, gazetteer splits) of the tokens that may open a gazetteer name."""
        infos, starts = self._infos, self.starts
        return [(starts[i], infos[i][2]) for i in self.where(GAZETTEER)]


def read(normalized: str, roles: Roles) -> Scan:
    """The tokens of ``normalized`` (as ``tokens.tokenize`` gives them) and their scan."""
    texts, starts, ends = split_text(normalized)
    return Scan(texts, starts, ends, list(map(roles.__getitem__, texts)))
