"""HostGate spacing and limits, backoff, Retry-After, retry decisions and error classification."""

from __future__ import annotations

import itertools
import random
import socket
import threading
from datetime import UTC, datetime

import pytest
from urllib3.exceptions import (
    ConnectTimeoutError,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from akhbar.transforms.sources.encoding import BodyError
from akhbar.transforms.sources.politeness import (
    HostGate,
    RetryPolicy,
    Validators,
    backoff_delay,
    classify_error,
    parse_retry_after,
    retryable_status,
)

from .conftest import FakeClock


def test_gate_spaces_starts_per_host_and_not_across_hosts():
    clock = FakeClock()
    gate = HostGate(1, 2.0, clock, clock.sleep)
    starts: list[tuple[str, float]] = []
    for host in ["a.example", "a.example", "b.example", "A.EXAMPLE"]:
        with gate.slot(host):
            starts.append((host.lower(), clock.now))
    a_times = [t for h, t in starts if h == "a.example"]
    assert [b - a for a, b in itertools.pairwise(a_times)] == [2.0, 2.0]
    assert starts[2][1] == starts[1][1]  # b.example did not wait for a.example


def test_gate_spaces_the_starts_of_concurrent_requests():
    clock = FakeClock()
    gate = HostGate(2, 1.5, clock, clock.sleep)
    with gate.slot("a.example") as first, gate.slot("a.example") as second:
        assert (first, second) == (0.0, 1.5)  # both in flight, yet started 1.5 s apart


def test_gate_delay_also_runs_from_the_end_of_a_slow_request():
    clock = FakeClock()
    gate = HostGate(2, 1.0, clock, clock.sleep)
    with gate.slot("a.example"):
        clock.now += 3.0  # a slow response
    with gate.slot("a.example") as waited:
        assert waited == 1.0 and clock.now == 104.0


def test_gate_defer_holds_back_the_next_start():
    clock = FakeClock()
    gate = HostGate(1, 0.0, clock, clock.sleep)
    gate.defer("a.example", 5.0)
    with gate.slot("a.example") as waited:
        assert waited == 5.0
    with gate.slot("b.example") as waited:
        assert waited == 0.0


def test_gate_limits_concurrency_with_real_threads():
    gate = HostGate(2, 0.0)
    lock = threading.Lock()
    state = {"now": 0, "max": 0}
    pair = threading.Barrier(2, timeout=60)  # a slot is held until another thread is in too

    def work() -> None:
        with gate.slot("a.example"):
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
            pair.wait()
            with lock:
                state["now"] -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not pair.broken  # every slot holder found a second one: two at a time were let in
    assert state["max"] == 2


def test_gate_rejects_nonsense():
    with pytest.raises(ValueError):
        HostGate(0, 1.0)
    with pytest.raises(ValueError):
        HostGate(1, -1.0)


def test_backoff_grows_is_capped_and_jittered():
    rng = random.Random(7)
    delays = [backoff_delay(n, 1.0, 8.0, rng) for n in range(1, 7)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len({backoff_delay(3, 1.0, 8.0, rng) for _ in range(20)}) > 1  # jitter


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1.0), (" 120 ", 120.0), ("0", 0.0), ("Sun, 01 Feb 2026 12:00:30 GMT", 30.0),
     ("Sun, 01 Feb 2026 11:00:00 GMT", 0.0), ("-5", None), ("soon", None), ("", None),
     (None, None)],
)  # fmt: skip
def test_parse_retry_after(value, expected):
    now = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after(value, now) == expected


def test_retry_policy_decisions():
    policy = RetryPolicy(retries=2, backoff_base=1.0, backoff_max=4.0, retry_after_max=60.0)
    rng = random.Random(1)
    assert policy.wait(1, rng, 500) is not None
    assert policy.wait(3, rng, 500) is None  # retries used up
    assert policy.wait(1, rng, 404) is None and policy.wait(1, rng, 501) is None
    assert policy.wait(1, rng, 429, "3") == (3.0, True)
    assert policy.wait(1, rng, 503, "3") == (3.0, True)
    assert policy.wait(1, rng, 429, "600") is None  # longer than we may wait: give up
    seconds, asked = policy.wait(1, rng, 429) or (None, None)
    assert asked is False and seconds is not None and 0.5 <= seconds <= 1.0
    assert policy.wait(1, rng) is not None  # an error without a response
    assert [retryable_status(s) for s in (200, 429, 500, 502, 505)] == [
        False, True, True, True, False,
    ]  # fmt: skip


def test_classify_error():
    conn = object()
    gai = socket.gaierror(socket.EAI_NONAME, "nope")
    cases = [
        (NameResolutionError("h", conn, gai), "http:dns-error", False),  # type: ignore[arg-type]
        (NewConnectionError(conn, "refused"), "http:connection-error", True),  # type: ignore[arg-type]
        (ConnectTimeoutError(conn, "slow"), "http:timeout", True),
        (ReadTimeoutError(None, "u", "slow"), "http:timeout", False),  # type: ignore[arg-type]
        (SSLError("bad cert"), "http:tls-error", False),
        (LocationParseError("x y"), "http:bad-url", False),
        (ProtocolError("reset"), "http:connection-error", True),
        (ConnectionResetError(), "http:connection-error", True),
        (BodyError("http:too-large", "big"), "http:too-large", False),
    ]
    for exc, reason, retryable in cases:
        got_reason, _detail, got_retryable = classify_error(exc)
        assert (got_reason, got_retryable) == (reason, retryable), exc
    with pytest.raises(KeyError):
        classify_error(KeyError("a bug, not a network error"))


def test_validators_round_trip_and_headers():
    validators = Validators('"abc"', "Sat, 31 Jan 2026 10:00:00 GMT")
    assert Validators.from_dict(validators.as_dict()) == validators
    assert validators.request_headers() == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Sat, 31 Jan 2026 10:00:00 GMT",
    }
    assert Validators().request_headers() == {} and Validators.from_dict(None) == Validators()
    assert Validators.from_headers({"etag": 'W/"x"'}) == Validators('W/"x"', None)
