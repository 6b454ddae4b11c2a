"""Saved article pages -> one RawItem: real pages against their expected metadata, and fallbacks."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.clean import clean_text
from akhbar.transforms.sources.html_page import parse_html_page

from .conftest import NOW, check_results, markup_bytes, only_item, only_reject, split

PAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "articles-html"
SAMPLES = Path(__file__).resolve().parents[2] / "seeds" / "samples"
N4K_META = json.loads((PAGES / "newspaper4k_arabic_article.expected_metadata.json").read_text())
FUNDUS = json.loads((PAGES / "fundus_LBCGroup.expected.json").read_text())["V1"]
FUNDUS_URL = json.loads((PAGES / "fundus_LBCGroup.meta.info").read_text())[
    "LBCGroup_2026_01_08.html.gz"
]["url"]
CNN_TITLE = N4K_META["title"]
CNN_URL = N4K_META["url"]
ASSABAH_TITLE = (
    "الناشط الحقوقي السوداني خالد عبد الكريم ماسا لـ«الصباح»:  "
    "كل الشروط متوفرة لثورة سودانية ولا حاجة لنستورد شيئا"
)

# file -> (title, url, published_raw, source)
REAL_PAGES = {
    "newspaper4k_arabic_article.html": (CNN_TITLE, CNN_URL, None, "arabic.cnn.com"),
    "goose3_cnn_arabic.html": (CNN_TITLE, CNN_URL, None, "arabic.cnn.com"),
    "trafilatura_assabah.com.tn.article.html": (
        ASSABAH_TITLE,
        "http://www.assabah.com.tn/article/164913/%D8%A7%D9%84%D9%86%D8%A7%D8%B4%D8%B7-",
        None,
        "assabah.com.tn",
    ),
    "fundus_LBCGroup_2026_01_08.html": (
        "&quot;شعر وردي يُشعل السخرية&quot;… لغز لون شعر دونالد ترامب يربك الجمهور وخبير يشرح السبب",
        FUNDUS_URL,
        "2026-01-08T11:42:50+00:00",
        "lbcgroup.tv",
    ),
}


def page(path: Path):
    items, rejects = split(list(parse_html_page(path.read_bytes(), path.name, NOW, "hint", NOW)))
    assert rejects == []
    [item] = items
    return item


def test_every_real_page_is_covered() -> None:
    assert sorted(p.name for p in PAGES.glob("*.html")) == sorted(REAL_PAGES)


@pytest.mark.parametrize("name", sorted(REAL_PAGES))
def test_real_page_metadata(name: str) -> None:
    title, url, published, source = REAL_PAGES[name]
    item = page(PAGES / name)
    assert item.title == title
    assert item.url is not None and item.url.startswith(url)
    assert item.published_raw == published
    assert item.source == source
    assert item.language_declared == "ar"
    assert item.input_format == "html"
    assert item.origin == f"{name}#page"
    assert len(clean_text(item.body)) > 500


def test_newspaper4k_expected_metadata_and_text() -> None:
    item = page(PAGES / "newspaper4k_arabic_article.html")
    assert item.title == N4K_META["title"]
    assert item.url == N4K_META["url"] == N4K_META["canonical_link"]
    assert N4K_META["publish_date"] is None and item.published_raw is None
    body = clean_text(item.body)
    expected = [p for p in N4K_META["text"].split("\n\n") if p.strip()]
    assert expected[0] in body
    assert sum(p in body for p in expected) >= len(expected) - 1


def test_cnn_near_duplicate_pair_gives_the_same_id() -> None:
    first = page(PAGES / "newspaper4k_arabic_article.html")
    second = page(PAGES / "goose3_cnn_arabic.html")
    assert (first.title, first.url) == (second.title, second.url)
    assert first.item_id != second.item_id  # ids include the origin (file name)


def test_fundus_page_against_expected() -> None:
    item = page(PAGES / "fundus_LBCGroup_2026_01_08.html")
    # The JSON-LD headline carries HTML-escaped quotes; fundus drops them, clean_text unescapes.
    assert clean_text(item.title).replace('"', "") == FUNDUS["title"]
    published = datetime.fromisoformat(item.published_raw or "")
    assert published == datetime.fromisoformat(FUNDUS["publishing_date"])
    body = clean_text(item.body)
    paragraphs = FUNDUS["body"]["sections"][0]["paragraphs"]
    assert paragraphs[0] in body
    assert all(p in body for p in paragraphs)
    assert item.authors == ["LBCI"]


def test_gzipped_page_reads_like_the_plain_one(read_path) -> None:
    [plain], _ = read_path(PAGES / "fundus_LBCGroup_2026_01_08.html")
    [packed], rejects = read_path(PAGES / "fundus_LBCGroup_2026_01_08.html.gz")
    assert rejects == []
    assert (packed.title, packed.url, packed.body) == (plain.title, plain.url, plain.body)


def test_sample_page() -> None:
    item = page(SAMPLES / "masrawy-article.html")
    assert item.url == "https://www.masrawy.com/news/news_egypt/details/2020/9/10/1873456/"
    assert item.source == "masrawy.com"
    assert item.published_raw == "2020-09-10T16:30:00+02:00"
    assert item.authors == ["محرر مصراوي"] and item.categories == ["سياسة"]
    body = clean_text(item.body)
    assert body.startswith("قال السفير الصِّينى بالقاهرة")  # no nav, no headline
    assert "| رياضة" not in body and "جميع الحقوق محفوظة" not in body  # nav and footer dropped


def _html(head: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8">{head}</head>'
        f"<body>{body}</body></html>"
    ).encode()


ARTICLE_BODY = "<article>" + "<p>فقرة طويلة من نص الخبر تكفي لتحسب من المتن الرئيسي للصفحة.</p>" * 3
GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebPage", "name": "صفحة", "url": "https://example.com/page"},
        {"@type": "Organization", "name": "المنظمة"},
        {
            "@type": ["NewsArticle"],
            "headline": "عنوان من JSON-LD",
            "url": "https://www.alquds.co.uk/news/1",
            "datePublished": "2024-05-01T08:00:00+03:00",
            "dateModified": "2024-05-02T08:00:00+03:00",
            "author": [{"@type": "Person", "name": "سارة"}, {"name": "سارة"}, "خالد"],
            "articleSection": ["سياسة"],
            "keywords": "فلسطين, غزة",
            "identifier": "alquds-1",
            "inLanguage": "ar-PS",
            "articleBody": "متن المقال من JSON-LD",
        },
    ],
}


def test_jsonld_news_article_inside_graph() -> None:
    data = _html(
        '<title>عنوان الصفحة</title><meta property="og:title" content="عنوان OG">'
        f'<script type="application/ld+json">{json.dumps(GRAPH, ensure_ascii=False)}</script>',
        ARTICLE_BODY,
    )
    item = only_item(parse_html_page(data, "alquds.html", NOW, "hint", NOW))
    assert item.title == "عنوان من JSON-LD"
    assert item.url == "https://www.alquds.co.uk/news/1"
    assert item.source == "alquds.co.uk"
    assert item.published_raw == "2024-05-01T08:00:00+03:00"
    assert item.authors == ["سارة", "خالد"]
    assert item.categories == ["سياسة", "فلسطين", "غزة"]
    assert item.guid == "alquds-1"
    assert item.language_declared == "ar-PS"
    assert item.body == "متن المقال من JSON-LD"


def test_broken_and_commented_jsonld() -> None:
    article = {"@type": "NewsArticle", "headline": "من داخل CDATA"}
    data = _html(
        '<script type="application/ld+json">{not json</script>'
        '<script type="application/ld+json">//<![CDATA[\n'
        f"{json.dumps(article, ensure_ascii=False)}\n//]]></script>",
        ARTICLE_BODY,
    )
    item = only_item(parse_html_page(data, "c.html", NOW, "hint", NOW))
    assert item.title == "من داخل CDATA"


def test_opengraph_fallback_without_jsonld() -> None:
    data = _html(
        "<title>عنوان الصفحة | الموقع</title>"
        '<meta property="og:title" content="عنوان OG">'
        '<meta property="og:url" content="https://www.hespress.com/og-1.html">'
        '<meta property="og:description" content="وصف OG">'
        '<meta property="article:published_time" content="2024-06-01T09:00:00Z">'
        '<meta property="article:author" content="كاتب">'
        '<meta property="article:section" content="مجتمع">'
        '<meta property="article:tag" content="مغرب">',
        "<nav><p>قائمة التنقل التي لا يجب أن تعد من المتن أبدا</p></nav>" + ARTICLE_BODY,
    )
    item = only_item(parse_html_page(data, "og.html", NOW, "hint", NOW))
    assert item.title == "عنوان OG"
    assert item.url == "https://www.hespress.com/og-1.html"
    assert item.source == "hespress.com"
    assert item.summary == "وصف OG"
    assert item.published_raw == "2024-06-01T09:00:00Z"
    assert item.authors == ["كاتب"]
    assert item.categories == ["مجتمع", "مغرب"]
    assert item.guid is None
    body = clean_text(item.body)
    assert body.count("فقرة طويلة") == 3 and "قائمة التنقل" not in body


def test_plain_meta_fallback() -> None:
    data = _html(
        '<title>عنوان من وسم title</title><meta name="description" content="وصف">'
        '<meta name="date" content="2023-01-02"><meta name="author" content="محرر">',
        "<header><p>رأس الصفحة لا يدخل في المتن مهما طال نصه هنا</p></header>" + ARTICLE_BODY,
    )
    item = only_item(parse_html_page(data, "meta.html", NOW, "meta", NOW))
    assert item.title == "عنوان من وسم title"
    assert item.url is None
    assert item.source == "meta"  # no URL, no site name: the file's hint
    assert item.published_raw == "2023-01-02"
    assert item.authors == ["محرر"]
    assert item.summary == "وصف"
    assert item.language_declared == "ar"
    assert "رأس الصفحة" not in clean_text(item.body)


def test_undeclared_utf8_page_is_not_mojibake() -> None:
    data = "<html><head><title>عنوان</title></head><body><p>نص عربي</p></body></html>"
    item = only_item(parse_html_page(data.encode("utf-8"), "u.html", NOW, "u", NOW))
    assert item.title == "عنوان"
    assert clean_text(item.body) == "نص عربي"
    windows = '<html><head><meta charset="windows-1256"><title>عنوان</title></head></html>'
    item = only_item(parse_html_page(windows.encode("cp1256"), "w.html", NOW, "w", NOW))
    assert item.title == "عنوان"


@pytest.mark.parametrize("data", [b"", b"   \n", b"<!-- only a comment -->"])
def test_empty_documents_are_rejected(data: bytes) -> None:
    reject = only_reject(parse_html_page(data, "empty.html", NOW, "e", NOW))
    assert (reject.stage, reject.reason, reject.input) == (
        "parse",
        "html:empty-document",
        "empty.html",
    )


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=3000), markup_bytes()))
def test_parse_html_page_never_raises(data: bytes) -> None:
    results = list(parse_html_page(data, "random.html", NOW, "random", NOW))
    check_results(results, "random.html")
    assert len(results) == 1
