"""JSON Lines (plain and gzipped) -> RawItems: aliases, bad lines, truncated archives."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.sources.jsonl import parse_jsonl

from .conftest import NOW, check_results, markup_bytes, split

SAMPLES = Path(__file__).resolve().parents[2] / "seeds" / "samples"


def lines(*records: Any) -> list[bytes]:
    return [
        r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode("utf-8")
        for r in records
    ]


def parse(raw: list[bytes], display: str = "dump.jsonl"):
    return split(list(parse_jsonl(raw, display, NOW, "dump", NOW)))


CANONICAL = {
    "id": "a-1",
    "url": "https://www.hespress.com/a-1.html",
    "source": "hespress.com",
    "title": "عنوان الخبر",
    "published": "2024-03-01T10:00:00+01:00",
    "text": "نص الخبر الكامل.",
}


def test_canonical_fields() -> None:
    [item], rejects = parse(lines(CANONICAL))
    assert rejects == []
    assert (item.guid, item.url, item.source, item.title) == (
        "a-1",
        "https://www.hespress.com/a-1.html",
        "hespress.com",
        "عنوان الخبر",
    )
    assert item.published_raw == "2024-03-01T10:00:00+01:00"
    assert item.body == "نص الخبر الكامل."
    assert item.input_format == "jsonl"
    assert item.origin == "dump.jsonl#line=1"
    assert item.fetched_at == NOW


def test_aliases() -> None:
    record = {
        "guid": "g-7",
        "link": "https://www.youm7.com/story/7",
        "headline": "عنوان بديل",
        "date": "2020-09-10",
        "content": "المحتوى",
        "description": "ملخص",
        "author": [{"name": "أحمد"}, "منى", "أحمد"],
        "tags": "سياسة, اقتصاد",
        "lang": "ar",
    }
    [item], _ = parse(lines(record))
    assert item.guid == "g-7"
    assert item.url == "https://www.youm7.com/story/7"
    assert item.source == "youm7.com"  # from the URL's host when no source field is given
    assert item.title == "عنوان بديل"
    assert item.published_raw == "2020-09-10"
    assert item.body == "المحتوى"
    assert item.summary == "ملخص"
    assert item.authors == ["أحمد", "منى"]
    assert item.categories == ["سياسة", "اقتصاد"]
    assert item.language_declared == "ar"


@pytest.mark.parametrize(
    ("field", "alias"),
    [("text", "body"), ("text", "articleBody"), ("text", "maintext"), ("url", "canonical_url"),
     ("published", "pubDate"), ("published", "datePublished"), ("title", "headline")],
)  # fmt: skip
def test_single_aliases(field: str, alias: str) -> None:
    record = dict(CANONICAL)
    value = record.pop(field)
    record[alias] = value
    [item], _ = parse(lines(record))
    attribute = {"text": "body", "published": "published_raw"}.get(field, field)
    assert getattr(item, attribute) == value


def test_body_falls_back_to_summary_and_source_to_hint() -> None:
    [item], _ = parse(lines({"title": "t", "abstract": "ملخص فقط"}))
    assert item.body == item.summary == "ملخص فقط"
    assert item.source == "dump"
    assert item.url is None and item.guid is None


def test_bad_lines_become_rejects_and_reading_goes_on() -> None:
    raw = lines(
        CANONICAL,
        b'{"id": "broken", "text": "no end',
        b"",
        b"   \t",
        [1, 2, 3],
        b"42",
        b'"a string"',
        b"null",
        b'{"title": "\xff\xfe bad bytes"}',
        {**CANONICAL, "id": "a-2"},
    )
    items, rejects = parse(raw)
    assert [i.guid for i in items] == ["a-1", "a-2"]
    assert [i.origin for i in items] == ["dump.jsonl#line=1", "dump.jsonl#line=10"]
    assert [(r.input, r.reason) for r in rejects] == [
        ("dump.jsonl#line=2", "jsonl:invalid-json"),
        ("dump.jsonl#line=5", "jsonl:not-an-object"),
        ("dump.jsonl#line=6", "jsonl:not-an-object"),
        ("dump.jsonl#line=7", "jsonl:not-an-object"),
        ("dump.jsonl#line=8", "jsonl:not-an-object"),
        ("dump.jsonl#line=9", "jsonl:invalid-utf8"),
    ]
    assert all(r.stage == "parse" and r.detail for r in rejects)
    assert rejects[0].payload == '{"id": "broken", "text": "no end'
    assert rejects[1].detail == "got list"


def test_utf8_bom_is_accepted() -> None:
    [item], _ = parse([b"\xef\xbb\xbf" + json.dumps(CANONICAL).encode()])
    assert item.guid == "a-1"


@pytest.mark.parametrize("opener", ["[", '{"a": '])
def test_deeply_nested_json_does_not_raise(opener: str) -> None:
    raw = [(opener * 100_000).encode(), json.dumps(CANONICAL).encode()]
    items, rejects = parse(raw)
    assert [r.reason for r in rejects] == ["jsonl:invalid-json"]
    assert [i.guid for i in items] == ["a-1"]


@pytest.mark.parametrize("depth", [400, 600, 900])
def test_deep_but_valid_values_do_not_raise(depth: int) -> None:
    # json.loads accepts these; turning the nested lists into text must not blow the stack.
    deep = "[" * depth + '"x"' + "]" * depth
    raw = [f'{{"title": {deep}, "tags": {deep}}}'.encode(), json.dumps(CANONICAL).encode()]
    items, rejects = parse(raw)
    assert items[-1].guid == "a-1"
    assert len(items) + len(rejects) == 2
    assert all(r.reason == "jsonl:bad-record" for r in rejects)


def test_ids_are_stable_and_depend_on_the_record() -> None:
    raw = lines(CANONICAL, {**CANONICAL, "id": "a-2"}, {"title": "no id, no url"})
    first, _ = parse(raw)
    second, _ = parse(raw)
    assert [i.item_id for i in first] == [i.item_id for i in second]
    assert len({i.item_id for i in first}) == 3


def test_sample_file(read_path) -> None:
    items, rejects = read_path(SAMPLES / "jawharafm.jsonl")
    assert len(items) == 14
    assert [(r.input, r.reason) for r in rejects] == [
        ("jawharafm.jsonl#line=9", "jsonl:invalid-json")
    ]
    assert {i.source for i in items} == {"jawharafm.net"}
    assert items[3].published_raw is None  # the item without a date
    aliased = items[5]  # written with "content" and "link"
    assert aliased.origin == "jawharafm.jsonl#line=6"
    assert aliased.url and aliased.url.startswith("http://www.jawharafm.net/ar/article/")
    assert aliased.body and len(aliased.body) > 100
    assert all(i.categories for i in items)


def test_gzip_reads_like_plain(tmp_path: Path, read_path) -> None:
    payload = b"\n".join(lines(CANONICAL, b"not json", {**CANONICAL, "id": "a-2"})) + b"\n"
    plain = tmp_path / "dump.jsonl"
    plain.write_bytes(payload)
    packed = tmp_path / "dump.jsonl.gz"
    packed.write_bytes(gzip.compress(payload))
    plain_items, plain_rejects = read_path(plain)
    gz_items, gz_rejects = read_path(packed)
    assert [i.guid for i in gz_items] == [i.guid for i in plain_items] == ["a-1", "a-2"]
    assert (
        [r.reason for r in gz_rejects]
        == [r.reason for r in plain_rejects]
        == ["jsonl:invalid-json"]
    )
    assert gz_items[0].origin == "dump.jsonl.gz#line=1"
    assert gz_items[0].source == "hespress.com"


def test_gzip_sniffed_without_extension(tmp_path: Path, read_path) -> None:
    path = tmp_path / "export.dat"
    path.write_bytes(gzip.compress(json.dumps(CANONICAL).encode() + b"\n"))
    [item], rejects = read_path(path)
    assert rejects == [] and item.guid == "a-1"


def test_truncated_gzip_keeps_items_before_the_cut(tmp_path: Path, read_path) -> None:
    records = [{**CANONICAL, "id": f"a-{n}", "text": f"نص رقم {n} " * 40} for n in range(400)]
    blob = gzip.compress(b"\n".join(lines(*records)) + b"\n")
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(blob[: len(blob) // 2])
    items, rejects = read_path(path)
    assert 0 < len(items) < 400
    assert [i.guid for i in items] == [f"a-{n}" for n in range(len(items))]  # a prefix, in order
    assert len(rejects) == 1
    assert (rejects[0].input, rejects[0].stage, rejects[0].reason) == (
        "cut.jsonl.gz#tail",
        "read",
        "read:gzip-error",
    )
    assert rejects[0].detail


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=3000), markup_bytes()))
def test_parse_jsonl_never_raises(data: bytes) -> None:
    raw = data.splitlines(keepends=True)
    results = list(parse_jsonl(raw, "random.jsonl", NOW, "random", NOW))
    check_results(results, "random.jsonl")
    assert len(results) == sum(1 for line in raw if line.strip())  # one result per non-blank line


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELD_NAMES = st.sampled_from(
    ["id", "url", "link", "source", "title", "headline", "date", "text", "content", "body",
     "summary", "author", "authors", "tags", "category", "lang", "other"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=8), min_size=1, max_size=5))
def test_any_json_object_becomes_an_item_or_a_reject(records: list[dict[str, Any]]) -> None:
    raw = [json.dumps(r).encode("utf-8") for r in records]
    results = list(parse_jsonl(raw, "gen.jsonl", NOW, "gen", NOW))
    check_results(results, "gen.jsonl")
    assert [r.origin if hasattr(r, "origin") else r.input for r in results] == [
        f"gen.jsonl#line={n}" for n in range(1, len(records) + 1)
    ]
