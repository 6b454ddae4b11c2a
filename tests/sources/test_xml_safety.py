"""The XML screen: bombs, external entities and external DTDs are refused with a reason, never fetched."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.sources.feeds import parse_feed
from akhbar.transforms.sources.files import InputFile, read_input_file
from akhbar.transforms.sources.html_page import parse_html_page
from akhbar.transforms.sources.xml_safety import MAX_ENTITY_DECLARATIONS, UnsafeXML, screen_xml

from .conftest import NOW, markup_bytes, only_item, only_reject, split

BOMBS = Path(__file__).resolve().parents[3] / "shared" / "data" / "xml-bombs"

DANGEROUS = {
    "defusedxml_xmlbomb.xml": "xml:entity-expansion",
    "defusedxml_quadratic.xml": "xml:entity-expansion",
    "defusedxml_cyclic.xml": "xml:entity-expansion",
    "defusedxml_external.xml": "xml:external-entity",
    "defusedxml_external_file.xml": "xml:external-entity",
    "defusedxml_dtd.xml": "xml:external-dtd",
}
BENIGN = {  # well-formed XML, nothing dangerous, just not a feed
    "defusedxml_simple.xml": "feed:not-a-feed",
    "defusedxml_simple-ns.xml": "feed:not-a-feed",
    "defusedxml_xmlbomb2.xml": "feed:not-a-feed",
    "defusedxml_dtd_element.xml": "feed:parse-error",
}
RSS_BODY = (
    '<rss version="2.0"><channel><title>c</title><link>https://www.hespress.com/</link>'
    "<item><title>{title}</title><link>https://www.hespress.com/1.html</link>"
    "<description>وصف</description></item></channel></rss>"
)


def test_every_bomb_file_is_classified() -> None:
    assert sorted(p.name for p in BOMBS.iterdir()) == sorted(DANGEROUS | BENIGN)


@pytest.mark.parametrize("name", sorted(DANGEROUS))
def test_dangerous_documents_rejected_with_exact_reason(name: str, read_path) -> None:
    data = (BOMBS / name).read_bytes()
    with pytest.raises(UnsafeXML) as caught:
        screen_xml(data)
    assert caught.value.reason == DANGEROUS[name]
    assert "never fetched" in caught.value.detail or DANGEROUS[name] == "xml:entity-expansion"
    items, rejects = split(list(parse_feed(data, name, NOW, "bombs", NOW)))
    assert items == []
    assert [(r.stage, r.reason, r.input) for r in rejects] == [("parse", DANGEROUS[name], name)]
    items, rejects = read_path(BOMBS / name)
    assert items == [] and [r.reason for r in rejects] == [DANGEROUS[name]]


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_xml_is_parsed_but_is_not_a_feed(name: str, read_path) -> None:
    assert screen_xml((BOMBS / name).read_bytes()) is True
    items, rejects = read_path(BOMBS / name)
    assert items == []
    assert len(rejects) == 1
    assert rejects[0].reason.startswith("feed:")
    assert rejects[0].reason == BENIGN[name]
    assert rejects[0].stage == "parse" and rejects[0].detail


def test_screen_reports_ill_formed_without_danger() -> None:
    assert screen_xml(b"<rss><channel><title>x</channel>") is False
    assert screen_xml(b"<rss><channel/></rss>") is True


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
@pytest.mark.parametrize(
    "name", ["defusedxml_xmlbomb.xml", "defusedxml_quadratic.xml", "defusedxml_cyclic.xml"]
)
def test_bombs_in_other_unicode_encodings_are_rejected(name: str, encoding: str) -> None:
    data = (BOMBS / name).read_text(encoding="utf-8").encode(encoding)
    reject = only_reject(parse_feed(data, name, NOW, "bombs", NOW))
    assert reject.reason == "xml:entity-expansion"


def _feed_with_dtd(subset: str, title: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE rss [{subset}]>'
        + RSS_BODY.format(title=title)
    ).encode("utf-8")


def test_small_internal_entity_is_allowed_and_expanded() -> None:
    item = only_item(
        parse_feed(_feed_with_dtd('<!ENTITY site "هسبريس">', "&site;"), "f", NOW, "h", NOW)
    )
    assert item.title == "هسبريس"


@pytest.mark.parametrize(
    ("subset", "title"),
    [
        ("".join(f'<!ENTITY e{i} "x">' for i in range(MAX_ENTITY_DECLARATIONS + 1)), "&e0;"),
        ('<!ENTITY big "' + "x" * 65 + '">', "&big;"),
        ('<!ENTITY a "x"><!ENTITY b "&a;&a;">', "&b;"),
        ('<!ENTITY a "x"><!ENTITY b "y">', "&undeclared;"),
    ],
    ids=["too-many", "oversized", "nested", "ill-formed-with-entities"],
)
def test_entity_limits(subset: str, title: str) -> None:
    reject = only_reject(parse_feed(_feed_with_dtd(subset, title), "f", NOW, "h", NOW))
    assert reject.reason == "xml:entity-expansion"


def test_multibyte_declared_encoding_is_screened() -> None:
    # pyexpat raises a bare ValueError for multi-byte encodings such as Big5: a regression test.
    body = RSS_BODY.format(title="新聞標題").replace("وصف", "描述")
    data = ('<?xml version="1.0" encoding="big5"?>' + body).encode("big5")
    assert screen_xml(data) is True
    item = only_item(parse_feed(data, "big5.xml", NOW, "h", NOW))
    assert item.title == "新聞標題"


# --- a live server proves that nothing is ever fetched -------------------------------------------


class RecordingServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                body = (
                    b'<!ENTITY leaked "LEAKED">' if self.path.endswith(".dtd") else b"<x>LEAKED</x>"
                )
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    srv = RecordingServer()
    thread = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    thread.join(5)


def test_positive_control_the_server_records_requests(server: RecordingServer) -> None:
    with urllib.request.urlopen(f"{server.url}/control.xml", timeout=5) as response:
        assert response.read() == b"<x>LEAKED</x>"
    assert server.requests == ["/control.xml"]


def _hostile_variants(url: str) -> dict[str, tuple[str, str]]:
    external = (BOMBS / "defusedxml_external.xml").read_text(encoding="utf-8")
    assert "http://www.w3schools.com/xml/note.xml" in external
    return {
        "external-entity.xml": (
            external.replace("http://www.w3schools.com/xml/note.xml", f"{url}/note.xml"),
            "xml:external-entity",
        ),
        "parameter-entity.xml": (
            f'<!DOCTYPE root SYSTEM "{url}/root.dtd" [<!ENTITY % x SYSTEM "{url}/p.dtd"> %x;]>'
            "<root>&leaked;</root>",
            "xml:external-dtd",
        ),
        "parameter-entity-only.xml": (
            f'<!DOCTYPE root [<!ENTITY % x SYSTEM "{url}/p.dtd"> %x;]><root>&leaked;</root>',
            "xml:external-entity",
        ),
        "external-dtd.rss": (
            f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{url}/rss.dtd">'
            + RSS_BODY.format(title="&leaked;"),
            "xml:external-dtd",
        ),
    }


def test_external_references_are_rejected_and_never_fetched(
    server: RecordingServer, tmp_path: Path
) -> None:
    for name, (text, reason) in _hostile_variants(server.url).items():
        data = text.encode("utf-8")
        reject = only_reject(parse_feed(data, name, NOW, "h", NOW))
        assert (name, reject.reason) == (name, reason)
        path = tmp_path / name
        path.write_bytes(data)
        items, rejects = split(list(read_input_file(InputFile(str(path), name), NOW)))
        assert items == [] and [r.reason for r in rejects] == [reason]
    assert server.requests == []


def test_tolerated_public_dtd_is_parsed_without_fetching(server: RecordingServer) -> None:
    data = (
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        f'"{server.url}/rss-0.91.dtd">' + RSS_BODY.format(title="عنوان")
    ).encode("utf-8")
    item = only_item(parse_feed(data, "rss091.xml", NOW, "h", NOW))
    assert item.title == "عنوان"
    assert server.requests == []


def test_documents_expat_cannot_decode_fetch_nothing(server: RecordingServer) -> None:
    big5 = (
        f'<?xml version="1.0" encoding="big5"?><!DOCTYPE rss SYSTEM "{server.url}/big5.dtd">'
        + RSS_BODY.format(title="x").replace("وصف", "描述")
    ).encode("big5")
    reject = only_reject(parse_feed(big5, "big5.xml", NOW, "h", NOW))
    assert reject.reason == "xml:external-dtd"
    # UTF-32 padded past the screen's 64 KiB fallback window: feedparser still fetches nothing.
    padded = (
        "<!--"
        + "p" * 70000
        + f'-->\n<!DOCTYPE rss [<!ENTITY e SYSTEM "{server.url}/u32.xml">]>'
        + RSS_BODY.format(title="&e;")
    ).encode("utf-32-be")
    for result in parse_feed(padded, "padded.xml", NOW, "h", NOW):
        assert "LEAKED" not in str(getattr(result, "title", ""))
    assert server.requests == []


def test_html_pages_never_fetch_dtds_or_entities(server: RecordingServer) -> None:
    page = (
        f'<?xml version="1.0"?><!DOCTYPE html SYSTEM "{server.url}/x.dtd" '
        f'[<!ENTITY ee SYSTEM "{server.url}/e.xml">]>'
        "<html><head><title>عنوان &ee;</title></head><body><p>نص</p></body></html>"
    ).encode()
    item = only_item(parse_html_page(page, "p.html", NOW, "h", NOW))
    assert item.title is not None and item.title.startswith("عنوان")
    assert "LEAKED" not in (item.title or "") + (item.body or "")
    assert server.requests == []


REASONS = {"xml:entity-expansion", "xml:external-entity", "xml:external-dtd"}


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=3000), markup_bytes()))
def test_screen_returns_or_refuses_with_a_known_reason(data: bytes) -> None:
    try:
        assert screen_xml(data) in (True, False)
    except UnsafeXML as exc:
        assert exc.reason in REASONS and exc.detail
