"""WARC and ARC files (plain or gzipped, CC-NEWS included) -> RawItems of the HTML pages captured.

Only 2xx HTML ``response`` records hold articles. Everything else (warcinfo, requests, metadata,
revisits, non-HTML, non-2xx) is skipped and counted in ``WarcStats``; a record that should hold a
page but cannot be read (bad digest, truncated, no HTTP headers, bad target URI) becomes a Reject
with a ``warc:`` reason; a file that breaks mid-way gives its earlier records and one Reject for
the rest. Nothing raises.

warcio rather than fastwarc (measured in ``benchmarks/article_extraction.py``): fastwarc parses
faster, but refuses ARC files, hands back gzip/chunked HTTP bodies undecoded and stops at the
truncated sample, while parsing is a few percent of a record's cost next to the extraction.

Gzipped files are inflated here as one stream, not by warcio member by member: that reads
the "non-chunked" and "wrong chunks" files warcio refuses, and a truncated gzip is reported
(warcio would end the file silently on the EOFError).
"""

from __future__ import annotations

import io
import logging
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from akhbar.schemas.records import RawItem, Reject, make_reject
from akhbar.transforms.sources.article import (
    DEFAULT_ARTICLE_CONFIG,
    ArticleConfig,
    extract_article_page,
)
from akhbar.transforms.sources.encoding import charset_from_content_type

LOG = logging.getLogger(__name__)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SNIFF_HTML = (b"<!doctype html", b"<html", b"<head", b"<body")


@dataclass(frozen=True, slots=True)
class WarcConfig:
    """What counts as an article record, and how hard records are checked."""

    verify_digests: bool = True  # a record whose WARC digest fails is rejected, not trusted
    include_resources: bool = False  # ``resource`` records (no HTTP envelope) holding HTML
    max_payload_bytes: int = 8 * 1024 * 1024  # decoded body; larger pages are rejected
    article: ArticleConfig = DEFAULT_ARTICLE_CONFIG


DEFAULT_WARC_CONFIG = WarcConfig()


@dataclass(slots=True)
class WarcStats:
    """Per-reason counters for one or more files: ``records``, ``type:<WARC-Type>``,
    ``skip:<why>``, ``item``, ``reject:<reason>``, ``anomaly:<what>``. The pipeline turns them
    into Beam metrics; tests read them directly."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def skipped(self) -> dict[str, int]:
        return {k[5:]: v for k, v in sorted(self.counts.items()) if k.startswith("skip:")}


class CorruptInput(Exception):
    """The compressed file itself is damaged (not one record's Content-Encoding)."""


class TruncatedInput(Exception):
    """The compressed stream ended early. Not an EOFError on purpose: warcio takes EOFError for
    the normal end of a file and would drop the rest without a word."""


class _StrictGzip(io.RawIOBase):
    """All gzip members of a file as one byte stream. Everything inflated before a cut comes
    out first; then TruncatedInput (gzip.GzipFile would drop the last inflated block with it)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._input = b""
        self._in_member = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while len(buffer):
            if self._input:
                self._in_member = True
                try:
                    data = self._inflater.decompress(self._input, len(buffer))
                except zlib.error as exc:
                    raise CorruptInput(f"gzip: {exc}") from exc
                self._input = self._inflater.unconsumed_tail
                if self._inflater.eof:  # the next member starts in what is left over
                    # (unused_data only: at the end of a member zlib may also leave the same
                    # bytes in unconsumed_tail; adding both corrupts the next member)
                    self._input = self._inflater.unused_data
                    self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    self._in_member = False
                if data:
                    buffer[: len(data)] = data
                    return len(data)
                continue
            chunk = self._raw.read(65536)
            if not chunk:
                if self._in_member:
                    raise TruncatedInput("compressed file ended inside a gzip member")
                return 0
            self._input = chunk
        return 0


def open_warc_stream(raw: BinaryIO) -> BinaryIO | io.RawIOBase:
    """The file as warcio should see it: as is, or inflated as one stream if gzipped."""
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        # Unbuffered on purpose: a BufferedReader gathering several reads would drop what it
        # gathered when the last one raises, losing the whole records before a cut.
        return _StrictGzip(raw)
    return raw


def _error_reason(exc: BaseException) -> str:
    if isinstance(exc, TruncatedInput):
        return "warc:truncated-file"
    if isinstance(exc, CorruptInput | zlib.error):
        return "warc:gzip-error"
    return "warc:format-error"


def _target_uri(rec: Any) -> str | None:
    uri = (rec.rec_headers.get_header("WARC-Target-URI") or "").strip()
    if uri.startswith("<") and uri.endswith(">"):  # wget writes <http://...> (WARC 1.1 draft)
        uri = uri[1:-1].strip()
    return uri.replace(" ", "%20") or None


def _valid_http_uri(uri: str | None) -> bool:
    if not uri or any(ch.isspace() or ord(ch) < 0x20 for ch in uri):
        return False
    try:
        parts = urlsplit(uri)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _record_date(rec: Any, fallback: datetime) -> datetime:
    raw = (rec.rec_headers.get_header("WARC-Date") or "").strip()
    for parse in (datetime.fromisoformat, lambda s: datetime.strptime(s[:14], "%Y%m%d%H%M%S")):
        try:
            moment = parse(raw)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return fallback


def _read_capped(stream: Any, cap: int) -> bytes:
    chunks, size = [], 0
    while size <= cap:
        chunk = stream.read(min(65536, cap + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _drain(stream: Any) -> None:
    while stream.read(65536):
        pass


class _Skip(Exception):
    """A record that holds no article: counted, never an error."""


class _Bad(Exception):
    """A record that should hold a page but cannot be trusted or read: becomes a Reject."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _html_envelope(rec: Any, uri: str | None, config: WarcConfig) -> tuple[str, bool]:
    """(Content-Type, sniff the body?) of a record that may hold a page; raises _Skip or _Bad."""
    if rec.rec_type == "resource" and config.include_resources:
        content_type = rec.rec_headers.get_header("Content-Type") or ""
        return content_type, not content_type.strip()
    if rec.rec_type != "response":
        raise _Skip(rec.rec_type or "untyped")
    http = rec.http_headers
    if http is None:
        envelope = (rec.rec_headers.get_header("Content-Type") or "").lower()
        if (uri or "").startswith(("http:", "https:")):
            raise _Bad("warc:no-http-headers", "http(s) response without an HTTP status line")
        if envelope.startswith("application/http"):  # warcio parses HTTP for http(s) URIs only
            raise _Bad("warc:bad-target-uri", f"HTTP response for WARC-Target-URI {uri!r}")
        raise _Skip("not-http")  # dns:, whois:, ftp: captures
    try:
        status = int(http.get_statuscode() or "")
    except ValueError:
        raise _Bad("warc:bad-status-line", repr(http.statusline)[:200]) from None
    if not 200 <= status < 300:
        raise _Skip(f"status-{status}")
    content_type = (
        http.get_header("Content-Type")
        or rec.rec_headers.get_header("WARC-Identified-Payload-Type")
        or ""
    )
    return content_type, not content_type.strip()


def _record_result(
    rec: Any,
    origin: str,
    file_fetched_at: datetime,
    source_hint: str,
    now: datetime,
    config: WarcConfig,
) -> RawItem | Reject:
    """One record that may hold an article -> RawItem or Reject; raises _Skip if it holds none."""
    declared = rec.rec_headers.get_header("Content-Length")
    if not (declared or "").strip().isdigit():  # no way to know where the record ends
        raise _Bad("warc:bad-length", f"Content-Length {declared!r}")
    uri = _target_uri(rec)
    content_type, sniff = _html_envelope(rec, uri, config)
    mime = content_type.split(";")[0].strip().lower()
    if not sniff and mime not in HTML_TYPES:
        raise _Skip("not-html")
    fetched_at = _record_date(rec, file_fetched_at)
    if not _valid_http_uri(uri):
        raise _Bad("warc:bad-target-uri", f"WARC-Target-URI {uri!r}")
    if rec.rec_headers.get_header("WARC-Truncated"):
        reason = rec.rec_headers.get_header("WARC-Truncated")
        raise _Bad("warc:truncated-record", f"WARC-Truncated: {reason}")
    try:
        payload = _read_capped(rec.content_stream(), config.max_payload_bytes)
        _drain(rec.raw_stream)
    except (TruncatedInput, CorruptInput):  # the file, not this record: handled by the caller
        raise
    except Exception as exc:  # gzip/brotli/chunked decoding of one body: that record only
        raise _Bad("warc:payload-error", f"{type(exc).__name__}: {exc}") from exc
    if len(payload) > config.max_payload_bytes:
        raise _Bad("warc:too-large", f"body over {config.max_payload_bytes} bytes")
    if getattr(rec.raw_stream, "limit", 0) > 0:  # the file ended inside this record
        raise TruncatedInput(f"record cut short by {rec.raw_stream.limit} bytes")
    checker = getattr(rec, "digest_checker", None)
    if config.verify_digests and checker is not None and checker.passed is False:
        raise _Bad("warc:digest-mismatch", "; ".join(checker.problems))
    if sniff and not payload[:512].lstrip().lower().startswith(_SNIFF_HTML):
        raise _Skip("not-html")
    return extract_article_page(
        payload,
        uri,
        fetched_at,
        source_hint,
        now,
        origin=origin,
        http_charset=charset_from_content_type(content_type),
        input_format="warc",
        config=config.article,
    )


def _counted_result(
    rec: Any,
    origin: str,
    fetched_at: datetime,
    source_hint: str,
    now: datetime,
    config: WarcConfig,
    stats: WarcStats,
) -> RawItem | Reject | None:
    """``_record_result`` with its outcome counted; None for a skipped record."""
    stats.add("records")
    stats.add(f"type:{rec.rec_type}")
    try:
        result = _record_result(rec, origin, fetched_at, source_hint, now, config)
    except _Skip as skip:
        stats.add(f"skip:{skip}")
        return None
    except _Bad as bad:
        result = make_reject(origin, "read", bad.reason, str(bad), None, now, fetched_at)
    except (TruncatedInput, CorruptInput):  # the file itself: ends the file, not one record
        raise
    except Exception as exc:  # a bug on one record must not end the file; it is recorded
        detail = f"{type(exc).__name__}: {exc}"
        result = make_reject(origin, "read", "warc:internal-error", detail, None, now, fetched_at)
    stats.add(f"reject:{result.reason}" if isinstance(result, Reject) else "item")
    return result


def _count_anomalies(records: Any, stats: WarcStats) -> None:
    """warcio counts records not followed by the blank lines their Content-Length promises."""
    seen = stats.counts["anomaly:length-mismatch"]
    if records.err_count > seen:
        stats.add("anomaly:length-mismatch", records.err_count - seen)


def read_warc(
    stream: BinaryIO,
    display: str,
    fetched_at: datetime,
    source_hint: str,
    now: datetime,
    *,
    config: WarcConfig = DEFAULT_WARC_CONFIG,
    stats: WarcStats | None = None,
) -> Iterator[RawItem | Reject]:
    """Items and Rejects of one WARC/ARC stream (seekable, plain or gzip), counting into
    ``stats``. Origins are ``{display}#record={n}`` (n counts from 0 in file order)."""
    from warcio.archiveiterator import ArchiveIterator  # ~50 ms import, paid only by WARC input

    stats = stats if stats is not None else WarcStats()
    index, failed_at, rec = -1, 0, None
    try:
        records = ArchiveIterator(
            open_warc_stream(stream), arc2warc=True, check_digests=config.verify_digests
        )
        for rec in records:
            _count_anomalies(records, stats)
            if not rec.rec_headers.headers:  # blank lines at the end of a file, not a record
                continue
            index += 1
            failed_at = index  # a TruncatedInput from here on is this record's
            result = _counted_result(rec, f"{display}#record={index}", fetched_at, source_hint,
                                     now, config, stats)  # fmt: skip
            failed_at = index + 1  # from here on, warcio is looking for the next record
            if result is not None:
                yield result
        _count_anomalies(records, stats)
        if rec is not None and getattr(rec.raw_stream, "limit", 0) > 0:  # skipped last record
            failed_at = index
            raise TruncatedInput(f"last record cut short by {rec.raw_stream.limit} bytes")
        if (records.next_line or b"").strip():  # warcio stops quietly inside a header block
            raise TruncatedInput(f"file ends inside the record starting {records.next_line!r}")
    except Exception as exc:  # the file cannot be read past this point: one Reject for the rest
        reason = _error_reason(exc)
        stats.add(f"reject:{reason}")
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        yield make_reject(
            f"{display}#record={failed_at}", "read", reason, detail, None, now, fetched_at
        )
        return
    if index < 0:
        stats.add("reject:warc:no-records")
        yield make_reject(
            display, "read", "warc:no-records", "no WARC/ARC record found", None, now, fetched_at
        )


def _open_local(path: str) -> BinaryIO:
    return open(path, "rb")


def read_warc_file(
    path: str,
    display: str,
    fetched_at: datetime,
    source_hint: str,
    now: datetime,
    *,
    config: WarcConfig = DEFAULT_WARC_CONFIG,
    stats: WarcStats | None = None,
    opener: Callable[[str], BinaryIO] | None = None,
) -> Iterator[RawItem | Reject]:
    """``read_warc`` on a file, streamed (CC-NEWS files are about 1 GB: never read whole).
    ``opener``: how to open ``path`` (a local file by default; the file reader passes one that
    also opens object-store URLs)."""
    counted = stats if stats is not None else WarcStats()
    try:
        handle = (opener or _open_local)(path)
    except OSError as exc:
        yield make_reject(display, "read", "read:io-error", str(exc), None, now, fetched_at)
        return
    with handle:
        yield from read_warc(
            handle, display, fetched_at, source_hint, now, config=config, stats=counted
        )
    # Skipped records are neither items nor rejects: without this line they would be invisible
    # until the pipeline reports WarcStats as metrics.
    LOG.info("%s: %s", display, " ".join(f"{k}={v}" for k, v in sorted(counted.counts.items())))
