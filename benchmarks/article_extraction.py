"""Full-article extraction and WARC reading: quality on real Arabic pages, speed, import cost.

    python -m benchmarks.article_extraction [--repeat 5] [--warc-records 200]
        [--out benchmarks/results/article_extraction.md]

The real pages of ``../shared/data/articles-html/`` are served from 127.0.0.1 and fetched with
urllib (what ``--fetch-articles`` does, minus politeness), then extracted by
``extract_article_page`` (trafilatura) and, as the baseline, by ``parse_html_page`` (JSON-LD +
density heuristic). Text quality is bag-of-words token precision and recall against the expected
texts that came with the pages. ``tests/article`` imports ``token_scores`` and ``expected_texts``
from here and pins floors on the same numbers.

The WARC comparison imports fastwarc, which the project itself does not use: install it for the
benchmark only (``pip install fastwarc``).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO.parent / "shared" / "data" / "articles-html"
WARC_SAMPLES = REPO.parent / "shared" / "data" / "warc"
OUT = REPO / "benchmarks" / "results" / "article_extraction.md"
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    """Word tokens (letters and digits of any script) after NFKC, as a multiset."""
    return Counter(_TOKEN.findall(unicodedata.normalize("NFKC", text).lower()))


def token_scores(extracted: str, expected: str) -> tuple[float, float]:
    """(precision, recall) of the extracted tokens against the expected ones (bag of words)."""
    got, want = tokens(extracted), tokens(expected)
    common = sum((got & want).values())
    return common / max(1, sum(got.values())), common / max(1, sum(want.values()))


@dataclass(frozen=True)
class Expected:
    """What a page should yield. ``prefix_only``: the reference is the first lines of the text
    (goose3 ships only those), so precision against it means nothing."""

    page: str
    text: str | None
    title: str
    published: str | None
    prefix_only: bool = False


def expected_texts(pages: Path = PAGES) -> list[Expected]:
    n4k_meta = json.loads((pages / "newspaper4k_arabic_article.expected_metadata.json").read_text())
    n4k_text = (pages / "newspaper4k_arabic_article.expected.txt").read_text(encoding="utf-8")
    goose = json.loads((pages / "goose3_cnn_arabic.expected.json").read_text())["expected"]
    fundus = json.loads((pages / "fundus_LBCGroup.expected.json").read_text())["V1"]
    paragraphs = [p for s in fundus["body"]["sections"] for p in s["paragraphs"]]
    return [
        Expected("newspaper4k_arabic_article.html", n4k_text, n4k_meta["title"], None),
        Expected("goose3_cnn_arabic.html", goose["cleaned_text"], n4k_meta["title"], None, True),
        Expected(
            "fundus_LBCGroup_2026_01_08.html",
            "\n".join(paragraphs),
            fundus["title"],
            datetime.fromisoformat(fundus["publishing_date"]).isoformat(),
        ),
        # No expected text upstream: title and date only (the date is the page's RDFa dc:date).
        Expected(
            "trafilatura_assabah.com.tn.article.html",
            None,
            "الناشط الحقوقي السوداني خالد عبد الكريم ماسا لـ«الصباح»: كل الشروط متوفرة لثورة "
            "سودانية ولا حاجة لنستورد شيئا",
            "2019-02-08T00:00:00+01:00",
        ),
    ]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_pages(folder: Path = PAGES) -> Iterator[str]:
    """A ThreadingHTTPServer on 127.0.0.1 (free port) serving ``folder``; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fetch(url: str) -> tuple[bytes, str | None]:
    """(body, charset from Content-Type) with plain urllib; the project fetcher replaces it."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers.get_content_charset()


def _python(code: str) -> str:
    """stdout of ``code`` in a fresh interpreter of this venv."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    return done.stdout


def _import_ms(module: str, repeat: int = 3) -> float:
    """Best of ``repeat`` fresh interpreters: the time ``import module`` adds."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(_python(code)) for _ in range(repeat)]
    return min(runs) * 1000


def _lazy_import_check() -> dict[str, bool]:
    code = (
        "import sys, transforms.sources.files, transforms.sources.warc, "
        "akhbar.transforms.sources.article; "
        "print(int('trafilatura' in sys.modules), int('warcio' in sys.modules))"
    )
    out = _python(code).split()
    return {"trafilatura": out[0] == "1", "warcio": out[1] == "1"}


def quality_and_speed(repeat: int) -> list[dict[str, object]]:
    from akhbar.transforms.clean import clean_text
    from akhbar.transforms.sources.article import ArticleConfig, extract_article_page
    from akhbar.transforms.sources.html_page import parse_html_page

    fast = ArticleConfig(fast=True)

    rows = []
    with serve_pages() as base:
        for exp in expected_texts():
            body, charset = fetch(base + exp.page)
            url = base + exp.page
            start = time.perf_counter()
            item = extract_article_page(body, url, NOW, "bench", NOW, http_charset=charset)
            first_ms = (time.perf_counter() - start) * 1000
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                extract_article_page(body, url, NOW, "bench", NOW, http_charset=charset)
                times.append((time.perf_counter() - start) * 1000)
            fast_times = []
            for _ in range(repeat):
                start = time.perf_counter()
                fast_item = extract_article_page(
                    body, url, NOW, "bench", NOW, http_charset=charset, config=fast
                )
                fast_times.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            [baseline] = list(parse_html_page(body, exp.page, NOW, "bench", NOW))
            base_ms = (time.perf_counter() - start) * 1000
            text = clean_text(getattr(item, "body", "") or "")
            base_text = clean_text(getattr(baseline, "body", "") or "")
            fast_text = clean_text(getattr(fast_item, "body", "") or "")
            row: dict[str, object] = {
                "page": exp.page,
                "bytes": len(body),
                "first_ms": first_ms,
                "ms": statistics.median(times),
                "baseline_ms": base_ms,
                "fast_ms": statistics.median(fast_times),
                "title_ok": clean_text(getattr(item, "title", "") or "").replace('"', "")
                == exp.title.replace("  ", " "),
                "date": getattr(item, "published_raw", None),
                "date_ok": exp.published is None
                or getattr(item, "published_raw", None) == exp.published,
            }
            if exp.text is not None:
                row["P"], row["R"] = token_scores(text, exp.text)
                row["base_P"], row["base_R"] = token_scores(base_text, exp.text)
                row["fast_P"], row["fast_R"] = token_scores(fast_text, exp.text)
            rows.append(row)
    return rows


def _synthetic_warc(records: int) -> bytes:
    """``records`` HTML responses (the real pages in turn), one gzip member per record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = [(exp.page, (PAGES / exp.page).read_bytes()) for exp in expected_texts()]
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for i in range(records):
        name, body = pages[i % len(pages)]
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                f"https://example.com/{i}/{name}",
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
            )
        )
    return out.getvalue()


def warc_speed(records: int) -> dict[str, float]:
    from fastwarc.warc import ArchiveIterator as FastIterator
    from warcio.archiveiterator import ArchiveIterator

    from akhbar.transforms.sources.warc import WarcStats, open_warc_stream, read_warc

    data = _synthetic_warc(records)
    result: dict[str, float] = {"records": records, "mb": len(data) / 1e6}
    start = time.perf_counter()
    for rec in ArchiveIterator(io.BytesIO(data)):
        rec.content_stream().read()
    result["warcio_ms"] = (time.perf_counter() - start) * 1000 / records
    start = time.perf_counter()
    for rec in FastIterator(io.BytesIO(data), parse_http=True):
        rec.reader.read()
    result["fastwarc_ms"] = (time.perf_counter() - start) * 1000 / records
    start = time.perf_counter()
    for rec in ArchiveIterator(open_warc_stream(io.BytesIO(data))):
        rec.content_stream().read()
    result["warcio_stream_ms"] = (time.perf_counter() - start) * 1000 / records
    stats = WarcStats()
    start = time.perf_counter()
    items = list(read_warc(io.BytesIO(data), "bench.warc.gz", NOW, "bench", NOW, stats=stats))
    result["read_warc_ms"] = (time.perf_counter() - start) * 1000 / records
    result["items"] = sum(1 for r in items if not hasattr(r, "reason"))
    return result


def library_coverage(folder: Path = WARC_SAMPLES) -> list[tuple[str, str, str, str]]:
    """Per shared sample file: what warcio alone, fastwarc alone and read_warc make of it."""
    from fastwarc.warc import ArchiveIterator as FastIterator
    from warcio.archiveiterator import ArchiveIterator

    from akhbar.transforms.sources.warc import read_warc_file

    def count(make: Callable[[], Iterable[Any]]) -> str:
        n = 0
        try:
            for _ in make():
                n += 1
        except Exception as exc:
            return f"{n} then {type(exc).__name__}"
        return str(n)

    rows = []
    for path in sorted(folder.iterdir()):
        ours = list(read_warc_file(str(path), path.name, NOW, "bench", NOW))
        items = sum(1 for r in ours if not hasattr(r, "reason"))
        reasons = sorted({str(getattr(r, "reason", "")) for r in ours if hasattr(r, "reason")})
        with open(path, "rb") as a, open(path, "rb") as b:
            rows.append(
                (
                    path.name,
                    count(partial(ArchiveIterator, a, arc2warc=True)),
                    count(partial(FastIterator, b, parse_http=True)),
                    f"items: {items}" + (f"; rejects: {', '.join(reasons)}" if reasons else ""),
                )
            )
    return rows


CHOICES = [
    "## Choices these numbers support",
    "",
    "- **warcio, not fastwarc.** fastwarc parses about 2-3x faster, but that is well under 1 ms "
    "of a record whose extraction costs 10-200 ms. It cannot read ARC files, hands back "
    "gzip-encoded and chunked HTTP bodies undecoded, and stops at the truncated sample. warcio "
    "reads ARC, decodes bodies and checks digests. Its own gzip handling refuses single-stream "
    "and mis-chunked files and ends a cut file without a word, so `read_warc` inflates the file "
    "itself, as one stream, and reports a cut as `warc:truncated-file` after the records before "
    "it. That is the 'one-stream gzip reader' figure above: close to warcio's own, and well under "
    "1% of a record's cost.",
    "- **trafilatura, balanced (not fast).** On these pages `fast=True` gives the same text, "
    "about 30% faster on the 500 KB LBCI page and 10-15% on the small ones. The fallbacks "
    "(readability, jusText) are what trafilatura's published F1 rests on for layouts it has not "
    "seen, so they stay on; `ArticleConfig(fast=True)` is there for bulk CC-NEWS runs.",
    "- **Facts from structured data first.** trafilatura's metadata lost here twice: its URL for "
    "LBCI is a wrong og:url (the canonical link is right), and htmldate's extensive search dates "
    "the 2013 CNN page 2013-01-01, a day it did not appear (its URL says 8/3; newspaper4k expects "
    "no date). JSON-LD/OpenGraph/meta (html_page), then "
    "RDFa/microdata (Assabah's dc:date), then htmldate on markup only.",
    "- **Precision gap on CNN** (0.84): CNN's comment-policy notice under the article. "
    "trafilatura and the density heuristic both keep it; no setting removed it.",
    "",
]


def _fmt(value: object, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def report(repeat: int, warc_records: int) -> str:
    imports = {m: _import_ms(m) for m in ("trafilatura", "warcio.archiveiterator", "fastwarc.warc")}
    lazy = _lazy_import_check()
    rows = quality_and_speed(repeat)
    warc = warc_speed(warc_records)
    coverage = library_coverage()
    from importlib.metadata import version

    lines = [
        "# Full-article extraction and WARC input",
        "",
        f"`python -m benchmarks.article_extraction --repeat {repeat} --warc-records "
        f"{warc_records}`, {datetime.now(UTC):%Y-%m-%d}, Python {sys.version.split()[0]}, "
        f"trafilatura {version('trafilatura')}, warcio {version('warcio')}, fastwarc "
        f"{version('fastwarc')}. 2 shared cores: times are indicative.",
        "",
        "## Text quality (token bag-of-words, pages served on 127.0.0.1, fetched with urllib)",
        "",
        "| page | KB | P | R | fast P | fast R | baseline P | baseline R | title | date |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        prefix = row["page"] == "goose3_cnn_arabic.html"

        def precision(key: str, row: dict[str, object] = row, prefix: bool = prefix) -> str:
            return "n/a (prefix)" if prefix and key in row else _fmt(row.get(key, "-"))

        lines.append(
            f"| {row['page']} | {int(str(row['bytes'])) // 1024} | {precision('P')} | "
            f"{_fmt(row.get('R', '-'))} | {precision('fast_P')} | {_fmt(row.get('fast_R', '-'))} "
            f"| {precision('base_P')} | {_fmt(row.get('base_R', '-'))} | "
            f"{'ok' if row['title_ok'] else 'WRONG'} | "
            f"{row['date']} {'ok' if row['date_ok'] else 'WRONG'} |"
        )
    lines += [
        "",
        "Baseline: `parse_html_page` (JSON-LD `articleBody` or the paragraph-density heuristic).",
        "",
        "## Speed per page (ms)",
        "",
        "First call: includes the lazy `import trafilatura` (in a process that already loaded Beam, "
        "so its shared dependencies are there) and trafilatura's own first-use setup.",
        "",
        "| page | first call | median warm | median warm, fast=True | baseline parse_html_page |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['page']} | {_fmt(row['first_ms'], 1)} | {_fmt(row['ms'], 1)} | "
            f"{_fmt(row['fast_ms'], 1)} | {_fmt(row['baseline_ms'], 1)} |"
        )
    lines += [
        "",
        "## Import cost (best of 3 fresh interpreters, ms)",
        "",
        *(f"- `import {m}`: {_fmt(ms, 1)}" for m, ms in imports.items()),
        f"- after importing files.py, warc.py and article.py: trafilatura loaded = "
        f"{lazy['trafilatura']}, warcio loaded = {lazy['warcio']} (both imported lazily)",
        "",
        f"## WARC reading ({warc['records']} HTML responses, gzip per record, "
        f"{_fmt(warc['mb'], 1)} MB)",
        "",
        f"- parse + read body, warcio: {_fmt(warc['warcio_ms'])} ms/record",
        f"- parse + read body, fastwarc: {_fmt(warc['fastwarc_ms'])} ms/record",
        f"- warcio on our one-stream gzip reader (what read_warc does): "
        f"{_fmt(warc['warcio_stream_ms'])} ms/record",
        f"- read_warc end to end (incl. extraction): {_fmt(warc['read_warc_ms'], 1)} ms/record, "
        f"{warc['items']} items",
        "",
        "## The odd sample files: records read before giving up",
        "",
        "| file | warcio alone | fastwarc alone | read_warc |",
        "|---|---|---|---|",
        *(f"| {name} | {w} | {f} | {ours} |" for name, w, f, ours in coverage),
        "",
        *CHOICES,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warc-records", type=int, default=200)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = report(args.repeat, args.warc_records)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
