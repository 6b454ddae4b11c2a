"""Input discovery (folders, globs, files) and per-file format dispatch."""

from __future__ import annotations

import gzip
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.sources import files
from akhbar.transforms.sources.files import (
    InputFile,
    expand_inputs,
    read_input_file,
    sniff_format,
    source_hint_for,
)

from .conftest import NOW, check_results, markup_bytes, split

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "seeds" / "samples"
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SAMPLE_NAMES = [
    "aljazeera.atom",
    "hespress.rdf",
    "jawharafm.jsonl",
    "masrawy-article.html",
    "youm7.xml",
]


def test_expand_folder() -> None:
    found = expand_inputs([str(SAMPLES)])
    assert [f.display for f in found] == SAMPLE_NAMES
    assert [f.path for f in found] == [str((SAMPLES / n).resolve()) for n in SAMPLE_NAMES]


def test_expand_glob_and_single_file() -> None:
    assert [f.display for f in expand_inputs([str(SAMPLES / "*.xml")])] == ["youm7.xml"]
    assert [f.display for f in expand_inputs([str(SAMPLES / "h*")])] == ["hespress.rdf"]
    [single] = expand_inputs([str(SAMPLES / "aljazeera.atom")])
    assert single == InputFile(str((SAMPLES / "aljazeera.atom").resolve()), "aljazeera.atom")


def test_expand_recursive_folder_skips_hidden_and_readme(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    for rel in ["a.xml", "sub/b.jsonl", "sub/deeper/c.html", "README.md", ".hidden.xml",
                "sub/_private.xml", "sub/.DS_Store"]:  # fmt: skip
        (tmp_path / rel).write_text("x", encoding="utf-8")
    found = expand_inputs([str(tmp_path)])
    assert [f.display for f in found] == ["a.xml", "sub/b.jsonl", "sub/deeper/c.html"]
    recursive = expand_inputs([str(tmp_path / "**" / "*.html")])
    assert [f.display for f in recursive] == ["c.html"]


def test_missing_inputs_raise(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        expand_inputs([str(tmp_path / "nope.xml")])
    with pytest.raises(FileNotFoundError, match="matches no file"):
        expand_inputs([str(tmp_path / "*.nothing")])


def test_duplicates_are_removed() -> None:
    youm7 = str(SAMPLES / "youm7.xml")
    assert [f.display for f in expand_inputs([youm7, youm7])] == ["youm7.xml"]
    relative = os.path.relpath(youm7)
    assert len(expand_inputs([youm7, relative, str(SAMPLES / "*.xml")])) == 1
    both = expand_inputs([str(SAMPLES), youm7])
    assert len(both) == 5
    assert len({f.path for f in both}) == 5


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.xml", "feed"), ("a.RSS", "feed"), ("a.atom", "feed"), ("a.rdf", "feed"),
     ("a.feed", "feed"), ("a.xml.gz", "feed"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"),
     ("a.json", "jsonl"), ("a.jsonl.gz", "jsonl"), ("a.html", "html"), ("a.HTM", "html"),
     ("a.xhtml", "html"), ("a.html.gz", "html")],
)  # fmt: skip
def test_sniff_by_extension(name: str, expected: str) -> None:
    assert sniff_format(name, b"irrelevant") == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [(b'{"id": 1}', "jsonl"), (b"\xef\xbb\xbf \n{", "jsonl"), (b"<rss version='2.0'>", "feed"),
     (b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">', "feed"),
     (b"<?xml version='1.0'?><rdf:RDF>", "feed"), (b"<?xml version='1.0'?><root/>", "feed"),
     (b"<!DOCTYPE html><html>", "html"), (b"  <HTML lang='ar'>", "html"),
     (b"plain text", None), (b"", None), (b"[1, 2]", None), (b"\x89PNG\r\n", None)],
)  # fmt: skip
def test_sniff_by_content(head: bytes, expected: str | None) -> None:
    assert sniff_format("download", head) == expected


def test_source_hint() -> None:
    assert source_hint_for("sub/youm7.xml.gz") == "youm7"
    assert source_hint_for("hespress.rdf") == "hespress"
    assert source_hint_for(".xml") == "unknown"


def read(path: Path, display: str | None = None):
    return split(list(read_input_file(InputFile(str(path), display or path.name), NOW)))


def test_unknown_format_is_rejected() -> None:
    path = DATA / "articles-html" / "newspaper4k_arabic_article.expected.txt"
    items, [reject] = read(path)
    assert items == []
    assert (reject.input, reject.stage, reject.reason) == (path.name, "read", "read:unknown-format")
    assert reject.payload  # the first bytes, for diagnosis
    assert reject.payload in path.read_text(encoding="utf-8")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    [missing] = read(tmp_path / "gone.xml")[1]
    assert (missing.reason, missing.stage) == ("read:io-error", "read")
    folder = tmp_path / "folder.xml"
    folder.mkdir()
    [unreadable] = read(folder)[1]
    assert unreadable.reason == "read:io-error"


def test_fetched_at_is_the_file_mtime_in_utc(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes((SAMPLES / "youm7.xml").read_bytes())
    stamp = datetime(2024, 3, 1, 12, 30, 15, tzinfo=UTC)
    os.utime(path, (stamp.timestamp(), stamp.timestamp()))
    items, _ = read(path)
    assert {i.fetched_at for i in items} == {stamp}


def test_gzipped_feed_and_broken_gzip(tmp_path: Path) -> None:
    raw = (SAMPLES / "youm7.xml").read_bytes()
    packed = tmp_path / "youm7.xml.gz"
    packed.write_bytes(gzip.compress(raw))
    items, rejects = read(packed)
    assert len(items) == 10 and rejects == []
    assert items[0].origin == "youm7.xml.gz#item=0"
    broken = tmp_path / "broken.xml.gz"
    broken.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    assert [r.reason for r in read(broken)[1]] == ["read:gzip-error"]
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(gzip.compress(raw)[:-400])
    items, rejects = read(cut)
    assert items == [] and [r.reason for r in rejects] == ["read:gzip-error"]


def test_too_large_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    raw = (SAMPLES / "youm7.xml").read_bytes()
    plain = tmp_path / "big.xml"
    plain.write_bytes(raw)
    assert [r.reason for r in read(plain)[1]] == ["read:too-large"]
    bomb = tmp_path / "bomb.xml.gz"  # small on disk, large once inflated
    bomb.write_bytes(gzip.compress(b"<rss>" + b" " * 5000 + b"</rss>"))
    assert bomb.stat().st_size < 1000
    assert [r.reason for r in read(bomb)[1]] == ["read:too-large"]


def test_every_sample_dispatches_to_its_reader() -> None:
    formats = {}
    for input_file in expand_inputs([str(SAMPLES)]):
        items, _ = split(list(read_input_file(input_file, NOW)))
        formats[input_file.display] = {i.input_format for i in items}
    assert formats == {
        "aljazeera.atom": {"atom"},
        "hespress.rdf": {"rdf"},
        "jawharafm.jsonl": {"jsonl"},
        "masrawy-article.html": {"html"},
        "youm7.xml": {"rss"},
    }


def test_content_sniffing_without_extension(tmp_path: Path) -> None:
    for source, target in [("youm7.xml", "feed.download"), ("masrawy-article.html", "page.bin")]:
        (tmp_path / target).write_bytes((SAMPLES / source).read_bytes())
    assert {i.input_format for i in read(tmp_path / "feed.download")[0]} == {"rss"}
    assert [i.input_format for i in read(tmp_path / "page.bin")[0]] == ["html"]


SUFFIXES = st.sampled_from([".xml", ".rss", ".jsonl", ".json", ".html", ".bin", ""])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=3000), markup_bytes()), SUFFIXES, st.booleans())
def test_read_input_file_never_raises(data: bytes, suffix: str, packed: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        name = f"random{suffix}{'.gz' if packed else ''}"
        path = Path(folder) / name
        path.write_bytes(gzip.compress(data) if packed else data)
        results = list(read_input_file(InputFile(str(path), name), NOW))
    check_results(results, name)
    items, rejects = split(results)
    assert items or rejects or sniff_format(name, data) == "jsonl"  # an empty JSONL is just empty
