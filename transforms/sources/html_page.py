"""A single saved article page -> one RawItem, from JSON-LD NewsArticle, OpenGraph and <meta>.

Structured metadata is preferred over page layout because publishers keep it stable for search
engines. The body comes from JSON-LD ``articleBody`` when present, else from the container with
the most paragraph text (a simple density heuristic; trafilatura arrives with full-article fetch).

The bytes are decoded by the one charset decoder (``encoding.decode_document``), not by libxml2:
libxml2 reads a page that declares nothing as Latin-1, which turns an undeclared windows-1256 or
ISO-8859-6 page into mojibake. libxml2 then parses UTF-8 it is told is UTF-8, whatever the page's
``<meta charset>`` says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from lxml import etree

from akhbar.schemas.records import RawItem, Reject, make_reject, stable_id
from akhbar.transforms.dedup.urls import host_of
from akhbar.transforms.sources.encoding import decode_document
from akhbar.transforms.sources.limits import DEFAULT_LIMITS, HTML_MAX_DEPTH, ReadLimits, tree_depth

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "BlogPosting",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "LiveBlogPosting",
        "WebPage",
        "ReviewNewsArticle",
    }
)
_UTF8_PARSER = etree.HTMLParser(
    recover=True, no_network=True, remove_comments=True, encoding="utf-8"
)
_JSON_COMMENTS = re.compile(r"^\s*(?://[^\n]*|<!\[CDATA\[|\]\]>)", re.MULTILINE)


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def _walk_jsonld(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 20:
        return
    if isinstance(value, list):
        for v in value:
            yield from _walk_jsonld(v, depth + 1)
    elif isinstance(value, dict):
        yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _walk_jsonld(graph, depth + 1)


def find_news_article(root: Any) -> dict[str, Any] | None:
    """The best JSON-LD article object on the page (NewsArticle beats WebPage)."""
    best: tuple[int, dict[str, Any]] | None = None
    for script in root.iterfind(".//script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(_JSON_COMMENTS.sub("", script.text))
        except (json.JSONDecodeError, RecursionError):
            continue
        for node in _walk_jsonld(data):
            kinds = _types(node) & ARTICLE_TYPES
            if not kinds:
                continue
            rank = 0 if kinds == {"WebPage"} else 2 if "NewsArticle" in kinds else 1
            if best is None or rank > best[0]:
                best = (rank, node)
    return best[1] if best else None


def _jsonld_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _jsonld_text(value.get("name") or value.get("@id") or value.get("url"))
    if isinstance(value, list) and value:
        return _jsonld_text(value[0])
    return None


def _jsonld_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    names = []
    for item in items:
        name = _jsonld_text(item)
        if name and name.strip() and name.strip() not in names:
            names.append(name.strip())
    return names


def meta_values(root: Any) -> dict[str, list[str]]:
    """All <meta property|name|itemprop=... content=...> values, keys lower-cased."""
    found: dict[str, list[str]] = {}
    for meta in root.iterfind(".//meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content:
            found.setdefault(key.strip().lower(), []).append(content.strip())
    return found


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


_LEAF_BLOCKS = ("p", "div")
_NOT_CONTENT = frozenset({"script", "style", "nav", "header", "footer", "aside", "noscript"})


def main_text_html(root: Any) -> str:
    """HTML of the container whose leaf paragraphs (<p>, or <div> without nested blocks) hold the
    most text. Navigation, headers and footers never count."""
    scores: dict[Any, int] = {}
    for el in root.iter(*_LEAF_BLOCKS):
        if el.find(".//p") is not None or el.find(".//div") is not None:
            continue
        if any(anc.tag in _NOT_CONTENT for anc in el.iterancestors()):
            continue
        parent = el.getparent()
        if parent is None:
            continue
        length = len("".join(el.itertext()).strip())
        if length >= 25:
            scores[parent] = scores.get(parent, 0) + length
    if not scores:
        body = root.find(".//body")
        return etree.tostring(body, encoding="unicode", method="html") if body is not None else ""
    best = max(scores.items(), key=lambda kv: kv[1])[0]
    # Only the paragraph children: the container often also holds the headline, bylines, ads.
    blocks = [
        etree.tostring(child, encoding="unicode", method="html", with_tail=False)
        for child in best
        if isinstance(child.tag, str) and child.tag in _LEAF_BLOCKS
    ]
    return "\n".join(blocks)


def page_text(data: bytes | str) -> str:
    """The page as text: bytes go through the one charset decoder, text is taken as it is."""
    return data if isinstance(data, str) else decode_document(data).text


def too_deep(root: Any, parser: Any, max_depth: int) -> str | None:
    """Why the page is nested too deep to read whole, or None.

    libxml2 stops building the tree at ``HTML_MAX_DEPTH`` and silently drops the rest (often
    all of the text), which its error log is the only trace of; below that, our own limit.
    """
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        return f"nested deeper than {HTML_MAX_DEPTH}, the HTML parser's limit"
    if max_depth < HTML_MAX_DEPTH:
        depth = tree_depth(root)
        if depth > max_depth:
            return f"nested {depth} deep > {max_depth} (--max-depth)"
    return None


def parse_html_page(
    data: bytes | str,
    display: str,
    fetched_at: datetime,
    source_hint: str,
    now: datetime,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[RawItem | Reject]:
    """One RawItem for the page (or a Reject saying why not). ``data`` is the file's bytes, or
    text a caller already decoded (``article.extract_article_page``), so a page is decoded once.
    """
    parser = _UTF8_PARSER
    try:
        root = etree.fromstring(page_text(data).encode("utf-8", "replace"), parser)
    except (etree.ParserError, ValueError) as exc:
        yield make_reject(display, "parse", "html:parse-error", str(exc), data, now, fetched_at)
        return
    if root is None:
        yield make_reject(
            display, "parse", "html:empty-document", "no HTML found", data, now, fetched_at
        )
        return
    deep = too_deep(root, parser, limits.max_depth)
    if deep is not None:
        yield make_reject(display, "parse", "html:too-deep", deep, data, now, fetched_at)
        return
    article = find_news_article(root) or {}
    meta = meta_values(root)
    canonical = None
    for link in root.iterfind(".//link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            canonical = link.get("href")
            break
    url = (
        canonical
        or _first(meta, "og:url")
        or _jsonld_text(article.get("url"))
        or _jsonld_text(article.get("mainEntityOfPage"))
    )
    title_el = root.find(".//title")
    title = (
        _jsonld_text(article.get("headline"))
        or _first(meta, "og:title", "twitter:title")
        or (title_el.text if title_el is not None else None)
    )
    published_raw = (
        _jsonld_text(article.get("datePublished"))
        or _first(
            meta,
            "article:published_time",
            "pubdate",
            "publishdate",
            "publish-date",
            "date",
            "dc.date.issued",
            "dc.date",
            "parsely-pub-date",
            "sailthru.date",
        )
        or _jsonld_text(article.get("dateModified"))
        or _first(meta, "article:modified_time", "og:updated_time")
    )
    authors = (
        _jsonld_names(article.get("author"))
        or meta.get("article:author", [])
        or meta.get("author", [])
    )
    categories = _jsonld_names(article.get("articleSection")) + meta.get("article:section", [])
    keywords = article.get("keywords")
    if isinstance(keywords, str):
        categories += [k.strip() for k in keywords.split(",") if k.strip()]
    elif isinstance(keywords, list):
        categories += [str(k).strip() for k in keywords if str(k).strip()]
    categories += meta.get("article:tag", [])
    body = _jsonld_text(article.get("articleBody")) or main_text_html(root)
    html_el = root if root.tag == "html" else root.find(".//html")
    declared = _jsonld_text(article.get("inLanguage")) or (
        html_el.get("lang") if html_el is not None else None
    )
    source = host_of(url) or _first(meta, "og:site_name") or source_hint
    origin = f"{display}#page"
    yield RawItem(
        item_id=stable_id(source, url, origin),
        origin=origin,
        input_format="html",
        source=source,
        fetched_at=fetched_at,
        guid=_jsonld_text(article.get("identifier")),
        url=url,
        title=title,
        summary=_first(meta, "description", "og:description"),
        body=body,
        published_raw=published_raw,
        authors=list(dict.fromkeys(authors)),
        categories=list(dict.fromkeys(categories)),
        language_declared=declared,
    )
