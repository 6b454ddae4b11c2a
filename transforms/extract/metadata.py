"""Basic metadata: publication time, authors, categories, counts."""

from __future__ import annotations

from datetime import datetime

from akhbar.transforms.clean import clean_line
from akhbar.transforms.extract.dates import parse_date, plausible


def resolve_published(parsed: datetime | None, raw: str | None, now: datetime) -> datetime | None:
    """A source's own parse wins (feedparser understands RFC 822 zones); else we parse the raw."""
    if parsed is not None:
        return plausible(parsed, now)
    return parse_date(raw, now) if raw else None


def clean_names(values: list[str], limit: int = 50) -> list[str]:
    """Cleaned, de-duplicated, non-empty one-line values (authors, categories)."""
    out: list[str] = []
    for value in values[:limit]:
        cleaned = clean_line(value)[:200]
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return out


def word_count(text: str) -> int:
    return len(text.split())
