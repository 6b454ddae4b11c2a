"""Every odd and broken file in ../shared/data/warc/ is ingested or rejected with a reason."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from akhbar.transforms.sources.warc import (
    DEFAULT_WARC_CONFIG,
    WarcConfig,
    WarcStats,
    read_warc_file,
)

from .conftest import NOW, SHARED_WARC, split

EXAMPLE_URL = "http://example.com/"
# file -> (items as (record, url, WARC-Date), rejects as (record, reason), skipped counters)
EXPECTED: dict[str, tuple[list[tuple[int, str, str]], list[tuple[int, str]], dict[str, int]]] = {
    # ARC with lengths -1 and 'abc', and a text/plain record with no HTTP status line.
    "warcio_bad.arc": (
        [],
        [
            (0, "warc:bad-length"),
            (1, "warc:bad-length"),
            (2, "warc:bad-status-line"),
            (3, "warc:bad-length"),
        ],
        {},
    ),
    # One gzip stream for the whole file: warcio refuses it, read as one inflated stream.
    "warcio_example-bad-non-chunked.warc.gz": (
        [(2, EXAMPLE_URL, "2017-03-06T04:02:06+00:00")],
        [],
        {"warcinfo": 2, "request": 2, "revisit": 1},
    ),
    "warcio_example-bad.warc.gz.bad": (
        [(1, "http://example.com?example=1", "2014-01-03T03:03:21+00:00")],
        [],
        {"warcinfo": 1, "request": 2, "revisit": 1, "status-302": 1},
    ),
    "warcio_example-digest.warc": ([], [], {"request": 4}),  # only requests, digests aside
    # Transfer-Encoding: chunked body, de-chunked before extraction.
    "warcio_example-iana.org-chunked.warc": (
        [(1, "http://iana.org/", "2017-03-06T16:54:09+00:00")],
        [],
        {"warcinfo": 1, "request": 1},
    ),
    "warcio_example-resource.warc.gz": ([], [], {"warcinfo": 2, "resource": 1}),
    "warcio_example-space-in-target-uri.warc.gz": ([], [], {"warcinfo": 1, "resource": 1}),
    # Content-Length 4 bytes short of the gzip body: the digests catch the cut record.
    "warcio_example-trunc.warc": (
        [],
        [(2, "warc:digest-mismatch")],
        {"warcinfo": 2, "request": 1},
    ),
    # WARC-Target-URI: <http://example.com/> (wget's angle brackets).
    "warcio_example-wget-bad-target-uri.warc.gz": (
        [(2, EXAMPLE_URL, "2018-02-09T15:12:11+00:00")],
        [],
        {"warcinfo": 1, "request": 1, "metadata": 1, "resource": 2},
    ),
    # gzip members split mid-record, and the record is one byte longer than it says.
    "warcio_example-wrong-chunks.warc.gz": ([], [(0, "warc:digest-mismatch")], {"request": 1}),
    "warcio_example.arc.gz": (
        [(1, EXAMPLE_URL, "2014-02-16T05:02:21+00:00")],
        [],
        {"warcinfo": 1},
    ),
    "warcio_example.warc": (
        [(2, EXAMPLE_URL, "2017-03-06T04:02:06+00:00")],
        [],
        {"warcinfo": 2, "request": 2, "revisit": 1},
    ),
    "warcio_example.warc.gz": (
        [(2, EXAMPLE_URL, "2017-03-06T04:02:06+00:00")],
        [],
        {"warcinfo": 2, "request": 2, "revisit": 1},
    ),
    "warcio_post-test.warc.gz": ([], [], {"not-html": 3, "request": 3}),  # JSON responses
}


def read(path: Path, config: WarcConfig = DEFAULT_WARC_CONFIG) -> tuple[list, list, WarcStats]:
    stats = WarcStats()
    items, rejects = split(
        list(read_warc_file(str(path), path.name, NOW, "hint", NOW, config=config, stats=stats))
    )
    return items, rejects, stats


def test_every_shared_file_is_covered() -> None:
    assert sorted(p.name for p in SHARED_WARC.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_file(name: str) -> None:
    want_items, want_rejects, want_skipped = EXPECTED[name]
    items, rejects, stats = read(SHARED_WARC / name)
    assert [
        (int(i.origin.rsplit("=", 1)[1]), i.url, i.fetched_at.isoformat()) for i in items
    ] == want_items
    assert [(int(r.input.rsplit("=", 1)[1]), r.reason) for r in rejects] == want_rejects
    assert stats.skipped() == want_skipped
    for item in items:
        assert item.origin.startswith(f"{name}#record=") and item.input_format == "warc"
        assert item.title and item.body and item.source
    for reject in rejects:
        assert reject.stage == "read" and reject.detail and reject.input.startswith(name)
    assert stats.counts["item"] == len(items)
    assert sum(v for k, v in stats.counts.items() if k.startswith("reject:")) == len(rejects)
    assert stats.counts["records"] == sum(
        v for k, v in stats.counts.items() if k.startswith("type:")
    )


def test_record_type_counters_of_the_example() -> None:
    """warcio_example.warc.gz holds 2 warcinfo, 1 response, 2 requests and 1 revisit."""
    items, rejects, stats = read(SHARED_WARC / "warcio_example.warc.gz")
    assert dict(stats.counts) == {
        "records": 6,
        "type:warcinfo": 2,
        "type:response": 1,
        "type:request": 2,
        "type:revisit": 1,
        "skip:warcinfo": 2,
        "skip:request": 2,
        "skip:revisit": 1,
        "item": 1,
    }
    [item] = items
    assert rejects == []
    assert (item.title, item.source) == ("Example Domain", "example.com")
    assert "This domain is" in (item.body or "")
    assert item.fetched_at == datetime.fromisoformat("2017-03-06T04:02:06+00:00")


def test_plain_gzip_and_arc_forms_agree() -> None:
    bodies = {
        name: read(SHARED_WARC / name)[0][0].body
        for name in ("warcio_example.warc", "warcio_example.warc.gz", "warcio_example.arc.gz",
                     "warcio_example-bad-non-chunked.warc.gz")
    }  # fmt: skip
    assert len(set(bodies.values())) == 1


def test_digest_checks_can_be_switched_off() -> None:
    """The records the digests reject still decode: trusting them is the user's choice."""
    loose = WarcConfig(verify_digests=False)
    for name in ("warcio_example-trunc.warc", "warcio_example-wrong-chunks.warc.gz"):
        items, rejects, _ = read(SHARED_WARC / name, loose)
        assert rejects == [] and [i.title for i in items] == ["Example Domain"]


def test_length_anomaly_is_counted() -> None:
    _, _, stats = read(SHARED_WARC / "warcio_example-trunc.warc")
    assert stats.counts["anomaly:length-mismatch"] == 1
    _, _, clean = read(SHARED_WARC / "warcio_example.warc")
    assert clean.counts["anomaly:length-mismatch"] == 0


def test_resource_records_on_request() -> None:
    config = WarcConfig(include_resources=True)
    items, rejects, stats = read(SHARED_WARC / "warcio_example-resource.warc.gz", config)
    assert [i.url for i in items] == [EXAMPLE_URL] and rejects == []
    items, rejects, stats = read(SHARED_WARC / "warcio_example-space-in-target-uri.warc.gz", config)
    assert items == [] and rejects == [] and stats.skipped() == {"warcinfo": 1, "not-html": 1}
