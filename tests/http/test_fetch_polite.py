"""Retries (5xx, 429 with Retry-After, connection errors), per-host delay and concurrency, and
one dead feed never stopping the others, asserted from the server's request log."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from akhbar.transforms.sources.http import FetchResult, fetch_reject

from .conftest import Reply
from .feeds import FEED, NOW, XML


def test_500_then_200_is_retried(server, make_fetcher):
    server.route("/feed", Reply(500, b"oops"), Reply(200, FEED, XML))
    result = make_fetcher().fetch(server.url("/feed"))
    assert result.ok and result.attempts == 2
    assert len(server.requests("/feed")) == 2


def test_persistent_503_gives_up_after_the_retries(server, make_fetcher):
    server.route("/feed", Reply(503, b"<h1>down for maintenance</h1>"))
    result = make_fetcher(retries=2).fetch(server.url("/feed"))
    assert result.error == "http:503" and result.status == 503 and result.attempts == 3
    assert len(server.requests()) == 3
    reject = fetch_reject(result, NOW)
    assert "down for maintenance" in reject.payload and "status=503" in reject.detail


def test_404_is_not_retried(server, make_fetcher):
    server.route("/feed", Reply(404, b"not here"))
    result = make_fetcher().fetch(server.url("/feed"))
    assert result.error == "http:404" and result.attempts == 1
    assert len(server.requests()) == 1


def test_429_retry_after_is_honoured(server, make_fetcher):
    server.route("/feed", Reply(429, headers={"Retry-After": "1"}), Reply(200, FEED, XML))
    result = make_fetcher().fetch(server.url("/feed"))
    assert result.ok and result.attempts == 2
    [gap] = server.gaps("/feed")
    assert gap >= 1.0, f"retried after {gap:.3f} s despite Retry-After: 1"


def test_429_asking_for_longer_than_the_cap_gives_up_at_once(server, make_fetcher):
    server.route("/feed", Reply(429, headers={"Retry-After": "3600"}), Reply(200, FEED, XML))
    started = time.monotonic()
    result = make_fetcher(retry_after_max=5).fetch(server.url("/feed"))
    assert result.error == "http:429" and len(server.requests()) == 1
    assert time.monotonic() - started < 1.0


def test_truncated_body_is_a_connection_error_and_retried(server, make_fetcher):
    server.route("/cut", Reply(200, FEED[:100], XML, content_length=len(FEED)))
    result = make_fetcher(retries=1).fetch(server.url("/cut"))
    assert result.error == "http:connection-error" and result.attempts == 2
    assert len(server.requests()) == 2


def test_connection_refused_is_retried_then_rejected(make_fetcher):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = make_fetcher(retries=2).fetch(f"http://127.0.0.1:{port}/feed")
    assert result.error == "http:connection-error" and result.attempts == 3
    assert fetch_reject(result, NOW).reason == "http:connection-error"


def test_per_host_minimum_delay(server, make_fetcher):
    server.route("/a", Reply(200, FEED, XML))
    server.route("/b", Reply(200, FEED, XML))
    fetcher = make_fetcher(per_host_delay=0.4)
    assert fetcher.fetch(server.url("/a")).ok and fetcher.fetch(server.url("/b")).ok
    [gap] = server.gaps()
    assert gap >= 0.4, f"second request {gap:.3f} s after the first"


def test_per_host_delay_spaces_concurrent_requests(server, make_fetcher):
    server.route("/slow", Reply(200, FEED, XML, delay=0.5))
    fetcher = make_fetcher(per_host_concurrency=2, per_host_delay=0.2)
    threads = [
        threading.Thread(target=fetcher.fetch, args=(server.url("/slow"),)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    [gap] = server.gaps()
    # Spaced by the client at 0.2 s; the server's clock may see a few ms less, since the first
    # request's trip (connect included) can take longer than the second's. Unspaced would be ~0.
    assert 0.15 <= gap < 0.45  # spaced, yet in flight together (each takes 0.5 s)
    assert server.max_in_flight == 2


def test_without_a_delay_requests_follow_at_once(server, make_fetcher):
    """Control for the test above: the spacing comes from the gate, not from the server."""
    server.route("/a", Reply(200, FEED, XML))
    fetcher = make_fetcher(per_host_delay=0.0)
    fetcher.fetch(server.url("/a"))
    fetcher.fetch(server.url("/a"))
    assert server.gaps()[0] < 0.2


@pytest.mark.parametrize("limit", [1, 2])
def test_per_host_concurrency_limit(server, make_fetcher, limit):
    server.route("/slow", Reply(200, FEED, XML, delay=0.25))
    fetcher = make_fetcher(per_host_concurrency=limit)
    results: list[FetchResult] = []
    threads = [
        threading.Thread(target=lambda: results.append(fetcher.fetch(server.url("/slow"))))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 6 and all(r.ok for r in results)
    assert server.max_in_flight == limit


def test_one_dead_feed_does_not_stop_the_others(server, make_fetcher):
    server.route("/good", Reply(200, FEED, XML))
    server.route("/dead", Reply(500))
    fetcher = make_fetcher(retries=0)
    urls = [server.url("/dead"), "ftp://x/y", server.url("/good")]
    results = [fetcher.fetch(url) for url in urls]
    assert [r.error for r in results] == ["http:500", "http:ssrf-blocked", None]
    rejects = [fetch_reject(r, NOW) for r in results if not r.ok]
    assert [r.input for r in rejects] == urls[:2]
    assert len({r.id for r in rejects}) == 2
