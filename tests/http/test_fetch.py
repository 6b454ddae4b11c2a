"""Fetcher against a real local server: validators, compression, size caps, timeouts, charsets.

Every behaviour is asserted from the server's own request log where it can be.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib

import pytest

from akhbar.schemas.records import RawItem
from akhbar.transforms.sources.feeds import parse_feed
from akhbar.transforms.sources.http import (
    DEFAULT_USER_AGENT,
    FetchConfig,
    Fetcher,
    Validators,
    fetch_reject,
)

from .conftest import Reply, Seen
from .feeds import FEED, NOW, TITLES, XML, rss, titles


def test_plain_fetch_sends_a_clear_user_agent_and_accepts_compression(server, make_fetcher):
    server.route("/feed", Reply(200, FEED, {"Content-Type": "application/rss+xml; charset=utf-8"}))
    result = make_fetcher().fetch(server.url("/feed"))
    assert result.ok and result.status == 200 and result.attempts == 1
    assert result.body == FEED and result.final_url == server.url("/feed")
    assert (result.encoding, result.encoding_source) == ("utf-8", "http-header")
    assert titles(result) == TITLES
    [seen] = server.requests()
    assert seen.headers["user-agent"] == DEFAULT_USER_AGENT
    assert "akhbar" in seen.headers["user-agent"]
    assert {p.strip() for p in seen.headers["accept-encoding"].split(",")} == {"gzip", "deflate"}
    assert "if-none-match" not in seen.headers and "if-modified-since" not in seen.headers


def test_user_agent_is_configurable(server, make_fetcher):
    server.route("/feed", Reply(200, FEED, XML))
    make_fetcher(user_agent="my-crawler/2.0 (ops@example.org)").fetch(server.url("/feed"))
    assert server.requests()[0].headers["user-agent"] == "my-crawler/2.0 (ops@example.org)"


def test_conditional_get_uses_stored_validators_and_gets_304(server, make_fetcher):
    etag, modified = '"v1"', "Sat, 31 Jan 2026 10:00:00 GMT"

    def conditional(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == etag:
            return Reply(304, headers={"ETag": etag})
        return Reply(200, FEED, {**XML, "ETag": etag, "Last-Modified": modified})

    server.route("/feed", conditional)
    fetcher = make_fetcher()
    first = fetcher.fetch(server.url("/feed"))
    assert first.ok and not first.not_modified
    assert first.validators == Validators(etag, modified)
    stored = first.validators.as_dict()  # what a run keeps in its state between runs
    second = fetcher.fetch(server.url("/feed"), Validators.from_dict(stored))
    assert second.ok and second.not_modified and second.status == 304
    assert second.body == b"" and second.text is None
    assert second.validators == Validators(etag, modified)  # kept: the 304 repeated only the ETag
    one, two = server.requests()
    assert "if-none-match" not in one.headers
    assert two.headers["if-none-match"] == etag
    assert two.headers["if-modified-since"] == modified


def test_304_with_new_validators_replaces_stored_ones(server, make_fetcher):
    server.route("/feed", Reply(304, headers={"ETag": '"v2"'}))
    result = make_fetcher().fetch(server.url("/feed"), Validators('"v1"', None))
    assert result.not_modified and result.validators == Validators('"v2"', None)


def test_failure_keeps_the_stored_validators(server, make_fetcher):
    server.route("/feed", Reply(404, b"gone"))
    result = make_fetcher().fetch(server.url("/feed"), Validators('"v1"', "yesterday"))
    assert result.error == "http:404"
    assert result.validators == Validators('"v1"', "yesterday")


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw, as some servers send it
    ],
)
def test_compressed_bodies_are_decompressed(server, make_fetcher, encoding, compress):
    server.route("/feed", Reply(200, compress(FEED), {**XML, "Content-Encoding": encoding}))
    result = make_fetcher().fetch(server.url("/feed"))
    assert result.ok and result.body == FEED
    assert titles(result) == TITLES


def test_corrupt_gzip_is_a_decode_error(server, make_fetcher):
    server.route(
        "/feed", Reply(200, b"\x1f\x8b\x08\x00not gzip at all", {"Content-Encoding": "gzip"})
    )
    result = make_fetcher().fetch(server.url("/feed"))
    assert result.error == "http:decode-error"


def test_gzip_bomb_stops_at_the_cap_without_inflating_in_memory(server, make_fetcher):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB in ~64 KiB
    assert len(bomb) < 200_000
    server.route("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    cap = 1024 * 1024
    fetcher = make_fetcher(max_bytes=cap)
    tracemalloc.start()
    try:
        result = fetcher.fetch(server.url("/bomb"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "http:too-large"
    assert peak < 8 * cap, f"peak {peak} bytes while capped at {cap}"


def test_stall_past_the_read_timeout_is_a_timeout(server, make_fetcher):
    # the body comes 30 s after the headers: a client that waited for it would have got it
    # (result.ok), so the timeout error itself shows the read timeout cut the wait short
    server.route("/slow", Reply(200, FEED, XML, stall=30.0))
    result = make_fetcher(read_timeout=0.3).fetch(server.url("/slow"))
    assert result.error == "http:timeout"
    assert len(server.requests()) == 1  # a stalled server is not asked again
    assert fetch_reject(result, NOW).reason == "http:timeout"


def test_no_status_line_within_the_read_timeout_is_a_timeout(server, make_fetcher):
    server.route("/slow", Reply(200, FEED, XML, delay=30.0))
    result = make_fetcher(read_timeout=0.3).fetch(server.url("/slow"))
    assert result.error == "http:timeout"


class TickingClock:
    """Each look at the clock is ``step`` seconds after the one before: a body read in many
    pieces takes simulated time, whatever the machine's load does to real time."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_slow_drip_is_cut_by_the_total_timeout(server, make_fetcher):
    # 1000 one-byte pieces, each well within the (real) read timeout; the total timeout is
    # measured on the fetcher's clock, 0.1 s per piece here: it ends the body after ~5 pieces
    server.route("/drip", Reply(200, headers=XML, stream=lambda: iter([b"<"] * 1000), drip=0.01))
    fetcher = make_fetcher(read_timeout=30.0, total_timeout=0.5, clock=TickingClock(0.1))
    result = fetcher.fetch(server.url("/drip"))
    assert result.error == "http:timeout"
    assert "body took over 0.5 s" in result.error_detail  # the total timeout, not a read timeout
    assert result.attempts == 1 and len(server.requests()) == 1


def test_declared_oversize_body_is_refused_before_reading(server, make_fetcher):
    # the body would only come after a 30 s stall, past the read timeout (2 s): a client that
    # started reading it would have failed with http:timeout instead
    server.route("/big", Reply(200, b"x" * 100, content_length=10**10, stall=30.0))
    result = make_fetcher(max_bytes=1_000_000).fetch(server.url("/big"))
    assert result.error == "http:too-large" and "Content-Length" in result.error_detail
    assert server.bytes_sent.get("/big", 0) == 0


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until it holds (generous timeout): a condition, not a guessed time."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_undeclared_oversize_body_stops_at_the_cap(server, make_fetcher):
    total = 256 * 1024 * 1024

    def endless():
        block = b"a" * 65536
        for _ in range(total // len(block)):
            yield block

    server.route("/big", Reply(200, headers=XML, stream=endless))
    result = make_fetcher(max_bytes=256 * 1024).fetch(server.url("/big"))
    assert result.error == "http:too-large"
    # the server's handler ends when its writes fail: the client hung up early
    wait_for(lambda: server.in_flight == 0, "the server to notice the hang-up")
    assert server.bytes_sent.get("/big", 0) < total // 4


def test_windows_1256_feed_without_any_declaration(server, make_fetcher):
    body = rss().encode("cp1256")
    assert b"encoding" not in body and body.decode("latin-1").isascii() is False
    server.route("/feed", Reply(200, body, {"Content-Type": "application/rss+xml"}))
    result = make_fetcher().fetch(server.url("/feed"))
    assert (result.encoding, result.encoding_source) == ("cp1256", "sniffed-arabic")
    assert TITLES[0] in (result.text or "")
    assert titles(result) == TITLES
    # The raw bytes give the same titles: parse_feed decodes them with the same decoder.
    raw = [i.title for i in parse_feed(body, "raw", NOW, "t", NOW) if isinstance(i, RawItem)]
    assert raw == TITLES


def test_windows_1256_feed_with_a_declaration(server, make_fetcher):
    body = rss(declaration="windows-1256").encode("cp1256")
    server.route("/feed", Reply(200, body, {"Content-Type": "text/xml"}))
    result = make_fetcher().fetch(server.url("/feed"))
    assert (result.encoding, result.encoding_source) == ("cp1256", "xml-declaration")
    assert titles(result) == TITLES


@pytest.mark.parametrize(
    ("header", "declared", "actual"),
    [("windows-1256", "utf-8", "cp1256"), ("utf-8", "windows-1256", "utf-8")],
)
def test_http_charset_wins_over_a_conflicting_declaration(
    server, make_fetcher, header, declared, actual
):
    body = rss(declaration=declared).encode(actual)
    server.route("/feed", Reply(200, body, {"Content-Type": f"text/xml; charset={header}"}))
    result = make_fetcher().fetch(server.url("/feed"))
    assert (result.encoding, result.encoding_source) == (actual, "http-header")
    assert titles(result) == TITLES
    assert result.utf8_body().startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def test_fetch_reject_refuses_a_success(server, make_fetcher):
    server.route("/feed", Reply(200, FEED, XML))
    result = make_fetcher().fetch(server.url("/feed"))
    with pytest.raises(ValueError):
        fetch_reject(result, NOW)


def test_config_is_validated_and_picklable():
    import pickle

    config = FetchConfig(user_agent="x/1", allowed_networks=("10.1.0.0/16",))
    assert pickle.loads(pickle.dumps(config)) == config
    for bad in (
        {"max_bytes": 0},
        {"retries": -1},
        {"per_host_concurrency": 0},
        {"user_agent": " "},
        {"allowed_networks": ("not-a-cidr",)},
    ):
        with pytest.raises(ValueError):
            FetchConfig(**bad)  # type: ignore[arg-type]
    Fetcher(config).close()
