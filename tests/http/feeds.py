"""Feed documents served by the test server, built in code so their bytes are exact."""

from __future__ import annotations

from datetime import UTC, datetime

from akhbar.schemas.records import RawItem
from akhbar.transforms.sources.feeds import parse_feed
from akhbar.transforms.sources.http import FetchResult

TITLES = [
    "السفير الصينى بالقاهرة: مصر تضامنت مع الصين فى مواجهة كورونا",
    "وزير الخارجية يستقبل نظيره المغربي في الرباط",
    "ارتفاع أسعار الذهب في الأسواق العربية",
]


def rss(titles: list[str] = TITLES, declaration: str | None = None) -> str:
    """An RSS 2.0 feed as text; ``declaration`` is the XML declaration's encoding, if any."""
    items = "".join(
        f"<item><title>{title}</title><link>https://news.example/a/{n}</link>"
        f"<guid>item-{n}</guid><pubDate>Thu, 10 Sep 2020 14:0{n}:00 +0200</pubDate>"
        f"<description>{title} - تفاصيل الخبر</description></item>"
        for n, title in enumerate(titles)
    )
    head = f'<?xml version="1.0" encoding="{declaration}"?>\n' if declaration else ""
    return (
        f'{head}<rss version="2.0"><channel><title>أخبار</title>'
        f"<link>https://news.example/</link><language>ar</language>{items}</channel></rss>"
    )


NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
FEED = rss().encode("utf-8")
XML = {"Content-Type": "application/rss+xml"}


def titles(result: FetchResult) -> list[str | None]:
    items = list(parse_feed(result.utf8_body(), result.url, NOW, "test", NOW))
    assert all(isinstance(i, RawItem) for i in items), items
    return [i.title for i in items if isinstance(i, RawItem)]
