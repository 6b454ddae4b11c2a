"""A fetched article page -> one RawItem: trafilatura for the main text, structured data for facts.

Feeds often carry only a summary, so ``--fetch-articles`` and WARC input need the full text of a
page. Trafilatura finds the main text better than a density heuristic on unseen layouts, but its
metadata is guesswork where the page has structure: htmldate invents ``2013-01-01`` from a
``/2013/`` URL, and a broken ``og:url`` beats the ``<link rel=canonical>`` on LBCI. So the facts
(title, URL, date, authors, categories) come first from JSON-LD, OpenGraph and ``<meta>`` through
the same parser as saved pages (``html_page.parse_html_page``, so both paths give the same
RawItem), then from RDFa/microdata dates, and only then from trafilatura. The text comes from
trafilatura, falling back to JSON-LD ``articleBody`` or the density heuristic.

trafilatura costs about 0.1 s to import, so it is imported inside the function: ``akhbar ingest``
on feeds never pays for it.

robots.txt handling lives here too, as pure functions over the file's text: the fetcher downloads
``robots_url(page)`` once per origin (the URL is the cache key) and asks ``RobotsRules.allows``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import quote, unquote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from lxml import etree
from lxml import html as lxml_html

from akhbar.schemas.records import RawItem, Reject, make_reject, stable_id
from akhbar.transforms.clean import clean_text
from akhbar.transforms.dedup.urls import host_of
from akhbar.transforms.sources.encoding import decode_document
from akhbar.transforms.sources.html_page import find_news_article, meta_values, parse_html_page

# lxml.html elements: trafilatura needs HtmlElement methods on the tree it is given.
_HTML_PARSER = lxml_html.HTMLParser(
    recover=True, no_network=True, remove_comments=True, encoding="utf-8"
)
_STRUCTURED_DATE_XPATH = (
    "//*[not(self::meta)][@itemprop='datePublished' or @itemprop='dateCreated'"
    " or @property='dc:date' or @property='dc:created' or @property='dcterms:created'"
    " or @property='dcterms:date' or @property='article:published_time'"
    " or @property='schema:datePublished' or @property='datePublished']"
)
_BLANK_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True, slots=True)
class ArticleConfig:
    """How hard trafilatura looks. The defaults scored best on the real pages (see benchmarks)."""

    favor: Literal["balanced", "precision", "recall"] = "balanced"
    # Skip trafilatura's readability/jusText fallbacks and recall retry: ~30% faster on a
    # 500 KB page, same text on our real pages, less robust on layouts it has not seen.
    fast: bool = False
    include_tables: bool = True
    include_comments: bool = False
    # htmldate's extensive search guesses dates from URLs and stray text: off, markup only.
    extensive_date_search: bool = False


DEFAULT_ARTICLE_CONFIG = ArticleConfig()


def _parse_tree(text: str) -> Any:
    """The page as an lxml tree (or None): built once and handed to trafilatura as is."""
    try:
        return etree.fromstring(text.encode("utf-8", "replace"), _HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None


def structured_date(root: Any) -> str | None:
    """A publication date from RDFa or microdata on page elements (not <meta>, which html_page
    reads): Drupal's ``<span property="dc:date" content=...>``, ``<time itemprop=...>``."""
    for el in root.xpath(_STRUCTURED_DATE_XPATH):
        value = el.get("content") or el.get("datetime") or (el.text or "").strip()
        if value and any(ch.isdigit() for ch in value):
            return value.strip()
    return None


def _trafilatura(root: Any, url: str | None, config: ArticleConfig) -> Any:
    """trafilatura's Document for the tree, or None when it finds no main text.

    Imported here: the import costs about 0.1 s that feed-only runs must not pay.
    """
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            root,
            url=url,
            with_metadata=True,
            fast=config.fast,
            include_comments=config.include_comments,
            include_tables=config.include_tables,
            favor_precision=config.favor == "precision",
            favor_recall=config.favor == "recall",
            deduplicate=False,
            date_extraction_params={
                "extensive_search": config.extensive_date_search,
                "original_date": True,
            },
        )
    # A third-party heuristic stack on hostile HTML: any failure means "no trafilatura result"
    # and the page falls back to the structured-data parser; the page itself is never lost.
    except Exception:
        return None


def _paragraphs(text: str | None) -> str:
    """trafilatura's one-line-per-paragraph text with the blank-line breaks clean.py keeps."""
    if not text:
        return ""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _split_names(value: str | None, sep: str) -> list[str]:
    return [part.strip() for part in (value or "").split(sep) if part.strip()]


def _usable_url(candidate: str | None, fetched_url: str | None) -> str | None:
    """``candidate`` resolved against the fetched URL, unless it is not http(s) or it points at a
    site's home page while the page itself is deeper (a common CMS canonical bug that would merge
    every article of a site into one URL)."""
    if not candidate:
        return None
    resolved = urljoin(fetched_url, candidate.strip()) if fetched_url else candidate.strip()
    try:
        parts = urlsplit(resolved)
        fetched_path = urlsplit(fetched_url).path if fetched_url else ""
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if fetched_url and parts.path in ("", "/") and fetched_path not in ("", "/"):
        return None
    return resolved


def extract_article_page(
    html: bytes | str,
    url: str | None,
    fetched_at: datetime,
    source_hint: str,
    now: datetime,
    *,
    origin: str | None = None,
    http_charset: str | None = None,
    input_format: str = "html",
    config: ArticleConfig = DEFAULT_ARTICLE_CONFIG,
) -> RawItem | Reject:
    """One article page -> one RawItem (or a Reject saying why). Never raises.

    ``url`` is the URL the page was fetched from (WARC target URI); it resolves a relative
    canonical link and names the source. ``origin`` defaults to ``url``. Bytes are decoded by
    the one charset decoder with ``http_charset`` (the Content-Type's label) first; text, such
    as a page the fetcher already decoded, is used as it is, so a page is decoded once.
    """
    where = origin or url or "page"
    decoded = html if isinstance(html, str) else decode_document(html, http_charset).text
    text = decoded.lstrip("\ufeff")
    if not text.strip():  # libxml2 would read a lone BOM as Latin-1 text: say it plainly
        return make_reject(
            where, "parse", "html:empty-document", "no HTML found", text, now, fetched_at
        )
    base = parse_html_page(text, where, fetched_at, source_hint, now)
    page = next(iter(base))
    if isinstance(page, Reject):
        return page
    root = _parse_tree(text)
    if root is None:  # parse_html_page accepted it, so this is not expected; stay total anyway
        return make_reject(where, "parse", "html:parse-error", "no tree", text, now, fetched_at)
    jsonld = find_news_article(root) or {}
    meta = meta_values(root)
    doc = _trafilatura(root, url, config)
    body = _paragraphs(getattr(doc, "text", None))
    if not body and page.body and clean_text(page.body):
        body = page.body
    if not body:
        return make_reject(
            where, "parse", "article:no-text", "no main text found", text, now, fetched_at
        )
    structured_title = bool(jsonld.get("headline")) or "og:title" in meta or "twitter:title" in meta
    title = page.title if structured_title else (getattr(doc, "title", None) or page.title)
    final_url = (
        _usable_url(page.url, url)
        or _usable_url(getattr(doc, "url", None), url)
        or _usable_url(url, None)
    )
    published = page.published_raw or structured_date(root) or getattr(doc, "date", None)
    authors = page.authors or _split_names(getattr(doc, "author", None), ";")
    # trafilatura's tags are the keywords <meta>, often the headline again: categories only.
    categories = page.categories or list(getattr(doc, "categories", None) or [])
    source = host_of(url) or host_of(final_url) or page.source or source_hint
    return RawItem(
        item_id=stable_id(source, final_url, where),
        origin=where,
        input_format=input_format,
        source=source,
        fetched_at=fetched_at,
        guid=page.guid,
        url=final_url,
        title=title,
        summary=page.summary or getattr(doc, "description", None),
        body=body,
        published_raw=published,
        authors=list(dict.fromkeys(authors)),
        categories=list(dict.fromkeys(categories)),
        language_declared=page.language_declared or getattr(doc, "language", None),
    )


# --- robots.txt --------------------------------------------------------------------------------

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: crawlers must parse at least 500 KiB; we stop there
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BROWSER_TOKENS = frozenset(
    {"mozilla", "applewebkit", "chrome", "safari", "gecko", "firefox", "version", "khtml"}
)
_FRACTIONAL_DELAY = re.compile(r"^(\s*crawl-delay\s*:\s*)(\d*\.\d+)", re.I | re.M)


def robots_url(page_url: str) -> str | None:
    """``scheme://host[:port]/robots.txt`` for a page, in one spelling per origin (lower-case
    host, default port and credentials dropped) so it can key a cache; None if not http(s)."""
    try:
        parts = urlsplit(page_url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    suffix = f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{suffix}/robots.txt"


def robots_token(user_agent: str) -> str:
    """The product token robots.txt groups name: ``akhbar`` in ``akhbar/0.1 (+https://…)`` and
    in ``Mozilla/5.0 (compatible; akhbar/0.1)``."""
    for name in re.findall(r"([A-Za-z][A-Za-z0-9_.-]*)/", user_agent):
        if name.lower() not in _BROWSER_TOKENS:
            return name.lower()
    words = user_agent.split()
    return words[0].split("/")[0].lower() if words else "*"


@lru_cache(maxsize=4096)
def _rule_regex(path: str) -> re.Pattern[str]:
    """RFC 9309 pattern (``*`` any run, trailing ``$`` end) as a regex. robotparser stores the
    path percent-quoted, so ``*`` arrives as ``%2A`` and ``$`` as ``%24``."""
    anchored = path.endswith("%24")
    body = path[: -len("%24")] if anchored else path
    regex = ".*".join(re.escape(piece) for piece in body.split("%2A"))
    return re.compile(regex + ("$" if anchored else ""), re.S)


@dataclass(frozen=True)
class RobotsRules:
    """A parsed robots.txt plus what its HTTP status means (RFC 9309 section 2.3.1)."""

    parser: RobotFileParser | None
    everything_allowed: bool = False

    @classmethod
    def parse(cls, robots_txt: str) -> RobotsRules:
        """Rules from the file's text. Fractional crawl delays are rounded up (robotparser only
        reads whole seconds, and waiting longer is the polite direction)."""
        text = _FRACTIONAL_DELAY.sub(
            lambda m: m.group(1) + str(math.ceil(float(m.group(2)))), robots_txt[:ROBOTS_MAX_BYTES]
        )
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        return cls(parser)

    @classmethod
    def from_response(cls, status: int | None, robots_txt: str = "") -> RobotsRules:
        """2xx: the file's rules. 4xx (401/403 too): no robots.txt, everything allowed.
        5xx or no answer (None): the site is unreachable, so nothing is allowed for now."""
        if status is not None and 200 <= status < 300:
            return cls.parse(robots_txt)
        if status is not None and 400 <= status < 500:
            return cls(None, everything_allowed=True)
        return cls(None)

    def allows(self, url: str, user_agent: str) -> bool:
        """Longest-match Allow/Disallow with ``*`` and ``$`` (RFC 9309). robotparser itself takes
        the first matching line and ignores wildcards, which would let ``Disallow: /*?print``
        through; it is used here to split the file into groups and pick ours."""
        if self.parser is None:
            return self.everything_allowed
        token = robots_token(user_agent)
        # entries/default_entry: robotparser's parsed groups (stable since Python 2, untyped).
        entries: list[Any] = getattr(self.parser, "entries", [])
        entry = next((e for e in entries if e.applies_to(token)), None)
        entry = entry or getattr(self.parser, "default_entry", None)
        if entry is None:
            return True
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        path = _quoted_path(parts.path, parts.query)
        if path == "/robots.txt":
            return True
        best_len, allowed = -1, True
        for line in entry.rulelines:
            if not line.path and line.allowance:  # "Disallow:" with no path allows everything
                continue
            if _rule_regex(line.path).match(path) and (
                len(line.path) > best_len or (len(line.path) == best_len and line.allowance)
            ):
                best_len, allowed = len(line.path), line.allowance
        return allowed

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds between requests asked of our group (or ``*``), None if not stated."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(robots_token(user_agent))
        return float(delay) if delay is not None else None


def _quoted_path(path: str, query: str) -> str:
    """The URL path (+query) quoted exactly as robotparser quotes its rule paths."""
    target = (path or "/") + (f"?{query}" if query else "")
    return quote(unquote(target)) or "/"


def robots_allows(robots_txt: str, url: str, user_agent: str) -> bool:
    """May ``user_agent`` fetch ``url`` under this robots.txt? (Parse once with
    ``RobotsRules.parse`` when checking many URLs of one site.)"""
    return RobotsRules.parse(robots_txt).allows(url, user_agent)


def robots_crawl_delay(robots_txt: str, user_agent: str) -> float | None:
    return RobotsRules.parse(robots_txt).crawl_delay(user_agent)
