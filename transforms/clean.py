"""HTML to clean text: markup, entities, invisible characters and boilerplate lines.

The cleaned text is what users read and what ``text`` stores, so it keeps paragraph breaks (one
blank line between paragraphs) and the original spelling. Matching-oriented changes (alef forms,
diacritics, ...) belong to ``normalize.py``, not here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from lxml import etree

from akhbar.transforms.charmap import changed_class

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "pre",
        "figure",
        "figcaption",
        "hr",
        "dd",
        "dt",
        "dl",
        "main",
        "aside",
        "address",
        "center",
        "details",
        "summary",
    ]
)
# Content of these elements is never text a reader sees.
DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "iframe",
        "noscript",
        "template",
        "svg",
        "math",
        "object",
        "embed",
        "button",
        "select",
        "textarea",
        "head",
        "title",
        "meta",
        "link",
        "canvas",
        "video",
        "audio",
        "source",
        "track",
        "map",
        "area",
        "frame",
        "frameset",
        "applet",
    ]
)

_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z!/]|&(?:[a-zA-Z]{2,8}|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_LOOKS_LIKE_TAG = re.compile(r"<[a-zA-Z!/]")
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def _invisible_table() -> dict[int, int | None]:
    """Characters that carry no text: C0/C1 controls, zero-width and bidi controls, surrogates."""
    table: dict[int, int | None] = {}
    for cp in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
        table[cp] = None
    table[0x09] = 0x20  # tab -> space
    table[0x0A] = 0x0A  # keep newlines
    table[0x0B] = 0x0A
    table[0x0C] = 0x0A
    for lo, hi in ((0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069), (0xD800, 0xDFFF)):
        for cp in range(lo, hi + 1):
            table[cp] = None
    for cp in (0x061C, 0x2060, 0xFEFF, 0xFFFE, 0xFFFF, 0x00AD):
        table[cp] = None
    table[0x2028] = 0x0A
    table[0x2029] = 0x0A
    return table


INVISIBLE = _invisible_table()


_INVISIBLE_ANY = changed_class(INVISIBLE)
# What libxml2 cannot take even when invisible characters are wanted: NUL turns into U+FFFD and a
# lone surrogate silently truncates the rest of the document.
_PARSER_UNSAFE: dict[int, int | None] = {0x00: None, **{cp: None for cp in range(0xD800, 0xE000)}}
_PARSER_UNSAFE_ANY = changed_class(_PARSER_UNSAFE)
MAX_MARKUP_PASSES = 8

DEFAULT_BOILERPLATE = (
    r"^The post .{0,400} appeared first on .{0,200}$",
    r"^ظهرت المقالة .{0,400} أولا[ًً]? على .{0,200}$",
    r"^(?:المصدر|Source)\s*:\s*.{0,80}$",
    r"^(?:اقرأ|إقرأ) (?:أيضا|أيضاً|المزيد)\s*[:：]?\s*$",
    r"^(?:Read more|Continue reading|Share this|شارك(?: هذا| المقال)?(?: على .{0,40})?)\s*[:.…]*$",
    r"^(?:تابعونا|تابعوا|اشترك|اشتركوا) (?:على|في) .{0,80}$",
)


@dataclass(frozen=True, slots=True)
class CleanConfig:
    """Which cleaning rules run. Every rule can be switched off for a corpus that needs it."""

    strip_html: bool = True
    unescape_entities: bool = True
    remove_invisible: bool = True
    collapse_whitespace: bool = True
    drop_boilerplate_lines: bool = True
    boilerplate_patterns: tuple[str, ...] = field(default=DEFAULT_BOILERPLATE)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def looks_like_tags(text: str) -> bool:
    return bool(_LOOKS_LIKE_TAG.search(text))


def remove_invisible(text: str) -> str:
    """Drop NUL/control, zero-width, bidi-control and lone-surrogate characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(INVISIBLE) if _INVISIBLE_ANY.search(text) else text


_PARSER = etree.HTMLParser(recover=True, remove_comments=True, remove_pis=True, no_network=True)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment or page, with block elements as paragraph breaks.

    Iterative (``iterwalk``), so hostile nesting cannot exhaust the Python stack; libxml2 itself
    caps the tree depth.
    """
    if _PARSER_UNSAFE_ANY.search(markup):
        markup = markup.translate(_PARSER_UNSAFE)
    if not markup.strip():
        return ""
    try:
        root = etree.fromstring(f"<div>{markup}</div>", _PARSER)
    except (etree.ParserError, ValueError):
        return ""
    if root is None:
        return ""
    if _hit_depth_limit(_PARSER):
        # libxml2 stopped building the tree at its depth limit and dropped everything below,
        # which may be most of the text: take every word with the regex strip instead.
        return strip_tags_fallback(markup)
    parts: list[str] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if event == "start":
            if tag in DROP_TAGS:
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n\n")
            elif tag == "br":
                parts.append("\n")
            if el.text and tag:
                parts.append(el.text)
        else:
            if tag in BLOCK_TAGS:
                parts.append("\n\n")
            if el.tail and el is not root:
                parts.append(el.tail)
    text = "".join(parts)
    if not text.strip():
        # libxml2 gives up on pathological trees (e.g. 10,000 nested divs): fall back to a
        # regex strip so the words still come through instead of silently vanishing.
        text = strip_tags_fallback(markup)
    return text


def _hit_depth_limit(parser: etree.HTMLParser) -> bool:
    return any("Excessive depth" in entry.message for entry in parser.error_log)


_DROP_BLOCK = re.compile(
    r"<(script|style|iframe|noscript|template|svg|object|embed|textarea)\b.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<[^>]{0,2000}>")


def strip_tags_fallback(markup: str) -> str:
    """Crude but total tag removal used only when the HTML parser yields nothing."""
    without_code = _DROP_BLOCK.sub(" ", markup)
    without_code = re.sub(r"<(script|style)\b.*", " ", without_code, flags=re.I | re.S)
    return _TAG.sub(" ", without_code).replace("<", " ")


def clean_text(raw: str | None, config: CleanConfig = CleanConfig()) -> str:
    """Raw HTML or plain text -> readable text with paragraph breaks and no invisible characters."""
    if not raw:
        return ""
    text = raw
    # Feeds often escape twice ("&amp;quot;", "&lt;p&gt;"): what one pass decodes can be markup
    # or entities again, so passes repeat until nothing changes. That also makes
    # clean_text(clean_text(x)) == clean_text(x).
    for _ in range(MAX_MARKUP_PASSES):
        before = text
        text = _markup_pass(text, config)
        if text == before:
            break
    else:
        # Still changing after the last pass: markup escaped more deeply than the passes
        # decode (e.g. "<script>" HTML-escaped 15 times). The last unescape may just have made
        # tags again, so strip them without decoding any further: no tag ever reaches the text.
        if config.strip_html and looks_like_tags(text):
            text = strip_tags_fallback(text)
        if config.remove_invisible:
            text = remove_invisible(text)
    if config.collapse_whitespace:
        text = _collapse(text)
    if config.drop_boilerplate_lines and config.boilerplate_patterns:
        text = drop_boilerplate(text, _compiled(config.boilerplate_patterns))
    return text


def _markup_pass(text: str, config: CleanConfig) -> str:
    """One round of invisible-character removal, tag stripping and entity decoding."""
    if config.remove_invisible:
        text = remove_invisible(text)
    # With entity decoding off, an entity alone does not make the text HTML (the parser would
    # decode it); entities inside real markup are still decoded once by the parser.
    is_html = looks_like_html(text) if config.unescape_entities else looks_like_tags(text)
    if config.strip_html and is_html:
        text = html_to_text(text)
    if config.unescape_entities and "&" in text:
        text = html.unescape(text)
    if config.remove_invisible:
        text = remove_invisible(text)
    return text


def truncate_text(text: str, limit: int) -> tuple[str, bool]:
    """(``text`` cut to at most ``limit`` characters, whether it was cut).

    The cut falls on the last paragraph break, line break or space in the final tenth when
    there is one, so that words stay whole; otherwise exactly at ``limit``.
    """
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    floor = limit - max(1, limit // 10)
    for separator in ("\n\n", "\n", " "):
        at = cut.rfind(separator, floor)
        if at > 0:
            return cut[:at].rstrip(), True
    return cut, True


def clean_field(raw: str | None) -> str | None:
    """A one-line metadata value (guid, URL, source name, raw date) made safe to store.

    Invisible and control characters and lone surrogates go (a lone surrogate cannot even be
    written to Parquet), whitespace runs become one space. No markup handling: a guid or URL may
    legitimately contain '<' or '&'. Empty results become None.
    """
    if raw is None:
        return None
    return " ".join(remove_invisible(raw).split()) or None


def clean_line(raw: str | None, config: CleanConfig = CleanConfig()) -> str:
    """Like ``clean_text`` but for one-line fields (titles): no line breaks at all."""
    text = clean_text(
        raw,
        CleanConfig(
            strip_html=config.strip_html,
            unescape_entities=config.unescape_entities,
            remove_invisible=config.remove_invisible,
            collapse_whitespace=True,
            drop_boilerplate_lines=False,
        ),
    )
    return " ".join(text.split())


def _collapse(text: str) -> str:
    lines = [_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


_COMPILED: dict[tuple[str, ...], re.Pattern[str]] = {}


def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    found = _COMPILED.get(patterns)
    if found is None:
        found = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.MULTILINE)
        _COMPILED[patterns] = found
    return found


def drop_boilerplate(text: str, pattern: re.Pattern[str]) -> str:
    """Remove whole lines that match a boilerplate pattern, then re-tidy the paragraph breaks."""
    if not text or not pattern.search(text):
        return text
    kept = [line for line in text.split("\n") if not pattern.fullmatch(line.strip())]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(kept)).strip()
