"""Input discovery (paths, globs, folders) and per-file format dispatch.

Every file is read inside the pipeline (Create(paths) + ParDo), never materialised on the driver:
``beam.Create`` of a big list costs seconds per hundred thousand elements. Local paths are
read with the operating system; anything with a scheme (``s3://``, ``gs://``, …) through Beam's
``FileSystems``, with the same listing rules (a prefix is a folder, globs match) and the same
bounds.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, cast

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from akhbar.schemas.records import RawItem, Reject, make_reject
from akhbar.transforms.sources.feeds import parse_feed
from akhbar.transforms.sources.html_page import parse_html_page
from akhbar.transforms.sources.jsonl import parse_jsonl
from akhbar.transforms.sources.limits import DEFAULT_MAX_FILE_BYTES, ReadLimits
from akhbar.transforms.sources.warc import WarcStats, read_warc_file

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".feed")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
WARC_SUFFIXES = (".warc", ".arc")
IGNORED_NAMES = frozenset({"README.md", "LICENSE", "LICENSE.txt", "NOTICE", ".DS_Store"})
# The whole-file cap used when no ReadLimits are given (read at call time, so tests can lower it).
MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read and the stable name (relative to what the user gave) used in origins."""

    path: str
    display: str


def is_remote(path: str) -> bool:
    return "://" in path


def _remote_inputs(pattern: str) -> list[InputFile]:
    """Objects named by a URL: the object itself, else everything under it as a folder (a
    prefix), else a glob; names shown relative to what the user gave, like local folders."""
    if glob.has_magic(pattern):
        first_magic = min(i for i in (pattern.find(c) for c in "*?[") if i >= 0)
        base = pattern[: pattern.rfind("/", 0, first_magic) + 1]
        matches = FileSystems.match([pattern])[0].metadata_list
    else:
        listed = FileSystems.match([pattern])[0].metadata_list
        if any(m.path == pattern for m in listed):  # an object (a store may list by prefix)
            return [InputFile(pattern, pattern.rsplit("/", 1)[-1])]
        base = pattern.rstrip("/") + "/"
        matches = FileSystems.match([base + "**"])[0].metadata_list
    files = []
    for meta in matches:
        relative = meta.path[len(base) :] if meta.path.startswith(base) else meta.path
        if relative and not relative.endswith("/") and not _ignored(Path(relative)):
            files.append(InputFile(meta.path, relative))
    if not files:
        raise FileNotFoundError(f"--input {pattern!r} matches no file")
    return files


def expand_inputs(patterns: list[str]) -> list[InputFile]:
    """Files named by paths, globs or folders (recursively), sorted, without repeats."""
    found: dict[str, InputFile] = {}
    for pattern in patterns:
        if is_remote(pattern):
            for remote in _remote_inputs(pattern):
                found.setdefault(remote.path, remote)
            continue
        matches = (
            sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        )
        if not matches:
            raise FileNotFoundError(f"--input {pattern!r} matches no file")
        for match in matches:
            path = Path(match)
            if path.is_dir():
                for child in sorted(path.rglob("*")):
                    if child.is_file() and not _ignored(child):
                        rel = child.relative_to(path).as_posix()
                        found.setdefault(str(child.resolve()), InputFile(str(child.resolve()), rel))
            elif path.is_file():
                found.setdefault(str(path.resolve()), InputFile(str(path.resolve()), path.name))
            else:
                raise FileNotFoundError(f"--input {match!r} does not exist")
    return sorted(found.values(), key=lambda f: (f.display, f.path))


def _ignored(path: Path) -> bool:
    return path.name in IGNORED_NAMES or any(
        part.startswith((".", "_")) for part in path.parts[-1:]
    )


def file_mtime(path: str) -> datetime:
    return file_stat(path)[0]


def file_stat(path: str) -> tuple[datetime, int]:
    """(last modified, size in bytes) of a local file or of an object store's object."""
    if not is_remote(path):
        stat = os.stat(path)
        return datetime.fromtimestamp(int(stat.st_mtime), tz=UTC), stat.st_size
    [meta] = FileSystems.match([path])[0].metadata_list or [None]
    if meta is None:
        raise FileNotFoundError(path)
    modified = getattr(meta, "last_updated_in_seconds", None) or 0
    return datetime.fromtimestamp(int(modified), tz=UTC), meta.size_in_bytes


def open_binary(path: str) -> BinaryIO:
    """A local file or a remote object, opened for reading bytes as they are."""
    if not is_remote(path):
        return open(path, "rb")
    return cast(BinaryIO, FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED))


def open_gzip(path: str) -> BinaryIO:
    return cast(BinaryIO, gzip.GzipFile(fileobj=open_binary(path), mode="rb"))


def _strip_gz(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


def sniff_format(name: str, head: bytes) -> str | None:
    """'feed' | 'jsonl' | 'html' | 'warc' | None, from the extension first, then the first bytes."""
    lower = _strip_gz(name.lower())
    if lower.endswith(FEED_SUFFIXES):
        return "feed"
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    if lower.endswith(WARC_SUFFIXES):
        return "warc"
    probe = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"warc/", b"filedesc://")):  # a WARC record, an ARC file header
        return "warc"
    if probe.startswith(b"{"):
        return "jsonl"
    if b"<rss" in probe or b"<feed" in probe or b"<rdf:rdf" in probe:
        return "feed"
    if probe.startswith((b"<!doctype html", b"<html")):
        return "html"
    if probe.startswith(b"<?xml"):
        return "feed"
    return None


def source_hint_for(display: str) -> str:
    name = Path(_strip_gz(display)).name
    return name.split(".")[0] or "unknown"


def read_input_file(
    item: InputFile,
    now: datetime,
    warc_stats: WarcStats | None = None,
    limits: ReadLimits | None = None,
) -> Iterator[RawItem | Reject]:
    """All items of one file. Never raises: unreadable files become one Reject.

    ``limits`` bound the file's size, items and nesting (``ReadLimits``; the defaults if None).
    """
    limits = limits or ReadLimits(max_file_bytes=MAX_FILE_BYTES)
    max_bytes = limits.max_file_bytes
    display = item.display
    try:
        fetched_at, size = file_stat(item.path)
    except OSError as exc:
        yield make_reject(display, "read", "read:io-error", str(exc), None, now)
        return
    hint = source_hint_for(display)
    try:
        with open_binary(item.path) as handle:
            head = handle.read(4096)
    except OSError as exc:  # unreadable (permissions, a folder, gone): not a gzip problem
        yield make_reject(display, "read", "read:io-error", str(exc), None, now, fetched_at)
        return
    gzipped = head[:2] == b"\x1f\x8b"
    if gzipped:
        try:
            with open_gzip(item.path) as handle:
                head = handle.read(4096)
        except (OSError, EOFError, zlib.error) as exc:
            yield make_reject(display, "read", "read:gzip-error", str(exc), None, now, fetched_at)
            return
    fmt = sniff_format(display, head)
    if fmt == "warc":  # streamed record by record (CC-NEWS files are ~1 GB): no whole-file cap
        yield from read_warc_file(
            item.path, display, fetched_at, hint, now, stats=warc_stats, opener=open_binary
        )
        return
    if size > max_bytes:
        yield make_reject(
            display,
            "read",
            "read:too-large",
            f"{size} bytes > {max_bytes} (--max-file-bytes)",
            None,
            now,
            fetched_at,
        )
        return
    if fmt is None:
        yield make_reject(
            display,
            "read",
            "read:unknown-format",
            "not a feed, JSONL, HTML or WARC file",
            head,
            now,
            fetched_at,
        )
        return
    if fmt == "jsonl":
        yield from _read_jsonl(item, gzipped, display, fetched_at, hint, now, limits)
        return
    try:
        if gzipped:
            with open_gzip(item.path) as handle:
                data = handle.read(max_bytes + 1)
        else:
            with open_binary(item.path) as handle:
                data = handle.read()
    except (OSError, EOFError, zlib.error) as exc:
        yield make_reject(display, "read", "read:gzip-error", str(exc), None, now, fetched_at)
        return
    if len(data) > max_bytes:  # a gzip that inflates past the limit: refuse, never truncate
        yield make_reject(
            display,
            "read",
            "read:too-large",
            f"inflates past {max_bytes} bytes (--max-file-bytes)",
            None,
            now,
            fetched_at,
        )
        return
    parser = parse_feed if fmt == "feed" else parse_html_page
    yield from parser(data, display, fetched_at, hint, now, limits)


def _read_jsonl(
    item: InputFile,
    gzipped: bool,
    display: str,
    fetched_at: datetime,
    hint: str,
    now: datetime,
    limits: ReadLimits,
) -> Iterator[RawItem | Reject]:
    """Stream lines so a large dump never sits in memory; a truncated gzip rejects its tail."""
    opener = open_gzip if gzipped else open_binary
    try:
        with opener(item.path) as handle:
            yield from parse_jsonl(_lines(handle), display, fetched_at, hint, now, limits)
    except (OSError, EOFError, zlib.error) as exc:
        yield make_reject(
            f"{display}#tail", "read", "read:gzip-error", str(exc), None, now, fetched_at
        )
    except UnicodeDecodeError as exc:  # a UTF-16 file cut in the middle of a character
        yield make_reject(
            f"{display}#tail", "read", "read:decode-error", str(exc), None, now, fetched_at
        )


def _lines(handle: BinaryIO) -> Iterator[bytes]:
    """Lines as UTF-8 bytes. JSON Lines are UTF-8, but exporters on Windows write UTF-16 with
    a byte order mark, which is unambiguous: such files are decoded here, line by line (a lone
    surrogate survives into the line and makes it ``jsonl:invalid-utf8``, as in UTF-8 files)."""
    if handle.peek(2)[:2] not in _UTF16_BOMS:  # type: ignore[attr-defined]
        yield from handle
        return
    text = io.TextIOWrapper(
        cast(BinaryIO, handle), encoding="utf-16", errors="surrogatepass", newline=""
    )
    for line in text:
        yield line.encode("utf-8", "surrogatepass")
