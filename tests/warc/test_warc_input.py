"""WARC through ``read_input_file`` (format dispatch, no whole-file cap) and fuzzing: random and
damaged WARC files never raise."""

from __future__ import annotations

import gzip
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.schemas.records import Reject
from akhbar.transforms.sources import files
from akhbar.transforms.sources.files import InputFile, expand_inputs, read_input_file, sniff_format
from akhbar.transforms.sources.warc import WarcStats, read_warc_file
from tests.sources.conftest import check_results

from .conftest import NOW, SHARED_WARC, WarcBuilder, split


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [("a.warc", b"", "warc"), ("a.warc.gz", b"", "warc"), ("A.ARC", b"", "warc"),
     ("a.arc.gz", b"", "warc"), ("download", b"WARC/1.0\r\nWARC-Type: warcinfo", "warc"),
     ("download", b"\r\nWARC/1.1\r\n", "warc"), ("x.bad", b"filedesc://a.arc 0.0.0.0 x", "warc"),
     ("download", b"WARCRAFT", None), ("a.html", b"WARC/1.0", "html")],
)  # fmt: skip
def test_sniff_format(name: str, head: bytes, expected: str | None) -> None:
    assert sniff_format(name, head) == expected


def test_every_shared_file_reads_the_same_through_dispatch() -> None:
    for input_file in expand_inputs([str(SHARED_WARC)]):
        path = Path(input_file.path)
        direct = list(read_warc_file(str(path), path.name, NOW, "x", NOW))
        dispatched = list(read_input_file(input_file, NOW))
        assert [
            (type(r), getattr(r, "reason", None), getattr(r, "url", None)) for r in dispatched
        ] == [(type(r), getattr(r, "reason", None), getattr(r, "url", None)) for r in direct], (
            input_file.display
        )
        check_results(dispatched, input_file.display)


def test_sniffed_by_content_through_gzip() -> None:
    """``.warc.gz.bad``: no known extension, so the inflated first bytes decide."""
    [item] = [r for r in read_input_file(
        InputFile(str(SHARED_WARC / "warcio_example-bad.warc.gz.bad"), "x.bad"), NOW
    )]  # fmt: skip
    assert item.input_format == "warc" and item.url == "http://example.com?example=1"


def test_warc_files_skip_the_whole_file_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """CC-NEWS files are about 1 GB: streamed record by record, never refused for size."""
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    path = SHARED_WARC / "warcio_example.warc.gz"
    assert path.stat().st_size > 1000
    items, rejects = split(list(read_input_file(InputFile(str(path), path.name), NOW)))
    assert [i.title for i in items] == ["Example Domain"] and rejects == []


def test_read_warc_file_logs_its_counters(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="akhbar.transforms.sources.warc")
    list(read_warc_file(str(SHARED_WARC / "warcio_post-test.warc.gz"), "p.warc.gz", NOW, "p", NOW))
    [record] = [r for r in caplog.records if r.name == "akhbar.transforms.sources.warc"]
    assert "p.warc.gz" in record.getMessage() and "skip:not-html=3" in record.getMessage()


def test_io_error() -> None:
    [reject] = list(read_warc_file("/nonexistent/x.warc", "x.warc", NOW, "x", NOW))
    assert isinstance(reject, Reject) and reject.reason == "read:io-error"


def small_warc() -> bytes:
    page = (
        "<html><head><title>خبر {n}</title></head><body><article>"
        "<p>فقرة أولى من الخبر رقم {n} فيها كلام كاف ليكون متنا.</p>"
        "<p>فقرة ثانية من الخبر رقم {n} فيها كلام آخر.</p></article></body></html>"
    )
    builder = WarcBuilder().request("https://a.example/1")
    for n in range(3):
        builder.response(f"https://a.example/{n}", page.format(n=n).encode())
    return builder.build(gzipped=False)


SMALL = small_warc()
SMALL_ITEMS = 3


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, len(SMALL)),
    st.lists(st.tuples(st.integers(0, len(SMALL) - 1), st.integers(0, 255)), max_size=4),
    st.booleans(),
)
def test_damaged_warc_never_raises(cut: int, flips: list[tuple[int, int]], packed: bool) -> None:
    data = bytearray(SMALL)
    for position, value in flips:
        data[position] = value
    raw = bytes(data[:cut])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.warc.gz"
        path.write_bytes(gzip.compress(raw) if packed else raw)
        stats = WarcStats()
        results = list(read_warc_file(str(path), "damaged.warc.gz", NOW, "d", NOW, stats=stats))
    check_results(results, "damaged.warc.gz")
    items, rejects = split(results)
    assert len(items) <= SMALL_ITEMS
    if cut == len(SMALL) and not flips:
        assert len(items) == SMALL_ITEMS and rejects == []
    assert stats.counts["item"] == len(items)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["x.warc", "x.warc.gz", "x.arc"]), st.booleans())
def test_random_bytes_as_a_warc_file_never_raise(data: bytes, name: str, packed: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(gzip.compress(data) if packed else data)
        direct = list(read_warc_file(str(path), name, NOW, "x", NOW))
        dispatched = list(read_input_file(InputFile(str(path), name), NOW))
    for results in (direct, dispatched):
        check_results(results, name)
        assert results  # random bytes are never silently nothing


def test_a_bug_on_one_record_does_not_end_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from akhbar.transforms.sources import warc

    real = warc.extract_article_page

    def flaky(html: bytes | str, url: str | None, *args: object, **kwargs: object) -> object:
        if url == "https://a.example/1":
            raise RuntimeError("boom")
        return real(html, url, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(warc, "extract_article_page", flaky)
    results = list(warc.read_warc(io.BytesIO(SMALL), "s.warc", NOW, "s", NOW))
    items, rejects = split(results)
    assert [i.url for i in items] == ["https://a.example/0", "https://a.example/2"]
    assert [(r.reason, r.input) for r in rejects] == [("warc:internal-error", "s.warc#record=3")]
