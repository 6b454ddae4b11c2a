"""A generated set of hostile inputs: what strangers' feeds and dumps throw at a reader.

Each writer puts one family of attacks into one or more files, in every input format it applies
to (RSS, JSONL, HTML). The bad-input corpus test runs the whole CLI over these plus the shared
real-world corpora, and the fuzz harnesses use them as seeds. Everything is generated, so no
hostile bytes live in the repository.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from html import escape
from pathlib import Path

ARABIC = (
    "قال السفير الصيني بالقاهرة إن الصين عقدت المؤتمر الوطني لتكريم كبار المساهمين في مكافحة "
    "فيروس كورونا، وألقى الرئيس كلمة وتقدم بالشكر للأصدقاء الذين قدموا الدعم."
)
BIG_ITEMS = 50_000
BIG_BYTES = 5 * 1024 * 1024
DEEP = 10_000


# Bodies that must come out without executable markup (the test looks for "<script" in text).
def _escaped(markup: str, times: int) -> str:
    for _ in range(times):
        markup = escape(markup)
    return markup


SCRIPT_BODIES = [
    f"<p>{ARABIC}</p><script>alert('x')</script>",
    f"<p>{ARABIC}</p><SCRIPT type='text/javascript'>document.write('<b>x</b>')</SCRIPT>",
    f"<p>{ARABIC}</p><iframe src='https://evil.example/'></iframe><style>p{{color:red}}</style>",
    f"<p>{ARABIC}</p><scr<script>ipt>alert(1)</scr</script>ipt>",
    f"<p>{ARABIC}</p><script>unclosed(",
    f"&lt;p&gt;{ARABIC}&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
    f"&amp;lt;p&amp;gt;{ARABIC}&amp;lt;script&amp;gt;alert(2)&amp;lt;/script&amp;gt;",
    f"{ARABIC} " + "&amp;" * 12 + "lt;script&gt;alert(3)&lt;/script&gt;",
    f"<p>{ARABIC}</p><svg><script>alert(4)</script></svg><noscript><p>x</p></noscript>",
    f"<p onclick='alert(5)'>{ARABIC}</p><img src=x onerror=alert(6)><a href='javascript:alert(7)'>x</a>",
    f"<p>{ARABIC}</p><!-- <script>alert(8)</script> --><![CDATA[<script>alert(9)</script>]]>",
    f"<p>{ARABIC}</p><template><script>alert(10)</script></template><object data=x></object>",
    # escaped more often than the cleaner decodes (8 passes of 2 levels): 15 and 16 levels
    # used to come out as a literal <script> tag
    f"<p>{ARABIC}</p>" + _escaped("<script>alert(11)</script>", 15),
    f"<p>{ARABIC}</p>" + _escaped("<script>alert(12)</script>", 16),
]
EMPTY_BODIES = [
    "",
    " ",
    "\n\t ",
    "<p></p>",
    "<p><img src='x.png'></p>",
    "<br/><hr/>",
    "&nbsp;",
    "<div><script>only()</script></div>",
    "<style>p{}</style>",
    "<!-- nothing -->",
]
INVISIBLE = [
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u061c",
    "\ufeff",
    "\u2060",
    "\u00ad",
]
DATES = [
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "1970-01-01T00:00:00Z",
    "Thu, 31 Dec 2099 23:59:59 GMT",
    "2099-12-31T23:59:59Z",
    "not a date",
    "32/13/2020",
    "9999-99-99",
    "Mon, 99 Foo 2020",
    "0000-00-00 00:00:00",
    "-1",
    "1e308",
    "",
    "الأحد 32 نوفمبر 2026",
]


# Links and ids are namespaced by the writer (and pages numbered) so that items of different
# files are not URL duplicates of each other: the tests look at articles file by file.
_NS = [""]
_PAGES = itertools.count()


def rss(items: list[str], encoding: str = "UTF-8", declaration: bool = True) -> str:
    head = f'<?xml version="1.0" encoding="{encoding}"?>' if declaration else ""
    return (
        f'{head}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>hostile</title>'
        "<link>https://hostile.example/</link>" + "".join(items) + "</channel></rss>"
    )


def item(
    n: int | str,
    body: str = ARABIC,
    title: str = "عنوان",
    date: str | None = None,
    raw_body: bool = False,
) -> str:
    """One RSS item; the body goes into CDATA unless ``raw_body`` (already XML)."""
    content = body if raw_body else "<![CDATA[" + body.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    pub = f"<pubDate>{escape(date)}</pubDate>" if date is not None else ""
    return (
        f"<item><title>{escape(title)}</title><link>https://hostile.example/{_NS[0]}/{n}</link>"
        f"<guid>{_NS[0]}-{n}</guid>{pub}<content:encoded>{content}</content:encoded></item>"
    )


def jsonl(records: list[object], ascii: bool = True) -> bytes:
    """JSON Lines; ``ascii`` keeps lone surrogates as ``\\ud800`` escapes (they cannot be UTF-8)."""
    return "".join(json.dumps(r, ensure_ascii=ascii) + "\n" for r in records).encode("utf-8")


def record(n: int | str, text: str = ARABIC, **extra: object) -> dict[str, object]:
    return {
        "id": f"{_NS[0]}-j{n}",
        "url": f"https://hostile.example/{_NS[0]}/j{n}",
        "source": "hostile.example",
        "title": "عنوان",
        "published": "2026-11-29T10:00:00Z",
        "text": text,
        **extra,
    }


def page(body: str, head: str = "<meta charset='utf-8'>") -> str:
    return (
        f"<!DOCTYPE html><html lang='ar'><head>{head}<title>صفحة</title>"
        f"<link rel='canonical' href='https://hostile.example/page/{next(_PAGES)}'></head>"
        f"<body><article>{body}</article></body></html>"
    )


def nul_bytes(out: Path) -> None:
    items = [item(i, ARABIC + "\x00" * i + " نهاية", title=f"عنوان\x00{i}") for i in range(1, 4)]
    (out / "nul-bytes.xml").write_bytes(rss([*items, item(9, ARABIC + " &#0; x")]).encode())
    (out / "nul-escapes.jsonl").write_bytes(
        jsonl(
            [
                record(1, ARABIC + "\u0000 نهاية", title="a\u0000b", source="nul\u0000source"),
                record(2, "\u0000" * 50),
                record(3, ARABIC, id="id\u0000x", url="https://x\u0000.example/"),
            ]
        )
    )
    (out / "nul-raw.jsonl").write_bytes(
        json.dumps(record(1)).encode()[:-1] + b', "x": "\x00"}\n\x00\x00\n' + jsonl([record(5)])
    )


def lone_surrogates(out: Path) -> None:
    lone = ["\ud800", "\udfff", "\udc80x\ud800"]
    recs = [
        record(
            f"s{i}",
            ARABIC + s,
            title="t" + s,
            source="src" + s,
            url="https://h.example/" + s,
            published="2026" + s,
            author="a" + s,
            category=s,
            id="id" + s,
            language=s,
        )
        for i, s in enumerate(lone)
    ]
    (out / "surrogate-escapes.jsonl").write_bytes(jsonl(recs))
    bad = [
        b'{"id": "b1", "text": "' + ARABIC.encode() + b' \xed\xa0\x80 end"}\n',
        b'{"id": "b2", "text": "\xff\xfe broken"}\n',
        b'{"id": "b3", "source": "\xed\xb0\x80", "text": "' + ARABIC.encode() + b'"}\n',
    ]
    (out / "surrogate-bytes.jsonl").write_bytes(b"".join(bad))
    feed = rss([item(1, ARABIC + " &#xD800; &#xDFFF;"), item(2, ARABIC + " @@")]).encode()
    (out / "surrogate-bytes.xml").write_bytes(feed.replace(b"@@", b"\xed\xa0\x80\xff"))


def deep_nesting(out: Path) -> None:
    deep_xml = "<x>" * DEEP + "deep" + "</x>" * DEEP
    (out / "deep-xml.xml").write_bytes(rss([item(1, deep_xml, raw_body=True), item(2)]).encode())
    divs = "<div>" * DEEP + ARABIC + "</div>" * DEEP
    (out / "deep-html-item.xml").write_bytes(
        rss(
            [item(1, divs), item(2, f"<p>{ARABIC}</p>" + "<div>" * 300 + ARABIC + "</div>" * 300)]
        ).encode()
    )
    (out / "deep.jsonl").write_bytes(
        (
            json.dumps(record(1))[:-1]
            + ', "deep": '
            + "[" * DEEP
            + "]" * DEEP
            + "}\n"
            + "{"
            + '"a":{' * DEEP
            + "}" * (DEEP + 1)
            + "\n"
            + json.dumps(record(3, text=[[[[ARABIC]]]]))
            + "\n"
        ).encode()
    )
    (out / "deep.html").write_bytes(page("<div>" * DEEP + ARABIC + "</div>" * DEEP).encode())


def many_and_big(out: Path) -> None:
    items = [item(i, f"{ARABIC} رقم {i}", title=f"خبر {i}") for i in range(BIG_ITEMS)]
    (out / "fifty-thousand.xml").write_bytes(rss(items).encode())

    def big(tag: str) -> str:  # distinct per file, so that no 5 MB item is another's copy
        paragraph = f"<p>{ARABIC} {tag}{{}}</p>"
        return "".join(paragraph.format(i) for i in range(BIG_BYTES // len(paragraph.encode()) + 1))

    (out / "five-mb-item.xml").write_bytes(
        rss([item("big1", big("x")), item("big2", ARABIC + " 2")]).encode()
    )
    (out / "five-mb-item.jsonl").write_bytes(
        jsonl([record("big1", big("j")), record("big2", "x" * BIG_BYTES)], ascii=False)
    )
    (out / "five-mb-title.jsonl").write_bytes(
        jsonl([record("title1", ARABIC + " t", title="ع" * (BIG_BYTES // 2))], ascii=False)
    )


def empty_and_markup(out: Path) -> None:
    (out / "empty-bodies.xml").write_bytes(
        rss(
            [item(i, b) for i, b in enumerate(EMPTY_BODIES)]
            + ["<item><title>no body</title></item>", "<item></item>"]
        ).encode()
    )
    (out / "empty-bodies.jsonl").write_bytes(
        jsonl([record(i, b) for i, b in enumerate(EMPTY_BODIES)] + [{"id": "none"}, {}])
    )
    (out / "empty.html").write_bytes(b"")
    (out / "html-only.html").write_bytes(page("<img src='x'><br><hr>").encode())
    (out / "script-style.xml").write_bytes(
        rss(
            [
                item(i, f"نص {i} {b}", title=f"<script>t{i}</script>عنوان")
                for i, b in enumerate(SCRIPT_BODIES)
            ]
        ).encode()
    )
    (out / "script-style.jsonl").write_bytes(
        jsonl([record(i, f"نص j{i} {b}") for i, b in enumerate(SCRIPT_BODIES)])
    )
    (out / "script-style.html").write_bytes(
        page(
            "".join(SCRIPT_BODIES)
            + "<script type='application/ld+json'>"
            + json.dumps(
                {
                    "@type": "NewsArticle",
                    "headline": "<script>h</script>",
                    "articleBody": ARABIC + "<script>alert(1)</script>",
                }
            )
            + "</script>"
        ).encode()
    )


def invisible_characters(out: Path) -> None:
    mixed = "".join(
        f"{word}{INVISIBLE[i % len(INVISIBLE)]}" for i, word in enumerate(ARABIC.split())
    )
    (out / "bidi-zero-width.xml").write_bytes(
        rss([item(1, mixed, title="\u202eعنوان\u200b"), item(2, "".join(INVISIBLE) * 10)]).encode()
    )
    (out / "bidi-zero-width.jsonl").write_bytes(
        jsonl([record(1, mixed, title="\u2066x\u2069", source="\u202ehostile.example")])
    )


def dates(out: Path) -> None:
    (out / "dates.xml").write_bytes(
        rss([item(i, f"{ARABIC} {i}", date=d) for i, d in enumerate(DATES)]).encode()
    )
    odd: list[object] = [*DATES, 0, -1, 4102444800, 1e308, -1e308, {"date": "2099"}, [1970], True]
    (out / "dates.jsonl").write_bytes(
        jsonl([record(i, f"{ARABIC} j{i}", published=d) for i, d in enumerate(odd)])
    )


def encodings(out: Path) -> None:
    text = rss([item(1, f"{ARABIC} utf"), item(2, f"{ARABIC} ترميز")], encoding="UTF-16")
    (out / "utf16-le.xml").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    (out / "utf16-be.xml").write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    (out / "utf8-bom.xml").write_bytes(b"\xef\xbb\xbf" + rss([item(1, f"{ARABIC} bom")]).encode())
    (out / "cp1256-nodecl.xml").write_bytes(
        rss([item(1, f"{ARABIC} ويندوز")], declaration=False).encode("cp1256")
    )
    (out / "utf16.jsonl").write_bytes(jsonl([record(1)]).decode().encode("utf-16"))
    (out / "utf8-bom.jsonl").write_bytes(b"\xef\xbb\xbf" + jsonl([record(1), record(2)]))
    (out / "cp1256.jsonl").write_bytes(json.dumps(record(1), ensure_ascii=False).encode("cp1256"))
    (out / "cp1256-nodecl.html").write_bytes(page(f"<p>{ARABIC}</p>", head="").encode("cp1256"))
    (out / "utf16.html").write_bytes(page(f"<p>{ARABIC}</p>", head="").encode("utf-16"))


def odd_types(out: Path) -> None:
    (out / "types.jsonl").write_bytes(
        b"".join(
            json.dumps(v).encode() + b"\n"
            for v in [
                1,
                "text",
                None,
                [1, 2],
                True,
                record(1, text=12345),
                record(2, text={"name": ARABIC}),
                record(3, title=["a", {"b": "c"}], author={"name": None}, source=7),
                record(4, url=42),
                {"text": ARABIC, "source": ""},
                {"text": ARABIC, "source": "   "},
            ]
        )
        + b'not json\n{"unterminated": \n'
    )


def odd_file_names(out: Path) -> None:
    """Names with bytes that are not UTF-8 and with a newline: they end up in ``origin``."""
    (out / "new\nline.jsonl").write_bytes(jsonl([record("nl")]))
    with open(bytes(out) + b"/bad-\xff-name.jsonl", "wb") as handle:
        handle.write(jsonl([record("ff")]))


WRITERS: list[Callable[[Path], None]] = [
    nul_bytes,
    lone_surrogates,
    deep_nesting,
    many_and_big,
    empty_and_markup,
    invisible_characters,
    dates,
    encodings,
    odd_types,
    odd_file_names,
]


def write_hostile_set(out: Path, big: bool = True) -> Path:
    """Write every hostile file into ``out`` (created) and return it; ``big=False`` leaves out
    the 50,000-item feed and the 5 MB items (fuzz seeds must be small)."""
    out.mkdir(parents=True, exist_ok=True)
    for writer in WRITERS:
        if writer is many_and_big and not big:
            continue
        _NS[0] = writer.__name__
        writer(out)
    return out
