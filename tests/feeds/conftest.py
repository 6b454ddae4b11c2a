"""A scripted feed server on 127.0.0.1: feeds that change between runs, with a request log."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA

SEED_PARAGRAPHS = [
    p
    for p in (SHARED_DATA / "seed-article-ar.txt").read_text(encoding="utf-8").split("\n")
    if p.strip()
]


VOCABULARY = sorted({w for p in SEED_PARAGRAPHS for w in p.split() if len(w) > 2})


def story(i: int) -> str:
    """A distinct Arabic article body for item ``i``: two paragraphs of words drawn from the
    seed article with a per-item seed, so no two stories are near duplicates of each other."""
    rng = random.Random(i)
    paragraphs = [" ".join(rng.choice(VOCABULARY) for _ in range(40)) + "." for _ in range(2)]
    return f"الخبر رقم {i}: " + "\n".join(paragraphs)


@dataclass
class FeedItem:
    guid: str
    title: str
    text: str
    published: datetime
    link: str | None = None
    summary_only: bool = False


def rss(items: list[FeedItem], base: str) -> bytes:
    parts = []
    for it in items:
        link = it.link or f"{base}/news/{it.guid}"
        body = (
            f"<description>{escape(it.text[:120])}</description>"
            if it.summary_only
            else (
                f"<description>{escape(it.text[:120])}</description>"
                f"<content:encoded><![CDATA[<p>{it.text}</p>]]></content:encoded>"
            )
        )
        parts.append(
            f"<item><title>{escape(it.title)}</title><link>{escape(link)}</link>"
            f"<guid>{it.guid}</guid><pubDate>{format_datetime(it.published)}</pubDate>{body}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>test</title><link>{base}/</link>" + "".join(parts) + "</channel></rss>"
    ).encode()


@dataclass
class FeedServer:
    base: str = ""
    feeds: dict[str, list[FeedItem]] = field(default_factory=dict)
    pages: dict[str, bytes] = field(default_factory=dict)
    log: list[tuple[str, dict[str, str], float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # path -> called with the number of requests for that path so far (this one included)
    # before the reply is built: a feed that changes at its Nth poll, whatever the timing
    on_request: dict[str, Callable[[int], None]] = field(default_factory=dict)

    def add_items(self, feed: str, count: int, start: int = 0, **kwargs: object) -> list[FeedItem]:
        made = [
            FeedItem(
                guid=f"{feed}-{i}",
                title=f"عنوان الخبر {i}",
                text=story(i),
                published=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=i),
                **kwargs,  # type: ignore[arg-type]
            )
            for i in range(start, start + count)
        ]
        with self.lock:
            self.feeds.setdefault(feed, []).extend(made)
        return made

    def requests_for(self, path: str) -> list[tuple[str, dict[str, str], float]]:
        with self.lock:
            return [entry for entry in self.log if entry[0] == path]


def make_handler(state: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def do_GET(self) -> None:
            with state.lock:
                state.log.append((self.path, dict(self.headers.items()), time.monotonic()))
                count = sum(1 for entry in state.log if entry[0] == self.path)
                hook = state.on_request.get(self.path)
            if hook is not None:
                hook(count)
            with state.lock:
                feed_items = list(state.feeds.get(self.path.strip("/"), []))
                page = state.pages.get(self.path)
            if self.path.strip("/") in state.feeds:
                body = rss(list(reversed(feed_items)), state.base)
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
            elif page is not None:
                body = page
                self.send_response(200)
                self.send_header(
                    "Content-Type",
                    "text/html; charset=utf-8" if not self.path.endswith(".txt") else "text/plain",
                )
            else:
                body = b"not found"
                self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def feeds_file(tmp_path: Path, server: FeedServer, *names: str) -> Path:
    path = tmp_path / "feeds.txt"
    path.write_text("\n".join(f"{server.base}/{name}" for name in names) + "\n")
    return path
