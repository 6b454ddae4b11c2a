"""One charset decoder for every input path (issue 17, point 5).

The same Arabic article, undeclared windows-1256, undeclared ISO-8859-6, UTF-8 and UTF-8 with a
BOM, goes through a feed file, a saved HTML page and a WARC record (all read by
``read_input_file``) and a page fetched by the ``--fetch-articles`` path from a real server on
127.0.0.1; the same Arabic text must come out of each. Then the Arabic code-page scorer on real
news text (ANT articles, the seed article), and a count of how often a fetched page is decoded.
"""

from __future__ import annotations

import sys
import tarfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from akhbar.schemas.records import RawItem, Reject
from akhbar.transforms.clean import clean_text
from akhbar.transforms.sources.arabic_codepage import arabic_single_byte, score_text
from akhbar.transforms.sources.article import extract_article_page
from akhbar.transforms.sources.encoding import decode_body, decode_document
from akhbar.transforms.sources.feedlist import FeedSpec
from akhbar.transforms.sources.files import InputFile, read_input_file
from akhbar.transforms.sources.html_page import parse_html_page
from akhbar.transforms.sources.http import FetchConfig, Fetcher
from akhbar.transforms.sources.poll import ArticleFetcher, poll_feed
from tests.conftest import SHARED_DATA
from tests.http.conftest import FAST, Reply, ScriptedServer
from tests.warc.conftest import WarcBuilder

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SEED = (SHARED_DATA / "seed-article-ar.txt").read_text(encoding="utf-8")
PARAGRAPHS = [p.strip() for p in SEED.split("\n") if p.strip()]
TITLE = "السفير الصينى بالقاهرة: مصر وقفت مع الصين فى مواجهة الفيروس"
ARTICLE_URL = "https://www.youm7.com/story/2020/10/1/4999999"
ANT = SHARED_DATA / "corpora" / "ant-v1.1-jawharafm" / "antcorpus_v1.1_all_10161_docs.tar.gz"

# What each charset looks like on the wire: the codec, and the bytes put in front (a BOM).
CHARSETS = {
    "windows-1256": ("cp1256", b""),
    "iso-8859-6": ("iso8859-6", b""),
    "utf-8": ("utf-8", b""),
    "utf-8-bom": ("utf-8", b"\xef\xbb\xbf"),
}


def encoded(text: str, charset: str) -> bytes:
    codec, prefix = CHARSETS[charset]
    return prefix + text.encode(codec)


def article_html() -> str:
    """The article as a page that declares no charset (no <meta charset>, no XML declaration)."""
    body = "".join(f"<p>{escape(p)}</p>" for p in PARAGRAPHS)
    return (
        f'<html lang="ar"><head><title>{escape(TITLE)}</title>'
        f'<link rel="canonical" href="{ARTICLE_URL}"></head>'
        f"<body><nav><a href='/'>الرئيسية</a></nav><article>{body}"
        "</article></body></html>"
    )


def article_feed() -> str:
    """The article as an RSS 2.0 item with its full text, and no XML declaration."""
    body = "".join(f"<p>{escape(p)}</p>" for p in PARAGRAPHS)
    return (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>اليوم السابع</title><link>https://www.youm7.com/</link>"
        f"<item><title>{escape(TITLE)}</title><link>{ARTICLE_URL}</link><guid>{ARTICLE_URL}</guid>"
        f"<description>{escape(PARAGRAPHS[0][:80])}</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
    )


def words(text: str | None) -> str:
    """The text with markup removed and whitespace collapsed: what must be equal on every path."""
    return " ".join(clean_text(text or "").split())


def only_item(results: list[RawItem | Reject]) -> RawItem:
    items = [r for r in results if isinstance(r, RawItem)]
    assert len(items) == 1 and len(results) == 1, results
    return items[0]


def via_feed_file(data: bytes, folder: Path, _site: Any) -> RawItem:
    path = folder / "youm7.xml"
    path.write_bytes(data)
    return only_item(list(read_input_file(InputFile(str(path), path.name), NOW)))


def via_html_file(data: bytes, folder: Path, _site: Any) -> RawItem:
    path = folder / "article.html"
    path.write_bytes(data)
    return only_item(list(read_input_file(InputFile(str(path), path.name), NOW)))


def via_warc_file(data: bytes, folder: Path, _site: Any) -> RawItem:
    path = folder / "crawl.warc.gz"
    path.write_bytes(WarcBuilder().response(ARTICLE_URL, data, content_type="text/html").build())
    return only_item(list(read_input_file(InputFile(str(path), path.name), NOW)))


def via_fetched_page(data: bytes, _folder: Path, site: ScriptedServer) -> RawItem:
    """poll_feed with an ArticleFetcher: the feed (UTF-8) carries a teaser only, so the page is
    fetched; it is served as ``text/html`` with no charset."""
    page_url = site.url("/story/1")
    teaser = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>{escape(TITLE)}</title><link>{page_url}</link><guid>g1</guid>"
        f"<description>{escape(PARAGRAPHS[0][:80])}</description></item></channel></rss>"
    ).encode()
    site.route("/feed", Reply(200, teaser, {"Content-Type": "application/rss+xml"}))
    site.route("/story/1", Reply(200, data, {"Content-Type": "text/html"}))
    config = FetchConfig(**FAST)  # type: ignore[arg-type]
    with Fetcher(config) as fetcher:
        spec = FeedSpec(source="youm7.com", url=site.url("/feed"))
        results = list(poll_feed(spec, fetcher, None, NOW, ArticleFetcher(fetcher, config)))
    items = [r for r in results if isinstance(r, RawItem)]
    assert len(items) == 1 and not any(isinstance(r, Reject) for r in results), results
    assert site.requests("/story/1"), "the page was not fetched"
    return items[0]


@pytest.fixture
def site() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    scripted.thread.start()
    yield scripted
    scripted.stop.set()
    scripted.httpd.shutdown()
    scripted.httpd.server_close()


PATHS: dict[str, tuple[Callable[[], str], Callable[..., RawItem]]] = {
    "feed-file": (article_feed, via_feed_file),
    "html-file": (article_html, via_html_file),
    "warc-record": (article_html, via_warc_file),
    "fetched-page": (article_html, via_fetched_page),
}


@pytest.mark.parametrize("charset", sorted(CHARSETS))
@pytest.mark.parametrize("path", sorted(PATHS))
def test_the_same_article_comes_out_of_every_path(
    path: str, charset: str, tmp_path: Path, site: ScriptedServer
) -> None:
    document, read = PATHS[path]
    item = read(encoded(document(), charset), tmp_path, site)
    assert words(item.body) == " ".join(" ".join(PARAGRAPHS).split())
    assert item.title == TITLE


def test_a_fetched_page_is_decoded_once(site: ScriptedServer) -> None:
    """Every call into a decoder (any function named ``decode*`` in akhbar's sources) whose
    argument is the page's bytes is counted, outermost calls only, through the real fetch path.
    """
    page = encoded(article_html(), "windows-1256")
    calls = _decoder_calls_on(page, lambda: via_fetched_page(page, Path("."), site))
    assert calls == 1


def _decoder_calls_on(data: bytes, run: Callable[[], object]) -> int:
    """How many times ``run`` enters a decoder with ``data`` as its first argument (a decoder
    called from inside another one, such as decode_body -> decode_document, counts once)."""
    depth = 0
    calls = 0
    lock = threading.Lock()

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        nonlocal depth, calls
        code = frame.f_code
        if not code.co_name.startswith("decode") or "akhbar" not in frame.f_globals.get(
            "__name__", ""
        ):
            return
        first = frame.f_locals.get(code.co_varnames[0]) if code.co_argcount else None
        if first is not data and first != data:
            return
        with lock:
            if event == "call":
                calls += depth == 0
                depth += 1
            elif event == "return":
                depth -= 1

    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    return calls


# --- the Arabic code-page scorer on real text ---------------------------------------------------


def ant_articles(step: int = 50) -> list[str]:
    """Every ``step``-th ANT article file (title, abstract and text) in the archive's order,
    read in one pass over the stream."""
    texts = []
    with tarfile.open(ANT, "r|gz") as archive:
        found = 0
        for member in archive:
            if not (member.isfile() and member.name.endswith(".txt")):
                continue
            if found % step == 0:
                handle = archive.extractfile(member)
                assert handle is not None
                texts.append(handle.read().decode("utf-8"))
            found += 1
    return texts


@pytest.fixture(scope="module")
def ant() -> list[str]:
    return ant_articles()


def ant_fields(document: str) -> tuple[str, list[str]]:
    """(title, paragraphs of the text) of one ANT ``<DOC>``."""
    title = document.split("<TITLE>", 1)[1].split("</TITLE>", 1)[0].strip()
    text = document.split("<TEXT>", 1)[1].split("</TEXT>", 1)[0]
    return title, [line.strip() for line in text.splitlines() if line.strip()]


def saved_page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"<html><head><title>{escape(title)}</title></head><body><div>{body}</div></body></html>"


def read_page(data: bytes) -> tuple[str | None, str]:
    """(title, words of the body) of a saved page, read by the HTML file reader."""
    item = only_item(list(parse_html_page(data, "page.html", NOW, "page", NOW)))
    return item.title, words(item.body)


@pytest.mark.parametrize("codec", ["cp1256", "iso8859-6", "utf-8"])
def test_real_articles_saved_as_undeclared_pages(ant: list[str], codec: str) -> None:
    """200 ANT articles and the seed article, each saved as a page that declares no charset,
    come back as the same Arabic text, and the decoder names the code page itself. (ISO-8859-6
    has no « » and a few other characters: those become "?" in the page, and so in the truth.)
    """
    assert len(ant) >= 200
    for title, paragraphs in [(TITLE, PARAGRAPHS), *map(ant_fields, ant)]:
        data = saved_page(title, paragraphs).encode(codec, "replace")
        truth = data.decode(codec)
        assert decode_document(data).encoding == codec, (codec, title)
        expected_title = title.encode(codec, "replace").decode(codec)
        expected_body = words(" ".join(paragraphs).encode(codec, "replace").decode(codec))
        assert read_page(data) == (expected_title, expected_body), (codec, title, truth[:200])


def test_the_wrong_reading_scores_as_not_arabic() -> None:
    """What the scorer sees in the seed article read with the wrong code page."""
    windows = SEED.encode("cp1256")
    iso = SEED.encode("iso8859-6")
    right = score_text(SEED)
    assert right.is_arabic and right.anomalies == 0 and right.lexical > 0.4
    as_windows = score_text(iso.decode("cp1256"))  # و ي ه become è ê ç inside Arabic words
    assert not as_windows.is_arabic and as_windows.anomaly_rate > 0.3
    with pytest.raises(UnicodeDecodeError):  # ف ق ك غ and ، are not ISO-8859-6 bytes
        windows.decode("iso8859-6")
    assert arabic_single_byte(windows) == "cp1256"
    assert arabic_single_byte(iso) == "iso8859-6"


@pytest.mark.parametrize(
    "title",
    [  # ANT titles the share-of-Arabic-letters rule read as windows-1256
        "كندا : انتشار الشرطة لحراسة المساجد",
        'حجز 17 كلغ من "الزطلة"',
        "استئناف حركة بطاحات جربة",
        "كتلة الحرة تنسحب من الجلسة العامة للبرلمان",
        'الجم : حجز 5 أطنان من "النحاس"',
    ],
)
def test_short_iso_8859_6_titles(title: str) -> None:
    """A few words without ي و ه: both readings are all Arabic letters, the words decide."""
    decoded = decode_document(title.encode("iso8859-6"))
    assert (decoded.text, decoded.encoding) == (title, "iso8859-6")


def test_a_cyrillic_feed_is_not_taken_for_arabic(read_path) -> None:
    """KOI8-R Russian puts its letters where windows-1256 has Arabic ones; it has no Arabic
    words, and its Latin-looking letters sit inside them (feedparser's chardet/koi8r.xml)."""
    path = SHARED_DATA / "feedparser-suite" / "illformed" / "chardet" / "koi8r.xml"
    assert decode_document(path.read_bytes()).encoding == "koi8-r"
    items, _rejects = read_path(path)
    assert items[0].title == "Как пережить новогоднюю ночь"


@pytest.mark.parametrize(
    ("text", "label", "codec"),
    [
        ("Le président a déclaré à la presse : « تم تأجيل الاجتماع ».", "iso-8859-1", "utf-8"),
        ("Le président a déclaré à la presse que la réunion est reportée.", "iso-8859-1", "cp1252"),
        ("Mãe de utente é a nova presidente da Raríssimas, disse o ministério.", None, "cp1252"),
        ("Die Präsidentin äußerte sich über die Lösung für Österreichs Bürger.", None, "cp1252"),
    ],
)
def test_weak_labels_yield_to_utf8_and_latin_text_keeps_decoding(
    text: str, label: str | None, codec: str
) -> None:
    """A page labelled ISO-8859-1 (a server default) that is valid UTF-8 is read as UTF-8, on
    the fetch path too; Latin-1 text, labelled or not, still decodes as windows-1252."""
    data = text.encode(codec)
    decoded = decode_document(data, label)
    assert (decoded.text, decoded.encoding) == (text, codec)
    page = saved_page("t", [text]).encode(codec)
    assert read_page(page)[1] == words(text)
    body = decode_body(data, f"text/xml; charset={label}" if label else "text/xml")
    assert body.text == text


def test_a_bilingual_maghreb_page_keeps_its_arabic() -> None:
    """Mostly French, some Arabic, in windows-1256 (which has the French letters): the Arabic
    letters are a minority of the non-ASCII letters, but they form Arabic words."""
    french = "Le ministère de la Santé a annoncé une campagne de vaccination générale."
    paragraphs = [french] * 12 + PARAGRAPHS[:1]
    assert read_page(saved_page(TITLE, paragraphs).encode("cp1256")) == (
        TITLE,
        words(" ".join(paragraphs)),
    )


def test_a_stray_windows_1252_quote_does_not_flip_an_iso_8859_6_page() -> None:
    """A curly quote pasted into an ISO-8859-6 page is a C1 control there: one anomaly against
    hundreds of words, while the windows-1256 reading has Latin letters in most words."""
    page = saved_page(TITLE, PARAGRAPHS).encode("iso8859-6").replace(b".", b"\x94.", 2)
    assert decode_document(page).encoding == "iso8859-6"
    assert read_page(page)[0] == TITLE


@pytest.mark.parametrize("codec", ["cp1256", "iso8859-6"])
def test_a_page_declared_utf8_whose_bytes_are_not(codec: str) -> None:
    """The declaration is tried first, fails strict decoding, and sniffing reads the page (the
    fetch path's behaviour before the decoders were merged; saved pages and WARC records used
    to keep the false UTF-8 and replace every Arabic letter)."""
    page = saved_page(TITLE, PARAGRAPHS).replace("<head>", '<head><meta charset="utf-8">')
    data = page.encode(codec)
    decoded = decode_document(data)
    assert (decoded.encoding, decoded.source) == (codec, "sniffed-arabic")
    assert read_page(data) == (TITLE, words(" ".join(PARAGRAPHS)))
    item = extract_article_page(data, ARTICLE_URL, NOW, "h", NOW, http_charset=None)
    assert isinstance(item, RawItem) and words(item.body) == words(" ".join(PARAGRAPHS))
