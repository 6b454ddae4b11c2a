"""akhbar.transforms.coders and compact pickling: what crosses a shuffle comes back equal.

The record types have Beam coders (``transforms.coders``: compact pickle, LZ4 for records
with text), registered so that every runner uses them, and the steps that produce records
declare their types so that Beam picks them. Every field, defaults and nested records
included, must round-trip.
"""

from __future__ import annotations

import pickle

import pytest

from akhbar.schemas.records import Article, Duplicate, Reject
from akhbar.transforms.coders import PlainRecordCoder, TextRecordCoder
from akhbar.transforms.dedup.exact import DedupGroup, Survivor
from akhbar.transforms.dedup.keys import dedup_key
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.near import PartitionResult
from akhbar.transforms.dedup.near_cluster import OversizedBand, Target, near_doc
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
        dedup_key(article, DEFAULT_MINHASH),
        dedup_key(article, None),
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
            (("a", "c"),),
            frozenset({"a"}),
            {"p": prior},
            (OversizedBand(9),),
        ),
    ]


@pytest.mark.parametrize("value", values(), ids=lambda v: type(v).__name__)
def test_round_trip(value: object) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
    for coder in (TextRecordCoder(), PlainRecordCoder()):
        assert coder.decode(coder.encode(value)) == value


def test_large_values_are_compressed_and_small_ones_are_not() -> None:
    """A real article (its text is kilobytes of Arabic) shrinks; a duplicate row stays raw."""
    from akhbar.seeds.ant import read_ant_docs

    text = next(d["text"] for d in read_ant_docs() if len(d["text"]) > 3000)
    article = story("big", text, hours=1)
    coder = TextRecordCoder()
    encoded = coder.encode(article)
    assert encoded[:1] == b"\x01" and len(encoded) < 0.7 * len(pickle.dumps(article))
    assert coder.decode(encoded) == article
    small = make_duplicate("d", "a")
    assert coder.encode(small)[:1] == b"\x00" and coder.decode(coder.encode(small)) == small
    assert PlainRecordCoder().encode(article)[:1] == b"\x00"  # never compressed


def test_records_pickle_compactly() -> None:
    """(class, values) and no per-object field-name dict: the pickle names no field."""
    for record in (v for v in values() if isinstance(v, Article | Duplicate | Reject)):
        assert b"text_normalized" not in pickle.dumps(record)


def test_the_registry_gives_each_record_its_coder() -> None:
    from apache_beam.coders import registry

    from akhbar.schemas.records import RawItem, Record

    for record_type in (RawItem, Article, Record):
        assert isinstance(registry.get_coder(record_type), TextRecordCoder), record_type
    for record_type in (Duplicate, Reject):
        assert isinstance(registry.get_coder(record_type), PlainRecordCoder), record_type


def test_the_pipeline_moves_bodies_with_the_record_coder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The bodies' PCollections (prepared articles, routed articles, records keyed for the
    writer) are typed, so their coders are akhbar's, not Beam's pickling fallback."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from akhbar.pipelines.ingest import build_pipeline, plan_from_options

    options = PipelineOptions(["--output", str(tmp_path / "out")])
    pipeline = beam.Pipeline(runner="FnApiRunner", options=options)
    build_pipeline(pipeline, plan_from_options(options), "FnApiRunner")
    proto = pipeline.to_runner_api()
    coders = proto.components.coders
    pcolls = proto.components.pcollections

    def coder_names(label_part: str) -> set[str]:
        found = set()
        for transform in proto.components.transforms.values():
            if label_part in transform.unique_name and not transform.subtransforms:
                for pcoll in transform.outputs.values():
                    found.add(_describe(coders, pcolls[pcoll].coder_id))
        return found

    assert any("TextRecordCoder" in c for c in coder_names("Prepare/CleanNormalizeExtract"))
    assert any("TextRecordCoder" in c for c in coder_names("Route/ApplyDecisions"))
    assert any("TextRecordCoder" in c for c in coder_names("Write/KeyByPartition0"))


def _describe(coders, coder_id: str) -> str:  # type: ignore[no-untyped-def]
    """A coder and its components, with pickled Python coders named by their class."""
    spec = coders[coder_id]
    own = spec.spec.urn
    if own.endswith("pickled_python") or "python" in own:
        own += ":" + repr(spec.spec.payload[:4000])
    return " ".join([own, *(_describe(coders, c) for c in spec.component_coder_ids)])
