"""Shared name lexicons: places, countries, people, read from ``seeds/gazetteers/``.

Both deduplication and extraction need to know which words of a text are names: dedup to tell
two filled-in copies of one template apart ("a cable to Morocco" is not "a cable to Jordan"),
extraction to tag entities. The files under ``seeds/gazetteers/`` are the extraction engineers'
(``transforms/extract/gazetteer.py`` builds its Aho-Corasick matcher from them); this module only
reads them, so dedup depends on the lexicons and not on the extraction stage.

What dedup needs is cheap and coarse: the set of names a text mentions, in canonical form. Names
are looked up per token (one or two words, after the proclitics و ف ب ل ك and ال that Arabic
glues to a noun), which costs a few dict probes per token instead of a matcher pass; a person
without a gazetteer entry is a known given name followed by another known given or family name
("يسري بوعلي").
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from akhbar.transforms.normalize import normalize_fast

GAZETTEERS = Path(__file__).resolve().parents[1] / "seeds" / "gazetteers"
IDF_TABLE = Path(__file__).resolve().parents[1] / "seeds" / "idf_ant.tsv.gz"
# A word is rare when its document frequency in ANT (10,161 articles) is at most this: names of
# people, teams, places and uncommon facts, the words a follow-up's new facts are made of.
RARE_DF = 30
# Title words used by more ANT articles than this (of 10,161) say nothing about the story.
COMMON_DF = 2000
_ARTICLE = ("وبال", "وال", "فال", "بال", "كال", "ولل", "لل", "ال")
_LETTER = ("و", "ف", "ب", "ل")
# A given or family name must be this frequent in the names index to count: the rarest entries
# are mostly ordinary words that someone once bore as a name.
MIN_NAME_OCCURRENCES = 20
_CLITICS = ("وبال", "وال", "بال", "فال", "كال", "لل", "و", "ف", "ب", "ل", "ك")


@dataclass(frozen=True, slots=True)
class NameLexicon:
    """Gazetteer names (one or two words, normalized) -> canonical name, plus name lists."""

    single: dict[str, str]
    double: dict[tuple[str, str], str]
    given: frozenset[str]
    family: frozenset[str]

    def names_in(self, words: Sequence[str]) -> set[str]:
        """Canonical names the (normalized) ``words`` mention: gazetteer places, countries,
        organisations and people, and given + given/family name pairs."""
        found: set[str] = set()
        stems = [self._stem(w) for w in words]
        for i, stem in enumerate(stems):
            if i + 1 < len(stems):
                pair = self.double.get((stem, stems[i + 1])) or self.double.get(
                    (words[i], stems[i + 1])
                )
                if pair is not None:
                    found.add(pair)
                    continue
                if stem in self.given and (
                    stems[i + 1] in self.family or stems[i + 1] in self.given
                ):
                    found.add(f"{stem} {stems[i + 1]}")
            hit = self.single.get(stem) or self.single.get(words[i])
            if hit is not None:
                found.add(hit)
        return found

    def _stem(self, word: str) -> str:
        """``word`` without one proclitic chain, when what is left is a known name."""
        if word in self.single or word in self.given:
            return word
        for clitic in _CLITICS:
            if word.startswith(clitic) and len(word) > len(clitic) + 1:
                rest = word[len(clitic) :]
                if clitic.endswith("ال") or clitic == "لل":
                    rest = "ال" + rest
                if rest in self.single or rest in self.given or rest in self.family:
                    return rest
                bare = rest.removeprefix("ال")
                if bare in self.single or bare in self.given or bare in self.family:
                    return bare
        return word


@dataclass(frozen=True, slots=True)
class WordFrequency:
    """Document frequencies of ANT's 20,000 most frequent terms (``seeds/idf_ant.tsv.gz``,
    built by ``seeds/build_idf.py`` for extraction's keywords); a term it lacks is rarer."""

    df: dict[str, int]

    def rare_words(self, words: Sequence[str]) -> set[str]:
        """The words of ``words`` (normalized) whose term is rare: at most ``RARE_DF``
        documents in ANT, three letters or more, not a number."""
        return self.content_words(words, RARE_DF)

    def content_words(self, words: Sequence[str], most: int = COMMON_DF) -> set[str]:
        """Terms of ``words`` that say what a text is about: three letters or more, not a
        number, used by at most ``most`` ANT articles (function words and the outlet's own
        vocabulary are in more)."""
        out = set()
        for word in words:
            if len(word) < 3 or word.isdigit():
                continue
            t = self._term(word)
            if self.df.get(t, self.df.get(word, 0)) <= most:
                out.add(t)
        return out

    def _term(self, word: str) -> str:
        for prefix in _ARTICLE:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                return word[len(prefix) :]
        if word[0] in _LETTER and len(word) >= 5 and word not in self.df:
            return word[1:]
        return word


@functools.lru_cache(maxsize=2)
def word_frequency(path: Path = IDF_TABLE) -> WordFrequency:
    """The frequency table (loaded once per process)."""
    df: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            word, _, count = line.rstrip("\n").partition("\t")
            if count.isdigit():
                df[word] = int(count)
    return WordFrequency(df)


def _rows(path: Path) -> Iterable[list[str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


@functools.lru_cache(maxsize=4)
def name_lexicon(folder: Path = GAZETTEERS) -> NameLexicon:
    """The lexicon of ``folder`` (loaded once per process: a worker reuses it for every
    article)."""
    single: dict[str, str] = {}
    double: dict[tuple[str, str], str] = {}
    for row in _rows(folder / "gazetteer.tsv"):
        if len(row) < 3 or row[2] not in ("LOC", "PER", "ORG"):
            continue
        surface, canonical = normalize_fast(row[0]).split(), normalize_fast(row[1])
        if len(surface) == 1:
            single.setdefault(surface[0], canonical)
        elif len(surface) == 2:
            double.setdefault((surface[0], surface[1]), canonical)
    given: set[str] = set()
    family: set[str] = set()
    for name, target in (("given.tsv", given), ("family.tsv", family)):
        path = folder / "names" / name
        if path.exists():
            for row in _rows(path):
                if len(row) >= 2 and row[1].isdigit() and int(row[1]) >= MIN_NAME_OCCURRENCES:
                    target.add(normalize_fast(row[0]))
    curated = folder / "curated" / "given_names.txt"
    if curated.exists():
        given.update(normalize_fast(r[0]) for r in _rows(curated) if r[0].strip())
    return NameLexicon(single, double, frozenset(given), frozenset(family))
