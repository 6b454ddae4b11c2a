"""What near-dup verification needs of a text beyond its MinHash, computed once where the text is.

Issue 19's lean data plane keeps article text out of every dedup shuffle, so whatever the
verifiers look at must be small and made in ``dedup_key``. Four things, all from the matching
text (normalized, datelines and agency tags stripped, learned blocks removed):

* **marks**: every shingle whose 64-bit hash has its two low bits zero (a quarter of them),
  in text order, as uint32. The same shingle is a mark in every text, so the marks two texts
  share are the places where they share words, in order: enough to see whether the overlap is
  one contiguous block (a shared blurb, another story appended), where it sits (a cut-down copy
  shares the *start* of the longer text), and how much of each text is new (a follow-up).
* **numbers**: the numbers written in digits (Arabic-Indic digits are folded by normalization),
  as hashes; years (1900-2099) are left out, since any two texts of one year share them and a
  repost adds them freely.
* **names**: places, countries, organisations and people from the shared lexicons
  (``transforms.lexicons``), and weekdays, as hashes. With the numbers, the *slots* of a
  template: two copies of one royal cable differ only there.
* **rare words**: words at most ``lexicons.RARE_DF`` ANT articles use (people, teams, places,
  uncommon facts), as hashes: what a follow-up's *new facts* are made of, when its new names are
  in no lexicon (referees, players);
* **title words**: the title's content words, as hashes: a follow-up's title speaks of the
  same story (shares one of them), an unrelated story's does not;
* **slots**: every number and name *with the word before and the word after it*, as (context,
  value) hash pairs. A template filled in for another event changes a value *in the same
  place* ("... لرئيس جمهورية المغرب بمناسبة" / "... جمهورية الأردن بمناسبة"); two outlets'
  copies of one wire story that each drop a different sentence lack each other's names and
  numbers too, but those sit in sentences the other copy does not have at all, so no context
  matches (reading the ANT sentence-drop copies: 15% of such true copies at similarity 0.7 or
  more were called templates on the bare value sets);
* **lead**: a MinHash signature of the first ``lead_words`` words, so that a short copy of an
  article's lead meets the article in the LSH bands (the whole article's signature is mostly
  other words) and is verified against the part it copies.

Hashes are rensa's token hashes (stable across processes and runs, unlike ``hash``), cut to 32
bits, one call for all the sets of a text.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash

from akhbar.transforms.lexicons import FUNCTION_WORDS, NameLexicon, name_lexicon, word_frequency

_DIGITS = re.compile(r"\d+")
_CENTURIES = ("19", "20")
_WORDS = re.compile(r"\w+")
_MARK_MASK32 = np.uint32(3)
_LOW32 = np.uint64(0xFFFFFFFF)
_HIGH = np.uint64(32)
# A slot's context is the nearest word within this many that is no slot and no function word.
_CONTEXT_REACH = 3
_CONTEXT_SKIP = FUNCTION_WORDS
# Weekdays are date slots, counted with the names (one each way is another day): "السبت 6 ماي"
# / "الاثنين 8 ماي" is a hearing adjourned to another day.
WEEKDAYS = ("الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت")
_WEEKDAY_FORMS = {p + w: w for w in WEEKDAYS for p in ("", "و", "ب", "وب")}
_WEEKDAY_KEYS = frozenset(_WEEKDAY_FORMS)


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """The compact verification features of one text (see the module docstring)."""

    signature: bytes  # MinHash of the whole text's shingles (``minhash.signature``)
    size: int  # distinct shingles
    marks: bytes  # uint32 in text order
    numbers: bytes  # sorted unique uint32
    names: bytes  # sorted unique uint32
    lead: bytes  # MinHash signature of the lead (uint32 x num_perm), b"" when too short
    rare: bytes  # sorted unique uint32 hashes of rare words (``lexicons.WordFrequency``)
    title: bytes = b""  # sorted unique uint32 hashes of the title's content words
    slots: bytes = b""  # sorted unique (context << 32 | value) uint64 (``slot_pairs``)


EMPTY = TextFeatures(b"", 0, b"", b"", b"", b"", b"")


def crc_set(values: set[str]) -> bytes:
    """Sorted unique hashes of ``values``, packed as uint32 (``hash_sets`` of one set)."""
    return hash_sets(values)[0]


def hash_sets(*sets: set[str]) -> list[bytes]:
    """Each set as its sorted unique uint32 hashes (the low half of rensa's 64-bit token hash,
    stable across processes and runs), all hashed in one call."""
    lists = [list(s) for s in sets]
    if not any(lists):
        return [b""] * len(lists)
    hashed = RMinHash.hash_token_sets(lists)
    return [
        array("I", sorted({h & 0xFFFFFFFF for h in hs})).tobytes() if hs else b"" for hs in hashed
    ]


def numbers_of(text: str) -> set[str]:
    """Numbers in digits, without leading zeros; years 1900-2099 left out."""
    return _numbers(set(_DIGITS.findall(text)))


def _numbers(candidates: set[str]) -> set[str]:
    out = {m.lstrip("0") or "0" for m in candidates if m.isdigit()}
    return {v for v in out if not (len(v) == 4 and v[:2] in _CENTURIES)}


def slot_words(
    words: Sequence[str], present: set[str], lexicon: NameLexicon
) -> tuple[set[str], set[str], list[str]]:
    """The numbers ``words`` hold (``numbers_of``), the names they mention
    (``NameLexicon.names_in``, and weekdays) and, flat, the text's slots: for each occurrence
    of a number, a weekday or a name, its value and two contexts (an empty string for none).

    A name or a weekday is placed by the word before it (``<`` + word) *or* the word after it
    (``>`` + word); a number by both together (one context, ``<before>after``), because the
    word after a number is mostly its unit (ألف, مليون, بالمائة, درجة, دينار), which numbers in
    unrelated sentences share: counted alone, units made a template of 10 of 600 copies that
    drop different sentences. The context words are the nearest ones (within
    ``_CONTEXT_REACH``) that are neither slots themselves (in "يومي 8 و9 مارس" the context of 8
    is يومي and مارس, which a copy for other days keeps) nor function words or one- and
    two-letter words (too common to place a value). The few distinct slot words are found with
    set operations and one regex over the distinct words, their positions with ``list.index``
    (C): about 25 µs an ANT article.
    """
    found: list[tuple[str, int, int]] = []
    taken: set[int] = set()
    last = len(words) - 1
    index = words.index

    def positions(word: str) -> list[int]:
        at = [index(word)]
        try:
            while True:
                at.append(index(word, at[-1] + 1))
        except ValueError:
            return at

    numbers: set[str] = set()
    # the words holding digits, with their runs (12 µs an ANT article; a scan of the joined
    # distinct words for digit runs took 18, a pattern like \S*\d\S* retried every letter)
    digit_words = {w: runs for w in present if not w.isalpha() and (runs := _DIGITS.findall(w))}
    for word, runs in digit_words.items():
        at = positions(word)
        taken.update(at)
        values = _numbers(set(runs))  # none for a year: no slot, no context
        numbers |= values
        found.extend((value, i, i) for value in values for i in at)
    names: set[str] = set()
    for word in present & _WEEKDAY_KEYS:
        names.add(day := _WEEKDAY_FORMS[word])
        at = positions(word)
        taken.update(at)
        found.extend((day, i, i) for i in at)
    single = lexicon.single
    for word in present & lexicon.single_keys:
        names.add(canonical := single[word])
        at = positions(word)
        taken.update(at)
        found.extend((canonical, i, i) for i in at)
    for start in present & lexicon.double_keys:
        if lexicon.double_seconds and not present & lexicon.double_seconds[start]:
            continue
        seconds = lexicon.double[start]
        for i in positions(start):
            if i < last and (hit := seconds.get(words[i + 1])) is not None:
                names.add(hit)
                taken.update((i, i + 1))
                found.append((hit, i, i + 1))

    def context(i: int, step: int) -> str:
        for _ in range(_CONTEXT_REACH):
            i += step
            if i < 0 or i > last:
                return ""
            if i not in taken and len(word := words[i]) > 2 and word not in _CONTEXT_SKIP:
                return word
        return ""

    flat: list[str] = []
    for value, first, end in found:
        before, after = context(first, -1), context(end, 1)
        if value.isdigit():  # both words: the unit after a number is after most numbers
            flat.extend((value, f"<{before}>{after}" if before or after else "", ""))
        else:
            flat.extend((value, "<" + before if before else "", ">" + after if after else ""))
    return numbers, names, flat


def slot_pairs(flat: list[str]) -> bytes:
    """``slot_words``' flat list as sorted unique (context, value) pairs, each one uint64
    (context in the high half, value in the low: ``verify.substituted_in_place``), in one hash
    call; a missing context (the text's first or last word) is left out."""
    if not flat:
        return b""
    hashed = np.array(RMinHash.hash_token_sets([flat])[0], dtype=np.uint64) & _LOW32
    values = hashed[0::3]
    contexts = np.concatenate((hashed[1::3], hashed[2::3]))
    pairs = (contexts << _HIGH) | np.concatenate((values, values))
    return np.unique(pairs[contexts != _empty_hash()]).tobytes()


@functools.cache
def _empty_hash() -> np.uint64:
    """The hash of an empty context, as ``slot_pairs`` sees it."""
    return np.uint64(RMinHash.hash_token_sets([[""]])[0][0] & 0xFFFFFFFF)


def title_terms(title: str | None) -> set[str]:
    """The content words of a (normalized) title."""
    if not title:
        return set()
    return word_frequency().content_words(_WORDS.findall(title))


def title_words(title: str | None) -> bytes:
    """Hashes of the content words of a (normalized) title."""
    return crc_set(title_terms(title)) if title else b""


def text_features(
    text: str,
    words: list[str],
    shingle_list: list[str],
    shingle_size: int,
    num_perm: int,
    seed: int,
    lead_words: int,
    title: str | None = None,
) -> TextFeatures:
    """Features of a text (the matching text, its words and its shingles in text order,
    duplicates kept) and of its normalized ``title``. Only a text of at least twice
    ``lead_words`` words gets a lead signature: in a shorter one the lead is most of the text,
    which the whole signature already covers.

    Every shingle is hashed once (rensa's token hash, as ``RMinHash.update`` hashes it), and
    both signatures are made from those hashes in one call: MinHash keeps minima, so repeated
    shingles change nothing and the result equals ``minhash.signature`` of the set. The word
    sets (numbers, names, rare words, title words) are hashed together in one more call.
    """
    if not shingle_list:
        return EMPTY
    hashes = np.array(RMinHash.hash_token_sets([shingle_list])[0], dtype=np.uint64)
    low = hashes.astype(np.uint32)  # the low 32 bits
    marks = low[(low & _MARK_MASK32) == 0]
    head = len(words) >= 2 * lead_words
    ends = [0, hashes.size]
    if head:
        ends.append(hashes.size + max(1, lead_words - shingle_size + 1))
        rows = np.concatenate((hashes, hashes[: ends[2] - ends[1]]))
    else:
        rows = hashes
    digests = RMinHash.digest_matrix_from_flat_token_hashes(
        rows, np.array(ends, dtype=np.uint64), num_perm, seed
    ).to_rows()
    present = set(words)
    numbers_found, names_found, flat = slot_words(words, present, name_lexicon())
    numbers, names, rare, title_hashes = hash_sets(
        numbers_found,
        names_found,
        word_frequency().rare_words(present),
        title_terms(title),
    )
    return TextFeatures(
        signature=array("I", digests[0]).tobytes(),
        size=len(set(shingle_list)),
        marks=marks.tobytes(),
        numbers=numbers,
        names=names,
        lead=array("I", digests[1]).tobytes() if head else b"",
        rare=rare,
        title=title_hashes,
        slots=slot_pairs(flat),
    )
