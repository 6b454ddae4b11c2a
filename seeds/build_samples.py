"""Rebuild ``seeds/samples/`` (the default input of ``akhbar ingest``) reproducibly.

    python seeds/build_samples.py [--ant TARBALL] [--seed-article FILE]

Article texts are real: ANT corpus articles (JawharaFM, Tunisia) and the project's seed article
(Youm7-style Egyptian orthography). The feed wrappers are constructed so the sample exercises
every input format and every accounting path: an exact copy across outlets, a URL variant, a
broken line, an item without a date, markup, entities and invisible characters.
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from akhbar.seeds.ant import ANT_LICENCE, DEFAULT_TARBALL, read_ant_docs

HERE = Path(__file__).resolve().parent
OUT = HERE / "samples"
SEED_ARTICLE = HERE.parent.parent / "shared/data/seed-article-ar.txt"
SEED_TITLE = "السفير الصينى بالقاهرة: مصر تضامنت مع الصين فى مواجهة كورونا"
SEED_URL = "https://www.youm7.com/story/2020/9/10/السفير-الصينى-مصر-تضامنت-مع-الصين/4971234"
SEED_DATE = "Thu, 10 Sep 2020 14:05:00 +0200"


def pick(docs: list[dict[str, str]], category: str, count: int) -> list[dict[str, str]]:
    chosen = [d for d in docs if d.get("cat") == category and len(d.get("text", "")) > 300]
    return chosen[:count]


def ant_datetime(doc: dict[str, str]):
    from akhbar.transforms.extract.dates import parse_date

    return parse_date(doc["time"])


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n") if p.strip())


def build_jsonl(docs: list[dict[str, str]]) -> str:
    lines = []
    for i, doc in enumerate(docs):
        record = {
            "id": doc["docno"],
            "url": doc["url"],
            "source": "jawharafm.net",
            "title": doc["title"],
            "published": doc["time"],
            "text": doc["text"],
            "category": doc["cat"],
        }
        if i == 3:
            del record["published"]  # an item without a date: kept, partitioned by fetch time
        if i == 5:
            record["content"] = record.pop("text")  # alias
            record["link"] = record.pop("url")
        lines.append(json.dumps(record, ensure_ascii=False))
        if i == 7:
            lines.append('{"id": "JA-broken-1", "title": "خبر مقطوع", "text": "نص بلا نهاية')
    return "\n".join(lines) + "\n"


def build_rss(seed_text: str, docs: list[dict[str, str]]) -> str:
    items = [
        f"""  <item>
    <title>{escape(SEED_TITLE)}</title>
    <link>{escape(SEED_URL)}</link>
    <guid isPermaLink="false">youm7-4971234</guid>
    <pubDate>{SEED_DATE}</pubDate>
    <author>أحمد جمعة</author>
    <category>أخبار عاجلة</category>
    <description>{escape(seed_text.split(chr(10))[0][:200])}</description>
    <content:encoded><![CDATA[{paragraphs_html(seed_text)}<script>trackView()</script>]]></content:encoded>
  </item>"""
    ]
    for i, doc in enumerate(docs):
        body = paragraphs_html(doc["text"])
        if i == 0:  # markup, entities and invisible characters a real CMS leaves behind
            body = '<div class="share">\u200f' + body + '<iframe src="x"></iframe></div>&nbsp;&amp;'
        when = format_datetime(ant_datetime(doc))
        items.append(f"""  <item>
    <title>{escape(doc["title"])}</title>
    <link>https://www.youm7.com/story/{doc["docno"]}</link>
    <guid>https://www.youm7.com/story/{doc["docno"]}</guid>
    <pubDate>{when}</pubDate>
    <category>{escape(doc["cat"])}</category>
    <description>{escape(body)}</description>
  </item>""")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        "<channel>\n  <title>اليوم السابع</title>\n  <link>https://www.youm7.com/</link>\n"
        "  <language>ar</language>\n  <description>sample</description>\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


def egyptianize(text: str) -> str:
    """The same story spelled the Egyptian way and with tatweel: exact after normalization."""
    out = []
    for word in text.split(" "):
        if word.endswith("ي") and len(word) > 3:
            word = word[:-1] + "ى"
        out.append(word)
    return " ".join(out).replace("الحكومة", "الحكـــومة")


def build_atom(docs: list[dict[str, str]], copied: dict[str, str]) -> str:
    entries = []
    for doc in [*docs, copied]:
        text = egyptianize(doc["text"]) if doc is copied else doc["text"]
        when = ant_datetime(doc)
        if doc is copied:
            when = when + timedelta(hours=3)  # republished later: the youm7 copy stays canonical
        entries.append(f"""  <entry>
    <title>{escape(doc["title"])}</title>
    <link rel="alternate" href="https://www.aljazeera.net/news/{doc["docno"].lower()}"/>
    <id>tag:aljazeera.net,2017:{doc["docno"]}</id>
    <updated>{when.isoformat()}</updated>
    <published>{when.isoformat()}</published>
    <author><name>الجزيرة نت</name></author>
    <category term="{escape(doc["cat"])}"/>
    <summary>{escape(doc.get("abstract") or doc["title"])}</summary>
    <content type="html">{escape(paragraphs_html(text))}</content>
  </entry>""")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">\n'
        '  <title>الجزيرة نت</title>\n  <link href="https://www.aljazeera.net/"/>\n'
        "  <id>tag:aljazeera.net,2017:feed</id>\n  <updated>2017-06-01T00:00:00Z</updated>\n"
        + "\n".join(entries)
        + "\n</feed>\n"
    )


def build_rdf(docs: list[dict[str, str]], url_variant: dict[str, str]) -> str:
    items, refs = [], []
    for doc in [*docs, url_variant]:
        if doc is url_variant:
            link = doc["url"].replace("http://", "https://") + "/?utm_source=rss&utm_medium=feed"
            text = doc["text"] + "\nتحديث: تمت إضافة تفاصيل جديدة إلى هذا الخبر."
        else:
            link = f"https://www.hespress.com/{doc['docno'].lower()}.html"
            text = doc["text"]
        refs.append(f'      <rdf:li rdf:resource="{escape(link)}"/>')
        body = escape(
            paragraphs_html(text) + f"<p>The post {doc['title']} appeared first on Hespress.</p>"
        )
        items.append(f"""  <item rdf:about="{escape(link)}">
    <title>{escape(doc["title"])}</title>
    <link>{escape(link)}</link>
    <dc:date>{(ant_datetime(doc) + timedelta(hours=1 if doc is url_variant else 0)).isoformat()}</dc:date>
    <dc:creator>هسبريس</dc:creator>
    <dc:subject>{escape(doc["cat"])}</dc:subject>
    <description>{body}</description>
  </item>""")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        '  <channel rdf:about="https://www.hespress.com/feed">\n    <title>هسبريس</title>\n'
        "    <link>https://www.hespress.com/</link>\n    <description>sample</description>\n"
        "    <items><rdf:Seq>\n"
        + "\n".join(refs)
        + "\n    </rdf:Seq></items>\n  </channel>\n"
        + "\n".join(items)
        + "\n</rdf:RDF>\n"
    )


def build_html(seed_text: str) -> str:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": SEED_TITLE,
        "datePublished": "2020-09-10T16:30:00+02:00",
        "author": [{"@type": "Person", "name": "محرر مصراوي"}],
        "articleSection": "سياسة",
        "inLanguage": "ar",
    }
    # The seed article republished by a second outlet with diacritics: an exact copy once normalized.
    text = seed_text.replace("الصين", "الصِّين")
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{escape(SEED_TITLE)} - مصراوي</title>
<link rel="canonical" href="https://www.masrawy.com/news/news_egypt/details/2020/9/10/1873456/">
<meta property="og:title" content="{escape(SEED_TITLE)}">
<meta property="og:site_name" content="مصراوي">
<meta name="description" content="{escape(seed_text[:160])}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body><nav><a href="/">الرئيسية</a> | <a href="/sport">رياضة</a></nav>
<article><h1>{escape(SEED_TITLE)}</h1>{paragraphs_html(text)}</article>
<footer>جميع الحقوق محفوظة</footer></body></html>
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ant", type=Path, default=DEFAULT_TARBALL)
    parser.add_argument("--seed-article", type=Path, default=SEED_ARTICLE)
    args = parser.parse_args()
    docs = list(read_ant_docs(args.ant))
    seed_text = args.seed_article.read_text(encoding="utf-8").strip()
    jsonl_docs = pick(docs, "economy", 8) + pick(docs, "politic", 6)
    rss_docs = pick(docs, "internationalNews", 9)
    atom_docs = pick(docs, "sport", 8)
    rdf_docs = pick(docs, "technology", 4) + pick(docs, "culture", 3)
    OUT.mkdir(exist_ok=True)
    (OUT / "jawharafm.jsonl").write_text(build_jsonl(jsonl_docs), encoding="utf-8")
    (OUT / "youm7.xml").write_text(build_rss(seed_text, rss_docs), encoding="utf-8")
    (OUT / "aljazeera.atom").write_text(build_atom(atom_docs, rss_docs[2]), encoding="utf-8")
    (OUT / "hespress.rdf").write_text(build_rdf(rdf_docs, jsonl_docs[1]), encoding="utf-8")
    (OUT / "masrawy-article.html").write_text(build_html(seed_text), encoding="utf-8")
    print(f"wrote samples to {OUT}\n{ANT_LICENCE}")


if __name__ == "__main__":
    main()
