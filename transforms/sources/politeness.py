"""Politeness: conditional requests, per-host limits, which failures to retry and how long to wait.

Conditional GET (``Validators`` stored between runs) lets an unchanged feed cost the publisher a
304 instead of the whole document, which is what makes frequent polling acceptable.

News sites ban crawlers that hammer them, and a ban loses a source for every later run. So every
request to a host first takes one of that host's ``concurrency`` slots and then waits until the
host's next start time, which each request pushes ``min_delay`` seconds past its own start and
past its own end. Starts to one host are thereby at least ``min_delay`` apart even when many
threads fetch it at once, and the server gets idle time after every response. A 429 or 503
``Retry-After`` pushes the host's next start time for every thread, not only for the request that
was told to wait.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationValueError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from akhbar.transforms.sources.encoding import BodyError
from akhbar.transforms.sources.ssrf import BlockedAddressError


@dataclass(frozen=True, slots=True)
class Validators:
    """HTTP cache validators of a URL, stored between runs to make the next request conditional."""

    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        headers = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in headers.items() if value}

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Validators:
        data = data or {}
        return cls(data.get("etag") or None, data.get("last_modified") or None)

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Validators:
        return cls(headers.get("etag") or None, headers.get("last-modified") or None)


@dataclass
class _HostState:
    slots: threading.BoundedSemaphore
    next_start: float = 0.0


class HostGate:
    """Thread-safe per-host limits: at most ``concurrency`` requests in flight to one host, and
    at least ``min_delay`` seconds from one request's start, and from its end, to the next
    request's start (robots.txt ``Crawl-delay`` semantics: the server sees idle time between
    requests however long each took). Hosts never share a limit."""

    def __init__(
        self,
        concurrency: int,
        min_delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if concurrency < 1:
            raise ValueError("per-host concurrency must be at least 1")
        if min_delay < 0:
            raise ValueError("per-host delay must not be negative")
        self.concurrency = concurrency
        self.min_delay = min_delay
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        with self._lock:
            state = self._hosts.get(host)
            if state is None:
                state = _HostState(threading.BoundedSemaphore(self.concurrency))
                self._hosts[host] = state
            return state

    @contextmanager
    def slot(self, host: str) -> Iterator[float]:
        """Hold one of ``host``'s slots for the duration of a request; yields the seconds waited
        for the start time (the wait for a free slot is not counted)."""
        state = self._state(host.lower())
        state.slots.acquire()
        try:
            with self._lock:
                now = self._clock()
                start = max(now, state.next_start)
                state.next_start = start + self.min_delay
            waited = start - now
            if waited > 0:
                self._sleep(waited)
            yield waited
        finally:
            with self._lock:  # the delay also runs from the end of this request
                state.next_start = max(state.next_start, self._clock() + self.min_delay)
            state.slots.release()

    def defer(self, host: str, seconds: float) -> None:
        """No new request to ``host`` starts within ``seconds`` from now (a server asked us)."""
        state = self._state(host.lower())
        with self._lock:
            state.next_start = max(state.next_start, self._clock() + seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try again, and after how long (see ``FetchConfig`` for the meaning of fields)."""

    retries: int
    backoff_base: float
    backoff_max: float
    retry_after_max: float

    def wait(
        self,
        attempt: int,
        rng: random.Random,
        status: int | None = None,
        retry_after: str | None = None,
    ) -> tuple[float, bool] | None:
        """(seconds, asked_by_server) before attempt ``attempt + 1``, or None to give up.

        ``status`` None means a retryable error without a response. 5xx (except 501 and 505,
        which do not change on retry) and 429 are retried. A ``Retry-After`` on 429/503 is obeyed
        exactly; one longer than ``retry_after_max`` ends the retries instead of being cut short,
        since retrying earlier than the server asked is what gets crawlers banned.
        """
        if attempt > self.retries:
            return None
        if status is not None and not retryable_status(status):
            return None
        asked = parse_retry_after(retry_after) if status in (429, 503) else None
        if asked is not None:
            return (asked, True) if asked <= self.retry_after_max else None
        return backoff_delay(attempt, self.backoff_base, self.backoff_max, rng), False


def retryable_status(status: int) -> bool:
    return status == 429 or (status >= 500 and status not in (501, 505))


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based): exponential, capped, jittered.

    "Equal jitter": half the exponential delay is fixed and half random, so retries from many
    workers spread out (no thundering herd) yet never fire immediately.
    """
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date; None when absent or garbage.

    A date in the past means "now" (0). Negative or non-numeric values are ignored rather than
    trusted, and the caller caps the result.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (moment - current).total_seconds())


def classify_error(exc: Exception) -> tuple[str, str, bool]:
    """(reject reason, detail, worth retrying) for an exception raised by urllib3 or the guard.

    Connection failures are retried; a read timeout is not (a server that stalled once usually
    stalls again, and each retry would hold a worker for another ``read_timeout``), nor are DNS,
    TLS and guard refusals, which another attempt does not change. Anything else is re-raised.
    """
    if isinstance(exc, BlockedAddressError):
        return "http:ssrf-blocked", f"at connect time: {exc.verdict.detail}", False
    if isinstance(exc, BodyError):
        return exc.reason, exc.detail, False
    if isinstance(exc, NameResolutionError):
        return "http:dns-error", str(exc), False
    if isinstance(exc, NewConnectionError):
        return "http:connection-error", str(exc), True
    if isinstance(exc, ConnectTimeoutError):
        return "http:timeout", f"connect: {exc}", True
    if isinstance(exc, ReadTimeoutError | TimeoutError):
        return "http:timeout", f"read: {exc}", False
    if isinstance(exc, SSLError):
        return "http:tls-error", str(exc), False
    if isinstance(exc, LocationValueError):
        return "http:bad-url", str(exc), False
    if isinstance(exc, HTTPError | OSError):  # reset, refused mid-way, truncated body
        return "http:connection-error", str(exc), True
    raise exc
