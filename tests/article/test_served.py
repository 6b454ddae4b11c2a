"""The real pages served from 127.0.0.1, fetched with urllib, extracted: pinned quality floors.

The floors sit just under what ``benchmarks/article_extraction.py`` measured (see its report);
lowering one needs a reason in that report. Plain urllib stands in for the project fetcher.
"""

from __future__ import annotations

import urllib.request

import pytest

from akhbar.schemas.records import RawItem
from akhbar.transforms.clean import clean_text
from akhbar.transforms.sources.article import extract_article_page
from benchmarks.article_extraction import Expected, expected_texts, token_scores

from .conftest import NOW, PageServer

# page -> (precision floor, recall floor); measured 0.842/1.000, prefix/0.962, 1.000/1.000.
# The CNN pages keep CNN's comment-policy notice under the article (trafilatura and the density
# heuristic alike): that is the whole precision gap. goose3 only ships the first 149 characters
# of the text, so precision against it means nothing.
FLOORS = {
    "newspaper4k_arabic_article.html": (0.80, 0.98),
    "goose3_cnn_arabic.html": (None, 0.95),
    "fundus_LBCGroup_2026_01_08.html": (0.95, 0.98),
}
EXPECTED = {e.page: e for e in expected_texts()}


def fetch(url: str) -> tuple[bytes, str | None]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers.get_content_charset()


def fetched_item(server: PageServer, page: str) -> RawItem:
    url = f"{server.base}/{page}"
    body, charset = fetch(url)
    result = extract_article_page(body, url, NOW, "local", NOW, http_charset=charset)
    assert isinstance(result, RawItem), result
    return result


@pytest.mark.parametrize("page", sorted(FLOORS))
def test_text_quality_floors(page_server: PageServer, page: str) -> None:
    expected: Expected = EXPECTED[page]
    assert expected.text is not None
    item = fetched_item(page_server, page)
    precision, recall = token_scores(clean_text(item.body), expected.text)
    min_precision, min_recall = FLOORS[page]
    assert recall >= min_recall, (page, recall)
    if min_precision is not None:
        assert precision >= min_precision, (page, precision)


def test_the_metric_can_fail() -> None:
    text = EXPECTED["fundus_LBCGroup_2026_01_08.html"].text or ""
    half = text[: len(text) // 2]
    precision, recall = token_scores(half, text)
    assert precision == 1.0 and recall < 0.6
    precision, recall = token_scores(text + " قائمة " * 500, text)
    assert recall == 1.0 and precision < 0.5


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_title_and_date_of_served_pages(page_server: PageServer, page: str) -> None:
    item = fetched_item(page_server, page)
    expected = EXPECTED[page]
    assert clean_text(item.title).replace('"', "") == expected.title
    assert item.published_raw == expected.published
    assert item.url and not item.url.startswith(page_server.base)  # the page's canonical URL


def test_served_pages_are_each_fetched_once(page_server: PageServer) -> None:
    page_server.log.clear()
    for page in sorted(EXPECTED):
        fetched_item(page_server, page)
    assert page_server.log == [f"/{page}" for page in sorted(EXPECTED)]


def test_charset_from_the_http_header(page_server: PageServer) -> None:
    """A windows-1256 page that declares nothing itself: only the Content-Type says so."""
    html = (
        "<html><head><title>وزير الخارجية يزور القاهرة</title></head><body><article>"
        + "".join(f"<p>قال الوزير في مؤتمر صحفي رقم {i} إن العلاقات بين البلدين قوية.</p>"
                  for i in range(5))
        + "</article></body></html>"
    )  # fmt: skip
    page_server.routes["/cp1256"] = (
        200,
        {"Content-Type": "text/html; charset=windows-1256"},
        html.encode("cp1256"),
    )
    item = fetched_item(page_server, "cp1256")
    assert item.title == "وزير الخارجية يزور القاهرة"
    assert "العلاقات بين البلدين قوية" in (item.body or "")
    assert item.url == f"{page_server.base}/cp1256"  # no canonical: the fetched URL
