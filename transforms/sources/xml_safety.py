"""Screen XML before any parser that might expand entities or fetch a DTD sees it.

feedparser uses expat through ``xml.sax``; expat limits amplification, but we want hostile
documents rejected with a reason, not half-parsed. This runs expat once with handlers that look
at the DOCTYPE and every entity declaration (the checks defusedxml makes, plus the external DTD),
and never resolves anything external: parameter-entity parsing is off and external entity
references are refused, so nothing is ever fetched.
"""

from __future__ import annotations

import pyexpat
import re

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

# Public identifiers of the RSS 0.91 DTDs. Real feeds still carry them; no parser fetches them, so
# they are tolerated instead of rejecting every RSS 0.91 feed.
TOLERATED_PUBLIC_DTDS = frozenset(
    {
        "-//Netscape Communications//DTD RSS 0.91//EN",
        "-//Userland//DTD RSS 0.91//EN",
    }
)
MAX_ENTITY_DECLARATIONS = 64
MAX_ENTITY_VALUE = 64
_ENTITY_DECL_RE = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_ENTITY_DECL_RE16 = re.compile("<!\\s*ENTITY", re.IGNORECASE)


class UnsafeXML(ValueError):
    """The document declares something we refuse to process; ``reason`` is machine-readable."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _TooDeep(Exception):
    """Raised from expat's start-element handler to stop the parse at once."""


def screen_xml(data: bytes, max_depth: int | None = None) -> bool:
    """Raise ``UnsafeXML`` for bombs, external entities and external DTDs, and (with
    ``max_depth``) for elements nested deeper than that (``xml:too-deep``).

    Returns True when expat found the document well-formed, False when it is ill-formed (or in a
    multi-byte encoding expat cannot read, which pyexpat signals with a bare ``ValueError``) but
    carries nothing dangerous (feedparser's loose mode may still recover items from it).
    """
    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    declared = [0]

    def on_doctype(name: str, system_id: str | None, public_id: str | None, _internal: int) -> None:
        if system_id and public_id not in TOLERATED_PUBLIC_DTDS:
            raise DTDForbidden(name, system_id, public_id)

    def on_entity(
        name: str,
        _is_param: int,
        value: str | None,
        _base: str | None,
        system_id: str | None,
        public_id: str | None,
        _notation: str | None,
    ) -> None:
        declared[0] += 1
        if system_id or public_id:
            raise ExternalReferenceForbidden(name, None, system_id, public_id)
        if value is None or "&" in value or "%" in value or len(value) > MAX_ENTITY_VALUE:
            raise EntitiesForbidden(name, value, None, None, None, None)
        if declared[0] > MAX_ENTITY_DECLARATIONS:
            raise EntitiesForbidden(name, value, None, None, None, None)

    def on_unparsed(name: str, *_args: object) -> None:
        raise EntitiesForbidden(name, None, None, None, None, None)

    def on_external_ref(
        _context: str, _base: str | None, system_id: str | None, public_id: str | None
    ) -> int:
        raise ExternalReferenceForbidden(_context, _base, system_id, public_id)

    if max_depth is not None:
        depth = [0]

        def on_start(_name: str, _attributes: object) -> None:
            depth[0] += 1
            if depth[0] > max_depth:
                raise _TooDeep()

        def on_end(_name: str) -> None:
            depth[0] -= 1

        parser.StartElementHandler = on_start
        parser.EndElementHandler = on_end
    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_entity
    parser.UnparsedEntityDeclHandler = on_unparsed
    parser.ExternalEntityRefHandler = on_external_ref
    try:
        parser.Parse(data, True)
    except _TooDeep:
        raise UnsafeXML("xml:too-deep", f"elements nested more than {max_depth} deep") from None
    except DTDForbidden as exc:
        raise UnsafeXML(
            "xml:external-dtd", f"external DTD {exc.sysid!r} refused (never fetched)"
        ) from None
    except ExternalReferenceForbidden as exc:
        raise UnsafeXML(
            "xml:external-entity", f"external entity {exc.sysid!r} refused (never fetched)"
        ) from None
    except EntitiesForbidden as exc:
        raise UnsafeXML(
            "xml:entity-expansion",
            f"entity {exc.name!r} refused: nested, oversized or too many declarations",
        ) from None
    except pyexpat.ExpatError as exc:
        return _ill_formed(data, str(exc))
    except (ValueError, LookupError) as exc:
        # expat reads only UTF-8/16, Latin-1 and ASCII by itself; for other declared encodings
        # (EUC-KR, Big5, GB2312, a bogus name) screen a UTF-8 transcoding instead.
        transcoded = _transcode_to_utf8(data)
        if transcoded is not None and transcoded != data:
            return screen_xml(transcoded, max_depth)
        return _ill_formed(data, str(exc))
    return True


def _ill_formed(data: bytes, message: str) -> bool:
    """Expat stopped early: refuse if the document may declare entities, else let feedparser's
    loose mode try (it never expands custom entities)."""
    if "recursive entity" in message or "amplification" in message:
        raise UnsafeXML("xml:entity-expansion", message)
    if _declares_entities(data):
        raise UnsafeXML(
            "xml:entity-expansion", f"ill-formed document declaring entities: {message}"
        )
    return False


_XML_DECL = re.compile(
    r"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE
)


def _transcode_to_utf8(data: bytes) -> bytes | None:
    """The document re-encoded as UTF-8 with its declaration saying so, or None if undecodable."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            candidates = [codec]
            break
    else:
        head = data[:200].replace(b"\x00", b"").decode("ascii", "replace")
        declared = _XML_DECL.match(head)
        candidates = [declared.group(1)] if declared else []
        if data[:2] in (b"<\x00", b"\x00<"):
            candidates.append("utf-16-le" if data[:1] == b"<" else "utf-16-be")
    for codec in candidates:
        try:
            text = data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
        text = _XML_DECL.sub(lambda m: m.group(0).replace(m.group(1), "utf-8"), text, count=1)
        return text.encode("utf-8")
    return None


def _declares_entities(data: bytes) -> bool:
    """Entity declarations in a document expat could not read to the end (any common encoding)."""
    if _ENTITY_DECL_RE.search(data):
        return True
    head = data[:65536]
    # Both byte orders explicitly: "utf-16"/"utf-32" assume little-endian without a BOM.
    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        if _ENTITY_DECL_RE16.search(head.decode(encoding, "ignore")):
            return True
    return False
