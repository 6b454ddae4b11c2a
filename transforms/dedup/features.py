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
  (``transforms.lexicons``), as hashes. With the numbers, the *slots* of a template: two copies
  of one royal cable differ only there.
* **rare words**: words at most ``lexicons.RARE_DF`` ANT articles use (people, teams, places,
  uncommon facts), as hashes: what a follow-up's *new facts* are made of, when its new names are
  in no lexicon (referees, players);
* **title words**: the title's content words, as hashes: a follow-up's title speaks of the
  same story (shares one of them), an unrelated story's does not;
* **lead**: a MinHash signature of the first ``lead_words`` words, so that a short copy of an
  article's lead meets the article in the LSH bands (the whole article's signature is mostly
  other words) and is verified against the part it copies.

Hashes are rensa's token hashes (stable across processes and runs, unlike ``hash``), cut to 32
bits, one call for all the sets of a text.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash

from akhbar.transforms.lexicons import name_lexicon, word_frequency

_DIGITS = re.compile(r"\d+")
_CENTURIES = ("19", "20")
_WORDS = re.compile(r"\w+")
_MARK_MASK32 = np.uint32(3)


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
    numbers, names, rare, title_hashes = hash_sets(
        # every run of digits lies inside a word, and the distinct words are fewer than the
        # text's characters: the same numbers as ``numbers_of(text)``, found in less text
        numbers_of(" ".join(present)),
        name_lexicon().names_in(words, present),
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
    )
