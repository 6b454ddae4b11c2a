"""JSON Lines (optionally gzipped) -> RawItems, accepting the field aliases common in dumps."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from akhbar.schemas.records import RawItem, Reject, make_reject, stable_id
from akhbar.transforms.dedup.urls import host_of
from akhbar.transforms.sources.limits import DEFAULT_LIMITS, ReadLimits

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "guid", "_id", "uid", "docno"),
    "url": ("url", "link", "canonical_url", "href"),
    "source": ("source", "source_name", "site", "domain", "publisher"),
    "title": ("title", "headline"),
    "published": (
        "published",
        "date",
        "published_at",
        "pubDate",
        "pub_date",
        "datePublished",
        "time",
    ),
    "text": ("text", "content", "body", "article", "articleBody", "maintext"),
    "summary": ("summary", "description", "abstract", "lead"),
    "authors": ("authors", "author", "byline"),
    "categories": ("categories", "category", "tags", "section", "keywords"),
    "language": ("language", "lang", "inLanguage"),
}


def pick(record: dict[str, Any], field: str) -> Any:
    for name in ALIASES[field]:
        value = record.get(name)
        if value not in (None, "", []):
            return value
    return None


def as_text(value: Any) -> str | None:
    """Strings pass; a dict with a name (``{"name": ...}``) gives its name; anything else is str()."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = value.get("name") or value.get("value") or value.get("url")
        return as_text(inner) if inner is not None else None
    if isinstance(value, list):
        texts = [t for t in (as_text(v) for v in value) if t]
        return "\n\n".join(texts) if texts else None
    return str(value)


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")] if "," in value else [value.strip()]
        return [p for p in parts if p]
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            text = as_text(v)
            if text and text.strip() and text.strip() not in out:
                out.append(text.strip())
        return out
    text = as_text(value)
    return [text] if text else []


def record_to_item(
    record: dict[str, Any], origin: str, fetched_at: datetime, source_hint: str
) -> RawItem:
    url = as_text(pick(record, "url"))
    source = as_text(pick(record, "source")) or host_of(url) or source_hint
    guid = as_text(pick(record, "id"))
    published = pick(record, "published")
    return RawItem(
        item_id=stable_id(source, guid or url, origin),
        origin=origin,
        input_format="jsonl",
        source=source.strip() or source_hint,
        fetched_at=fetched_at,
        guid=guid,
        url=url,
        title=as_text(pick(record, "title")),
        summary=as_text(pick(record, "summary")),
        body=as_text(pick(record, "text")) or as_text(pick(record, "summary")),
        published_raw=None if published is None else str(published),
        authors=as_list(pick(record, "authors")),
        categories=as_list(pick(record, "categories")),
        language_declared=as_text(pick(record, "language")),
    )


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_problem(line: str, max_depth: int) -> tuple[str, str] | None:
    """(reason, detail) when brackets show the line is too deep or cannot be JSON, else None.

    Checked before ``json.loads``, whose C parser recurses and would spend time (and, near
    Python's recursion limit, the stack) on a hostile line. A line with at most ``max_depth``
    opening brackets cannot nest deeper, which keeps the common case to two ``str.count`` calls.
    Unbalanced brackets mean malformed JSON whatever the depth (``jsonl:invalid-json``).
    """
    if line.count("[") + line.count("{") <= max_depth:
        return None
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", line))
    depth = deepest = 0
    for ch in brackets:
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
        if depth < 0:
            break
    if depth != 0:
        return ("jsonl:invalid-json", "brackets do not balance")
    if deepest > max_depth:
        return ("jsonl:too-deep", f"nested {deepest} deep > {max_depth} (--max-depth)")
    return None


def parse_jsonl(
    lines: Iterable[bytes],
    display: str,
    fetched_at: datetime,
    source_hint: str,
    now: datetime,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[RawItem | Reject]:
    """One RawItem per non-blank line; a bad line becomes a Reject and the file goes on.

    A record nested deeper than ``limits.max_depth`` is ``jsonl:too-deep``: the field readers
    below recurse into lists and dicts, and no news record needs more than a few levels.

    Lines are not sent through the charset decoder of the other inputs
    (``encoding.decode_document``): JSON text exchanged between systems is UTF-8 (RFC 8259,
    section 8.1), so a line that is not UTF-8 is ``jsonl:invalid-utf8`` rather than a guess.
    UTF-16 files with a BOM are turned into UTF-8 lines by the file reader (``files._lines``).
    """
    for number, raw_line in enumerate(lines, start=1):
        if not raw_line.strip():
            continue
        origin = f"{display}#line={number}"
        try:
            line = raw_line.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield make_reject(
                origin, "parse", "jsonl:invalid-utf8", str(exc), raw_line, now, fetched_at
            )
            continue
        problem = nesting_problem(line, limits.max_depth)
        if problem is None:
            try:
                record = json.loads(line)
            except RecursionError:  # the limit is above what Python's JSON parser can take
                problem = ("jsonl:too-deep", "nested deeper than the JSON parser can go")
            except json.JSONDecodeError as exc:
                problem = ("jsonl:invalid-json", str(exc)[:300])
        if problem is not None:
            yield make_reject(origin, "parse", problem[0], problem[1], line, now, fetched_at)
            continue
        if not isinstance(record, dict):
            yield make_reject(
                origin,
                "parse",
                "jsonl:not-an-object",
                f"got {type(record).__name__}",
                line,
                now,
                fetched_at,
            )
            continue
        try:
            yield record_to_item(record, origin, fetched_at, source_hint)
        except (TypeError, ValueError, AttributeError, RecursionError) as exc:
            yield make_reject(
                origin, "parse", "jsonl:bad-record", repr(exc)[:300], line, now, fetched_at
            )
