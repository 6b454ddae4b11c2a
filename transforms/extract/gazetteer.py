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

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from akhbar.transforms.extract.lexicon import (
    ASSIMILATED_PREFIXES,
    COMPANY_HEADS,
    ORG_HEADS,
    PLACE_ADMIN_HEADS,
    VALID_PREFIXES,
)
from akhbar.transforms.normalize import normalize_fast

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


@dataclass(frozen=True, slots=True)
class Match:
    """A gazetteer hit in normalized offsets; the span excludes proclitics except an assimilated
    ل ("للصين" is reported whole, since its second ل is the article's)."""

    start: int
    end: int
    entry: Entry


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
        for key, values in table.items():
            automaton.add_word(key, tuple(values))
        automaton.make_automaton()
        self._automaton = automaton
        self.size = len(table)

    def find(self, text: str) -> list[Match]:
        """Non-overlapping hits, longest first, in text order.

        Most automaton hits end inside a word ("مصر" in "مصرف") and are dropped by the first
        test; the rest look back at most three letters for the proclitics before the name.
        """
        candidates: list[Match] = []
        n = len(text)
        valid, assimilated_ok = VALID_PREFIXES, ASSIMILATED_PREFIXES
        for last, values in self._automaton.iter(text):
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
        return select_longest(candidates)


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
    chosen: list[Match] = []
    taken: list[tuple[int, int]] = []
    for match in sorted(candidates, key=lambda m: (m.start - m.end, m.start)):
        if all(match.end <= s or match.start >= e for s, e in taken):
            chosen.append(match)
            taken.append((match.start, match.end))
    chosen.sort(key=lambda m: m.start)
    return chosen
