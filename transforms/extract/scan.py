"""One pass over an article's tokens: which tokens can matter to which extractor.

Every extractor used to walk all the tokens in Python to find the few it cares about (titles and
given names for people, institutional heads, place heads, currency words, numbers, attribution
verbs, date words): seven loops of ~150 tokens per article, most of the per-article cost after
tokenizing. Here one ``map`` over the token texts (C speed) looks each word up in a vocabulary
of role bits, memoized per distinct word, and ``compress`` keeps the indices of the tokens with
any role. Each extractor then visits only its own indices.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

from akhbar.transforms.extract.tokens import Token

PERSON = 1  # a title, an attribution verb, a given name or a name particle: a name may follow
ORG_HEAD = 2
PLACE_HEAD = 4
CURRENCY = 8
NUMBER = 16  # digits or a number word
VERB = 32  # attribution verb form (quotes)
DATE = 64  # a word that may open a date mention
QUOTE_MARK = 128  # «
MEMO_LIMIT = 300_000  # distinct words remembered; news reuses a small vocabulary

_TEXT = itemgetter(0)


class Roles(dict[str, int]):
    """word -> role bits, computed on first sight by ``classify`` and remembered."""

    def __init__(self, classify: Callable[[str], int]) -> None:
        super().__init__()
        self._classify = classify

    def __missing__(self, word: str) -> int:
        bits = self._classify(word)
        if len(self) < MEMO_LIMIT:
            self[word] = bits
        return bits


class Scan(NamedTuple):
    texts: list[str]
    bits: list[int]
    hits: list[int]  # indices of the tokens with any role, in text order

    def where(self, role: int) -> list[int]:
        bits = self.bits
        return [i for i in self.hits if bits[i] & role]


def scan(tokens: list[Token], roles: Roles) -> Scan:
    texts = list(map(_TEXT, tokens))
    bits = list(map(roles.__getitem__, texts))
    return Scan(texts, bits, list(compress(range(len(bits)), bits)))
