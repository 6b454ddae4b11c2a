"""MinHash signatures and LSH band keys over word shingles of the normalized, de-boilerplated text.

Why these choices (figures from ``benchmarks/results/dedup_quality.md``, 2 shared cores):

* **rensa, not datasketch.** On the 10,138 ANT articles, rensa's ``RMinHash`` (Rust) made a
  128-permutation signature in 0.02-0.04 ms; datasketch 2.0's numpy ``MinHash.update_batch``
  took 0.07-0.14 ms with permutations shared between documents and 0.16-0.28 ms without
  (datasketch 1.x took 1.56 ms: docs/design-notes.md#minhash-signatures). Both estimate Jaccard equally well (mean
  error 0.02-0.03 on the labelled near pairs). rensa also hashes tokens without
  ``PYTHONHASHSEED``, so every worker and every later run computes the same signature, which
  the cross-run index needs; signatures are stamped with rensa's ``ALGORITHM_VERSION`` so that
  an index written by another version is skipped, not misread.
* **Word 3-shingles, 32 bands x 4 rows.** Syndicated copies of a short wire story (median 90
  words in ANT) that lose a paragraph or get a reworded lead fall to a Jaccard of 0.3-0.7,
  where datatrove's 5-shingle, 14 x 8 setting (threshold ~0.72) rarely even makes them
  candidates (its recall on the labelled set: 0.41). 32 x 4 makes a pair at J=0.5 a candidate
  with p=0.87, at J=0.3 with p=0.23; every candidate is verified, so extra candidates cost
  comparisons, not precision.
* **Threshold 0.7.** On the labelled set 0.5 and 0.7 both pass the targets (recall 0.995 and
  0.981, no false merge), but on the whole ANT corpus a hand audit of the near pairs found at
  0.5 counted 33 of 75 that were another article sharing a verbatim block (fixture lists,
  digests, weather bulletins); 0.7 keeps 13 of those and 24 of the 31 true copies. A false
  merge hides an article, a missed copy only adds a row, so the higher bar wins.
* **Verification by estimated similarity**: the larger of the estimated Jaccard and the
  estimated containment of the smaller text in the larger, because a copy cut short keeps
  containment ~1 while its Jaccard drops to the share kept. Containment is only trusted with
  ``min_containment_shingles`` shingles and a Jaccard of at least ``containment_min_jaccard``.

The config travels to every worker through constructor arguments; the seed is part of it, so
every worker draws the same permutations.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash

from akhbar.transforms.dedup.boilerplate import strip_boilerplate

SIGNATURE_ALGORITHM = f"rensa-rminhash-v{RMinHash.ALGORITHM_VERSION}"
# Word characters plus Arabic combining marks and tatweel, so that a diacritized word stays one
# token when normalization is switched off.
_TOKEN = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]+")


@dataclass(frozen=True, slots=True)
class MinhashConfig:
    """Every setting of near-duplicate detection, identical on every worker and every run.

    ``max_days_apart`` is the time window: dated documents further apart are never merged or
    linked. The default, 14 days, catches reposts and reminders published a week or more after
    the first copy (one of the issue's misses was 12.6 days apart); templated series (two days'
    weather bulletins share most of their words) are kept apart by the slot check of
    ``transforms.dedup.verify``, no longer by a short window. ``--near-window-days`` sets it. ``max_band_size`` guards against boilerplate: a band key shared by more documents than
    this pairs each of them with only ``oversized_band_sample`` anchor members (and is
    counted), so comparisons stay linear in the input while a story carried by hundreds of
    outlets still links up through the anchors.
    """

    shingle_size: int = 3
    num_perm: int = 128
    bands: int = 32
    rows: int = 4
    seed: int = 20261129
    threshold: float = 0.7
    max_band_size: int = 100
    oversized_band_sample: int = 8
    strip_boilerplate: bool = True
    use_containment: bool = True
    min_containment_shingles: int = 20
    containment_min_jaccard: float = 0.25
    max_days_apart: float | None = 14.0
    # issue 20: verification beyond the MinHash estimate (transforms.dedup.verify)
    verify: bool = True  # False: the estimate alone decides, as before issue 20
    lead_words: int = 60  # words of the lead signature (cut-down copies)
    second_stage: float = 0.4  # pairs from here to threshold get the second-stage verifier
    followups: bool = True  # a same-source update with new facts is kept and linked

    def __post_init__(self) -> None:
        if self.shingle_size < 1 or self.bands < 1 or self.rows < 1:
            raise ValueError("shingle_size, bands and rows must be positive")
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows = {self.bands * self.rows} > num_perm {self.num_perm}")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if self.max_days_apart is not None and self.max_days_apart < 0:
            raise ValueError("max_days_apart must not be negative")
        if self.lead_words < self.shingle_size or not 0.0 < self.second_stage <= self.threshold:
            raise ValueError("lead_words must cover a shingle; second_stage in (0, threshold]")
        if self.max_band_size < 2 or self.oversized_band_sample < 1:
            raise ValueError("max_band_size must be at least 2, oversized_band_sample at least 1")

    @property
    def signature_key(self) -> str:
        """What makes two signatures comparable; stored with every cross-run index entry."""
        return (
            f"{SIGNATURE_ALGORITHM}:k{self.shingle_size}:p{self.num_perm}:s{self.seed}"
            f":bp{int(self.strip_boilerplate)}"
        )

    def candidate_probability(self, jaccard: float) -> float:
        """Chance that two documents with this Jaccard share at least one band key."""
        return 1.0 - (1.0 - jaccard**self.rows) ** self.bands


DEFAULT_MINHASH = MinhashConfig()


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation and spacing differences disappear.

    Each token is lowered on its own (a whole-text ``lower`` differs: a final sigma depends on
    what follows, and "İ" grows a combining dot that is not a word character). But when the
    text has no character that lowering changes, which is nearly every Arabic text, no token
    has one either: one ``lower`` of the text replaces one per token (22 -> 17 µs per ANT text).
    """
    words = _TOKEN.findall(text)
    if text.lower() == text:
        return words
    return [t.lower() for t in words]


def matching_text(text_normalized: str, config: MinhashConfig) -> str:
    return strip_boilerplate(text_normalized) if config.strip_boilerplate else text_normalized


def shingles(text_normalized: str, config: MinhashConfig = DEFAULT_MINHASH) -> set[str]:
    """Word k-shingles of the matching text; a text shorter than k words is one shingle."""
    return set(shingle_sequence(tokens(matching_text(text_normalized, config)), config))


def shingle_sequence(words: list[str], config: MinhashConfig = DEFAULT_MINHASH) -> list[str]:
    """The k-shingles of ``words`` in text order (repeats kept); fewer than k words: one."""
    k = config.shingle_size
    if len(words) <= k:
        return [" ".join(words)] if words else []
    # the k-word windows as tuples of k shifted lists, no slice per position (20 -> 15 µs)
    return list(map(" ".join, zip(*[words[i:] for i in range(k)], strict=False)))


def shingle_hashes(shingle_set: set[str]) -> bytes:
    """The shingle set as sorted 64-bit hashes, packed: what merging compares exactly.

    rensa hashes without ``PYTHONHASHSEED``, so the set a worker computes while signing is
    the set any other worker would compute; shipping these 8 bytes per shingle to the merge
    step replaces re-shingling every member there (84 µs per article). Two distinct shingles
    of one pair colliding in 64 bits (about n²/2⁶⁵, 10⁻¹⁴ for 300-shingle texts) is the only
    way the result can differ from comparing the strings.
    """
    if not shingle_set:
        return b""
    hashes = np.array(RMinHash.hash_token_sets([list(shingle_set)])[0], dtype=np.uint64)
    hashes.sort()
    return hashes.tobytes()


def hashed_similarity(a: bytes, b: bytes, config: MinhashConfig = DEFAULT_MINHASH) -> float:
    """``exact_similarity`` of two shingle sets given as ``shingle_hashes``."""
    set_a = np.frombuffer(a, dtype=np.uint64)
    set_b = np.frombuffer(b, dtype=np.uint64)
    common = np.intersect1d(set_a, set_b, assume_unique=True).size
    union = len(set_a) + len(set_b) - common
    jaccard = 1.0 if union == 0 else common / union
    return combined_similarity(jaccard, len(set_a), len(set_b), config)


def signature(shingle_set: set[str], config: MinhashConfig = DEFAULT_MINHASH) -> bytes:
    """The MinHash signature as packed native uint32 (compact to ship and to store).

    A text with no words has the empty signature: no band keys, never a near duplicate of
    anything (two texts that are all boilerplate are not the same story).
    """
    if not shingle_set:
        return b""
    mh = RMinHash(num_perm=config.num_perm, seed=config.seed)
    mh.update(list(shingle_set))  # MinHash keeps minima: the order does not matter
    return array("I", mh.digest()).tobytes()


def unpack(sig: bytes) -> array:
    values = array("I")
    values.frombytes(sig)
    return values


KEY_BYTES = 10  # one band key: 2-byte band number + 8-byte digest, both big-endian
BAND_KEY_DTYPE = np.dtype([("band", ">u2"), ("digest", ">u8")])
_MIX = np.uint64(0x94D049BB133111EB)


@functools.cache
def _row_multipliers(rows: int) -> np.ndarray:
    """Odd 64-bit constants, one per row of a band (splitmix64 of 1, 2, ...): fixed forever, so
    every worker and every run derives the same keys."""
    out = []
    state = 0
    for _ in range(rows):
        state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        out.append((z ^ (z >> 31)) | 1)
    multipliers = np.array(out, dtype=np.uint64)
    multipliers.setflags(write=False)  # cached and shared by every call
    return multipliers


def band_key_array(sig: bytes, config: MinhashConfig = DEFAULT_MINHASH) -> np.ndarray:
    """Every band's key as a ``BAND_KEY_DTYPE`` record: band number + a 64-bit hash of its rows.

    Keys include the band number, so equal rows in different bands never collide. Equal rows
    always give equal keys, so the candidate pairs are exactly the documents sharing a band;
    two different bands collide with probability ~2^-64, and a collision only adds a candidate
    that verification rejects. The hash is a multiply-add over the band's rows followed by a
    64-bit finalizer, in numpy for all bands at once: 7 µs per signature instead of 17 µs for
    one blake2b per band (32 bands). A key depends on the signature's bytes alone: they are
    read as little-endian uint32 on every machine, whatever order ``signature`` wrote them in.
    ``sig`` may hold several signatures one after the other (a document's and its lead's): the
    keys of each, in order, from one pass.
    """
    per_band = config.rows
    width = 4 * per_band * config.bands
    if len(sig) < width:
        return np.empty(0, BAND_KEY_DTYPE)
    count = len(sig) // width
    rows = np.frombuffer(sig, "<u4", count * config.bands * per_band).reshape(-1, per_band)
    # integer array arithmetic wraps modulo 2^64 without a warning (no errstate needed)
    h = (rows.astype(np.uint64) * _row_multipliers(per_band)).sum(axis=1, dtype=np.uint64)
    h ^= h >> np.uint64(31)
    h *= _MIX
    h ^= h >> np.uint64(29)
    out = (
        np.tile(_band_numbers(config.bands), count)
        if count > 1
        else _band_numbers(config.bands).copy()
    )
    out["digest"] = h
    return out


@functools.cache
def _band_numbers(bands: int) -> np.ndarray:
    out = np.zeros(bands, BAND_KEY_DTYPE)
    out["band"] = np.arange(bands)
    out.setflags(write=False)  # cached: callers copy it
    return out


def band_key_blob(sig: bytes, config: MinhashConfig = DEFAULT_MINHASH) -> bytes:
    """All band keys of ``sig`` as one ``bytes`` (``KEY_BYTES`` each, in band order).

    One object instead of ``bands`` small ones: it pickles and ships as a single string, and a
    band partition holding 100k documents does not keep 3.2M ``bytes`` objects alive."""
    return band_key_array(sig, config).tobytes()


def band_keys(sig: bytes, config: MinhashConfig = DEFAULT_MINHASH) -> list[bytes]:
    """One key per band (``band_key_blob`` cut into ``KEY_BYTES`` pieces): dict keys for the
    streaming index and a deterministic Beam coder."""
    blob = band_key_blob(sig, config)
    return [blob[i : i + KEY_BYTES] for i in range(0, len(blob), KEY_BYTES)]


def estimated_jaccard(sig_a: bytes, sig_b: bytes) -> float:
    """Share of equal MinHash values: an unbiased estimate of the shingle sets' Jaccard."""
    if not sig_a or not sig_b:
        return 0.0
    if len(sig_a) != len(sig_b):
        raise ValueError("signatures of different lengths")
    # numpy compares the 128 values in C: 1.4 µs instead of 6 µs for a Python loop, and a
    # syndicated corpus verifies about ten pairs per article.
    a = np.frombuffer(sig_a, dtype=np.uint32)
    b = np.frombuffer(sig_b, dtype=np.uint32)
    return int(np.count_nonzero(a == b)) / len(a)


def containment_from_jaccard(jaccard: float, size_a: int, size_b: int) -> float:
    """|A ∩ B| / min(|A|, |B|) from the Jaccard and both set sizes (exact when J is exact)."""
    smaller = min(size_a, size_b)
    if smaller == 0:
        return 0.0
    overlap = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, overlap / smaller)


def combined_similarity(
    jaccard: float, size_a: int, size_b: int, config: MinhashConfig = DEFAULT_MINHASH
) -> float:
    """The similarity compared with ``threshold``: Jaccard, or containment for a cut copy.

    Containment needs some Jaccard too (``containment_min_jaccard``): a short text made mostly
    of a site's recurring header is "contained" in every longer article carrying that header.
    """
    if (
        not config.use_containment
        or min(size_a, size_b) < config.min_containment_shingles
        or jaccard < config.containment_min_jaccard
    ):
        return jaccard
    return max(jaccard, containment_from_jaccard(jaccard, size_a, size_b))


def exact_jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def exact_similarity(a: set[str], b: set[str], config: MinhashConfig = DEFAULT_MINHASH) -> float:
    """``combined_similarity`` on the exact shingle sets (for tests and for the benchmark)."""
    return combined_similarity(exact_jaccard(a, b), len(a), len(b), config)


def signature_similarity(
    sig_a: bytes, size_a: int, sig_b: bytes, size_b: int, config: MinhashConfig
) -> float:
    return combined_similarity(estimated_jaccard(sig_a, sig_b), size_a, size_b, config)


def signatures(texts: Sequence[str], config: MinhashConfig = DEFAULT_MINHASH) -> list[bytes]:
    """Signatures of many normalized texts (the per-document path, in a loop)."""
    return [signature(shingles(t, config), config) for t in texts]
