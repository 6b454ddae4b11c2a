"""Builders for WARC files written with warcio, and the shared sample files."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from akhbar.schemas.records import RawItem, Reject

SHARED_WARC = Path(__file__).resolve().parents[3] / "shared" / "data" / "warc"
PAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "articles-html"
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


class WarcBuilder:
    """Records appended one by one, then written as plain WARC or gzip-per-record WARC bytes."""

    def __init__(self) -> None:
        self._records: list[tuple[str, str, bytes, StatusAndHeaders | None, dict[str, str]]] = []

    def response(
        self,
        uri: str,
        body: bytes,
        *,
        status: str = "200 OK",
        content_type: str | None = "text/html; charset=utf-8",
        headers: tuple[tuple[str, str], ...] = (),
        warc_headers: dict[str, str] | None = None,
    ) -> WarcBuilder:
        http = [("Content-Type", content_type)] if content_type else []
        http_headers = StatusAndHeaders(status, [*http, *headers], protocol="HTTP/1.1")
        self._records.append(("response", uri, body, http_headers, warc_headers or {}))
        return self

    def record(
        self,
        kind: str,
        uri: str,
        body: bytes = b"",
        *,
        http: StatusAndHeaders | None = None,
        warc_headers: dict[str, str] | None = None,
    ) -> WarcBuilder:
        self._records.append((kind, uri, body, http, warc_headers or {}))
        return self

    def request(self, uri: str) -> WarcBuilder:
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        return self.record("request", uri, http=http)

    def build(self, *, gzipped: bool = True) -> bytes:
        """One gzip member per record when ``gzipped`` (as CC-NEWS files are)."""
        parts = [_write(lambda w: w.create_warcinfo_record("test.warc", {"software": "tests"}))]
        for kind, uri, body, http, extra in self._records:
            plain = _write(
                lambda w, kind=kind, uri=uri, body=body, http=http: w.create_warc_record(
                    uri, kind, payload=io.BytesIO(body), http_headers=http,
                    warc_headers_dict={"WARC-Date": "2026-01-10T08:30:00Z"},
                )
            )  # fmt: skip
            parts.append(_override(plain, extra))
        return b"".join(gzip.compress(p, mtime=0) if gzipped else p for p in parts)


def _write(make: Callable[[WARCWriter], Any]) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    writer.write_record(make(writer))
    return out.getvalue()


def _override(record: bytes, headers: dict[str, str]) -> bytes:
    """Set WARC headers after writing: warcio recomputes digests it is given, so a forged one
    can only be written this way."""
    head, sep, rest = record.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    for key, value in headers.items():
        line = f"{key}: {value}".encode()
        found = [
            i for i, old in enumerate(lines) if old.lower().startswith(key.lower().encode() + b":")
        ]
        if found:
            lines[found[0]] = line
        else:
            lines.insert(1, line)
    return b"\r\n".join(lines) + sep + rest


def gzip_body(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


def chunked(body: bytes, size: int = 4000) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def split(results: list[RawItem | Reject]) -> tuple[list[RawItem], list[Reject]]:
    items = [r for r in results if isinstance(r, RawItem)]
    rejects = [r for r in results if isinstance(r, Reject)]
    assert len(items) + len(rejects) == len(results)
    return items, rejects
