"""Fixtures for full-article extraction: the real pages, a fixed clock, a local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "articles-html"
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


@dataclass
class PageServer:
    """A ThreadingHTTPServer on 127.0.0.1 serving the real pages plus ``routes`` added by tests.

    ``log`` records every request path, so a test can assert what was actually fetched.
    """

    base: str
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def _handler(state: PageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.log.append(self.path)
            route = state.routes.get(self.path)
            if route is None:
                page = PAGES / self.path.lstrip("/")
                if self.path.count("/") != 1 or not page.is_file():
                    route = (404, {"Content-Type": "text/plain"}, b"not found")
                else:
                    route = (200, {"Content-Type": "text/html"}, page.read_bytes())
            status, headers, body = route
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def page_server() -> Iterator[PageServer]:
    """Started in a thread for the module's tests, shut down after them."""
    state = PageServer(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
