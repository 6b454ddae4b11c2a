"""dedup/minhash.py: shingles, signatures, band keys and the similarity that decides."""

from __future__ import annotations

import itertools
import subprocess
import sys
from array import array
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.dedup.minhash import _TOKEN as MINHASH_TOKEN
from akhbar.transforms.dedup.minhash import (
    DEFAULT_MINHASH,
    KEY_BYTES,
    MinhashConfig,
    band_key_blob,
    band_keys,
    combined_similarity,
    containment_from_jaccard,
    estimated_jaccard,
    exact_jaccard,
    exact_similarity,
    hashed_similarity,
    shingle_hashes,
    shingles,
    signature,
    tokens,
)
from akhbar.transforms.normalize import normalize_fast
from tests.conftest import REPO
from tests.dedup.stories import cut, egyptian, paragraphs

CFG = DEFAULT_MINHASH


def sig_of(text: str, config: MinhashConfig = CFG) -> bytes:
    return signature(shingles(normalize_fast(text), config), config)


def test_tokens_ignore_punctuation_and_keep_diacritized_words_whole() -> None:
    assert tokens("قال: «الصين»، (2020)!") == ["قال", "الصين", "2020"]
    assert tokens("الصِّينُ تَقُول") == ["الصِّينُ", "تَقُول"]
    assert tokens("Reuters SAID") == ["reuters", "said"]


def test_shingles_are_word_windows() -> None:
    config = replace(CFG, shingle_size=3, strip_boilerplate=False)
    assert shingles("a b c d", config) == {"a b c", "b c d"}
    assert shingles("a b", config) == {"a b"}
    assert shingles(" ... ", config) == set()


def test_boilerplate_does_not_reach_the_shingles() -> None:
    text = normalize_fast(paragraphs()[0])
    wrapped = normalize_fast("القاهرة - أ ش أ: ") + text + "\nالمصدر: وات"
    assert shingles(wrapped) == shingles(text)
    assert shingles(wrapped, replace(CFG, strip_boilerplate=False)) != shingles(text)


def test_normalization_is_what_makes_egyptian_spelling_match() -> None:
    text = paragraphs()[0]
    raw = replace(CFG, strip_boilerplate=False)
    assert exact_jaccard(shingles(text, raw), shingles(egyptian(text), raw)) < 0.6
    assert shingles(normalize_fast(text)) == shingles(normalize_fast(egyptian(text)))


def test_signature_is_deterministic_and_seeded() -> None:
    text = paragraphs()[0]
    assert sig_of(text) == sig_of(text)
    assert len(sig_of(text)) == 4 * CFG.num_perm
    assert sig_of(text, replace(CFG, seed=CFG.seed + 1)) != sig_of(text)
    assert signature(set(), CFG) == b""
    assert band_keys(b"", CFG) == []


def test_signature_is_the_same_in_another_process() -> None:
    """Workers are other processes: a process-seeded hash would break matching across them."""
    code = (
        "from transforms.dedup.minhash import shingle_hashes, shingles, signature;"
        "from transforms.normalize import normalize_fast;"
        "from tests.dedup.stories import paragraphs;"
        "sh = shingles(normalize_fast(paragraphs()[0]));"
        "print(signature(sh).hex() + shingle_hashes(sh).hex())"
    )
    env_runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=REPO,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    ]
    sh = shingles(normalize_fast(paragraphs()[0]))
    assert env_runs[0] == env_runs[1] == sig_of(paragraphs()[0]).hex() + shingle_hashes(sh).hex()


def test_hashed_similarity_is_the_exact_similarity() -> None:
    """Merging compares shingle hashes shipped from signing; on real articles, their copies and
    unrelated pairs it must decide exactly as the shingle strings do."""
    from akhbar.seeds.ant import read_ant_docs

    texts = [normalize_fast(d["text"]) for d in itertools.islice(read_ant_docs(), 400)]
    for paragraph in paragraphs():  # neighbours: a paragraph and its cut, re-spelled copy
        texts += [normalize_fast(paragraph), normalize_fast(cut(egyptian(paragraph), 0.6))]
    texts += ["", "واحد"]
    sets = [shingles(t) for t in texts]
    hashed = [shingle_hashes(s) for s in sets]
    assert all(len(h) == 8 * len(s) for h, s in zip(hashed, sets, strict=True))
    pairs = [(i, i + 1) for i in range(len(texts) - 1)] + [(i, i) for i in range(0, 400, 7)]
    pairs += [(i, len(texts) - 1 - i) for i in range(len(texts) // 2)]
    similar = [i for i, j in pairs if i != j and exact_similarity(sets[i], sets[j]) >= 0.5]
    assert len(similar) >= 5
    for config in (CFG, replace(CFG, use_containment=False)):
        for i, j in pairs:
            assert hashed_similarity(hashed[i], hashed[j], config) == exact_similarity(
                sets[i], sets[j], config
            )


def test_estimated_jaccard_tracks_the_exact_one() -> None:
    texts = [normalize_fast(p) for p in paragraphs()]
    pairs = [(texts[0], cut(texts[0], 0.6)), (texts[0], texts[1]), (texts[2], cut(texts[2], 0.8))]
    for a, b in pairs:
        sa, sb = shingles(a), shingles(b)
        exact = exact_jaccard(sa, sb)
        assert abs(estimated_jaccard(signature(sa), signature(sb)) - exact) < 0.15


def test_band_keys_one_per_band_and_equal_for_equal_bands() -> None:
    sig = sig_of(paragraphs()[0])
    keys = band_keys(sig)
    assert len(keys) == len(set(keys)) == CFG.bands
    assert [int.from_bytes(k[:2], "big") for k in keys] == list(range(CFG.bands))
    other = band_keys(sig_of(paragraphs()[1]))
    assert not set(keys) & set(other)


def test_band_keys_depend_on_their_band_only_and_are_fixed_across_runs() -> None:
    """A band key is a function of the band's rows and number alone (so documents sharing a
    band always share its key, whatever the other bands hold), the blob is the keys in band
    order, and the values are pinned: every worker and every run must derive the same keys."""
    sig = sig_of(paragraphs()[0])
    keys = band_keys(sig)
    assert band_key_blob(sig) == b"".join(keys) and len(band_key_blob(sig)) == KEY_BYTES * CFG.bands
    values = array("I")
    values.frombytes(sig)
    changed = array("I", values)
    changed[CFG.rows * 3] ^= 1  # one row of band 3
    other = band_keys(changed.tobytes())
    assert [k == o for k, o in zip(keys, other, strict=True)] == [b != 3 for b in range(CFG.bands)]
    assert keys == [reference_band_key(sig, band) for band in range(CFG.bands)]
    assert band_keys(b"\x00" * 8) == [] and band_key_blob(b"") == b""


def reference_band_key(sig: bytes, band: int, rows: int = CFG.rows) -> bytes:
    """The key spelled out in plain integers: sum of row x splitmix64(i + 1) | 1, modulo 2^64,
    then a 64-bit finalizer; 2-byte band number + 8-byte digest, big-endian."""
    mask = (1 << 64) - 1
    total, state = 0, 0
    for i in range(rows):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        multiplier = (z ^ (z >> 31)) | 1
        row = int.from_bytes(sig[4 * (band * rows + i) : 4 * (band * rows + i + 1)], "little")
        total = (total + row * multiplier) & mask
    total ^= total >> 31
    total = (total * 0x94D049BB133111EB) & mask
    total ^= total >> 29
    return band.to_bytes(2, "big") + total.to_bytes(8, "big")


def test_config_validation_and_candidate_curve() -> None:
    with pytest.raises(ValueError):
        MinhashConfig(num_perm=64, bands=32, rows=4)
    with pytest.raises(ValueError):
        MinhashConfig(threshold=0)
    probabilities = [CFG.candidate_probability(j / 10) for j in range(11)]
    assert probabilities == sorted(probabilities)
    assert CFG.candidate_probability(0.5) > 0.8 > 0.01 > CFG.candidate_probability(0.1)
    assert CFG.signature_key != replace(CFG, seed=1).signature_key


def test_containment_rescues_a_cut_copy_only_when_it_is_a_real_share() -> None:
    full = shingles(normalize_fast(paragraphs()[2]))
    kept = shingles(normalize_fast(cut(paragraphs()[2], 0.4)))
    j = exact_jaccard(full, kept)
    assert j < CFG.threshold <= exact_similarity(full, kept)
    assert containment_from_jaccard(j, len(full), len(kept)) == pytest.approx(1.0, abs=0.01)
    # a short text whose shingles are a small share of a long one: Jaccard under the floor
    assert combined_similarity(0.2, 100, 25) == 0.2
    assert combined_similarity(0.5, 100, 50) == pytest.approx(1.0)  # B inside A
    assert combined_similarity(0.4, 100, 50) == pytest.approx(0.857, abs=0.001)
    assert combined_similarity(0.5, 100, 50, replace(CFG, use_containment=False)) == 0.5
    assert combined_similarity(0.2, 20, 10) == 0.2  # too few shingles to trust containment


def test_different_paragraphs_of_one_article_stay_apart() -> None:
    texts = [shingles(normalize_fast(p)) for p in paragraphs()]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert exact_similarity(a, b) < 0.2


def test_signature_does_not_depend_on_shingle_order() -> None:
    """signature() feeds rensa the set as it comes (no sort): MinHash keeps per-permutation
    minima, so any order gives the same signature as the sorted one."""
    import random
    from array import array

    from rensa import RMinHash

    sh = shingles("وقال المتحدث باسم الوزارة إن الاجتماع سيعقد في القاهرة يوم الأحد المقبل")
    items = sorted(sh)
    mh = RMinHash(num_perm=DEFAULT_MINHASH.num_perm, seed=DEFAULT_MINHASH.seed)
    mh.update(items)
    expected = array("I", mh.digest()).tobytes()
    for seed in range(5):
        random.Random(seed).shuffle(items)
        assert signature(set(items)) == expected


WORDY = st.text(
    alphabet=st.sampled_from(
        list("قال الصِّينُ ـ،.") + list("ΟΔΟΣ ος'Aİıi") + ["\u0307", "\u0670", " ", "'", "-", "\n"]
    ),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(text=WORDY, k=st.integers(1, 5))
def test_tokens_and_shingles_equal_the_per_token_definition(text: str, k: int) -> None:
    """The fast paths (one ``lower`` for an unchanged text, shifted-list windows) give exactly
    the definition: each token lowered on its own, each window of k words joined by a space.
    Greek capital sigma and Turkish dotted I are in the alphabet: lowering the whole text would
    differ on them."""
    words = [t.lower() for t in MINHASH_TOKEN.findall(text)]
    assert tokens(text) == words
    config = replace(CFG, shingle_size=k, strip_boilerplate=False)
    expected = (
        {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}
        if len(words) > k
        else ({" ".join(words)} if words else set())
    )
    assert shingles(text, config) == expected
