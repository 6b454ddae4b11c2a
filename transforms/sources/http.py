"""Polite, guarded HTTP fetching of feeds and pages, on urllib3.

``Fetcher.fetch`` never raises for anything the network or a server does: every outcome is a
``FetchResult``, and a failed one becomes a ``rejects`` row through ``fetch_reject``, so one dead
feed never stops the others. What it does, and why:

- Conditional GET (``If-None-Match``/``If-Modified-Since`` from stored ``Validators``): an
  unchanged feed costs the publisher a 304 and us nothing, which is what lets runs poll often.
- Redirects are followed by hand (at most ``max_redirects``) so that the SSRF guard judges every
  hop before anything connects to it; urllib3's own redirects would skip the guard.
- Bodies are read in pieces and decompressed by ``encoding.CappedDecompressor``, with the wire
  bytes and the decompressed bytes both capped at ``max_bytes``: a gzip bomb stops at the cap.
- Retries with exponential backoff and jitter on 5xx, connection errors and 429, obeying
  ``Retry-After`` (``politeness.RetryPolicy``); a per-host concurrency limit and minimum delay
  between requests (``politeness.HostGate``).
- The charset: HTTP header, BOM, declaration, sniffing (``encoding.decode_body``).

A Fetcher holds a connection pool and locks: build one per worker (in a DoFn's ``setup``) from a
``FetchConfig``, a frozen dataclass that travels to workers as a constructor argument.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import urllib3
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError
from urllib3.util import Timeout, parse_url

from akhbar.schemas.records import PAYLOAD_LIMIT, Reject, make_reject, stable_id
from akhbar.transforms.bounds import DEFAULT_MAX_FETCH_BYTES, DEFAULT_MAX_REDIRECTS
from akhbar.transforms.sources.encoding import (
    BodyError,
    CappedDecompressor,
    decode_body,
    is_textual,
    to_utf8_document,
)
from akhbar.transforms.sources.politeness import HostGate, RetryPolicy, Validators, classify_error
from akhbar.transforms.sources.ssrf import (
    GuardPolicy,
    Resolver,
    clean_url,
    guard_reason,
    guarded_connection_classes,
    inspect_url,
    parse_networks,
)

DEFAULT_USER_AGENT = "akhbar/0.1 (+https://github.com/akhbar-news/akhbar)"
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """Everything a Fetcher needs; picklable, so it can travel to Beam workers.

    ``total_timeout`` bounds one response (a server dripping a byte just inside ``read_timeout``
    would otherwise hold a worker for hours). ``retries`` counts retries, not attempts.
    ``allowed_networks`` are CIDRs the SSRF guard lets through while it stays on for the rest.
    ``ca_certs`` is a CA bundle for HTTPS (an intranet's own CA); None trusts the system's CAs.
    """

    user_agent: str = DEFAULT_USER_AGENT
    accept: str = DEFAULT_ACCEPT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    max_bytes: int = DEFAULT_MAX_FETCH_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    retries: int = 2
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    retry_after_max: float = 120.0
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    allow_private_network: bool = False
    allowed_networks: tuple[str, ...] = ()
    ca_certs: str | None = None
    max_pools: int = 64

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_timeout", "max_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchConfig.{name} must be positive")
        for name in ("max_redirects", "retries", "backoff_base", "backoff_max", "per_host_delay"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchConfig.{name} must not be negative")
        if self.retry_after_max < 0 or self.per_host_concurrency < 1 or self.max_pools < 1:
            raise ValueError(
                "FetchConfig: need retry_after_max >= 0, per_host_concurrency >= 1, max_pools >= 1"
            )
        if not self.user_agent.strip():
            raise ValueError("FetchConfig.user_agent must not be empty")
        parse_networks(self.allowed_networks)  # a bad CIDR fails at configuration time

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.retries, self.backoff_base, self.backoff_max, self.retry_after_max)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one ``fetch``: a body, a 304, or an ``error`` reason (``http:...``).

    ``validators`` are the ones to store: the response's on 200; the stored ones refreshed by the
    304's on 304; the stored ones unchanged on failure, so the next run is still conditional.
    ``attempts`` counts requests sent, retries and redirect hops included. ``body`` is
    decompressed; after an HTTP error status it holds the start of the error page.
    """

    url: str
    final_url: str
    status: int | None
    headers: Mapping[str, str]
    body: bytes
    text: str | None
    encoding: str | None
    encoding_source: str | None
    validators: Validators
    not_modified: bool
    attempts: int
    redirects: tuple[str, ...]
    error: str | None
    error_detail: str
    elapsed: float
    fetched_at: datetime

    @property
    def ok(self) -> bool:
        return self.error is None

    def utf8_body(self) -> bytes:
        """The document as UTF-8 whose own declaration says UTF-8: what ``parse_feed`` and the
        page parser should get, since they trust the declaration inside the bytes."""
        return to_utf8_document(self.text) if self.text is not None else self.body


class FetchError(Exception):
    """A fetch (or one attempt of it) failed; ``retryable`` says whether trying again may help."""

    def __init__(
        self,
        reason: str,
        detail: str,
        retryable: bool = False,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.retryable = reason, detail, retryable
        self.status, self.headers, self.body = status, dict(headers or {}), body


@dataclass(slots=True)
class _Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class _Progress:
    url: str
    started: float
    validators: Validators
    current: str
    attempts: int = 0
    redirects: list[str] = field(default_factory=list)


class Fetcher:
    """Fetches URLs politely through the SSRF guard; one instance is safe to share by threads."""

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        resolver: Resolver | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = cfg = config or FetchConfig()
        self._networks = parse_networks(cfg.allowed_networks)
        self._resolver = resolver
        self._rng = rng or random.Random()
        self._sleep, self._clock = sleep, clock
        self._retry = cfg.retry_policy()
        self._gate = HostGate(cfg.per_host_concurrency, cfg.per_host_delay, clock, sleep)
        self._timeout = Timeout(connect=cfg.connect_timeout, read=cfg.read_timeout)
        policy = GuardPolicy(cfg.allow_private_network, self._networks, resolver)
        http_conn, https_conn = guarded_connection_classes(policy)
        self._pool = urllib3.PoolManager(
            num_pools=cfg.max_pools,
            maxsize=cfg.per_host_concurrency,
            block=False,
            retries=False,
            ca_certs=cfg.ca_certs,
        )
        self._pool.pool_classes_by_scheme = {
            "http": type("GuardedPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedTLSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.clear()

    def fetch(self, url: str, validators: Validators | None = None) -> FetchResult:
        """GET ``url``, conditionally when ``validators`` are given. Never raises."""
        progress = _Progress(url, self._clock(), validators or Validators(), url)
        try:
            return self._fetch(progress)
        except FetchError as err:
            return self._result(progress, err.status, err.headers, err.body, err.reason, err.detail)
        except Exception as exc:  # a bug must cost one feed, not the run
            return self._result(progress, None, {}, b"", "http:internal-error", repr(exc))

    def _fetch(self, progress: _Progress) -> FetchResult:
        cfg = self.config
        headers = {
            "User-Agent": cfg.user_agent,
            "Accept": cfg.accept,
            "Accept-Encoding": "gzip, deflate",
            **progress.validators.request_headers(),
        }
        current = clean_url(progress.url)
        while True:
            progress.current = current
            verdict = inspect_url(
                current, cfg.allow_private_network, allowed_networks=self._networks,
                resolver=self._resolver,
            )  # fmt: skip
            if verdict is not None:
                raise FetchError(guard_reason(verdict), f"{current}: {verdict.detail}")
            response = self._with_retries(current, headers, progress)
            if response.status not in REDIRECT_STATUSES:
                break
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"http:{response.status}", "redirect without a Location header")
            if len(progress.redirects) >= cfg.max_redirects:
                raise FetchError(
                    "http:too-many-redirects",
                    f"more than {cfg.max_redirects} redirects; the next was to {location}",
                    status=response.status,
                )
            current = urljoin(current, clean_url(location))
            progress.redirects.append(current)
        status, found = response.status, response.headers
        if status == 304:
            fresh, stored = Validators.from_headers(found), progress.validators
            merged = Validators(
                fresh.etag or stored.etag, fresh.last_modified or stored.last_modified
            )
            return self._result(progress, status, found, b"", None, "", merged, True)
        if not 200 <= status < 300:
            raise FetchError(
                f"http:{status}", f"HTTP {status}", status=status, headers=found,
                body=response.body,
            )  # fmt: skip
        valid = Validators.from_headers(found)
        return self._result(progress, status, found, response.body, None, "", valid)

    def _with_retries(self, url: str, headers: dict[str, str], progress: _Progress) -> _Response:
        host = (parse_url(url).host or "").strip("[]").lower()
        attempt = 0
        while True:
            attempt += 1
            progress.attempts += 1
            try:
                with self._gate.slot(host):
                    response = self._once(url, headers)
            except FetchError as err:
                if not err.retryable:
                    raise
                wait = self._retry.wait(attempt, self._rng)
                if wait is None:
                    raise
            else:
                retry_after = response.headers.get("retry-after")
                wait = self._retry.wait(attempt, self._rng, response.status, retry_after)
                if wait is None:
                    return response
            seconds, asked_by_server = wait
            if asked_by_server:  # hold back every thread's requests to this host, not just ours
                self._gate.defer(host, seconds)
            self._sleep(seconds)

    def _once(self, url: str, headers: dict[str, str]) -> _Response:
        """One request and its body (or the start of it); the connection returned or closed."""
        started = self._clock()
        try:
            resp = self._pool.urlopen(
                "GET", url, headers=headers, redirect=False, retries=False,
                preload_content=False, decode_content=False, timeout=self._timeout,
            )  # fmt: skip
        except Exception as exc:
            raise FetchError(*classify_error(exc)) from None
        complete = False
        try:
            status = int(resp.status)
            found = {name.lower(): value for name, value in resp.headers.itermerged()}
            body = b""
            if 200 <= status < 300:
                body = self._read_body(resp, found, started, self.config.max_bytes)
                complete = True
            elif status >= 400:
                body = self._read_snippet(resp, found, started)
            return _Response(status, found, body)
        except FetchError:
            raise
        except Exception as exc:
            raise FetchError(*classify_error(exc)) from None
        finally:
            if not complete:  # unread bytes would poison a reused connection
                resp.close()
            resp.release_conn()

    def _read_body(self, resp: Any, headers: Mapping[str, str], started: float, cap: int) -> bytes:
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            raise FetchError("http:too-large", f"Content-Length {declared} exceeds {cap} bytes")
        decoder = CappedDecompressor(headers.get("content-encoding"), cap)
        deadline = started + self.config.total_timeout
        received = 0
        while chunk := resp.read1(_CHUNK, decode_content=False):
            received += len(chunk)
            if received > cap:
                raise FetchError("http:too-large", f"body exceeds {cap} bytes")
            decoder.feed(chunk)
            if self._clock() > deadline:
                raise FetchError("http:timeout", f"body took over {self.config.total_timeout} s")
        return decoder.finish()

    def _read_snippet(self, resp: Any, headers: Mapping[str, str], started: float) -> bytes:
        """The start of an error page, for the reject's payload; its own problems are ignored."""
        try:
            return self._read_body(resp, {**headers, "content-length": ""}, started, PAYLOAD_LIMIT)
        except (FetchError, BodyError, HTTPError, OSError):
            return b""

    def _result(
        self,
        progress: _Progress,
        status: int | None,
        headers: Mapping[str, str],
        body: bytes,
        error: str | None,
        detail: str,
        validators: Validators | None = None,
        not_modified: bool = False,
    ) -> FetchResult:
        text = encoding = source = None
        if error is None and not not_modified and is_textual(headers.get("content-type")):
            decoded = decode_body(body, headers.get("content-type"))
            text, encoding, source = decoded.text, decoded.encoding, decoded.source
        return FetchResult(
            url=progress.url,
            final_url=progress.current,
            status=status,
            headers=dict(headers),
            body=body,
            text=text,
            encoding=encoding,
            encoding_source=source,
            validators=validators or progress.validators,
            not_modified=not_modified,
            attempts=progress.attempts,
            redirects=tuple(progress.redirects),
            error=error,
            error_detail=detail,
            elapsed=self._clock() - progress.started,
            fetched_at=datetime.now(UTC),
        )


def fetch_reject(result: FetchResult, now: datetime, *, source: str | None = None) -> Reject:
    """The ``rejects`` row for a failed fetch: stage 'fetch', its reason, the URL as input."""
    if result.ok:
        raise ValueError(f"{result.url} did not fail")
    parts = [result.error_detail, f"status={result.status}" if result.status else ""]
    if result.final_url != result.url:
        parts.append(f"final_url={result.final_url}")
    parts.append(f"attempts={result.attempts}")
    detail = "; ".join(part for part in parts if part)
    reason = result.error or "http:internal-error"
    return url_reject(result.url, reason, detail, now, payload=result.body, source=source)


def url_reject(
    url: str,
    reason: str,
    detail: str,
    now: datetime,
    *,
    payload: bytes | str | None = None,
    source: str | None = None,
) -> Reject:
    """A 'fetch' reject for ``url``; also for a URL refused before any fetch (an item link that
    ``check_url`` refused: pass ``guard_reason(verdict)`` as the reason).

    The id includes the run time, so a feed failing on every poll leaves one row per poll
    instead of one row overwritten forever (and a rerun of the same run stays idempotent).
    """
    item_id = stable_id("reject", "fetch", url, reason, now.isoformat())
    return make_reject(url, "fetch", reason, detail, payload, now, source=source, item_id=item_id)
