"""Fixtures for the source-reader tests: a fixed clock and a reader that splits items from rejects."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import strategies as st

from akhbar.schemas.records import RawItem, Reject
from akhbar.transforms.sources.files import InputFile, read_input_file

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)

Split = tuple[list[RawItem], list[Reject]]


def split(results: list[RawItem | Reject]) -> Split:
    """(items, rejects), checking that nothing else came out of a reader."""
    items = [r for r in results if isinstance(r, RawItem)]
    rejects = [r for r in results if isinstance(r, Reject)]
    assert len(items) + len(rejects) == len(results)
    return items, rejects


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def read_path() -> Callable[[Path], Split]:
    """Run ``read_input_file`` on one path (displayed by its name), fully consumed."""

    def read(path: Path) -> Split:
        return split(list(read_input_file(InputFile(str(path), path.name), NOW)))

    return read


# --- Hypothesis strategies shared by the property tests -------------------------------------------

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى" + "\u064b\u064e\u0650\u0651\u0640\u200f"
FRAGMENTS = [
    "<p>", "</p>", "</div>", "<div class='x'>", "<!ENTITY", '<!ENTITY a "x">', "&a;", "&amp;",
    "&nbsp;", "&#1575;", "<![CDATA[", "]]>", "<!DOCTYPE rss [", "]>", "<!--", "-->", "<script>",
    '<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0"><channel>', "</channel></rss>",
    "<item><title>", "</title><link>https://example.com/a</link>", "<description>",
    "</description></item>", '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>',
    "</title></entry></feed>", "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
    " xmlns='http://purl.org/rss/1.0/'><item>", "</item></rdf:RDF>", "<pubDate>", "</pubDate>",
    "Thu, 10 Sep 2020 14:05:00 +0200", "<html><head><title>", "</title></head><body>",
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "', '"}</script>',
    '<meta property="og:url" content="', '">', "{", "}", '"', "\n", "\x00", "\ufeff",
]  # fmt: skip
"""Pieces that stress markup, entity and feed handling when strung together with Arabic text."""


def markup_text() -> st.SearchStrategy[str]:
    piece = st.sampled_from(FRAGMENTS) | st.text(alphabet=ARABIC_LETTERS + " .،", max_size=12)
    return st.lists(piece, max_size=40).map("".join)


def markup_bytes() -> st.SearchStrategy[bytes]:
    encodings = st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1256"])
    return st.tuples(markup_text(), encodings).map(lambda pair: pair[0].encode(pair[1], "replace"))


def check_results(results: list[RawItem | Reject], display: str) -> None:
    """The contract every reader keeps, whatever the input."""
    items, rejects = split(results)
    for reject in rejects:
        assert reject.reason and reject.stage and reject.input.startswith(display)
    for item in items:
        assert len(item.item_id) == 32 and item.origin.startswith(display)
        assert item.source


def only_item(results: Iterable[RawItem | Reject]) -> RawItem:
    """The single RawItem a reader produced (fails on rejects or several results)."""
    [result] = list(results)
    assert isinstance(result, RawItem), result
    return result


def only_reject(results: Iterable[RawItem | Reject]) -> Reject:
    """The single Reject a reader produced (fails on items or several results)."""
    [result] = list(results)
    assert isinstance(result, Reject), result
    return result
