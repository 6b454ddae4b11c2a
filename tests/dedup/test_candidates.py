"""candidates.verified_pairs (numpy) gives exactly the per-pair reference's pairs and verdicts.

The reference below is the rule written out one band and one pair at a time (``band_pairs`` then
``compare``), as near dedup ran before the bulk path. The corpus is hard on purpose: real ANT
articles and their near copies, some undated, some published weeks apart, earlier runs'
articles (priors) including stale copies that share an id with this run's document and a prior
id given twice, and a band cap small enough that many bands are oversized.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from functools import cache

import pytest

from akhbar.seeds.ant import read_ant_docs
from akhbar.transforms.dedup.candidates import verified_pairs
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH, KEY_BYTES, MinhashConfig, band_key_blob
from akhbar.transforms.dedup.near_cluster import NearDoc, band_pairs, compare, keep_doc, near_doc
from benchmarks.corpus import perturb
from tests.dedup.stories import cut, respelled, story


def reference(
    entries: list[tuple[NearDoc, bytes]], config: MinhashConfig
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[int]]:
    bands: dict[bytes, list[tuple[str, bool]]] = defaultdict(list)
    docs: dict[str, NearDoc] = {}
    for doc, keys in entries:
        keep_doc(docs, doc)
        for at in range(0, len(keys), KEY_BYTES):
            bands[keys[at : at + KEY_BYTES]].append((doc.id, doc.prior))
    pairs: set[tuple[str, str]] = set()
    oversized = []
    for members in bands.values():
        if len(members) < 2:
            continue
        found, big = band_pairs(members, config)
        pairs.update(found)
        if big is not None:
            oversized.append(big.size)
    compared = sorted(pairs)
    passed = [(a, b) for a, b in compared if compare(docs[a], docs[b], config).passed]
    return compared, passed, sorted(oversized)


@cache
def corpus() -> tuple[NearDoc, ...]:
    texts = [d["text"] for d in read_ant_docs() if len(d.get("text", "")) > 300][:150]
    rng = random.Random(11)
    articles = []
    for i, text in enumerate(texts):
        hours = None if i % 9 == 0 else i % 72
        articles.append(story(f"a{i:03d}", text, hours=hours, source="a.tn"))
        if i % 3 == 0:
            articles.append(story(f"a{i:03d}-cut", cut(text, 0.75), hours=(i % 72) + 2, source="b"))
        if i % 4 == 0:
            articles.append(story(f"a{i:03d}-re", respelled(text), hours=None, source="c"))
        if i % 5 == 0:  # weeks later: similar text, but too far apart in time
            articles.append(story(f"a{i:03d}-late", perturb(text, rng), hours=24 * 30, source="d"))
    for j in range(12):  # one story everywhere: oversized bands under a small cap
        articles.append(story(f"z{j:02d}", perturb(texts[1], rng), hours=80 + j, source=f"o{j}"))
    docs = [near_doc(a, DEFAULT_MINHASH) for a in articles]
    priors = []
    for k, d in enumerate(docs[::7]):
        prior = replace(d, prior=True, cluster_id=f"c-{d.id}")
        if k % 2 == 0:  # a stale copy: the same id as this run's document, older text
            priors.append(prior)
        priors.append(replace(prior, id=f"p-{d.id}"))
    priors.append(replace(priors[-1], order=priors[0].order))  # a prior id given twice
    return tuple(docs + priors)


def entries_of(config: MinhashConfig, order: int = 0) -> list[tuple[NearDoc, bytes]]:
    docs = list(corpus())
    random.Random(order).shuffle(docs)
    return [(d, band_key_blob(d.signature, config)) for d in docs]


@pytest.mark.parametrize(
    "config",
    [
        replace(DEFAULT_MINHASH, max_band_size=4, oversized_band_sample=2),
        DEFAULT_MINHASH,
        replace(DEFAULT_MINHASH, use_containment=False, max_days_apart=None, threshold=0.5),
        replace(DEFAULT_MINHASH, bands=16, rows=8, threshold=0.8),
    ],
    ids=["small-cap", "default", "jaccard-only", "16x8"],
)
@pytest.mark.parametrize("order", [0, 1])
def test_bulk_verification_equals_the_per_pair_reference(config: MinhashConfig, order: int) -> None:
    entries = entries_of(config, order)
    compared, passed, oversized = reference(entries, config)
    found = verified_pairs(entries, config)
    assert found.compared == compared
    assert found.passed == passed
    assert sorted(b.size for b in found.oversized) == oversized
    # the corpus reaches every branch: priors in bands, rejections, and (with a cap) oversizing
    assert len(passed) > 50
    if config.max_days_apart is not None:  # the late copies are candidates that fail on time
        assert len(compared) > len(passed)
    assert any(found.docs[a].prior or found.docs[b].prior for a, b in passed)
    if config.max_band_size == 4:
        assert oversized


def test_verdict_at_the_time_limit_is_the_reference_verdict() -> None:
    """Two copies exactly max_days_apart apart pass; a microsecond more and they do not."""
    base = near_doc(story("x", corpus_text(), hours=0), DEFAULT_MINHASH)
    limit = timedelta(days=DEFAULT_MINHASH.max_days_apart or 0)
    for extra, expected in [(timedelta(0), True), (timedelta(microseconds=1), False)]:
        later = replace(base, id="y", order=(False, base.order[1] + limit + extra, "s", "y"))
        entries = [(d, band_key_blob(d.signature, DEFAULT_MINHASH)) for d in (base, later)]
        found = verified_pairs(entries, DEFAULT_MINHASH)
        assert found.passed == ([("x", "y")] if expected else [])
        assert compare(base, later, DEFAULT_MINHASH).passed is expected


def test_nothing_to_pair() -> None:
    lonely = near_doc(story("x", corpus_text()), DEFAULT_MINHASH)
    empty = replace(lonely, id="e", signature=b"", size=0)
    found = verified_pairs(
        [(lonely, band_key_blob(lonely.signature)), (empty, b"")], DEFAULT_MINHASH
    )
    assert (found.compared, found.passed, found.oversized) == ([], [], [])
    assert verified_pairs([], DEFAULT_MINHASH).compared == []


def corpus_text() -> str:
    return next(itertools.islice((d["text"] for d in read_ant_docs() if len(d["text"]) > 600), 1))


def test_verdict_at_the_similarity_threshold_is_the_reference_verdict() -> None:
    """A copy whose estimate is exactly the threshold passes (>=), one value less fails."""
    import numpy as np

    # the first stage alone (verify=False): with verification, a pair below the threshold may
    # still pass the second stage (tests/dedup/test_verify.py)
    config = replace(DEFAULT_MINHASH, use_containment=False, threshold=0.75, verify=False)
    base = near_doc(story("x", corpus_text()), config)
    values = np.frombuffer(base.signature, np.uint32).copy()
    for changed, expected in [(32, True), (33, False)]:  # 96/128 = 0.75 equal values, then 95
        other = values.copy()
        other[:changed] ^= 0x5A5A5A5A  # later bands stay equal: still a candidate
        copy = replace(base, id="y", signature=other.tobytes())
        entries = [(d, band_key_blob(d.signature, config)) for d in (base, copy)]
        assert verified_pairs(entries, config).passed == ([("x", "y")] if expected else [])
        assert compare(base, copy, config).passed is expected


def test_paired_signatures_of_another_length_are_refused() -> None:
    """Like estimated_jaccard: a pair whose signatures differ in length cannot be compared."""
    base = near_doc(story("x", corpus_text()), DEFAULT_MINHASH)
    short = replace(base, id="y", signature=base.signature[: len(base.signature) // 2])
    entries = [(d, band_key_blob(base.signature, DEFAULT_MINHASH)) for d in (base, short)]
    with pytest.raises(ValueError, match="paired signatures"):
        verified_pairs(entries, DEFAULT_MINHASH)


def test_band_keys_of_another_width_are_refused() -> None:
    """Keys cut from something other than ``band_key_blob`` (a stray byte) fail loudly instead
    of being read shifted, which would pair documents that share nothing."""
    doc = near_doc(story("x", corpus_text()), DEFAULT_MINHASH)
    with pytest.raises(ValueError, match="band keys must be 10 bytes"):
        verified_pairs([(doc, band_key_blob(doc.signature) + b"\x00")], DEFAULT_MINHASH)
