"""Keywords: the top terms of an article by TF-IDF over normalized, clitic-stripped tokens.

Arabic glues و، ب، ل، ك، ف and the article ال to the word, so "والحكومة", "بالحكومة" and "حكومة"
must count as one term: terms are normalized tokens without those proclitics. Stop words (function
words, reporting verbs, time words) are removed before counting.

The document frequencies come from a table built once over the ANT corpus
(``seeds/build_idf.py`` writes ``seeds/idf_ant.tsv.gz``), so a term's weight does not depend on
which other articles happen to be in the same run. The same table tells the person-name patterns
which words are too common to be a name.
"""

from __future__ import annotations

import gzip
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import mul
from pathlib import Path

from akhbar.transforms.extract.lexicon import ATTRIBUTION_VERBS, STOPWORDS

DEFAULT_IDF = Path(__file__).resolve().parents[2] / "seeds" / "idf_ant.tsv.gz"
_WORD = re.compile(r"[^\W\d_]{2,}")
# Reporting verbs, auxiliaries, time and quantity words: frequent in news, never a topic.
_EXTRA_STOP = frozenset(
    [
        "قال",
        "اضاف",
        "اكد",
        "كان",
        "كانت",
        "تم",
        "يتم",
        "وقد",
        "حيث",
        "الذي",
        "التي",
        "وذلك",
        "ضمن",
        "لدي",
        "اجل",
        "عدد",
        "جانب",
        "اطار",
        "خلال",
        "بعد",
        "قبل",
        "بين",
        "حول",
        "كما",
        "عبر",
        "مساء",
        "صباح",
        "امس",
        "يوم",
        "ايام",
        "عام",
        "سنه",
        "شهر",
        "اسبوع",
        "ساعه",
        "اكثر",
        "اقل",
        "نحو",
        "حوالي",
        "مليون",
        "مليار",
        "الف",
        "بها",
        "لها",
        "فيها",
        "منها",
        "عليها",
        "اليها",
        "عنها",
        "انه",
        "انها",
        "لكن",
        "غير",
        "وفق",
        "فيه",
        "منه",
        "عليه",
        "اليه",
        "عنه",
        "له",
        "به",
    ]
)
_STOP = STOPWORDS | frozenset(ATTRIBUTION_VERBS) | _EXTRA_STOP


_ARTICLE_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "ولل", "لل", "ال")
_LETTER_PREFIXES = ("و", "ف", "ب", "ل")


def term(word: str, df: dict[str, int] | None = None) -> str:
    """The keyword form of one normalized word: proclitics and the article removed.

    An article with its proclitics ("والحكومة", "للحكومة") is always removed. A bare one-letter
    proclitic is ambiguous ("ومصر" but "وزير", "فلاحة", "لبنان"), so it is removed only when the
    document frequencies ``df`` show that the rest is a word of its own and much more common.
    """
    for prefix in _ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    if df is not None and word[:1] in _LETTER_PREFIXES and len(word) >= 5:
        rest = word[1:]
        if df.get(rest, 0) > 5 * df.get(word, 0) and df.get(rest, 0) >= 3:
            return rest
    return word


def terms(
    normalized: str, df: dict[str, int] | None = None, table: IdfTable | None = None
) -> list[str]:
    """Content terms of a normalized text, in order (``table`` memoizes the term forms)."""
    out = []
    to_term = table.term if table is not None else (lambda w: term(w, df))
    for word in _WORD.findall(normalized):
        if word in _STOP:
            continue
        t = to_term(word)
        if len(t) >= 3 and t not in _STOP:
            out.append(t)
    return out


class _KeywordMemo(dict[str, str]):
    """word -> its keyword term, or "" for a stop word, number or punctuation (memoized)."""

    def __init__(self, table: IdfTable) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, word: str) -> str:
        term_ = self._table.keyword_term(word)
        if len(self) > 200_000:
            self.clear()
        self[word] = term_
        return term_


class _ShareMemo(dict[str, float]):
    """word -> share of reference documents holding its term (memoized)."""

    def __init__(self, table: IdfTable) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, word: str) -> float:
        value = self[word] = self._table.share(self._table.term(word))
        if len(self) > 200_000:
            self.clear()
        return value


class _IdfMemo(dict[str, float]):
    """term -> idf (memoized)."""

    def __init__(self, table: IdfTable) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, t: str) -> float:
        value = self[t] = self._table.idf(t)
        if len(self) > 200_000:
            self.clear()
        return value


@dataclass(frozen=True, slots=True)
class IdfTable:
    """Document frequencies of the commonest terms of a reference corpus."""

    documents: int
    df: dict[str, int]
    _terms: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _idf: dict[int, float] = field(default_factory=dict, repr=False, compare=False)  # df -> idf
    _keyword: _KeywordMemo = field(init=False, repr=False, compare=False)
    _idf_of: _IdfMemo = field(init=False, repr=False, compare=False)
    _share_of: _ShareMemo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keyword", _KeywordMemo(self))
        object.__setattr__(self, "_idf_of", _IdfMemo(self))
        object.__setattr__(self, "_share_of", _ShareMemo(self))

    def term(self, word: str) -> str:
        """``term(word, df)``, memoized (news reuses a small vocabulary)."""
        found = self._terms.get(word)
        if found is None:
            found = self._terms[word] = term(word, self.df)
            if len(self._terms) > 200_000:
                self._terms.clear()
        return found

    def keyword_term(self, word: str) -> str:
        """The keyword term of one token text, "" for a stop word, number or punctuation."""
        if word not in _STOP and _WORD.fullmatch(word):
            t = self.term(word)
            if len(t) >= 3 and t not in _STOP:
                return t
        return ""

    @property
    def keyword_memo(self) -> _KeywordMemo:
        """word -> its keyword term, "" for a word that is no keyword; filled on first sight."""
        return self._keyword

    @property
    def idf_memo(self) -> _IdfMemo:
        """term -> idf; filled on first sight."""
        return self._idf_of

    def word_share(self, word: str) -> float:
        """Fraction of reference documents that contain the term of ``word``."""
        return self._share_of[word]

    @property
    def share_memo(self) -> _ShareMemo:
        """word -> ``word_share(word)``, filled on first sight: ``share_memo[word]`` is one
        dictionary lookup where the rules test many words."""
        return self._share_of

    def idf(self, t: str) -> float:
        # Terms below the table's cut-off are rare: count them as seen once.
        df = self.df.get(t, 1)
        found = self._idf.get(df)
        if found is None:
            found = self._idf[df] = math.log((self.documents + 1) / (df + 1)) + 1.0
        return found

    def share(self, t: str) -> float:
        """Fraction of reference documents that contain ``t``."""
        return self.df.get(t, 0) / self.documents if self.documents else 0.0


EMPTY_IDF = IdfTable(1, {})


def load_idf(path: str | Path | None = None) -> IdfTable:
    """Read the gzipped ``term<TAB>df`` table whose first line is ``#documents<TAB>N``."""
    source = Path(path) if path else DEFAULT_IDF
    if not source.exists():
        return EMPTY_IDF
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        documents = int(header[1])
        df = {}
        for line in handle:
            word, count = line.rstrip("\n").split("\t")
            df[word] = int(count)
    return IdfTable(documents, df)


def top_keywords(
    normalized: str,
    idf: IdfTable,
    k: int = 10,
    title: str = "",
    words: Sequence[str] | None = None,
    terms: Iterable[str] | None = None,
) -> list[str]:
    """The ``k`` terms with the highest tf*idf; title terms count twice. Ties keep text order.

    No Python loop per word: ``Counter`` counts the terms, the idf of each distinct term comes
    from a memo through ``map``, and the top ``k`` are picked by sorting indices on their scores
    (``sorted`` is stable with ``reverse=True``, so equal scores keep text order). ``terms``:
    each token's keyword term ("" for none) when the caller has them; else ``words`` (the
    text's tokens, as the engine passes them) or the text's words are mapped to their terms
    through a memo, streamed into the ``Counter`` without a list.
    """
    if k <= 0:
        return []
    if terms is None:
        if words is None:
            words = _WORD.findall(normalized)
        terms = map(idf.keyword_memo.__getitem__, words)
    counts = Counter(terms)  # term -> occurrences, in order of first occurrence
    counts.pop("", None)  # stop words, numbers, punctuation
    if title:
        memo = idf.keyword_memo
        for word in _WORD.findall(title):
            t = memo[word]
            if t:
                counts[t] += 2
    if not counts:
        return []
    keys = list(counts)
    scores = list(map(mul, counts.values(), map(idf.idf_memo.__getitem__, keys)))
    if len(scores) > k:
        cut = sorted(scores)[-k]  # the k-th best score
        chosen: Iterable[int] = compress(range(len(scores)), map(cut.__le__, scores))
    else:
        chosen = range(len(scores))
    best = sorted(chosen, key=scores.__getitem__, reverse=True)[:k]
    return [keys[i] for i in best]
