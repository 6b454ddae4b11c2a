"""Offsets between an article's cleaned ``text`` and its matching form.

Every extractor matches on the normalized form (alef variants, ى/ي, ة/ه, digits, no diacritics or
tatweel) because that is what makes "القاهرةُ", "القاهره" and "القاهرة" one key. But users read
``text``, and the schema's ``start``/``end`` point into it, so every span found in the normalized
form has to be mapped back.

``normalize_fast`` is NFKC followed by a one-character-to-at-most-one-character ``translate``. On
text that is already NFKC-normal (nearly all cleaned news text) the only length change is the
deletion of diacritics and tatweel, so the map is "normalized index + number of deletions before
it", computed with one regex scan and a bisect. Text that NFKC would change (presentation forms,
decomposed hamza, ligatures) takes a slower per-character path whose map is exact by
construction.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

from camel_tools.utils.charsets import AR_DIAC_CHARSET

from akhbar.transforms.charmap import CharMap
from akhbar.transforms.normalize import TATWEEL, normalize_fast

_DELETED = frozenset(AR_DIAC_CHARSET) | {TATWEEL}
_DELETED_RE = re.compile("[" + "".join(sorted(_DELETED)) + "]")


@lru_cache(maxsize=4096)
def _normalize_char(ch: str) -> str:
    return normalize_fast(ch)


def _one_to_one_table() -> dict[int, str]:
    """Characters that NFKC maps to exactly one other character and that take part in no
    composition (no-break space, Arabic presentation forms of single letters, full-width forms).

    Cleaned news text often has a no-break space; translating these first keeps such text on the
    fast path, since its length and every offset are unchanged.
    """
    table: dict[int, str] = {}
    blocks = ((0xA0, 0x100), (0x2000, 0x2070), (0xFB50, 0xFE00), (0xFE70, 0xFF00), (0xFF00, 0xFFF0))
    for cp in (cp for lo, hi in blocks for cp in range(lo, hi)):
        ch = chr(cp)
        mapped = unicodedata.normalize("NFKC", ch)
        if (
            len(mapped) == 1
            and mapped != ch
            and not unicodedata.combining(ch)
            and not unicodedata.combining(mapped)
        ):
            table[cp] = mapped
    return table


_ONE_TO_ONE = _one_to_one_table()
_ONE_TO_ONE_MAP = CharMap(_ONE_TO_ONE)  # == str.translate(_ONE_TO_ONE), faster


@dataclass(frozen=True, slots=True)
class AlignedText:
    """``normalized`` plus the way back to ``original``.

    Exactly one of ``_breaks`` (fast path: normalized positions before which original characters
    were deleted, one entry per deleted character) and ``_index`` (slow path: the original index
    of every normalized character, plus a sentinel) is used.
    """

    original: str
    normalized: str
    _breaks: tuple[int, ...] | None
    _index: tuple[int, ...] | None
    identity: bool = False  # nothing deleted: every normalized offset is the original offset

    def text_of(self, start: int, end: int) -> str:
        """The original text of the normalized span ``[start, end)``."""
        if self.identity:
            return self.original[start:end]
        first, last = self.span(start, end)
        return self.original[first:last]

    def start(self, n: int) -> int:
        """Original index of the normalized character at ``n`` (skips deleted marks before it)."""
        if self._index is not None:
            return self._index[n] if n < len(self._index) else len(self.original)
        assert self._breaks is not None
        return min(n + bisect_right(self._breaks, n), len(self.original))

    def end(self, n: int) -> int:
        """Original end offset for a normalized end offset ``n`` (exclusive).

        Diacritics and tatweel that follow the last character belong to it, so they are kept
        inside the span ("مصرُ" stays whole).
        """
        if n <= 0:
            return 0
        if self._index is not None:
            last = self._index[n - 1]
            nxt = self._index[n] if n < len(self._index) else len(self.original)
            return nxt if nxt > last else last + 1
        assert self._breaks is not None
        return n + bisect_right(self._breaks, n)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalized span ``[start, end)``."""
        if self.identity:  # nothing deleted: offsets are equal
            first = start if start < len(self.original) else len(self.original)
            return (first, first) if end <= start else (first, max(first, end))
        first = self.start(start)
        if end <= start:
            return first, first
        return first, max(first, self.end(end))


def align(text: str) -> AlignedText:
    """Normalize ``text`` with ``normalize_fast`` and keep the map back to it.

    When the one-to-one compatibility mapping leaves NFKC-normal text (nearly every article),
    ``normalize_fast(compat)`` is ``normalize_fast(text)``: NFKD of a character equals NFKD of
    its one-character NFKC form, so both strings have the same NFKC. Normalizing ``compat``
    skips NFKC's work on the text (its quick check passes), which was most of this step's cost
    on the ~12% of articles that hold a no-break space or a presentation form.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    compat = text if text.isascii() else _ONE_TO_ONE_MAP(text)
    if unicodedata.is_normalized("NFKC", compat):
        normalized = normalize_fast(compat)
        deletions = [m.start() for m in _DELETED_RE.finditer(compat)]
        if len(normalized) == len(text) - len(deletions):
            breaks = tuple(pos - k for k, pos in enumerate(deletions))
            return AlignedText(text, normalized, breaks, None, not breaks)
    return _align_slow(text)


def _align_slow(text: str) -> AlignedText:
    """Per-character normalization; exact by construction.

    When NFKC composes across characters (a letter followed by a combining hamza), the
    per-character result can differ from ``normalize_fast(text)``. We then match on the
    per-character form, which differs from it only in such compositions, rather than guess an
    alignment. Built without a Python loop: each character's normalized piece (memoized), and
    its index repeated once per character of that piece.
    """
    pieces = list(map(_normalize_char, text))
    index = list(chain.from_iterable(map(repeat, range(len(text)), map(len, pieces))))
    index.append(len(text))
    return AlignedText(text, "".join(pieces), None, tuple(index))
