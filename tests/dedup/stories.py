"""Real Arabic news paragraphs (the shared seed article) turned into stories and copies.

Every paragraph of the seed article is about the same event, so two paragraphs are the hard
case near dedup must keep apart: same topic, same names, same day, different text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from akhbar.schemas.records import Article
from akhbar.transforms.normalize import normalize_fast
from akhbar.transforms.prepare import content_hash
from tests.helpers import SEED_ARTICLE, make_article

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def paragraphs(min_words: int = 25) -> list[str]:
    """The seed article's paragraphs long enough to be a story of their own."""
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n") if len(p.split()) >= min_words]


def story(id: str, text: str, hours: float | None = 0, **overrides: Any) -> Article:
    """An Article whose normalized text and content hash derive from ``text`` like prepare's."""
    normalized = normalize_fast(text)
    return make_article(
        id,
        published_at=None if hours is None else at(hours),
        text=text,
        text_normalized=normalized,
        content_hash=overrides.pop("content_hash", content_hash(normalized)),
        **overrides,
    )


def egyptian(text: str) -> str:
    """Final ي as ى and final ة as ه: the same story spelled the Egyptian way."""
    return re.sub(r"ة\b", "ه", re.sub(r"ي\b", "ى", text))


def cut(text: str, keep: float = 0.7) -> str:
    words = text.split()
    return " ".join(words[: int(len(words) * keep)])


def respelled(text: str) -> str:
    """The same story as another outlet runs it: a dateline, Egyptian final ى/ه for ي/ة, and
    alef without hamza (أ/إ/آ written ا)."""
    return "القاهرة - أ ش أ: " + re.sub("[أإآ]", "ا", egyptian(text))
