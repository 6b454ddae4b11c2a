"""Word, number and punctuation tokens of the normalized text, with their offsets.

One regex pass gives every extractor the same tokens. Punctuation is kept as tokens because it
ends names and clauses ("لياو ليتشانج، إن" must not swallow the comma's far side).

The tokens of an article are parallel lists (``Tokens``: texts, starts, ends, bits), not one
object per token: an ANT article has ~146 tokens and each extractor looks at a few of them, so
building a tuple per token cost more than all the lookups made through them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from akhbar.transforms.extract.lexicon import PROCLITICS

_SPAN_START = itemgetter(0)  # Span.start

# Words (letters), numbers with their separators, single punctuation marks: the definition is
# ``([^\W\d_]+|\d+(?:[.,٫٬]\d+)*|[^\w\s])``. Written for speed with the same tokens: a space or
# a line break (most gap characters) is refused by one literal test before the four category
# lookups; a word that opens with an Arabic letter (U+0621..U+064A, all letters) is read with a
# range test, and when a space, line break, "،" or "." follows (none of them a letter) the
# category test for more letters is skipped.
SPLIT = re.compile(
    r"((?![ \n])(?:[\u0621-\u064a]+(?:(?=[ \n،.])|[^\W\d_]*)|[^\W\d_]+|\d+(?:[.,٫٬]\d+)*|[^\w\s]))"
).split


# A token's kind as bits of its word bits (``scan``), with the lowest values: most tokens are
# plain words or function words, whose bits then stay below 256, where CPython shares one int
# object per value instead of one per word.
WORD = 1  # letters
DIGITS = 2  # digits; a token with neither bit is punctuation
NUMBER_WORD = 4  # a word a number phrase may hold (numbers.NUMBER_PARTS), set by the scan


class Tokens:
    """An article's tokens as parallel lists. ``bits``: each token's kind (``WORD``,
    ``DIGITS``, neither for punctuation), plus, for a scan, its roles and word classes.

    Extractors index the lists (``texts[i]``, ``starts[i]``) instead of unpacking a token.
    """

    __slots__ = ("bits", "ends", "starts", "texts")

    def __init__(
        self, texts: list[str], starts: list[int], ends: list[int], bits: list[int]
    ) -> None:
        self.texts = texts
        self.starts = starts
        self.ends = ends
        self.bits = bits

    def __len__(self) -> int:
        return len(self.texts)


def split_text(normalized: str) -> tuple[list[str], list[int], list[int]]:
    """(texts, starts, ends) of the tokens of ``normalized``, without a Python loop.

    ``split`` with one capturing group returns gaps and tokens alternately; the running sum of
    their lengths gives every offset.
    """
    parts = SPLIT(normalized)
    bounds = list(accumulate(map(len, parts), initial=0))
    return parts[1::2], bounds[1:-1:2], bounds[2::2]


def tokenize(normalized: str) -> Tokens:
    """The tokens of ``normalized`` with their kind bits (callers without a vocabulary scan:
    tests, number words)."""
    texts, starts, ends = split_text(normalized)
    return Tokens(texts, starts, ends, list(map(_KIND_BITS.__getitem__, map(_FIRST, texts))))


def kind_bits(text: str) -> int:
    """A token's kind bit from its first character: DIGITS, WORD, or 0 for punctuation."""
    return _KIND_BITS[text[0]]


class _Kinds(dict[str, int]):
    """first character of a token -> its kind bit, memoized (a handful of characters)."""

    def __missing__(self, ch: str) -> int:
        kind = DIGITS if ch.isdigit() else (WORD if ch.isalpha() else 0)
        self[ch] = kind
        return kind


_KIND_BITS = _Kinds()
_FIRST = itemgetter(0)


def strip_conjunction(word: str) -> str:
    """Drop a leading و or ف when what remains is still a word ("وأضاف" -> "اضاف")."""
    if len(word) > 3 and word[0] in "وف":
        return word[1:]
    return word


def in_vocab(word: str, vocab: frozenset[str] | dict[str, str]) -> bool:
    """``word`` is in ``vocab`` as is or after a leading و/ف ("والرئيس", but "وزير" as is)."""
    return word in vocab or (word[:1] in "وف" and len(word) > 3 and word[1:] in vocab)


def with_conjunction(vocab: frozenset[str] | dict[str, str]) -> frozenset[str]:
    """``vocab`` plus every word with و or ف glued in front: one set lookup replaces in_vocab."""
    return frozenset([*vocab, *("و" + w for w in vocab), *("ف" + w for w in vocab)])


def strip_proclitics(word: str) -> tuple[str, str]:
    """Split a normalized word into (proclitics, base) the way the gazetteer matcher reads it.

    Only the prefixes that can stand before a noun are removed, and at least three letters must
    remain. "للصين" gives ("ل", "الصين"): the article's alef that ل swallowed is restored.
    """
    for prefix in PROCLITICS:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            rest = word[len(prefix) :]
            if prefix[-1] == "ل" and rest.startswith("ل") and len(rest) >= 4:
                return prefix, "ا" + rest
            return prefix, rest
    return "", word


class Span(NamedTuple):
    """An entity candidate in normalized offsets (clitics outside, except an assimilated ل)."""

    start: int
    end: int
    type: str
    canonical: str  # normalized canonical form
    source: str  # gazetteer | pattern | person | propagated | ner
    country: str = ""


def covering(starts: list[int], ends: list[int], spans: list[Span]) -> list[Span | None]:
    """For each token (given by its ``starts`` and ``ends``), the span that covers (part of) it,
    or None.

    A bisect per span over the token ends: the cost follows the number of spans, not of tokens.
    """
    out: list[Span | None] = [None] * len(starts)
    if not spans:
        return out
    for span in sorted(spans, key=_SPAN_START, reverse=True):
        i = bisect_right(ends, span.start)  # the first token that ends after the span starts
        j = bisect_left(starts, span.end, i)  # the first token that starts at or after its end
        if j > i:
            out[i:j] = [span] * (j - i)
    return out
