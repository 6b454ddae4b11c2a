"""Every configurable limit at its boundary: exactly N passes, N+1 is limited, with its reason.

The readers and the prepare step are called directly with small limits; one CLI run then shows
that the command-line options reach them. The HTTP limits (--max-fetch-bytes, --max-redirects)
are tested against a local server in tests/http/test_fetch_limits.py.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from akhbar.schemas.records import Article, RawItem, Reject
from akhbar.transforms.prepare import RAW_MARKUP_FACTOR, PrepareConfig, prepare_item
from akhbar.transforms.sources.files import InputFile, read_input_file
from akhbar.transforms.sources.limits import HTML_MAX_DEPTH, ReadLimits
from tests.conftest import run_akhbar
from tests.hardening.hostile import ARABIC
from tests.helpers import NOW, make_raw


def read(path: Path, **limits: int) -> tuple[list[RawItem], list[Reject]]:
    results = list(
        read_input_file(InputFile(str(path), path.name), NOW, limits=ReadLimits(**limits))
    )
    return (
        [r for r in results if isinstance(r, RawItem)],
        [r for r in results if isinstance(r, Reject)],
    )


def rss(items: int, inside_item: str = "") -> bytes:
    """A feed of ``items`` items; rss=1, channel=2, item=3, so ``inside_item`` starts at 4."""
    body = "".join(
        f"<item><title>خبر {i}</title><link>https://limits.example/{i}</link>"
        f"<description>{ARABIC} {i}</description>{inside_item}</item>"
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://limits.example/</link>{body}</channel></rss>"
    ).encode()


# --- --max-file-bytes -------------------------------------------------------------------------


@pytest.mark.parametrize("packed", [False, True])
def test_file_bytes(tmp_path: Path, packed: bool) -> None:
    """The size that counts is the inflated one: a gzip is never trusted by its size on disk."""
    data = rss(2)
    path = tmp_path / ("f.xml.gz" if packed else "f.xml")
    path.write_bytes(gzip.compress(data) if packed else data)
    items, rejects = read(path, max_file_bytes=len(data))
    assert len(items) == 2 and rejects == []
    items, rejects = read(path, max_file_bytes=len(data) - 1)
    assert items == [] and [r.reason for r in rejects] == ["read:too-large"]


def test_file_bytes_of_jsonl(tmp_path: Path) -> None:
    data = (json.dumps({"id": "a", "text": ARABIC}) + "\n").encode()
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    assert len(read(path, max_file_bytes=len(data))[0]) == 1
    assert [r.reason for r in read(path, max_file_bytes=len(data) - 1)[1]] == ["read:too-large"]


# --- --max-feed-items -------------------------------------------------------------------------


def test_feed_items(tmp_path: Path) -> None:
    path = tmp_path / "f.xml"
    path.write_bytes(rss(5))
    items, rejects = read(path, max_feed_items=5)
    assert len(items) == 5 and rejects == []
    items, rejects = read(path, max_feed_items=4)
    assert len(items) == 4 and [r.reason for r in rejects] == ["feed:too-many-items"]
    # the rejected item keeps the id it has when it is read: no item changes identity
    assert rejects[0].id == read(path, max_feed_items=5)[0][4].item_id
    assert rejects[0].input == "f.xml#item=4" and "limits.example/4" in rejects[0].payload


# --- --max-depth ------------------------------------------------------------------------------


def nested_json(depth: int) -> str:
    """A record whose deepest value sits ``depth`` containers down (the record itself is 1)."""
    return json.dumps(
        {"id": "d", "text": ARABIC, "x": json.loads("[" * (depth - 1) + "]" * (depth - 1))}
    )


@pytest.mark.parametrize("limit", [3, 40])
def test_json_depth(tmp_path: Path, limit: int) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(nested_json(limit) + "\n" + nested_json(limit + 1) + "\n")
    items, rejects = read(path, max_depth=limit)
    assert [i.origin for i in items] == ["f.jsonl#line=1"]
    assert [(r.input, r.reason) for r in rejects] == [("f.jsonl#line=2", "jsonl:too-deep")]


def test_json_with_many_brackets_but_shallow_passes(tmp_path: Path) -> None:
    """More brackets than the limit is not the same as deeper than the limit."""
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps({"text": ARABIC, "tags": [{"n": i} for i in range(50)]}) + "\n")
    items, rejects = read(path, max_depth=3)
    assert len(items) == 1 and rejects == []
    assert [r.reason for r in read(path, max_depth=2)[1]] == ["jsonl:too-deep"]


def test_xml_depth(tmp_path: Path) -> None:
    limit = 10
    for extra, reasons in ((limit - 3, []), (limit - 2, ["xml:too-deep"])):
        path = tmp_path / "f.xml"
        path.write_bytes(rss(2, "<x>" * extra + "</x>" * extra))  # deepest element: 3 + extra
        items, rejects = read(path, max_depth=limit)
        assert [r.reason for r in rejects] == reasons
        assert len(items) == (0 if reasons else 2)


def page(divs: int) -> bytes:
    """html=1, body=2, then ``divs`` nested divs: the deepest element is at 2 + divs."""
    inner = "<div>" * divs + f"<p>{ARABIC}</p>" + "</div>" * divs
    return f"<html><head><meta charset='utf-8'></head><body>{inner}</body></html>".encode()


@pytest.mark.parametrize("limit", [20, 100])
def test_html_depth(tmp_path: Path, limit: int) -> None:
    path = tmp_path / "p.html"
    path.write_bytes(page(limit - 3))  # the <p> in the innermost div is at depth `limit`
    items, rejects = read(path, max_depth=limit)
    assert len(items) == 1 and rejects == [] and ARABIC in (items[0].body or "")
    path.write_bytes(page(limit - 2))
    items, rejects = read(path, max_depth=limit)
    assert items == [] and [r.reason for r in rejects] == ["html:too-deep"]


def test_html_deeper_than_the_parser_goes_is_rejected_not_read_empty(tmp_path: Path) -> None:
    """libxml2 builds at most 256 levels and drops the rest without an error; the page is
    rejected instead, whatever --max-depth allows."""
    path = tmp_path / "p.html"
    path.write_bytes(page(HTML_MAX_DEPTH - 3))
    items, rejects = read(path, max_depth=HTML_MAX_DEPTH + 100)
    assert len(items) == 1 and ARABIC in (items[0].body or "")
    path.write_bytes(page(HTML_MAX_DEPTH - 2))
    items, rejects = read(path, max_depth=HTML_MAX_DEPTH + 100)
    assert items == [] and [r.reason for r in rejects] == ["html:too-deep"]


# --- --max-text-chars -------------------------------------------------------------------------


def prepared(limit: int, **fields: str) -> Article:
    article = prepare_item(make_raw(**fields), PrepareConfig(max_text_chars=limit), NOW)
    assert isinstance(article, Article), article
    return article


@pytest.mark.parametrize("field", ["body", "title", "summary"])
def test_text_chars(field: str) -> None:
    limit = 60
    base = {"body": "ب" * 40, "summary": "ملخص " * 5, "title": "عنوان"}  # all within the limit
    column = {"body": "text", "title": "title", "summary": "summary"}[field]
    exact = prepared(limit, **{**base, field: "ع" * limit})
    assert getattr(exact, column) == "ع" * limit and exact.truncated is False
    over = prepared(limit, **{**base, field: "ع" * (limit + 1)})
    assert getattr(over, column) == "ع" * limit and over.truncated is True


def test_text_is_cut_between_words_and_the_flag_is_set() -> None:
    article = prepared(100, body=ARABIC * 3)
    assert article.truncated and len(article.text) <= 100
    assert ARABIC.startswith(article.text) and ARABIC[len(article.text)] == " "
    assert article.char_count == len(article.text)


def test_markup_is_cut_before_cleaning() -> None:
    """A raw body past RAW_MARKUP_FACTOR x the limit is cut before the HTML parser sees it;
    the article is flagged even though its remaining text fits."""
    limit = 50
    text = "ع" * 40
    at_cap = f"<p>{text}</p>".ljust(limit * RAW_MARKUP_FACTOR)
    assert prepared(limit, body=at_cap).truncated is False
    over = prepared(limit, body=at_cap + " ")
    assert over.text == text and over.truncated is True


# --- the options reach the workers ------------------------------------------------------------


@pytest.mark.slow
def test_cli_options_reach_the_readers_and_the_prepare_step(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "feed.xml").write_bytes(rss(3))  # rss > channel > item > title: depth 4
    (inputs / "deep.jsonl").write_text(nested_json(4) + "\n" + nested_json(5) + "\n")
    (inputs / "long.jsonl").write_text(json.dumps({"id": "l", "text": ARABIC * 3}) + "\n")
    (inputs / "deep.html").write_bytes(page(2))  # depth 5
    largest = max(p.stat().st_size for p in inputs.iterdir())
    (inputs / "big.xml").write_bytes(rss(9))
    assert (inputs / "big.xml").stat().st_size > largest
    output = tmp_path / "out"
    proc = run_akhbar(
        "ingest", "--input", str(inputs), "--output", str(output),
        "--max-feed-items", "2", "--max-depth", "4", "--max-text-chars", "300",
        "--max-file-bytes", str(largest),
        "--no-near-dedup",  # the items share one Arabic text: near copies of each other
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    record = json.loads(next((output / "_runs").glob("*.json")).read_text())
    assert record["rejects_by_reason"] == {
        "feed:too-many-items": 1,
        "html:too-deep": 1,
        "jsonl:too-deep": 1,
        "read:too-large": 1,
    }
    import pyarrow.dataset as ds

    articles = ds.dataset(output / "articles", partitioning="hive").to_table().to_pylist()
    assert {a["origin"]: a["truncated"] for a in articles} == {
        "feed.xml#item=0": False,
        "feed.xml#item=1": False,
        "deep.jsonl#line=1": False,
        "long.jsonl#line=1": True,
    }
    assert max(len(a["text"]) for a in articles) <= 300 < len(ARABIC * 3)


@pytest.mark.slow
@pytest.mark.parametrize(
    "option", [["--max-depth", "0"], ["--max-text-chars", "x"], ["--max-redirects", "-1"]]
)
def test_bad_limit_values_are_usage_errors(tmp_path: Path, option: list[str]) -> None:
    proc = run_akhbar("ingest", "--output", str(tmp_path / "out"), *option)
    assert proc.returncode == 2 and option[0] in proc.stderr
    assert not (tmp_path / "out").exists()
