"""akhbar.transforms.packed and compact pickling: what crosses a shuffle comes back equal.

Heavy values are pickled by the producer and unpickled by the consumer (transforms.packed), and
the records and dedup values pickle as (class, field values) (schemas.records.compact_pickle).
Both must round-trip every field, defaults and nested records included.
"""

from __future__ import annotations

import pickle

import pytest
from akhbar.schemas.records import Article, Duplicate, Reject
from akhbar.transforms.dedup.exact import DedupGroup, Survivor
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near import PartitionResult
from akhbar.transforms.dedup.near_cluster import OversizedBand, Target, near_doc
from akhbar.transforms.packed import pack, packed_pair, unpack, unpack_all

from tests.dedup.stories import story
from tests.helpers import make_duplicate, make_raw, make_reject_row


def values() -> list[object]:
    article = story("a", "نص الخبر الأول عن الاقتصاد والسياسة في المنطقة", hours=1)
    doc = near_doc(article, DEFAULT_MINHASH)
    prior = near_doc(story("p", "خبر سابق نشر أمس", hours=None), DEFAULT_MINHASH)
    prior = type(prior)(**{**{f: getattr(prior, f) for f in prior.__slots__}, "prior": True})
    return [
        make_raw(body="<p>نص</p>", authors=["كاتب"]),
        article,
        make_duplicate("d", "a"),
        make_reject_row(source=None),
        Survivor(article, [story("b", "نسخة", hours=2)]),
        DedupGroup(article, [make_duplicate("d", "a")]),
        doc,
        prior,
        Target("c", (prior,)),
        PartitionResult(
            frozenset({("a", "b")}),
            (("a", "b"),),
            frozenset({"a"}),
            {"p": prior},
            (OversizedBand(9),),
        ),
    ]


@pytest.mark.parametrize("value", values(), ids=lambda v: type(v).__name__)
def test_round_trip(value: object) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
    assert unpack(pack(value)) == value
    assert unpack_all([pack(value), pack(value)]) == [value, value]
    key, packed = packed_pair(("articles", "2026-11-29", "s"), value)
    assert key == ("articles", "2026-11-29", "s") and isinstance(packed, bytes)
    assert unpack(packed) == value


def test_large_values_are_compressed_and_small_ones_are_not() -> None:
    """A real article (its text is kilobytes of Arabic) shrinks; a duplicate row stays raw."""
    from akhbar.seeds.ant import read_ant_docs

    text = next(d["text"] for d in read_ant_docs() if len(d["text"]) > 3000)
    article = story("big", text, hours=1)
    packed = pack(article)
    assert packed[:1] == b"\x01" and len(packed) < 0.7 * len(pickle.dumps(article))
    assert unpack(packed) == article
    small = make_duplicate("d", "a")
    assert pack(small)[:1] == b"\x00" and unpack(pack(small)) == small


def test_records_pickle_compactly() -> None:
    """(class, values) and no per-object field-name dict: the pickle names no field."""
    for record in (v for v in values() if isinstance(v, Article | Duplicate | Reject)):
        assert b"text_normalized" not in pickle.dumps(record)
