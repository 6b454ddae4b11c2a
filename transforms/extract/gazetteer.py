"""Gazetteer loading and the clitic-aware multi-pattern matcher.

One Aho-Corasick automaton (pyahocorasick, C) finds every gazetteer name in one pass over the
normalized text, however many names there are; a loop of regexes would cost one pass per name.
Arabic glues prepositions and conjunctions to the noun, so a hit is accepted when what precedes it
inside the same word is a valid chain of proclitics (و، ف، ب، ل، ك and their combinations):
"بالقاهرة" and "ومصر" match القاهرة and مصر. When ل meets the article the alef disappears
("للصين"), so every name starting with ال is also indexed without its alef and accepted only after
ل. Hits must end at a word boundary ("مصر" is not found in "مصرف").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple, TypeVar

import ahocorasick

from akhbar.transforms.extract.lexicon import (
    ASSIMILATED_PREFIXES,
    COMPANY_HEADS,
    ORG_HEADS,
    PLACE_ADMIN_HEADS,
    PROCLITICS,
    VALID_PREFIXES,
)
from akhbar.transforms.extract.tokens import Span
from akhbar.transforms.normalize import normalize_fast

_LETTERS = re.compile(r"[^\W\d_]+")  # a token's letters (``tokens.tokenize``)
_SPLIT_PREFIXES = ("", *PROCLITICS)
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "seeds" / "gazetteers"
_WEAK_HEADS = {
    "LOC": PLACE_ADMIN_HEADS,
    "ORG": COMPANY_HEADS | ORG_HEADS,
    "PER": frozenset(),
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer name. ``key`` and ``canonical`` are in normalized form."""

    key: str
    surface: str
    canonical: str
    type: str
    country: str
    weak: bool


class Match(NamedTuple):
    """A gazetteer hit in normalized offsets; the span excludes proclitics except an assimilated
    ل ("للصين" is reported whole, since its second ل is the article's)."""

    start: int
    end: int
    entry: Entry


_Spanned = TypeVar("_Spanned", Match, Span)


@dataclass(frozen=True, slots=True)
class Lexicons:
    """Everything loaded from the gazetteer folder."""

    entries: tuple[Entry, ...]
    given_names: frozenset[str]  # curated (Arabic and foreign): reliable starts of a name
    nisba: dict[str, str]  # normalized adjective form (with and without ال, fem., acc.) -> country
    source_given: dict[str, int] = field(default_factory=dict)  # names/given.tsv: name -> count
    family_names: frozenset[str] = frozenset()  # names/family.tsv
    foreign_given: frozenset[str] = frozenset()  # curated/given_names_foreign.txt


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def load_entries(path: Path) -> list[Entry]:
    entries = []
    for line in _lines(path):
        cols = line.split("\t")
        surface, canonical, type_ = cols[0], cols[1], cols[2]
        country = cols[3] if len(cols) > 3 else ""
        weak = len(cols) > 4 and cols[4] == "weak"
        entries.append(
            Entry(normalize_fast(surface), surface, normalize_fast(canonical), type_, country, weak)
        )
    return entries


def nisba_forms(adjective: str) -> list[str]:
    """مصري -> مصري, مصريه, مصريا, مصريين, مصريون and the same with ال."""
    base = normalize_fast(adjective)
    forms = [base, base + "ه", base + "ا", base + "ين", base + "ون"]
    return forms + ["ال" + f for f in forms]


def load_lexicons(directory: str | Path | None = None) -> Lexicons:
    """Read ``gazetteer.tsv`` and the curated name lists from ``directory``."""
    folder = Path(directory) if directory else DEFAULT_DIR
    entries = load_entries(folder / "gazetteer.tsv")
    if not entries:
        raise FileNotFoundError(f"no gazetteer entries in {folder / 'gazetteer.tsv'}")
    given = frozenset(
        normalize_fast(n)
        for name in ("given_names.txt", "given_names_foreign.txt")
        for n in _lines(folder / "curated" / name)
    )
    source_given: dict[str, int] = {}
    for line in _lines(folder / "names" / "given.tsv"):
        name, count = line.split("\t")
        source_given[name] = int(count)
    family = frozenset(line.split("\t")[0] for line in _lines(folder / "names" / "family.tsv"))
    nisba: dict[str, str] = {}
    for line in _lines(folder / "curated" / "nisba.tsv"):
        adjective, country = ([*line.split("\t"), "-"])[:2]
        for form in nisba_forms(adjective):
            nisba[form] = "" if country == "-" else country
    foreign = frozenset(
        normalize_fast(n) for n in _lines(folder / "curated" / "given_names_foreign.txt")
    )
    return Lexicons(tuple(entries), given, nisba, source_given, family, foreign)


class GazetteerMatcher:
    """All gazetteer names, found in one pass, clitic-aware."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[int, Entry, bool]]] = {}
        for entry in entries:
            table.setdefault(entry.key, []).append((len(entry.key), entry, False))
            if entry.key.startswith("ال") and len(entry.key) > 3:
                table.setdefault(entry.key[1:], []).append((len(entry.key) - 1, entry, True))
        leads: dict[str, list[str]] = {}
        for key, values in table.items():
            automaton.add_word(key, tuple(values))
            lead = _LETTERS.match(key)
            leads.setdefault(lead.group() if lead else "", []).append(key)
        automaton.make_automaton()
        self._automaton = automaton
        self._values = {key: tuple(values) for key, values in table.items()}
        self._leads = {lead: tuple(keys) for lead, keys in leads.items() if lead}
        self._unled = tuple(leads.get("", ()))  # keys that do not start with a letter
        self.size = len(table)

    def splits(self, word: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """How a token can open a name: (length of the proclitics, names whose leading letters
        are the rest of the token) for every proclitic split, "بالقاهرة" -> ((2, ("القاهره",
        ...)),). Memoized per word by the token scan, so ``find_at`` costs nothing on the tokens
        that open no name (most of them)."""
        out = []
        for prefix in _SPLIT_PREFIXES:
            if word.startswith(prefix) and len(word) > len(prefix):
                keys = self._leads.get(word[len(prefix) :])
                if keys is not None:
                    out.append((len(prefix), keys))
        return tuple(out)

    def spans_at(
        self, text: str, openers: Iterable[tuple[int, tuple[tuple[int, tuple[str, ...]], ...]]]
    ) -> list[Span]:
        """The names ``find(text)`` accepts, as entity spans, found from the tokens that can
        open one: (token start, ``splits`` of its text) in text order.

        Same result as ``find``, without the automaton's pass over every character: a hit that
        ``find`` accepts starts a token after at most a valid proclitic chain (the letters
        before it are the token's and no other), and the token's letters after that chain are
        the name's leading letters, so every such hit is among the names tried here. Each is
        checked as ``_accept`` does, in the automaton's order (by end, longer names first); when
        nothing is glued before the token, the proclitic chain is the split's own prefix (always
        valid), so only an assimilated ل is checked.
        """
        if self._unled:
            return [_span(m) for m in self.find(text)]
        hits: list[tuple[int, int, str, int]] = []
        for start, splits in openers:
            for length, keys in splits:
                at = start + length
                for key in keys:
                    if text.startswith(key, at):
                        hits.append((at + len(key), -len(key), key, start))
        if not hits:
            return []
        hits.sort()
        values = self._values
        n = len(text)
        candidates: list[Span] = []
        for end, minus_length, key, start in hits:
            if end < n and text[end].isalnum():
                continue
            at = end + minus_length
            if start and text[start - 1].isalnum():  # a digit glued before the token: rare
                candidates += map(_span, self._accept(text, [(end - 1, values[key])], False))
                continue
            prefix = text[start:at]
            for _length, entry, assimilated in values[key]:
                if assimilated:
                    if prefix not in ASSIMILATED_PREFIXES:
                        continue
                    span_start = at - 1
                else:
                    span_start = at
                if entry.weak and not _weak_context(text, start, end, entry.type):
                    continue
                candidates.append(
                    Span(span_start, end, entry.type, entry.canonical, "gazetteer", entry.country)
                )
        return _longest(candidates)

    def find(self, text: str) -> list[Match]:
        """Non-overlapping hits, longest first, in text order.

        Most automaton hits end inside a word ("مصر" in "مصرف") and are dropped by the first
        test; the rest look back at most three letters for the proclitics before the name.
        """
        return self._accept(text, self._automaton.iter(text))

    def _accept(
        self,
        text: str,
        hits: Iterable[tuple[int, tuple[tuple[int, Entry, bool], ...]]],
        select: bool = True,
    ) -> list[Match]:
        """The hits (index of the last character, the name's entries) that end at a word
        boundary after valid proclitics, longest first, without overlaps, in text order (all
        of them, in the order of ``hits``, when not ``select``)."""
        candidates: list[Match] = []
        n = len(text)
        valid, assimilated_ok = VALID_PREFIXES, ASSIMILATED_PREFIXES
        for last, values in hits:
            end = last + 1
            if end < n and text[end].isalnum():
                continue
            for length, entry, assimilated in values:
                start = end - length
                lo = start - 3 if start > 3 else 0
                prefix = text[lo:start]
                cut = len(prefix)
                while cut and prefix[cut - 1].isalnum():
                    cut -= 1
                prefix = prefix[cut:]
                word_start = start - len(prefix)
                if word_start > 0 and text[word_start - 1].isalnum():
                    continue  # more than three letters glued before the name: inside a word
                if assimilated:
                    if prefix not in assimilated_ok:
                        continue
                    span_start = start - 1
                else:
                    if prefix not in valid:
                        continue
                    span_start = start
                if entry.weak and not _weak_context(text, word_start, end, entry.type):
                    continue
                candidates.append(Match(span_start, end, entry))
        return select_longest(candidates) if select else candidates


def _weak_context(text: str, word_start: int, end: int, type_: str) -> bool:
    """A weak name needs a head of its type before it, or a dateline position."""
    before = text[max(0, word_start - 30) : word_start].split()
    if before:
        previous = before[-1]
        heads = _WEAK_HEADS.get(type_, frozenset())
        if previous in heads or (previous[:1] in "وبل" and previous[1:] in heads):
            return True
    line_start = text.rfind("\n", 0, word_start) + 1
    head = text[line_start:word_start]
    if not head.strip() and text[end : end + 2] == " -":
        return True  # "صور - " opening a dateline
    return len(head) < 30 and head.rstrip().endswith("-")  # "مسقط - العمانية"


def select_longest(candidates: list[Match]) -> list[Match]:
    """Greedy longest-first selection of non-overlapping spans, returned in text order."""
    return _longest(candidates)


def _longest(candidates: list[_Spanned]) -> list[_Spanned]:
    """``select_longest`` for anything with ``start`` and ``end`` (matches, spans)."""
    if len(candidates) < 2:
        return list(candidates)
    chosen: list[_Spanned] = []
    taken: list[tuple[int, int]] = []
    for match in sorted(candidates, key=_LONGEST_FIRST):
        start, end = match.start, match.end
        for s, e in taken:
            if end > s and start < e:
                break
        else:
            chosen.append(match)
            taken.append((start, end))
    chosen.sort(key=_START)
    return chosen


def _span(match: Match) -> Span:
    entry = match.entry
    return Span(match.start, match.end, entry.type, entry.canonical, "gazetteer", entry.country)


def _longest_first(match: _Spanned) -> tuple[int, int]:
    return match.start - match.end, match.start


_LONGEST_FIRST = _longest_first
_START = attrgetter("start")
