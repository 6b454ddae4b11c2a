"""Shared name lexicons and word frequencies: places, countries, people, read from ``seeds/``.

Both deduplication and extraction need to know which words of a text are names: dedup to tell
two filled-in copies of one template apart ("a cable to Morocco" is not "a cable to Jordan"),
extraction to tag entities. The files under ``seeds/gazetteers/`` are the extraction engineers'
(``transforms/extract/gazetteer.py`` builds its Aho-Corasick matcher from them), as is the ANT
word-frequency table ``seeds/idf_ant.tsv.gz``; this module only reads them, so dedup depends on
the lexicons and not on the extraction stage.

What dedup needs is cheap and coarse, because it runs on every article: the set of names a text
mentions (canonical form) and its rare words. Arabic glues و ف ب ل ك and ال to the noun, so
every lexicon entry is stored under each of its clitic forms once, at load time; an article then
costs one set intersection (in C) instead of a lookup per token. A person without a gazetteer
entry is a known given name followed by another known given or family name ("يسري بوعلي"):
``people_in``, which dedup does not call per article (it costs a pass over every word; rare
words stand in for unlisted names there).
"""

from __future__ import annotations

import functools
import gzip
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from akhbar.transforms.normalize import normalize_fast

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
GAZETTEERS = SEEDS / "gazetteers"
IDF_TABLE = SEEDS / "idf_ant.tsv.gz"
# A given or family name must be this frequent in the names index to count: the rarest entries
# are mostly ordinary words that someone once bore as a name.
MIN_NAME_OCCURRENCES = 20
# A word is rare when its document frequency in ANT (10,161 articles) is at most this: names of
# people, teams, places and uncommon facts, the words a follow-up's new facts are made of.
RARE_DF = 30
_LETTERS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")
_BEFORE_ARTICLE = ("و", "ف", "ب", "ك", "وب", "فب")
# Function words the frequency table leaves out (it counts content terms only).
FUNCTION_WORDS = frozenset(
    normalize_fast(w)
    for w in [
        "على",
        "إلى",
        "الى",
        "التي",
        "الذي",
        "الذين",
        "هذا",
        "هذه",
        "ذلك",
        "تلك",
        "بعد",
        "قبل",
        "عن",
        "من",
        "في",
        "مع",
        "حول",
        "خلال",
        "بين",
        "ضد",
        "عند",
        "منذ",
        "حتى",
        "أمام",
        "امام",
        "دون",
        "غير",
        "كل",
        "بعض",
        "أي",
        "أن",
        "إن",
        "كان",
        "كانت",
        "يكون",
        "تكون",
        "قد",
        "لم",
        "لن",
        "ما",
        "لا",
        "هل",
        "أو",
        "ثم",
        "وقد",
        "كما",
        "أيضا",
        "اليوم",
        "أمس",
        "غدا",
    ]
)


def clitic_forms(word: str) -> set[str]:
    """``word`` (normalized) and the forms it takes with proclitics and the article."""
    forms = {word}
    if word.startswith("ال") and len(word) > 3:
        bare = word[2:]
        forms.update(p + word for p in _BEFORE_ARTICLE)
        forms.update(("لل" + bare, "ولل" + bare, "فلل" + bare))
    else:
        forms.update(p + word for p in _LETTERS)
        forms.update(p + word for p in ("ال", "وال", "بال", "فال", "كال", "وبال", "لل", "ولل"))
    return forms


@dataclass(frozen=True, slots=True)
class NameLexicon:
    """Names under every clitic form -> canonical name; first words of two-word names; given
    and family names for name pairs."""

    single: dict[str, str]
    double: dict[str, dict[str, str]]  # first word (any form) -> second word -> canonical
    given: dict[str, str]  # any form -> the given name
    family: frozenset[str]
    # the keys as sets: ``set & frozenset`` walks the smaller side, ``set & dict.keys()`` does
    # not (it cost 300 µs an article)
    single_keys: frozenset[str] = frozenset()
    double_keys: frozenset[str] = frozenset()
    given_keys: frozenset[str] = frozenset()
    # first word -> its second words as a set: a first word none of whose seconds is in the
    # text is skipped with one set intersection, before any scan for its positions
    double_seconds: dict[str, frozenset[str]] = field(default_factory=dict)

    def names_in(self, words: Sequence[str], present: set[str] | None = None) -> set[str]:
        """Canonical names the (normalized) ``words`` mention (``present``: their set, when
        the caller has it)."""
        present = set(words) if present is None else present
        found = {self.single[w] for w in present & self.single_keys}
        last = len(words) - 1
        for start in present & self.double_keys:  # a few words: find them with list.index (C)
            if self.double_seconds and not present & self.double_seconds[start]:
                continue
            seconds = self.double[start]
            i = words.index(start)
            while True:
                if i < last and (hit := seconds.get(words[i + 1])) is not None:
                    found.add(hit)
                try:
                    i = words.index(start, i + 1)
                except ValueError:
                    break
        return found

    def people_in(self, words: Sequence[str]) -> set[str]:
        """Given + given/family name pairs ("يسري بوعلي"): a pass over every word, since given
        names are in nearly every article (about 25 µs; not on dedup's per-article path)."""
        givens = set(words) & self.given_keys
        found = set()
        if givens:
            for word, nxt in itertools.pairwise(words):
                if word in givens and (nxt in self.family or nxt in self.given):
                    found.add(f"{self.given[word]} {self.given.get(nxt, nxt)}")
        return found


def _rows(path: Path) -> Iterable[list[str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


@functools.lru_cache(maxsize=4)
def name_lexicon(folder: Path = GAZETTEERS) -> NameLexicon:
    """The lexicon of ``folder`` (loaded once per process: a worker reuses it for every
    article)."""
    single: dict[str, str] = {}
    double: dict[str, dict[str, str]] = {}
    for row in _rows(folder / "gazetteer.tsv"):
        if len(row) < 3 or row[2] not in ("LOC", "PER", "ORG"):
            continue
        surface, canonical = normalize_fast(row[0]).split(), normalize_fast(row[1])
        if len(surface) == 1:
            for form in clitic_forms(surface[0]):
                single.setdefault(form, canonical)
        elif len(surface) == 2:
            for form in clitic_forms(surface[0]):
                double.setdefault(form, {}).setdefault(surface[1], canonical)
    given: dict[str, str] = {}
    family: set[str] = set()
    names = folder / "names"
    for name, frequent in (("given.tsv", True), ("family.tsv", False)):
        path = names / name
        if not path.exists():
            continue
        for row in _rows(path):
            if len(row) >= 2 and row[1].isdigit() and int(row[1]) >= MIN_NAME_OCCURRENCES:
                word = normalize_fast(row[0])
                if frequent:
                    for form in clitic_forms(word):
                        given.setdefault(form, word)
                else:
                    family.add(word)
    curated = folder / "curated" / "given_names.txt"
    if curated.exists():
        for row in _rows(curated):
            word = normalize_fast(row[0].strip())
            if word:
                for form in clitic_forms(word):
                    given.setdefault(form, word)
    return NameLexicon(
        single,
        double,
        given,
        frozenset(family),
        frozenset(single),
        frozenset(double),
        frozenset(given),
        {first: frozenset(seconds) for first, seconds in double.items()},
    )


@dataclass(frozen=True, slots=True)
class WordFrequency:
    """The forms of ANT's frequent terms (``seeds/idf_ant.tsv.gz``, the 20,000 terms in three
    or more articles, built by ``seeds/build_idf.py`` for extraction's keywords)."""

    common: frozenset[str]  # every clitic form of a term in more than RARE_DF articles

    def rare_words(self, words: Iterable[str]) -> set[str]:
        """Words at most ``RARE_DF`` ANT articles use (``common`` holds every word of one or two
        letters too, so only the set difference runs per article; numbers count as rare)."""
        return (words if isinstance(words, set) else set(words)) - self.common

    def content_words(self, words: Iterable[str]) -> set[str]:
        """Words that say what a title is about: not function words, three letters or more."""
        return {w for w in set(words) - FUNCTION_WORDS if len(w) >= 3 and not w.isdigit()}


@functools.lru_cache(maxsize=2)
def word_frequency(path: Path = IDF_TABLE) -> WordFrequency:
    """The frequency table (loaded once per process)."""
    common: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            word, _, count = line.rstrip("\n").partition("\t")
            if not count.isdigit():
                continue
            if int(count) > RARE_DF:
                common.update(clitic_forms(word))
    common.update(FUNCTION_WORDS)
    letters = [chr(c) for c in range(0x0621, 0x064B)]  # hamza .. yeh, normalized forms included
    common.update(letters)
    common.update(a + b for a in letters for b in letters)
    return WordFrequency(frozenset(common))
