"""Charset resolution order and capped decompression, on bytes generated from Arabic text."""

from __future__ import annotations

import codecs
import gzip
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.sources.encoding import (
    BodyError,
    CappedDecompressor,
    arabic_single_byte,
    codec_name,
    declared_encoding,
    decode_body,
    is_textual,
    to_utf8_document,
)

from .feeds import TITLES, rss

ARABIC = "السفير الصينى بالقاهرة: مصر تضامنت مع الصين فى مواجهة كورونا، وألقى الرئيس كلمة."
FRENCH = "Le président a déclaré à la presse que la réunion était reportée à février."


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (ARABIC.encode("cp1256"), "text/xml; charset=windows-1256", ("cp1256", "http-header")),
        (ARABIC.encode("cp1256"), 'text/xml; charset="Windows-1256"', ("cp1256", "http-header")),
        (codecs.BOM_UTF8 + ARABIC.encode(), None, ("utf-8-sig", "bom")),
        (ARABIC.encode("utf-16"), None, ("utf-16", "bom")),
        (ARABIC.encode("utf-32"), None, ("utf-32", "bom")),
        (rss(declaration="windows-1256").encode("cp1256"), None, ("cp1256", "xml-declaration")),
        (rss(declaration="ISO-8859-6").encode("iso8859-6"), None, ("iso8859-6", "xml-declaration")),
        (rss(declaration="utf-16").encode("utf-16-le"), None, ("utf-16-le", "xml-declaration")),
        (
            f'<html><head><meta charset="windows-1256"><title>{ARABIC}</title>'.encode("cp1256"),
            "text/html",
            ("cp1256", "html-meta"),
        ),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            + ARABIC.encode("cp1256"),
            None,
            ("cp1256", "html-meta"),
        ),
        (ARABIC.encode("utf-8"), None, ("utf-8", "sniffed-utf-8")),
        (b"<rss>plain ascii</rss>", None, ("utf-8", "sniffed-utf-8")),
        (ARABIC.encode("cp1256"), None, ("cp1256", "sniffed-arabic")),
        (ARABIC.encode("iso8859-6"), None, ("iso8859-6", "sniffed-arabic")),
        (b"", "text/xml", ("utf-8", "sniffed-utf-8")),
    ],
)
def test_resolution_order(data: bytes, content_type: str | None, expected: tuple[str, str]):
    decoded = decode_body(data, content_type)
    assert (decoded.encoding, decoded.source) == expected
    assert not decoded.text.startswith("\ufeff")
    if ARABIC.encode("utf-8") in data or expected[1] in ("bom", "http-header"):
        assert ARABIC in decoded.text


def test_http_charset_beats_bom_and_declaration():
    data = codecs.BOM_UTF8 + rss(declaration="windows-1256").encode("utf-8")
    decoded = decode_body(data, "application/xml; charset=utf-8")
    assert (decoded.encoding, decoded.source) == ("utf-8", "http-header")
    assert not decoded.text.startswith("\ufeff")


def test_a_lying_label_falls_through_to_the_next_step():
    data = rss(declaration="windows-1256").encode("cp1256")
    decoded = decode_body(data, "text/xml; charset=utf-8")  # the header lies: not UTF-8
    assert (decoded.encoding, decoded.source) == ("cp1256", "xml-declaration")
    unknown = decode_body(ARABIC.encode("cp1256"), "text/xml; charset=x-no-such-codec")
    assert (unknown.encoding, unknown.source) == ("cp1256", "sniffed-arabic")


def test_latin_text_is_not_taken_for_arabic():
    assert arabic_single_byte(FRENCH.encode("cp1252")) is None
    decoded = decode_body(FRENCH.encode("cp1252"))
    assert (decoded.text, decoded.encoding, decoded.source) == (FRENCH, "cp1252", "sniffed")


def test_undecodable_bytes_still_give_text():
    decoded = decode_body(bytes(range(256)) * 4)
    assert isinstance(decoded.text, str) and decoded.source in ("sniffed", "fallback")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى", min_size=2, max_size=9),
        min_size=3,
        max_size=30,
    )
)
def test_undeclared_windows_1256_arabic_round_trips(words: list[str]):
    text = "<title>" + " ".join(words) + "</title>"
    decoded = decode_body(text.encode("cp1256"), "application/rss+xml")
    assert decoded.text == text
    assert decoded.encoding in ("cp1256", "utf-8")  # UTF-8 only if the bytes happen to be valid


def test_codec_names_and_textual_types():
    assert codec_name("Windows-1256") == "cp1256"
    assert codec_name("ISO-8859-1") == "cp1252"  # what browsers do
    assert codec_name("bogus") is None and codec_name(None) is None
    assert is_textual("application/rss+xml; charset=utf-8") and is_textual(None)
    assert not is_textual("image/png") and not is_textual("application/pdf")
    assert declared_encoding(b"<feed/>") is None


def test_to_utf8_document_rewrites_the_declaration():
    text = rss(declaration="windows-1256")
    out = to_utf8_document("\ufeff" + text)
    assert out.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert out.decode("utf-8") == text.replace("windows-1256", "utf-8", 1)
    page = '<html><head><meta charset="windows-1256"><title>' + TITLES[0] + "</title>"
    assert b'<meta charset="utf-8">' in to_utf8_document(page)
    assert to_utf8_document("<rss/>") == b"<rss/>"


def _feed_all(decoder: CappedDecompressor, data: bytes, step: int = 7) -> bytes:
    for i in range(0, len(data), step):
        decoder.feed(data[i : i + step])
    return decoder.finish()


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [
        ("identity", b"hello world"),
        ("gzip", gzip.compress(b"hello world", mtime=0)),
        (
            "gzip",
            gzip.compress(b"hello ", mtime=0) + gzip.compress(b"world", mtime=0),
        ),  # two members
        ("deflate", zlib.compress(b"hello world")),
        ("deflate", zlib.compress(b"hello world")[2:-4]),
        (None, b"hello world"),
    ],
)
def test_decompressor_in_small_pieces(encoding: str | None, packed: bytes):
    assert _feed_all(CappedDecompressor(encoding, 1000), packed) == b"hello world"


def test_decompressor_caps_output_and_rejects_bad_streams():
    bomb = gzip.compress(b"\0" * 10_000_000)
    decoder = CappedDecompressor("gzip", 100_000)
    with pytest.raises(BodyError) as err:
        _feed_all(decoder, bomb, step=4096)
    assert err.value.reason == "http:too-large" and len(decoder.out) <= 100_001
    with pytest.raises(BodyError) as err:
        _feed_all(CappedDecompressor("gzip", 1000), gzip.compress(b"x" * 100)[:-5])
    assert err.value.reason == "http:decode-error"
    with pytest.raises(BodyError) as err:
        CappedDecompressor("br", 1000)
    assert err.value.reason == "http:bad-content-encoding"
    assert CappedDecompressor("gzip", 10).finish() == b""
