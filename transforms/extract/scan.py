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
from itertools import accumulate, compress
from operator import itemgetter

from akhbar.transforms.extract.tokens import SPLIT, Token, kind_of, make_tokens

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
_TEXT = itemgetter(0)
_BITS = itemgetter(0)
_TERM = itemgetter(1)
_KIND = itemgetter(2)
_SPLITS = itemgetter(3)


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


class Scan:
    """What the scan found, per token and per role; ``where(role)`` is computed once per role."""

    __slots__ = (
        "_hit_bits",
        "_where",
        "bits",
        "ends",
        "hits",
        "splits",
        "starts",
        "terms",
        "texts",
    )

    def __init__(
        self,
        texts: list[str],
        bits: list[int],
        terms: list[str],
        starts: list[int],
        ends: list[int],
        splits: list[Splits],
    ) -> None:
        self.texts = texts
        self.bits = bits
        self.terms = terms  # each token's keyword term, "" for none
        self.starts = starts
        self.ends = ends
        self.splits = splits  # each token's gazetteer splits, () for none
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
        splits, starts = self.splits, self.starts
        return [(starts[i], splits[i]) for i in self.where(GAZETTEER)]


def read(normalized: str, roles: Roles) -> tuple[list[Token], Scan]:
    """The tokens of ``normalized`` (as ``tokens.tokenize`` gives them) and their scan."""
    parts = SPLIT(normalized)
    texts = parts[1::2]
    bounds = list(accumulate(map(len, parts), initial=0))
    starts, ends = bounds[1::2], bounds[2::2]
    infos = list(map(roles.__getitem__, texts))
    tokens = make_tokens(texts, starts, ends, list(map(_KIND, infos)))
    bits = list(map(_BITS, infos))
    return tokens, Scan(
        texts, bits, list(map(_TERM, infos)), starts, ends, list(map(_SPLITS, infos))
    )


def scan(tokens: list[Token], roles: Roles) -> Scan:
    """The scan of tokens made elsewhere (tests, callers without the normalized text)."""
    texts = list(map(_TEXT, tokens))
    infos = list(map(roles.__getitem__, texts))
    return Scan(
        texts,
        list(map(_BITS, infos)),
        list(map(_TERM, infos)),
        [t.start for t in tokens],
        [t.end for t in tokens],
        list(map(_SPLITS, infos)),
    )
