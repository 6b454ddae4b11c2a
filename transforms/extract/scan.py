"""One pass over an article's tokens: which tokens can matter to which extractor.

Every extractor used to walk all the tokens in Python to find the few it cares about (titles and
given names for people, institutional heads, place heads, currency words, numbers, attribution
verbs, date words, the first words of gazetteer names): seven loops of ~150 tokens per article,
most of the per-article cost after tokenizing. Here one ``map`` over the token texts (C speed)
looks each word up in a vocabulary memoized per distinct word, which gives everything known
about the word at once: its role bits, its keyword term, its token kind and how it can open a
gazetteer name. One dictionary lookup per token thus serves the tokenizer, the extractors, the
gazetteer and the keywords; ``compress`` keeps the indices of the tokens with any role, and each
extractor visits only its own indices.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress
from operator import itemgetter

from akhbar.transforms.extract.tokens import Tokens, kind_of, split_text

PERSON = 1  # a title, an attribution verb, a given name or a name particle: a name may follow
ORG_HEAD = 2
PLACE_HEAD = 4
CURRENCY = 8
NUMBER = 16  # digits or a number word
VERB = 32  # attribution verb form (quotes)
DATE = 64  # a word that may open a date mention
QUOTE_MARK = 128  # «
GAZETTEER = 256  # may open a gazetteer name (after its proclitics)
MEMO_LIMIT = 300_000  # distinct words remembered; news reuses a small vocabulary

Splits = tuple[tuple[int, tuple[str, ...]], ...]  # GazetteerMatcher.splits
_BITS = itemgetter(0)
_TERM = itemgetter(1)
_KIND = itemgetter(2)


def _no_term(word: str) -> str:
    return ""


def _no_splits(word: str) -> Splits:
    return ()


class Roles(dict[str, tuple[int, str, str, Splits]]):
    """word -> (role bits, keyword term, token kind, gazetteer splits), computed on first sight
    and remembered.

    ``classify`` gives the role bits; ``keyword_term`` the word's keyword form ("" for none),
    as ``keywords.IdfTable.keyword_term`` does; ``splits`` the gazetteer names it may open, as
    ``gazetteer.GazetteerMatcher.splits`` does (the ``GAZETTEER`` bit is set when there are).
    """

    def __init__(
        self,
        classify: Callable[[str], int],
        keyword_term: Callable[[str], str] = _no_term,
        splits: Callable[[str], Splits] = _no_splits,
    ) -> None:
        super().__init__()
        self._classify = classify
        self._keyword_term = keyword_term
        self._splits = splits

    def __missing__(self, word: str) -> tuple[int, str, str, Splits]:
        kind = kind_of(word)
        bits = self._classify(word)
        splits = self._splits(word) if kind == "w" else ()
        if splits:
            bits |= GAZETTEER
        info = (bits, self._keyword_term(word), kind, splits)
        if len(self) < MEMO_LIMIT:
            self[word] = info
        return info


class Scan(Tokens):
    """An article's tokens and what the scan found, per token and per role; ``where(role)`` is
    computed once per role."""

    __slots__ = ("_hit_bits", "_infos", "_where", "bits", "hits", "terms")

    def __init__(
        self,
        texts: list[str],
        starts: list[int],
        ends: list[int],
        infos: list[tuple[int, str, str, Splits]],
    ) -> None:
        super().__init__(texts, starts, ends, list(map(_KIND, infos)))
        self._infos = infos
        self.bits = bits = list(map(_BITS, infos))
        self.terms = list(map(_TERM, infos))  # each token's keyword term, "" for none
        self.hits = list(compress(range(len(bits)), bits))  # tokens with any role, in order
        self._hit_bits = [bits[i] for i in self.hits]
        self._where: dict[int, list[int]] = {}

    def where(self, role: int) -> list[int]:
        """Indices of the tokens with any of the ``role`` bits, in text order."""
        found = self._where.get(role)
        if found is None:
            found = self._where[role] = list(compress(self.hits, map(role.__and__, self._hit_bits)))
        return found

    def openers(self) -> list[tuple[int, Splits]]:
        """(start, gazetteer splits) of the tokens that may open a gazetteer name."""
        infos, starts = self._infos, self.starts
        return [(starts[i], infos[i][3]) for i in self.where(GAZETTEER)]


def read(normalized: str, roles: Roles) -> Scan:
    """The tokens of ``normalized`` (as ``tokens.tokenize`` gives them) and their scan."""
    texts, starts, ends = split_text(normalized)
    return Scan(texts, starts, ends, list(map(roles.__getitem__, texts)))
