"""Retries (5xx, 429 with Retry-After, connection errors), per-host delay and concurrency, and
one dead feed never stopping the others, asserted from the server's request log.

Waits are asserted on a ``FakeClock`` given to the fetcher as its clock and its sleep: what it
waited, and between which requests, rather than real gaps timed on a machine that may be busy.
Concurrency is asserted with barriers in the server: a reply waits until the requests that
should be in flight together are."""

from __future__ import annotations

import socket
import threading

import pytest

from akhbar.transforms.sources.http import FetchResult, fetch_reject

from .conftest import FakeClock, Reply, Seen
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
    clock = FakeClock(server)
    result = make_fetcher(clock=clock).fetch(server.url("/feed"))
    assert result.ok and result.attempts == 2
    assert len(server.requests("/feed")) == 2
    # one wait, of the second the server asked for, after its 429 and before the retry
    assert (clock.slept, clock.seen_before_sleep) == ([1.0], [1])


def test_429_asking_for_longer_than_the_cap_gives_up_at_once(server, make_fetcher):
    server.route("/feed", Reply(429, headers={"Retry-After": "3600"}), Reply(200, FEED, XML))
    clock = FakeClock(server)
    result = make_fetcher(retry_after_max=5, clock=clock).fetch(server.url("/feed"))
    assert result.error == "http:429" and len(server.requests()) == 1
    assert clock.slept == []  # gave up without waiting at all


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
    clock = FakeClock(server)
    fetcher = make_fetcher(per_host_delay=0.4, clock=clock)
    assert fetcher.fetch(server.url("/a")).ok and fetcher.fetch(server.url("/b")).ok
    assert len(server.requests()) == 2
    # the second request waited 0.4 s after the first had been sent (the clock only moves
    # when the fetcher sleeps, so no time passed otherwise)
    assert clock.slept == [pytest.approx(0.4)] and clock.seen_before_sleep == [1]


def test_per_host_delay_spaces_concurrent_requests(server, make_fetcher):
    both_in_flight = threading.Barrier(2, timeout=60)

    def together(_seen: Seen) -> Reply:
        both_in_flight.wait()  # no answer until both requests are in flight at once
        return Reply(200, FEED, XML)

    server.route("/slow", together)
    clock = FakeClock(server)
    fetcher = make_fetcher(
        per_host_concurrency=2, per_host_delay=0.2, read_timeout=60.0, clock=clock
    )
    results: list[FetchResult] = []
    threads = [
        threading.Thread(target=lambda: results.append(fetcher.fetch(server.url("/slow"))))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 2 and all(r.ok for r in results)
    assert server.max_in_flight == 2  # in flight together,
    assert clock.slept == [pytest.approx(0.2)]  # yet the second start waited 0.2 s


def test_without_a_delay_requests_follow_at_once(server, make_fetcher):
    """Control for the tests above: the waits come from the per-host delay."""
    server.route("/a", Reply(200, FEED, XML))
    clock = FakeClock(server)
    fetcher = make_fetcher(per_host_delay=0.0, clock=clock)
    assert fetcher.fetch(server.url("/a")).ok and fetcher.fetch(server.url("/a")).ok
    assert len(server.requests()) == 2 and clock.slept == []


@pytest.mark.parametrize("limit", [1, 2])
def test_per_host_concurrency_limit(server, make_fetcher, limit):
    full = threading.Barrier(limit, timeout=60)

    def when_full(_seen: Seen) -> Reply:
        full.wait()  # answered only once `limit` requests are in flight: the limit is reached
        return Reply(200, FEED, XML, delay=0.25)  # a slow server: more would pile up

    server.route("/slow", when_full)
    fetcher = make_fetcher(per_host_concurrency=limit, read_timeout=60.0)
    results: list[FetchResult] = []
    threads = [
        threading.Thread(target=lambda: results.append(fetcher.fetch(server.url("/slow"))))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
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
