"""A WARC written here with warcio: the real Arabic pages come out as articles, the rest is
counted as skipped or rejected with a reason; cut files keep what came before the cut."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from akhbar.transforms.clean import clean_text
from akhbar.transforms.sources.warc import WarcConfig, WarcStats, read_warc, read_warc_file
from benchmarks.article_extraction import expected_texts

from .conftest import NOW, PAGES, WarcBuilder, chunked, gzip_body, split

CNN = "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html"
LBCI = json.loads((PAGES / "fundus_LBCGroup.meta.info").read_text())["LBCGroup_2026_01_08.html.gz"][
    "url"
]
ASSABAH = "http://www.assabah.com.tn/article/164913/"
TITLES = {e.page: e.title for e in expected_texts()}
CP1256_PAGE = (
    "<html><head><title>ارتفاع أسعار النفط</title></head><body><article>"
    + "".join(f"<p>ارتفعت أسعار النفط في التعاملات رقم {i} بسبب المخاوف من نقص الإمدادات.</p>"
              for i in range(5))
    + "</article></body></html>"
).encode("cp1256")  # fmt: skip


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def news_warc() -> WarcBuilder:
    """Records 1-4: the real pages (one gzip-encoded, one chunked); 5-16: everything else."""
    return (
        WarcBuilder()
        .response(CNN, page("newspaper4k_arabic_article.html"))
        .response(CNN + "?v=2", chunked(page("goose3_cnn_arabic.html")),
                  headers=(("Transfer-Encoding", "chunked"),))
        .response(LBCI, page("fundus_LBCGroup_2026_01_08.html"))
        .response(ASSABAH, gzip_body(page("trafilatura_assabah.com.tn.article.html")),
                  headers=(("Content-Encoding", "gzip"),))
        .request(CNN)
        .response("https://www.youm7.com/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
                  content_type="image/png")
        .response("https://www.youm7.com/gone", b"<html><body>Not Found</body></html>",
                  status="404 Not Found")
        .record("revisit", CNN, http=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"),
                warc_headers={"WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/"
                              "identical-payload-digest", "WARC-Refers-To-Target-URI": CNN})
        .record("metadata", CNN, b"via: https://feeds.example/rss\n",
                warc_headers={"Content-Type": "application/warc-fields"})
        .response("https://www.alarabiya.net/oil", CP1256_PAGE,
                  content_type="text/html; charset=windows-1256")
        .response("https://example.com/forged", page("goose3_cnn_arabic.html"),
                  warc_headers={"WARC-Payload-Digest": "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
        .response("https://example.com/cut", page("goose3_cnn_arabic.html"),
                  warc_headers={"WARC-Truncated": "length"})
        .response("not a url", page("goose3_cnn_arabic.html"))
        .record("response", "dns:www.youm7.com", b"20260110083000\nwww.youm7.com. 300 IN A 1.2.3.4\n",
                warc_headers={"Content-Type": "text/dns"})
        .response("https://example.com/empty", b"")
        .response("https://example.com/json", b'{"a": 1}', content_type="application/json")
    )  # fmt: skip


@pytest.fixture(scope="module")
def warc_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("warc") / "news.warc.gz"
    path.write_bytes(news_warc().build())
    return path


def test_articles_and_counters(warc_file: Path) -> None:
    stats = WarcStats()
    results = list(read_warc_file(str(warc_file), "news.warc.gz", NOW, "news", NOW, stats=stats))
    items, rejects = split(results)
    by_url = {i.url: i for i in items}
    assert [i.origin for i in items] == [f"news.warc.gz#record={n}" for n in (1, 2, 3, 4, 10)]
    for name, url in [("newspaper4k_arabic_article.html", CNN), ("goose3_cnn_arabic.html", CNN),
                      ("fundus_LBCGroup_2026_01_08.html", LBCI),
                      ("trafilatura_assabah.com.tn.article.html", ASSABAH)]:  # fmt: skip
        item = next(i for i in items if i.url and i.url.startswith(url) and
                    clean_text(i.title).replace('"', "") == TITLES[name])  # fmt: skip
        assert len(clean_text(item.body)) > 1000, name
        assert item.input_format == "warc"
    assert by_url[LBCI].published_raw == "2026-01-08T11:42:50+00:00"
    by_url[ASSABAH] = next(i for i in items if (i.url or "").startswith(ASSABAH))
    assert by_url[ASSABAH].published_raw == "2019-02-08T00:00:00+01:00"  # gzip body decoded
    assert all(i.fetched_at.isoformat() == "2026-01-10T08:30:00+00:00" for i in items)
    oil = by_url["https://www.alarabiya.net/oil"]
    assert oil.title == "ارتفاع أسعار النفط" and oil.source == "alarabiya.net"
    assert "نقص الإمدادات" in (oil.body or "")  # windows-1256 from the HTTP header
    assert [(r.input.rsplit("=", 1)[1], r.reason) for r in rejects] == [
        ("11", "warc:digest-mismatch"),
        ("12", "warc:truncated-record"),
        ("13", "warc:bad-target-uri"),
        ("15", "html:empty-document"),
    ]
    assert stats.skipped() == {
        "warcinfo": 1,
        "request": 1,
        "not-html": 2,
        "status-404": 1,
        "revisit": 1,
        "metadata": 1,
        "not-http": 1,
    }
    assert stats.counts["records"] == 17 and stats.counts["item"] == 5


def test_plain_and_gzipped_give_the_same_items(warc_file: Path) -> None:
    plain = news_warc().build(gzipped=False)
    gz = warc_file.read_bytes()
    one = split(list(read_warc(io.BytesIO(plain), "n", NOW, "h", NOW)))
    two = split(list(read_warc(io.BytesIO(gz), "n", NOW, "h", NOW)))
    assert [(i.url, i.title, i.body) for i in one[0]] == [(i.url, i.title, i.body) for i in two[0]]
    assert [r.reason for r in one[1]] == [r.reason for r in two[1]]


def test_too_large_bodies_are_rejected(warc_file: Path) -> None:
    config = WarcConfig(max_payload_bytes=100_000)  # the LBCI page is ~500 KB
    items, rejects = split(list(read_warc_file(str(warc_file), "n", NOW, "h", NOW, config=config)))
    assert ("n#record=3", "warc:too-large") in [(r.input, r.reason) for r in rejects]
    assert len(items) == 4


def record_spans(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of every record, as warcio reports them."""
    records = ArchiveIterator(io.BytesIO(data))
    spans = []
    for _ in records:
        spans.append((records.get_record_offset(), records.get_record_length()))
    return spans


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize(("record", "whole_items"), [(2, 1), (3, 2), (16, 5)])
def test_cut_files_keep_what_came_before(gzipped: bool, record: int, whole_items: int) -> None:
    """Cut in the middle of ``record``: the items of the records before it, then one Reject."""
    data = news_warc().build(gzipped=gzipped)
    full, _ = split(list(read_warc(io.BytesIO(data), "n", NOW, "h", NOW)))
    offset, length = record_spans(data)[record]
    cut = data[: offset + length // 2]
    items, rejects = split(list(read_warc(io.BytesIO(cut), "n", NOW, "h", NOW)))
    assert [i.body for i in items] == [i.body for i in full[:whole_items]]
    assert (rejects[-1].reason, rejects[-1].input) == ("warc:truncated-file", f"n#record={record}")


def test_a_cut_inside_a_skipped_last_record_is_reported() -> None:
    data = (
        WarcBuilder()
        .response(CNN, page("goose3_cnn_arabic.html"))
        .request(CNN)
        .build(gzipped=False)
    )
    # In the request's body, then in its WARC header block (warcio would stop without a word).
    for cut, record in ((10, 2), (200, 2)):
        items, rejects = split(list(read_warc(io.BytesIO(data[:-cut]), "n", NOW, "h", NOW)))
        assert len(items) == 1
        assert [(r.reason, r.input) for r in rejects] == [
            ("warc:truncated-file", f"n#record={record}")
        ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "warc:no-records"),
        (b"\n\n", "warc:no-records"),
        (b"<html><body>not a warc</body></html>", "warc:format-error"),
        (b"\x1f\x8b" + b"not really gzip" * 10, "warc:gzip-error"),
        (b"\x1f\x8b\x08\x00garbage", "warc:truncated-file"),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n", "warc:bad-length"),
        (b"WARC/1.0\r\nWARC-Type: response\r\n\r\n", "warc:format-error"),  # warcio fails
    ],
)
def test_not_warc_at_all(data: bytes, reason: str) -> None:
    stats = WarcStats()
    [reject] = list(read_warc(io.BytesIO(data), "x.warc", NOW, "x", NOW, stats=stats))
    assert reject.reason == reason and reject.input.startswith("x.warc")
    assert stats.counts[f"reject:{reason}"] == 1
