"""RSS 2.0, RSS 1.0/RDF and Atom feeds -> RawItems: the bundled samples and real-world feeds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.clean import clean_text
from akhbar.transforms.sources.feeds import parse_feed
from akhbar.transforms.sources.files import expand_inputs, read_input_file

from .conftest import NOW, check_results, markup_bytes, markup_text, split

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "seeds" / "samples"
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SEED_TEXT = (DATA / "seed-article-ar.txt").read_text(encoding="utf-8").strip()
SEED_URL = "https://www.youm7.com/story/2020/9/10/السفير-الصينى-مصر-تضامنت-مع-الصين/4971234"

SAMPLE_FEEDS = {"youm7.xml": ("rss", 10), "hespress.rdf": ("rdf", 8), "aljazeera.atom": ("atom", 9)}
REAL_FEEDS = {
    "hespress_via_prospect-rss-feeds.xml": ("rss", 10),
    "rss-parser_encoding.rss": ("rss", 40),
    "rss-parser_feedburner.atom": ("atom", 25),
    "rss-parser_guardian.rss": ("rss", 55),
    "rss-parser_heise.atom": ("atom", 15),
    "rss-parser_reddit-atom.rss": ("rss", 24),
    "rss-parser_uolNoticias.rss": ("rss", 15),
}


def parse(path: Path) -> list:
    return list(parse_feed(path.read_bytes(), path.name, NOW, path.stem, NOW))


@pytest.mark.parametrize("name", sorted(SAMPLE_FEEDS))
def test_sample_feed_format_count_and_origins(name: str) -> None:
    fmt, count = SAMPLE_FEEDS[name]
    items, rejects = split(parse(SAMPLES / name))
    assert rejects == []
    assert len(items) == count
    assert {i.input_format for i in items} == {fmt}
    assert [i.origin for i in items] == [f"{name}#item={n}" for n in range(count)]
    assert len({i.item_id for i in items}) == count
    for item in items:
        assert item.guid and item.url and item.url.startswith("https://")
        assert item.title and item.body
        assert item.authors or name == "youm7.xml"
        assert item.categories
        assert item.published_at is not None
        assert item.published_at.tzinfo is UTC  # normalized to UTC, not just aware
        assert item.fetched_at.tzinfo is not None


@pytest.mark.parametrize("name", sorted(SAMPLE_FEEDS))
def test_ids_are_stable_across_calls(name: str, read_path) -> None:
    first = [i.item_id for i in parse(SAMPLES / name)]
    second = [i.item_id for i in parse(SAMPLES / name)]
    via_file = [i.item_id for i in read_path(SAMPLES / name)[0]]
    assert first == second == via_file
    assert all(len(item_id) == 32 and int(item_id, 16) >= 0 for item_id in first)


def test_rss_content_encoded_beats_description() -> None:
    items, _ = split(parse(SAMPLES / "youm7.xml"))
    seed = items[0]
    assert seed.guid == "youm7-4971234"
    assert seed.url == SEED_URL
    assert seed.title == "السفير الصينى بالقاهرة: مصر تضامنت مع الصين فى مواجهة كورونا"
    assert seed.authors == ["أحمد جمعة"]
    assert seed.categories == ["أخبار عاجلة"]
    assert seed.published_raw == "Thu, 10 Sep 2020 14:05:00 +0200"
    assert seed.published_at == datetime(2020, 9, 10, 12, 5, tzinfo=UTC)
    assert seed.source == "youm7.com"
    assert seed.language_declared == "ar"
    body = clean_text(seed.body)
    paragraphs = [p.strip() for p in SEED_TEXT.split("\n") if p.strip()]
    assert len(paragraphs) > 1
    for paragraph in paragraphs:  # the full article, not just the 200-character description
        assert clean_text(paragraph) in body
    assert seed.summary is not None
    summary = clean_text(seed.summary)
    assert len(summary) <= 200 and SEED_TEXT.startswith(summary)
    assert clean_text(paragraphs[-1]) not in summary
    assert seed.body is not None
    assert "<script" not in seed.body and "trackView" not in seed.body  # sanitized


def test_rss_description_only_item_keeps_markup_as_body() -> None:
    items, _ = split(parse(SAMPLES / "youm7.xml"))
    second = items[1]
    assert second.summary is None  # no content:encoded: the description is the body
    assert second.body is not None and "<p>" in second.body
    assert "<iframe" not in second.body  # feedparser's sanitizer dropped it
    assert (
        second.guid == second.url == "https://www.youm7.com/story/JA-internationalNews-1-20170121"
    )
    assert second.published_at == datetime(2017, 1, 21, 22, 43, tzinfo=UTC)


def test_atom_fields() -> None:
    items, _ = split(parse(SAMPLES / "aljazeera.atom"))
    first = items[0]
    assert first.input_format == "atom"
    assert first.guid == "tag:aljazeera.net,2017:JA-sport-1-20170121"
    assert first.url == "https://www.aljazeera.net/news/ja-sport-1-20170121"
    assert first.authors == ["الجزيرة نت"]
    assert first.categories == ["sport"]
    assert first.published_at == datetime(2017, 1, 21, 19, 46, tzinfo=UTC)
    assert first.source == "aljazeera.net"
    assert first.language_declared == "ar"
    assert first.summary and first.body and len(first.body) > len(first.summary)


def test_rdf_fields() -> None:
    items, _ = split(parse(SAMPLES / "hespress.rdf"))
    assert {i.source for i in items} == {"hespress.com"}
    assert all(i.authors == ["هسبريس"] for i in items)
    assert items[0].guid == items[0].url == "https://www.hespress.com/ja-technology-1-20170121.html"
    assert items[0].published_at == datetime(2017, 1, 21, 21, 37, tzinfo=UTC)
    assert items[0].categories == ["technology"]
    assert items[-1].url is not None and "utm_source=rss" in items[-1].url  # the URL variant


@pytest.mark.parametrize("name", sorted(REAL_FEEDS))
def test_real_feeds(name: str, read_path) -> None:
    fmt, count = REAL_FEEDS[name]
    items, rejects = read_path(DATA / "feeds-real" / name)
    assert rejects == []
    assert len(items) == count
    assert {i.input_format for i in items} == {fmt}
    assert all(i.title and i.url for i in items)
    assert len({i.item_id for i in items}) == count


def test_hespress_real_feed_declares_english() -> None:
    items, _ = split(parse(DATA / "feeds-real" / "hespress_via_prospect-rss-feeds.xml"))
    assert len(items) == 10
    # The feed says <language>en</language> on Arabic items: recorded as declared, detected later.
    assert {i.language_declared for i in items} == {"en"}
    assert items[0].title == '"بيت مال القدس" تطلق حملة رمضان'
    assert items[0].published_at == datetime(2026, 2, 15, 2, 19, tzinfo=UTC)
    assert all(i.url and i.url.startswith("https://www.hespress.com/") for i in items)
    assert all(i.guid == i.url for i in items)


def test_latin1_feed_is_decoded() -> None:
    items, _ = split(parse(DATA / "feeds-real" / "rss-parser_encoding.rss"))
    assert items[0].title == "Mãe de utente é a nova presidente da Raríssimas"
    assert items[0].language_declared == "pt-pt"


ILLFORMED = sorted(p for p in (DATA / "feedparser-suite" / "illformed").rglob("*") if p.is_file())
ILLFORMED_WITH_ITEMS = {
    "chardet/eucjp.xml", "chardet/euckr.xml", "chardet/gb2312.xml", "chardet/koi8r.xml",
    "chardet/shiftjis.xml", "chardet/tis620.xml", "chardet/windows1255.xml",
    "geo/georss_point_no_coords.xml", "geo/georss_polygon_insufficient_coords.xml",
    "geo/gml_point.xml", "rdf_channel_empty_textinput.xml", "rss_incomplete_cdata.xml",
    "rss_item_link_corrupted_ampersands.xml",
}  # fmt: skip


def test_illformed_suite_is_complete() -> None:
    assert len(ILLFORMED) == 19
    names = {p.relative_to(DATA / "feedparser-suite" / "illformed").as_posix() for p in ILLFORMED}
    assert names >= ILLFORMED_WITH_ITEMS


@pytest.mark.parametrize("path", ILLFORMED, ids=lambda p: p.name)
def test_illformed_feeds_never_raise(path: Path, read_path) -> None:
    items, rejects = read_path(path)
    rel = path.relative_to(DATA / "feedparser-suite" / "illformed").as_posix()
    if rel in ILLFORMED_WITH_ITEMS:
        assert items and not rejects
    else:
        assert not items and len(rejects) == 1
    for reject in rejects:
        assert reject.reason.startswith(("feed:", "xml:")) and reject.stage == "parse"
        assert reject.detail and reject.input == path.name
    assert all(i.origin.startswith(f"{path.name}#item=") for i in items)


def test_illformed_doctype_with_system_id_is_refused(read_path) -> None:
    path = DATA / "feedparser-suite" / "illformed" / "always_strip_doctype.xml"
    assert [r.reason for r in read_path(path)[1]] == ["xml:external-dtd"]


def test_whole_feedparser_suite_never_raises() -> None:
    files = expand_inputs([str(DATA / "feedparser-suite")])
    assert len(files) == 203
    reasons: Counter[str] = Counter()
    files_with_items = 0
    for input_file in files:
        items, rejects = split(list(read_input_file(input_file, NOW)))
        assert items or rejects, input_file.display
        assert all(r.reason and r.stage and r.detail for r in rejects)
        reasons.update(r.reason for r in rejects)
        files_with_items += bool(items)
    # Most suite files test channel-level elements only, so "no items" is the expected outcome.
    assert files_with_items == 87
    assert reasons == {"feed:no-items": 114, "feed:parse-error": 1, "xml:external-dtd": 1}


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=3000), markup_bytes()))
def test_parse_feed_never_raises(data: bytes) -> None:
    results = list(parse_feed(data, "random.xml", NOW, "random", NOW))
    check_results(results, "random.xml")
    assert results  # always something: items, or one reject saying why not


@settings(max_examples=150, deadline=None)
@given(st.lists(markup_text(), min_size=1, max_size=5))
def test_parse_feed_on_generated_items(titles: list[str]) -> None:
    items_xml = "".join(
        f"<item><title>{escape(t)}</title><description>{escape(t)}</description>"
        f"<link>https://www.youm7.com/{n}</link></item>"
        for n, t in enumerate(titles)
    )
    data = f'<rss version="2.0"><channel><title>c</title>{items_xml}</channel></rss>'
    items, rejects = split(list(parse_feed(data.encode("utf-8"), "gen.xml", NOW, "gen", NOW)))
    assert rejects == []
    assert [i.url for i in items] == [f"https://www.youm7.com/{n}" for n in range(len(titles))]
