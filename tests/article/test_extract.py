"""extract_article_page: real pages, where each fact comes from, decoding, rejects, fuzzing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.schemas.records import RawItem, Reject
from akhbar.transforms.clean import clean_text
from akhbar.transforms.sources.article import (
    ArticleConfig,
    extract_article_page,
    structured_date,
)
from akhbar.transforms.sources.encoding import decode_document
from akhbar.transforms.sources.html_page import parse_html_page
from benchmarks.article_extraction import expected_texts
from tests.conftest import REPO
from tests.sources.conftest import markup_bytes

from .conftest import NOW, PAGES

CNN_URL = "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html"
FUNDUS_URL = json.loads((PAGES / "fundus_LBCGroup.meta.info").read_text())[
    "LBCGroup_2026_01_08.html.gz"
]["url"]
# page -> (url, published_raw, source, authors). Dates: JSON-LD for LBCI, the RDFa dc:date of
# the Assabah page (html_page reads only <meta>), none at all on the 2013 CNN page.
REAL = {
    "newspaper4k_arabic_article.html": (CNN_URL, None, "arabic.cnn.com", []),
    "goose3_cnn_arabic.html": (CNN_URL, None, "arabic.cnn.com", []),
    "fundus_LBCGroup_2026_01_08.html": (
        FUNDUS_URL,
        "2026-01-08T11:42:50+00:00",
        "lbcgroup.tv",
        ["LBCI"],
    ),
    "trafilatura_assabah.com.tn.article.html": (
        "http://www.assabah.com.tn/article/164913/",
        "2019-02-08T00:00:00+01:00",
        "assabah.com.tn",
        [],
    ),
}
TITLES = {e.page: e.title for e in expected_texts()}


def item_of(result: RawItem | Reject) -> RawItem:
    assert isinstance(result, RawItem), result
    return result


def test_every_real_page_is_covered() -> None:
    pages = sorted(p.name for p in PAGES.glob("*.html"))
    assert pages == sorted(REAL) == sorted(TITLES)


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_page(name: str) -> None:
    url, published, source, authors = REAL[name]
    data = (PAGES / name).read_bytes()
    item = item_of(extract_article_page(data, None, NOW, "hint", NOW, origin=name))
    assert clean_text(item.title).replace('"', "") == TITLES[name]
    assert item.url is not None and item.url.startswith(url)
    assert item.published_raw == published
    assert (item.source, item.authors, item.language_declared) == (source, authors, "ar")
    assert (item.origin, item.input_format, item.fetched_at) == (name, "html", NOW)
    body = item.body or ""
    assert "<" not in body and "\n\n" in body  # plain paragraphs, not markup
    assert len(clean_text(body)) > 1000
    # The facts are those of the saved-page parser wherever it has them (one RawItem shape).
    [page] = parse_html_page(data, name, NOW, "hint", NOW)
    assert isinstance(page, RawItem)
    assert (item.title, item.url, item.guid, item.summary) == (
        page.title,
        page.url,
        page.guid,
        page.summary,
    )


def test_trafilatura_drops_the_navigation_the_heuristic_cannot() -> None:
    nav = "<ul>" + "".join(f"<li><a href='/s/{i}'>قسم الأخبار رقم {i}</a></li>" for i in range(40))
    paragraphs = "".join(
        f"<p>فقرة طويلة رقم {i} من نص الخبر تكفي لتحسب من المتن الرئيسي للصفحة، وفيها كلام.</p>"
        for i in range(6)
    )
    html = (
        '<html lang="ar"><head><meta charset="utf-8"><title>خبر</title></head><body>'
        f"<div class='menu'>{nav}</ul></div><article>{paragraphs}</article>"
        "<footer><p>جميع الحقوق محفوظة لهذا الموقع الإخباري منذ سنوات طويلة جدا</p></footer>"
        "</body></html>"
    )
    item = item_of(extract_article_page(html, "https://example.com/a/1", NOW, "h", NOW))
    body = clean_text(item.body)
    assert body.count("فقرة طويلة") == 6
    assert "قسم الأخبار" not in body and "جميع الحقوق" not in body


def _page(head: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8">{head}</head>'
        f"<body>{body}</body></html>"
    )


ARTICLE = "<article>" + "<p>نص الخبر في فقرة طويلة بما يكفي ليكون متنا حقيقيا للمقال هنا.</p>" * 5


def test_structured_metadata_beats_trafilatura_guesses() -> None:
    jsonld = {
        "@type": "NewsArticle",
        "headline": "عنوان JSON-LD",
        "datePublished": "2024-05-01T08:00:00+03:00",
        "author": {"@type": "Person", "name": "سارة"},
        "articleSection": "سياسة",
    }
    html = _page(
        "<title>عنوان الصفحة | الموقع</title>"
        f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>'
        '<link rel="canonical" href="/news/2024/05/01/story">',
        '<time datetime="2020-01-01">قديم</time>' + ARTICLE,
    )
    url = "https://www.alquds.co.uk/news/2024/05/01/story?utm_source=rss"
    item = item_of(extract_article_page(html, url, NOW, "h", NOW))
    assert item.title == "عنوان JSON-LD"
    assert item.published_raw == "2024-05-01T08:00:00+03:00"
    assert item.authors == ["سارة"] and item.categories == ["سياسة"]
    assert item.url == "https://www.alquds.co.uk/news/2024/05/01/story"  # relative, resolved
    assert item.source == "alquds.co.uk"


def test_trafilatura_fills_what_the_page_does_not_state() -> None:
    html = _page(
        "<title>عنوان الخبر الحقيقي - موقع الأخبار</title>",
        '<h1>عنوان الخبر الحقيقي</h1><time datetime="2024-03-02T10:00:00+02:00">2 مارس</time>'
        + ARTICLE,
    )
    item = item_of(extract_article_page(html, "https://example.com/n/7", NOW, "h", NOW))
    assert item.title == "عنوان الخبر الحقيقي"  # <title> minus the site name
    assert item.published_raw == "2024-03-02"  # htmldate, markup only
    assert item.url == "https://example.com/n/7"


def test_rdfa_and_microdata_dates() -> None:
    for attrs in (
        'property="dc:date" content="2019-02-08T00:00:00+01:00"',
        'itemprop="datePublished" datetime="2019-02-08T00:00:00+01:00"',
    ):
        html = _page("<title>t</title>", f"<span {attrs}>الجمعة</span>" + ARTICLE)
        item = item_of(extract_article_page(html, "https://a.tn/x/1", NOW, "h", NOW))
        assert item.published_raw == "2019-02-08T00:00:00+01:00"


def test_htmldate_does_not_invent_a_date() -> None:
    # The 2013 CNN page states no date (newspaper4k expects none); htmldate's extensive search
    # answers 2013-01-01, a day the article did not appear (the URL says 8/3).
    data = (PAGES / "newspaper4k_arabic_article.html").read_bytes()
    item = item_of(extract_article_page(data, CNN_URL, NOW, "h", NOW))
    assert item.published_raw is None
    guessing = ArticleConfig(extensive_date_search=True)
    guessed = item_of(extract_article_page(data, CNN_URL, NOW, "h", NOW, config=guessing))
    assert guessed.published_raw == "2013-01-01"  # the setting is wired through


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        ("https://www.hespress.com/", "https://www.hespress.com/politics/123.html"),
        ("javascript:void(0)", "https://www.hespress.com/politics/123.html"),
        ("//www.hespress.com/p/9.html", "https://www.hespress.com/p/9.html"),
        ("https://m.hespress.com/politics/123.html", "https://m.hespress.com/politics/123.html"),
    ],
)
def test_canonical_url_is_checked(canonical: str, expected: str) -> None:
    html = _page(f'<link rel="canonical" href="{canonical}"><title>t</title>', ARTICLE)
    url = "https://www.hespress.com/politics/123.html"
    item = item_of(extract_article_page(html, url, NOW, "h", NOW))
    assert item.url == expected
    assert item.source == "hespress.com"  # the host that served the page


def test_articlebody_when_trafilatura_finds_no_text() -> None:
    jsonld = {"@type": "NewsArticle", "headline": "ع", "articleBody": "متن المقال من JSON-LD"}
    html = _page(
        f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>',
        "",
    )
    item = item_of(extract_article_page(html, "https://e.com/a/1", NOW, "h", NOW))
    assert item.body == "متن المقال من JSON-LD"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (b"", "html:empty-document"),
        (b"\xef\xbb\xbf  \n", "html:empty-document"),
        ("<html><head><title>t</title></head><body></body></html>", "article:no-text"),
    ],
)
def test_rejects(html: bytes | str, reason: str) -> None:
    result = extract_article_page(html, "https://e.com/a", NOW, "h", NOW, origin="f.warc#record=3")
    assert isinstance(result, Reject)
    assert (result.reason, result.stage, result.input) == (reason, "parse", "f.warc#record=3")


ARABIC = "<html><body><h1>عنوان عربي</h1><p>نص عربي طويل عن الأخبار اليوم</p></body></html>"


@pytest.mark.parametrize(
    ("data", "http_charset", "codec"),
    [
        (ARABIC.encode("cp1256"), "windows-1256", "cp1256"),  # header only, no declaration
        (ARABIC.encode("cp1256"), None, "cp1256"),  # nothing declared, not UTF-8
        (ARABIC.encode("utf-8"), "iso-8859-1", "utf-8"),  # a server default that lies
        (ARABIC.encode("utf-8"), None, "utf-8"),
        (b"\xef\xbb\xbf" + ARABIC.encode("utf-8"), "windows-1256", "utf-8-sig"),  # BOM first
        (b"\xff\xfe" + ARABIC.encode("utf-16-le"), None, "utf-16"),
        (ARABIC.replace("<html>", '<html><meta charset="windows-1256">').encode("cp1256"),
         "ISO-8859-1", "cp1256"),
        (ARABIC.replace("<html>", '<html><meta charset="utf-16">').encode("utf-8"), None,
         "utf-8"),  # UTF-16 declared without a BOM is a lie
        (ARABIC.encode("cp1256"), "x-no-such-charset", "cp1256"),
    ],
)  # fmt: skip
def test_decode_html(data: bytes, http_charset: str | None, codec: str) -> None:
    decoded = decode_document(data, http_charset)
    text, used = decoded.text, decoded.encoding
    assert used == codec
    assert "نص عربي طويل" in text
    item = item_of(extract_article_page(data, "https://e.com/a", NOW, "h", NOW,
                                        http_charset=http_charset))  # fmt: skip
    assert "نص عربي طويل" in (item.body or "")


def test_structured_date_ignores_meta_and_dateless_values() -> None:
    from lxml import html as lxml_html

    root = lxml_html.fromstring(
        '<html><head><meta itemprop="datePublished" content="2001-01-01"></head><body>'
        '<span property="dc:date" content="غير معروف"></span>'
        '<time itemprop="datePublished">2024-02-03</time></body></html>'
    )
    assert structured_date(root) == "2024-02-03"


def test_feed_runs_do_not_import_trafilatura_or_warcio() -> None:
    code = (
        "import sys, transforms.sources.files, transforms.sources.article, "
        "akhbar.transforms.sources.warc; print(sorted({'trafilatura', 'warcio'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "[]"


@settings(max_examples=120, deadline=None)
@given(st.one_of(st.binary(max_size=3000), markup_bytes()), st.sampled_from([None, "utf-8",
       "windows-1256", "utf-16", "bogus"]))  # fmt: skip
def test_extract_article_page_never_raises(data: bytes, charset: str | None) -> None:
    result = extract_article_page(
        data, "https://example.com/a/1", NOW, "hint", NOW, http_charset=charset
    )
    if isinstance(result, Reject):
        assert result.reason and result.stage == "parse"
        assert result.input == "https://example.com/a/1"
    else:
        assert isinstance(result, RawItem) and result.body
        assert len(result.item_id) == 32 and result.source == "example.com"
