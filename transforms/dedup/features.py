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

Hashes are CRC-32 (stable across processes and runs, unlike ``hash``) and the shingle hashes are
rensa's, as the signature's, so no work is done twice.
"""

from __future__ import annotations

import re
import zlib
from array import array
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash

from akhbar.transforms.lexicons import name_lexicon, word_frequency

_DIGITS = re.compile(r"\d+")
_WORDS = re.compile(r"\w+")
_MARK_MASK = np.uint64(3)
_LOW32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """The compact verification features of one text (see the module docstring)."""

    shingle_hashes: bytes  # sorted unique uint64, as ``minhash.shingle_hashes``
    marks: bytes  # uint32 in text order
    numbers: bytes  # sorted unique uint32
    names: bytes  # sorted unique uint32
    lead: bytes  # MinHash signature of the lead (uint32 x num_perm), b"" when too short
    rare: bytes  # sorted unique uint32 hashes of rare words (``lexicons.WordFrequency``)
    title: bytes = b""  # sorted unique uint32 hashes of the title's content words


def crc_set(values: set[str]) -> bytes:
    """Sorted unique CRC-32 hashes of ``values``, packed as uint32."""
    if not values:
        return b""
    return np.unique(np.fromiter((zlib.crc32(v.encode()) for v in values), np.uint32)).tobytes()


def numbers_of(text: str) -> set[str]:
    """Numbers in digits, without leading zeros; years 1900-2099 left out."""
    out = set()
    for match in _DIGITS.findall(text):
        value = match.lstrip("0") or "0"
        if len(value) == 4 and value[:2] in ("19", "20"):
            continue
        out.add(value)
    return out


def title_words(title: str | None) -> bytes:
    """Hashes of the content words of a (normalized) title."""
    if not title:
        return b""
    return crc_set(word_frequency().content_words(_WORDS.findall(title)))


def text_features(
    words: list[str],
    shingle_list: list[str],
    shingle_size: int,
    num_perm: int,
    seed: int,
    lead_words: int,
) -> TextFeatures:
    """Features of a text given its words and its shingles in text order (duplicates kept)."""
    if not shingle_list:
        return TextFeatures(b"", b"", b"", b"", b"", b"")
    hashes = np.array(RMinHash.hash_token_sets([shingle_list])[0], dtype=np.uint64)
    marks = (hashes[(hashes & _MARK_MASK) == 0] & _LOW32).astype(np.uint32)
    lead = b""
    if len(words) > lead_words:
        head = set(shingle_list[: max(1, lead_words - shingle_size + 1)])
        mh = RMinHash(num_perm=num_perm, seed=seed)
        mh.update(list(head))
        lead = array("I", mh.digest()).tobytes()
    text = " ".join(words)
    return TextFeatures(
        shingle_hashes=np.unique(hashes).tobytes(),
        marks=marks.tobytes(),
        numbers=crc_set(numbers_of(text)),
        names=crc_set(name_lexicon().names_in(words)),
        lead=lead,
        rare=crc_set(word_frequency().rare_words(words)),
    )
