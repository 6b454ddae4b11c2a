"""RSS 2.0, RSS 1.0/RDF and Atom files -> RawItems, via feedparser after an XML safety screen.

feedparser never sees the original bytes: they are decoded by the one charset decoder
(``encoding.decode_document``) and handed over as UTF-8 whose declaration says UTF-8. Left to
itself, feedparser reads an undeclared windows-1256 or ISO-8859-6 feed file as windows-1252.
The safety screen reads the same UTF-8 document feedparser will parse.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from akhbar.schemas.records import RawItem, Reject, make_reject, stable_id
from akhbar.transforms.dedup.urls import host_of
from akhbar.transforms.sources.encoding import decode_document, to_utf8_document
from akhbar.transforms.sources.limits import DEFAULT_LIMITS, ReadLimits
from akhbar.transforms.sources.xml_safety import UnsafeXML, screen_xml


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _body_html(entry: Any) -> tuple[str | None, str | None]:
    """(body, summary): full content (content:encoded / atom:content) beats description."""
    summary = entry.get("summary") or entry.get("description")
    contents = entry.get("content") or []
    best = None
    for content in contents:
        value = content.get("value") if isinstance(content, dict) else None
        if value and (best is None or len(value) > len(best)):
            best = value
    return (best or summary), (summary if best else None)


def _names(entry: Any) -> list[str]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        name = author.get("name") if isinstance(author, dict) else None
        if name and name not in names:
            names.append(str(name))
    if not names and entry.get("author"):
        names.append(str(entry.get("author")))
    return names


def _categories(entry: Any) -> list[str]:
    found: list[str] = []
    for tag in entry.get("tags") or []:
        term = (tag.get("term") or tag.get("label")) if isinstance(tag, dict) else None
        if term and term not in found:
            found.append(str(term))
    return found


def feed_format(parsed: Any) -> str:
    version = str(parsed.get("version") or "")
    if version.startswith("atom"):
        return "atom"
    if version in ("rss090", "rss10"):
        return "rdf"
    return "rss"


def parse_feed(
    data: bytes | str,
    display: str,
    fetched_at: datetime,
    source_hint: str,
    now: datetime,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[RawItem | Reject]:
    """Yield one RawItem per entry, or Rejects (the whole file when it is unsafe or not a feed).

    Entries past ``limits.max_feed_items`` are rejected one by one with the id they would have
    had, so an oversized feed costs no cleaning or dedup work and still loses no item silently.
    ``data`` is the file's bytes, or text a caller already decoded (a fetched feed).
    """
    document = to_utf8_document(data if isinstance(data, str) else decode_document(data).text)
    try:
        screen_xml(document, limits.max_depth)
    except UnsafeXML as exc:
        yield make_reject(display, "parse", exc.reason, exc.detail, data, now, fetched_at)
        return
    try:
        parsed = feedparser.parse(document, sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:  # feedparser promises not to raise; do not trust strangers' input
        yield make_reject(display, "parse", "feed:parser-crash", repr(exc), data, now, fetched_at)
        return
    entries = parsed.get("entries") or []
    if not entries:
        problem = parsed.get("bozo_exception")
        reason = "feed:not-a-feed" if not parsed.get("version") else "feed:no-items"
        if problem is not None and not parsed.get("version"):
            reason = "feed:parse-error"
        detail = f"no items found ({problem!r})" if problem is not None else "no items found"
        yield make_reject(display, "parse", reason, detail, data, now, fetched_at)
        return
    channel = parsed.get("feed") or {}
    source = host_of(channel.get("link")) or source_hint
    declared = channel.get("language")
    fmt = feed_format(parsed)
    for position, entry in enumerate(entries):
        origin = f"{display}#item={position}"
        if position >= limits.max_feed_items:
            yield _over_limit(entry, origin, source, limits.max_feed_items, now, fetched_at)
            continue
        try:
            body, summary = _body_html(entry)
            link = entry.get("link")
            guid = entry.get("id") or entry.get("guid")
            # dict.get bypasses feedparser's deprecated published->updated key fallback.
            published = _struct_to_datetime(
                dict.get(entry, "published_parsed")
            ) or _struct_to_datetime(dict.get(entry, "updated_parsed"))
            yield RawItem(
                item_id=stable_id(source, guid or link, origin),
                origin=origin,
                input_format=fmt,
                source=source,
                fetched_at=fetched_at,
                guid=str(guid) if guid else None,
                url=str(link) if link else None,
                title=entry.get("title"),
                summary=summary,
                body=body,
                published_raw=entry.get("published")
                or entry.get("updated")
                or entry.get("dc_date"),
                published_at=published,
                authors=_names(entry),
                categories=_categories(entry),
                language_declared=str(declared) if declared else None,
            )
        except Exception as exc:  # one broken entry must not lose the others
            yield make_reject(
                origin,
                "parse",
                "feed:bad-entry",
                repr(exc)[:300],
                repr(entry)[:2000],
                now,
                fetched_at,
                source=source,
            )


def _over_limit(
    entry: Any, origin: str, source: str, limit: int, now: datetime, fetched_at: datetime
) -> Reject:
    guid = entry.get("id") or entry.get("guid")
    link = entry.get("link")
    return make_reject(
        origin,
        "parse",
        "feed:too-many-items",
        f"the feed has more than {limit} items (--max-feed-items)",
        f"{entry.get('title') or ''}\n{link or ''}",
        now,
        fetched_at,
        source=source,
        item_id=stable_id(source, guid or link, origin),
    )
