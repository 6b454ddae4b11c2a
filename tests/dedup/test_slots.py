"""Template slots in place (issue 20, round 3): a value only one text has counts as a
substituted slot only where the other text has another value in the same place.

Two outlets that carry one wire story and each drop a different sentence lack each other's names
and numbers; before, that alone made the pair a "template" of two events. These tests use real
ANT articles cut the way such copies are, and check that a template filled in for another
country (the same sentence, another value) is still another event.
"""

from __future__ import annotations

import numpy as np
import pytest

from akhbar.schemas.records import Article
from akhbar.transforms.dedup.features import slot_pairs, slot_words
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near_cluster import near_doc
from akhbar.transforms.dedup.verify import Kind, substituted_in_place, verdict
from akhbar.transforms.lexicons import name_lexicon
from akhbar.transforms.normalize import normalize_fast
from benchmarks.dedup_outlets import FRAMING, copy_of
from benchmarks.dedup_pairs import SENTENCE_END, ant_docs


def _copy(
    docno: str, dropped: int, source: str, hours: int, opening: str = "", title_prefix: str = ""
) -> Article:
    """Another outlet's copy of an ANT article without its sentence number ``dropped`` (none
    for -1), after an ``opening`` of its own, under its title after ``title_prefix``
    (``benchmarks.dedup_outlets.copy_of``, the two-outlet benchmark's own copies)."""
    doc = ant_docs()[docno]
    sentences = [s for s in SENTENCE_END.split(doc["text"].strip()) if s]
    body = " ".join(
        [opening] * bool(opening) + [s for n, s in enumerate(sentences) if n != dropped]
    )
    return copy_of(doc, body, source, hours, title_prefix)


@pytest.mark.parametrize(
    ("docno", "first", "second"),
    [
        # a sanction of 5,000 dinars in one copy, the club's 50,000-dinar fine in the other
        ("JA-sport-609-20170302", 6, 1),
        # the fasting hours of some countries in one copy, of other countries in the other
        ("JA-diverse-382-20160606", 6, 3),
        # the players' suspension in one copy, the relegation of others in the other
        ("JA-sport-1432-20170406", 1, 2),
    ],
)
def test_copies_that_drop_different_sentences_are_duplicates(
    shared_data, docno: str, first: int, second: int
) -> None:
    a = near_doc(_copy(docno, first, "youm7.com", 0), DEFAULT_MINHASH)
    b = near_doc(_copy(docno, second, "alarabiya.net", 3), DEFAULT_MINHASH)
    found = verdict(a, b, DEFAULT_MINHASH)
    assert found.similarity >= DEFAULT_MINHASH.threshold
    assert found.kind is Kind.DUPLICATE, found


def test_the_context_of_a_value_skips_other_slots_and_function_words() -> None:
    words = normalize_fast("تنطلق الدورة يومي 8 و9 مارس في تونس بمشاركة الجزائر").split()
    _, names, flat = slot_words(words, set(words), name_lexicon())
    slots = {flat[k]: (flat[k + 1], flat[k + 2]) for k in range(0, len(flat), 3)}
    assert {"تونس", "الجزائر"} <= names
    # a number: the words on both sides together, over the other number (و9)
    assert slots["8"] == ("<يومي>مارس", "")
    assert slots["9"] == ("<يومي>مارس", "")
    # a name: either side, over the function word في
    assert slots["تونس"] == ("<مارس", ">بمشاركه")
    assert slots["الجزائر"] == ("<بمشاركه", "")


def test_a_value_in_the_same_place_is_a_substitution_and_one_elsewhere_is_not() -> None:
    lexicon = name_lexicon()

    def features(text: str) -> tuple[bytes, bytes]:
        words = normalize_fast(text).split()
        _, names, flat = slot_words(words, set(words), lexicon)
        values = np.unique(np.array([hash_of(v) for v in names], np.uint32))
        return values.tobytes(), slot_pairs(flat)

    def hash_of(value: str) -> int:
        from akhbar.transforms.dedup.features import crc_set

        return int(np.frombuffer(crc_set({value}), np.uint32)[0])

    cable = "بعث الملك برقية تهنئة إلى رئيس جمهورية {} بمناسبة العيد الوطني لبلاده"
    morocco, jordan = features(cable.format("المغرب")), features(cable.format("الأردن"))
    assert substituted_in_place(morocco[0], jordan[0], morocco[1], jordan[1])
    # the same two countries, each in a sentence the other text does not have
    first = features("وصل الوفد إلى المغرب صباح اليوم وقال الوزير إن المحادثات كانت مثمرة")
    second = features("وقال الوزير إن المحادثات كانت مثمرة ويتوجه الوفد غدا نحو الأردن")
    assert not substituted_in_place(first[0], second[0], first[1], second[1])
    # an index entry written before slot pairs: the bare value sets decide, as before
    assert substituted_in_place(first[0], second[0], b"", second[1])


def test_a_repost_that_corrects_one_figure_is_a_copy(shared_data) -> None:
    """The outlet reposted a court report with the investigating office's number corrected
    (13 -> 18), every other word the same: judged syndicated. One number each way is no
    template; a weekday each way still is (a hearing adjourned to another day)."""
    from tests.dedup.test_verify import article

    a, b = article("ant:JA-localNews-68-20170123"), article("ant:JA-localNews-73-20170123")
    found = verdict(near_doc(a, DEFAULT_MINHASH), near_doc(b, DEFAULT_MINHASH), DEFAULT_MINHASH)
    assert found.kind is Kind.DUPLICATE, found
    ruling = article("ant:JA-sport-1171-20170506")
    adjourned = article("ant:JA-sport-1164-20170506")
    found = verdict(
        near_doc(ruling, DEFAULT_MINHASH), near_doc(adjourned, DEFAULT_MINHASH), DEFAULT_MINHASH
    )
    assert (found.kind, found.reason) == (Kind.DIFFERENT, "template")


@pytest.mark.parametrize("docno", ["JA-localNews-1029-20170209", "JA-localNews-1041-20170209"])
def test_a_copy_opened_with_the_outlets_own_paragraph_is_no_other_story(
    shared_data, docno: str
) -> None:
    """One outlet opens the wire story with two framing sentences of its own, another drops
    its last sentence: the shorter copy lies whole in the longer one after a third of it, as a
    story appended to another would, but both are titled for the same story. Before, such
    copies of 24 of 26 short ANT reports were "another story in one text"."""
    doc = ant_docs()[docno]
    framed = _copy(docno, -1, "youm7.com", 0, opening=FRAMING)
    sentences = [s for s in SENTENCE_END.split(doc["text"].strip()) if s]
    trimmed = _copy(docno, len(sentences) - 1, "alarabiya.net", 3, title_prefix="عاجل: ")
    found = verdict(
        near_doc(framed, DEFAULT_MINHASH), near_doc(trimmed, DEFAULT_MINHASH), DEFAULT_MINHASH
    )
    assert found.kind is Kind.DUPLICATE, found


def test_two_outlets_trims_below_the_threshold_pass_the_second_stage(shared_data) -> None:
    """Two outlets' copies of a 4-sentence economy report, each without a different sentence,
    estimate 0.68: the second stage asks their numbers and names to agree, and for two
    outlets a value one copy lacks with its sentence is no disagreement (in one outlet's output
    it still is: there a later text that swaps a name or figure has changed a fact)."""
    a = near_doc(_copy("JA-economy-35-20170129", 3, "youm7.com", 0), DEFAULT_MINHASH)
    b = near_doc(_copy("JA-economy-35-20170129", 1, "alarabiya.net", 3), DEFAULT_MINHASH)
    found = verdict(a, b, DEFAULT_MINHASH)
    assert (found.kind, found.reason) == (Kind.DUPLICATE, "second stage"), found


@pytest.mark.parametrize(
    "docno", ["JA-internationalNews-820-20170427", "JA-localNews-755-20160527"]
)
def test_copies_sharing_their_opening_are_no_shared_block(shared_data, docno: str) -> None:
    """Two outlets' copies of a 4-sentence report, one without the third sentence, the other
    without the fourth: the shared marks are one block in each and a third of each is its own,
    as with a programme blurb at the end of two episodes, but here the block is both texts'
    opening, which is where a story tells its news."""
    a = near_doc(_copy(docno, 3, "youm7.com", 0), DEFAULT_MINHASH)
    b = near_doc(_copy(docno, 2, "alarabiya.net", 3), DEFAULT_MINHASH)
    found = verdict(a, b, DEFAULT_MINHASH)
    assert found.kind is Kind.DUPLICATE, found
