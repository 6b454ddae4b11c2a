"""Feeds over HTTP: poll each feed conditionally, parse it, optionally fetch full articles.

One feed is one unit of work: its failure is one reject row and never touches the others.
Item ids of polled feeds do not depend on the item's position in the feed (positions shift as
items are added), only on source and guid/link, so a later poll recognises the same item.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import apache_beam as beam

from akhbar.schemas.records import RawItem, Reject, make_reject, stable_id
from akhbar.transforms import coders  # noqa: F401  (registers the record coders)
from akhbar.transforms.accounting import ReadCount
from akhbar.transforms.progress import ProgressCounter
from akhbar.transforms.sources.article import RobotsRules, extract_article_page, robots_url
from akhbar.transforms.sources.feedlist import FeedSpec
from akhbar.transforms.sources.feeds import parse_feed
from akhbar.transforms.sources.http import FetchConfig, Fetcher, fetch_reject
from akhbar.transforms.sources.limits import DEFAULT_LIMITS, ReadLimits
from akhbar.transforms.sources.politeness import Validators
from akhbar.transforms.sources.ssrf import check_url
from akhbar.transforms.state import FetchState

REJECTS_TAG = "rejects"
COUNTS_TAG = "counts"
STATE_TAG = "fetch_state"
SUMMARY_ONLY_CHARS = 400


@dataclass(frozen=True, slots=True)
class PollConfig:
    fetch: FetchConfig
    fetch_articles: bool = False
    threads: int = 8
    limits: ReadLimits = DEFAULT_LIMITS  # items per feed and nesting depth of fetched feeds


# Reasons the page of a feed item was not fetched on purpose (not a failure of the site).
SKIPPED_REASONS = {
    "article:no-link": "skipped:no-link",
    "article:robots-disallowed": "skipped:robots",
}


def page_fetch_status(problem: str | None) -> str:
    """The ``page_fetch`` column: ``ok``, ``skipped:<why>`` (no link, robots.txt) or
    ``failed:<reason>`` (``failed:http:404``, ``failed:http:ssrf-blocked``,
    ``failed:article:no-text`` ...): the reason a page fetch failed stays with the row."""
    if problem is None:
        return "ok"
    return SKIPPED_REASONS.get(problem, f"failed:{problem}")


def needs_full_article(item: RawItem) -> bool:
    """A feed item that carries only a teaser: no full content, or very little text."""
    body = item.body or ""
    return not body or body == item.summary or len(body) < SUMMARY_ONLY_CHARS


class ArticleFetcher:
    """Full-article fetch behind the same fetcher, SSRF guard and a per-site robots.txt cache."""

    def __init__(self, fetcher: Fetcher, config: FetchConfig) -> None:
        self.fetcher = fetcher
        self.config = config
        self.robots: dict[str, RobotsRules] = {}
        self.lock = threading.Lock()

    def rules_for(self, url: str) -> RobotsRules | None:
        where = robots_url(url)
        if where is None:
            return None
        with self.lock:
            cached = self.robots.get(where)
        if cached is None:
            result = self.fetcher.fetch(where)
            cached = RobotsRules.from_response(result.status, result.text or "")
            with self.lock:
                self.robots[where] = cached
        return cached

    def enrich(self, item: RawItem, now: datetime) -> tuple[RawItem, str | None]:
        """The item with the page's text, or unchanged plus the reason it could not be."""
        if not item.url:
            return item, "article:no-link"
        refused = check_url(item.url, self.config.allow_private_network)
        if refused:
            return item, refused
        rules = self.rules_for(item.url)
        if rules is not None and not rules.allows(item.url, self.config.user_agent):
            return item, "article:robots-disallowed"
        result = self.fetcher.fetch(item.url)
        if not result.ok:
            return item, result.error
        page = extract_article_page(
            # The fetcher already decoded a textual page (encoding.decode_body): its text goes
            # on, so the page is decoded once. Bytes only when the fetcher left them as bytes.
            result.text if result.text is not None else result.body,
            result.final_url,
            result.fetched_at,
            item.source,
            now,
            origin=item.origin,
            http_charset=result.encoding,
        )
        if isinstance(page, Reject) or not page.body:
            return item, "article:no-text"
        dated_by_page = not (item.published_raw or item.published_at) and bool(
            page.published_raw or page.published_at
        )
        return replace(
            item,
            body=page.body,
            title=item.title or page.title,
            published_raw=item.published_raw or page.published_raw,
            published_at=item.published_at or page.published_at,
            published_from="page" if dated_by_page else item.published_from,
            authors=item.authors or page.authors,
            categories=item.categories or page.categories,
        ), None


def poll_feed(
    spec: FeedSpec,
    fetcher: Fetcher,
    validators: dict[str, Any] | None,
    now: datetime,
    articles: ArticleFetcher | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[RawItem | Reject | ReadCount | FetchState]:
    """Everything one feed contributes to a run (never raises)."""
    stored = Validators(
        etag=(validators or {}).get("etag"), last_modified=(validators or {}).get("last_modified")
    )
    result = fetcher.fetch(spec.url, stored)
    yield FetchState(
        url=spec.url,
        etag=result.validators.etag,
        last_modified=result.validators.last_modified,
        status=result.status,
        fetched_at=result.fetched_at.isoformat(),
    )
    if not result.ok:
        yield fetch_reject(result, now, source=spec.source)
        yield ReadCount(spec.url, 1)
        return
    if result.not_modified:
        yield ReadCount(spec.url, 0)
        return
    produced = 0
    seen_ids: set[str] = set()
    body = result.utf8_body()
    for parsed in parse_feed(body, spec.url, result.fetched_at, spec.source, now, limits):
        produced += 1
        if isinstance(parsed, Reject):
            yield replace(
                parsed, source=spec.source, id=stable_id("reject", parsed.id, now.isoformat())
            )
            continue
        item = replace(
            parsed,
            source=spec.source,
            item_id=stable_id(spec.source, parsed.guid or parsed.url or parsed.title),
            language_declared=parsed.language_declared or spec.language,
        )
        if item.item_id in seen_ids:  # the same guid twice in one feed document
            yield make_reject(
                item.origin,
                "parse",
                "feed:repeated-item",
                "guid/link repeated within the feed",
                item.title,
                now,
                item.fetched_at,
                spec.source,
                stable_id(item.item_id, item.origin),
            )
            continue
        seen_ids.add(item.item_id)
        if articles is not None and needs_full_article(item):
            item, problem = articles.enrich(item, now)
            item = replace(item, page_fetch=page_fetch_status(problem))
        yield item
    yield ReadCount(spec.url, produced)


class _PollFeedsFn(beam.DoFn):
    def __init__(
        self,
        config: PollConfig,
        validators: dict[str, dict[str, Any]],
        now: datetime,
        progress_dir: str | None = None,
    ) -> None:
        self.config = config
        self.validators = validators
        self.now = now
        self.progress_dir = progress_dir

    def setup(self) -> None:
        self.fetcher = Fetcher(self.config.fetch)
        self.articles = (
            ArticleFetcher(self.fetcher, self.config.fetch) if self.config.fetch_articles else None
        )
        self.progress = ProgressCounter(self.progress_dir)

    def teardown(self) -> None:
        self.fetcher.close()

    def process(self, batch: list[FeedSpec]) -> Iterator[Any]:
        def one(spec: FeedSpec) -> list[Any]:
            return list(
                poll_feed(
                    spec,
                    self.fetcher,
                    self.validators.get(spec.url),
                    self.now,
                    self.articles,
                    self.config.limits,
                )
            )

        with ThreadPoolExecutor(max_workers=max(1, self.config.threads)) as pool:
            for results in pool.map(one, batch):
                for result in results:
                    if isinstance(result, Reject):
                        self.progress.add("read")
                        yield beam.pvalue.TaggedOutput(REJECTS_TAG, result)
                    elif isinstance(result, ReadCount):
                        yield beam.pvalue.TaggedOutput(COUNTS_TAG, result)
                    elif isinstance(result, FetchState):
                        yield beam.pvalue.TaggedOutput(STATE_TAG, result)
                    else:
                        self.progress.add("read")
                        yield result
        self.progress.flush()


class PollFeeds(beam.PTransform):
    """Feed specs -> (items, rejects, counts, fetch states)."""

    def __init__(
        self,
        config: PollConfig,
        validators: dict[str, dict[str, Any]],
        now: datetime,
        progress_dir: str | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.validators = validators
        self.now = now
        self.progress_dir = progress_dir

    def expand(self, specs):
        outputs = (
            specs
            # one worker polls up to 32 feeds at once, threads sharing per-host politeness
            | "BatchFeeds" >> beam.BatchElements(min_batch_size=1, max_batch_size=32)
            | "PollFeeds"
            >> beam.ParDo(_PollFeedsFn(self.config, self.validators, self.now, self.progress_dir))
            .with_output_types(RawItem)
            .with_outputs(REJECTS_TAG, COUNTS_TAG, STATE_TAG, main="items")
        )
        items = outputs.items | "RedistributeItems" >> beam.Reshuffle().with_output_types(RawItem)
        return items, outputs[REJECTS_TAG], outputs[COUNTS_TAG], outputs[STATE_TAG]
