"""How bytes become text: the one charset decoder of every input path, and capped decompression.

``decode_document`` is the only place that picks a charset: feeds fetched over HTTP and feed
files, saved HTML pages, WARC records and ``--fetch-articles`` pages all go through it (JSON
Lines do not: they are UTF-8 by definition, see ``jsonl.py``). The order is the issue's: the
HTTP charset (when there is one), then a byte-order mark, then the document's own declaration
(``<?xml encoding=...?>``, ``<meta charset>``, ``<meta http-equiv="Content-Type">``), then
sniffing.

Arab news sites still serve windows-1256 (and a few ISO-8859-6), often with no declaration at
all, or with an HTTP header that contradicts the document. Handed raw bytes, feedparser would
guess windows-1252 and libxml2 Latin-1, turning every Arabic letter into mojibake. So the
readers decide the encoding here and hand the parsers UTF-8 whose own declaration says UTF-8
(``to_utf8_document``).

Each label is trusted only if the bytes decode strictly with it; a wrong label (a page declared
UTF-8 whose bytes are windows-1256) falls through to the next step rather than producing
replacement characters. Three refinements over the bare order, each from a way labels lie:

- A BOM is part of the bytes: an HTTP charset that disagrees with it is a server default and
  yields to it (as in browsers), and a BOM-marked body with a few bad bytes is still read with
  the BOM's codec, replacing those bytes.
- ISO-8859-1, US-ASCII and windows-1252 are the labels servers and tools stamp on text they know
  nothing about. Such a weak label yields to a stronger declaration and to sniffing for UTF-8
  and Arabic; it is used only when neither finds anything.
- A UTF-16/32 label on bytes without a single NUL in their first 4 KiB cannot be true (the
  label itself was read as ASCII), so it is skipped; UTF-16/32 without a BOM is recognised from
  the XML spec's byte patterns instead.

Sniffing tries strict UTF-8 first (single-byte Arabic or Latin text essentially never decodes as
UTF-8), then the windows-1256 / ISO-8859-6 scorer (``arabic_codepage``), then a weak label, then
charset-normalizer.

The body is decompressed here too, not by urllib3, so that the cap on its size holds for the
decompressed bytes: ``CappedDecompressor`` stops a gzip bomb at ``cap`` bytes, having held no
more than that plus one network chunk in memory.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from typing import Any

import charset_normalizer

from akhbar.transforms.sources.arabic_codepage import SNIFF_BYTES, arabic_single_byte

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels browsers treat as windows-1252 (a superset that also decodes 0x80-0x9F).
_LATIN1_LABELS = frozenset({"iso8859-1", "latin-1", "ascii", "us-ascii", "cp819"})
_CONTENT_TYPE_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']\s*([A-Za-z0-9._:\-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_XML_DECL_TEXT = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])\s*[A-Za-z0-9._:\-]+""", re.I)
_META_CHARSET_TEXT = re.compile(r"""(<meta[^>]*?charset\s*=\s*["']?\s*)[A-Za-z0-9._:\-]+""", re.I)
_LATIN_GUESSES = frozenset(
    {"cp1250", "cp1252", "cp1257", "iso8859-2", "iso8859-15", "mac-latin2", "mac-roman"}
)
# Labels that say little (see the module docstring), after ``codec_name``'s mapping.
_WEAK_CODECS = frozenset({"cp1252"})
# A leading "<" in UTF-32 and UTF-16 without a BOM (UTF-32 first: it also starts like UTF-16).
_WIDE_PATTERNS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_DECLARATION_WINDOW = 4096
_SNIFF_BYTES = SNIFF_BYTES
_BINARY_TYPES = ("image/", "audio/", "video/", "font/")
_BINARY_SUBTYPES = frozenset(
    {"application/pdf", "application/zip", "application/gzip", "application/x-gzip"}
)


class BodyError(ValueError):
    """The body cannot be used; ``reason`` is the reject reason (``http:too-large``, ...)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class CappedDecompressor:
    """Undo a Content-Encoding (identity, gzip, x-gzip, deflate) fed chunk by chunk.

    Raises ``BodyError('http:too-large')`` as soon as the output passes ``cap``: zlib is asked for
    at most the bytes still allowed plus one, so a small input never inflates into a large buffer.
    ``deflate`` is zlib-wrapped per the RFC but raw from some servers; the first two bytes decide.
    """

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        kind = (content_encoding or "").strip().lower() or "identity"
        self.kind = "gzip" if kind == "x-gzip" else kind
        if self.kind not in ("identity", "gzip", "deflate"):
            raise BodyError("http:bad-content-encoding", f"unsupported encoding {kind!r}")
        self.cap = cap
        self.out = bytearray()
        self._probe = bytearray()
        self._fed = False
        self._z: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if self.kind == "gzip" else None

    def _append(self, data: bytes) -> None:
        self.out += data
        if len(self.out) > self.cap:
            raise BodyError("http:too-large", f"body exceeds {self.cap} bytes once decompressed")

    def feed(self, data: bytes) -> None:
        self._fed = self._fed or bool(data)
        if self.kind == "identity":
            self._append(data)
            return
        if self._z is None:
            self._probe += data
            if len(self._probe) < 2:
                return
            cmf, flg = self._probe[0], self._probe[1]
            wrapped = cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            data = bytes(self._probe)
        try:
            while data:
                if self._z.eof:
                    if self.kind != "gzip" or not data.strip(b"\x00"):
                        return  # nothing but padding after the stream
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)  # the next gzip member
                self._append(self._z.decompress(data, self.cap - len(self.out) + 1))
                data = self._z.unused_data if self._z.eof else self._z.unconsumed_tail
        except zlib.error as exc:
            raise BodyError("http:decode-error", f"bad {self.kind} stream: {exc}") from None

    def finish(self) -> bytes:
        """The whole decoded body; a compressed stream that did not end is an error."""
        if not self._fed:
            return b""  # no body at all, whatever its label
        if self.kind != "identity" and (self._z is None or not self._z.eof):
            raise BodyError("http:decode-error", f"truncated {self.kind} stream")
        return bytes(self.out)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Body text and how its encoding was chosen.

    ``source`` is one of ``http-header``, ``bom``, ``xml-declaration``, ``html-meta``,
    ``sniffed-utf-8``, ``sniffed-arabic``, ``sniffed`` (charset-normalizer), ``fallback``
    (UTF-8 with replacement characters: nothing decoded cleanly).
    """

    text: str
    encoding: str
    source: str


def codec_name(label: str | None) -> str | None:
    """Python's codec name for an encoding label, or None when Python has no such codec."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _LATIN1_LABELS else name


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header (the raw label, not validated)."""
    if not content_type:
        return None
    match = _CONTENT_TYPE_CHARSET.search(content_type)
    return match.group(1) if match else None


def is_textual(content_type: str | None) -> bool:
    """False for media types that are never text (images, audio, PDF, archives)."""
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return not media.startswith(_BINARY_TYPES) and media not in _BINARY_SUBTYPES


def bom_encoding(data: bytes) -> str | None:
    """The codec a byte-order mark announces (UTF-32 checked before UTF-16: FF FE 00 00)."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return codec
    return None


def declared_encoding(data: bytes) -> tuple[str, str] | None:
    """(label, 'xml-declaration' | 'html-meta') from the document's first bytes, if declared.

    UTF-16 and UTF-32 without a BOM are recognised from the byte patterns of a leading ``<``
    (the XML spec's appendix F), since an ASCII regex cannot read their declaration.
    """
    head = data[:_DECLARATION_WINDOW]
    for pattern, codec in _WIDE_PATTERNS:
        if head.startswith(pattern):
            return codec, "xml-declaration"
    match = _XML_DECL.match(head)
    if match:
        return match.group(1).decode("ascii"), "xml-declaration"
    match = _META_CHARSET.search(head)
    if match:
        return match.group(1).decode("ascii"), "html-meta"
    return None


def _strict(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _usable_label(label: str | None, data: bytes) -> str | None:
    """The codec of a label worth trying on ``data``: known to Python, and not a UTF-16/32 label
    on bytes that hold no NUL at all in their first 4 KiB (markup in UTF-16/32 always does)."""
    codec = codec_name(label)
    if codec is None:
        return None
    if codec.startswith(("utf-16", "utf-32")) and b"\x00" not in data[:_DECLARATION_WINDOW]:
        return None
    return codec


def sniff(data: bytes, weak: tuple[tuple[str, str], ...] = ()) -> Decoded:
    """Best guess for bytes whose labels did not settle it (never fails).

    ``weak`` are (codec, source) pairs from weak labels (windows-1252 and its aliases): tried
    after UTF-8 and the Arabic code pages, before charset-normalizer.
    """
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "sniffed-utf-8")
    codec = arabic_single_byte(data)
    if codec is not None:  # judged on the first bytes; a stray undefined byte later is replaced
        return Decoded(data.decode(codec, "replace"), codec, "sniffed-arabic")
    for codec, source in weak:
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec, source)
    match = charset_normalizer.from_bytes(data[:_SNIFF_BYTES]).best()
    guessed = codec_name(match.encoding) if match is not None else None
    if guessed in _LATIN_GUESSES and _strict(data, "cp1252") is not None:
        guessed = "cp1252"  # French (Maghreb) text: short samples often look Central European
    if guessed is not None:
        return Decoded(data.decode(guessed, "replace"), guessed, "sniffed")
    return Decoded(data.decode("utf-8", "replace"), "utf-8", "fallback")


def decode_document(data: bytes, http_charset: str | None = None) -> Decoded:
    """The text of a feed, page or WARC payload: the one charset decoder of every input path.

    ``http_charset`` is the charset label of the HTTP Content-Type (fetched bodies, WARC
    records), None for files. The order and its refinements are in the module docstring. A
    leading BOM never reaches the text.
    """
    bom = bom_encoding(data)
    weak: list[tuple[str, str]] = []
    header = _usable_label(http_charset, data)
    if header in _WEAK_CODECS:
        weak.append((header, "http-header"))
    elif header is not None:
        text = _strict(data, header)
        if text is not None and (bom is None or header == bom or text.startswith("\ufeff")):
            return Decoded(text.removeprefix("\ufeff"), header, "http-header")
    if bom is not None:
        return Decoded(data.decode(bom, "replace").removeprefix("\ufeff"), bom, "bom")
    declared = declared_encoding(data)
    if declared is not None:
        codec = _usable_label(declared[0], data)
        if codec in _WEAK_CODECS:
            weak.append((codec, declared[1]))
        elif codec is not None and (text := _strict(data, codec)) is not None:
            return Decoded(text, codec, declared[1])
    return sniff(data, tuple(weak))


def decode_body(data: bytes, content_type: str | None = None) -> Decoded:
    """``decode_document`` for an HTTP body, given its whole Content-Type header."""
    return decode_document(data, charset_from_content_type(content_type))


def to_utf8_document(text: str) -> bytes:
    """``text`` as UTF-8 bytes whose XML declaration or HTML meta charset says UTF-8.

    The feed and page parsers read bytes and trust the document's own declaration; after we
    decoded it (perhaps against that declaration, because HTTP said otherwise) the declaration
    must agree with the bytes we hand over.
    """
    text = text.removeprefix("\ufeff")
    text, count = _XML_DECL_TEXT.subn(r"\g<1>utf-8", text, count=1)
    if not count:
        head, tail = text[:_DECLARATION_WINDOW], text[_DECLARATION_WINDOW:]
        text = _META_CHARSET_TEXT.sub(r"\g<1>utf-8", head, count=1) + tail
    return text.encode("utf-8", "replace")  # a lone surrogate from a caller becomes "?"
