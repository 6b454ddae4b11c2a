"""``akhbar report``: what the HTML file holds (the browser test checks how it renders)."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar.pipelines import report_charts
from tests.conftest import run_akhbar

ARABIC = re.compile(r"[\u0600-\u06ff]")
CHARTS = {
    "chart-articles-per-day",
    "chart-duplicate-rate",
    "chart-story-clusters",
    "chart-rejects",
    "chart-runs",
    "chart-top-entities",
    "chart-top-places",
}


class Page(HTMLParser):
    """Collects the chart divs, the text inside right-to-left containers, scripts and links."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.chart_divs: set[str] = set()
        self.rtl_text: list[str] = []
        self.empty_notes: dict[str, str] = {}
        self.external: list[str] = []
        self.meta: list[dict[str, str | None]] = []
        self.section = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key) and not str(a[key]).startswith(("#", "data:")):
                self.external.append(f"{tag} {key}={a[key]}")
        if tag == "link":
            self.external.append(f"link {a}")
        if tag == "meta":
            self.meta.append(a)
        if tag == "section":
            self.section = a.get("id") or ""
        if tag == "div" and "chart" in (a.get("class") or ""):
            self.chart_divs.add(a.get("id") or "")
        if tag not in ("meta", "br", "img", "input"):
            self.stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(a.get("dir") == "rtl" for _, a in self.stack) and data.strip():
            self.rtl_text.append(data)
        if self.stack and "empty" in (self.stack[-1][1].get("class") or ""):
            self.empty_notes[self.section] = data


def render(output: Path, target: Path) -> str:
    proc = run_akhbar("report", "--output", str(output), "--html", str(target))
    assert proc.returncode == 0, proc.stderr
    assert str(target) in proc.stdout
    return target.read_text(encoding="utf-8")


def specs(document: str) -> dict[str, dict]:
    match = re.search(
        r'<script type="application/json" id="akhbar-specs">(.*?)</script>', document, re.S
    )
    assert match, "chart specs missing"
    return json.loads(match.group(1))


def values(spec: dict) -> list[dict]:
    return spec["data"]["values"]


@pytest.fixture(scope="module")
def sample_report(sample_output: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return render(sample_output, tmp_path_factory.mktemp("report") / "report.html")


def test_one_self_contained_file(sample_report: str) -> None:
    page = Page()
    page.feed(sample_report)
    assert page.external == [], "the report must not reference any external file or URL"
    styles = "".join(re.findall(r"<style>(.*?)</style>", sample_report, re.S))
    assert "@font-face" in styles
    assert not re.search(r"url\((?!data:)", styles), "CSS url() must be data: only"
    assert "@import" not in styles
    csp = next(m for m in page.meta if m.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in str(csp["content"])
    assert "connect-src" not in str(csp["content"]), "no fetch/XHR allowance"
    for name in report_charts.SCRIPTS:
        code = report_charts.asset_bytes(name).decode("utf-8")
        body = re.sub(r"//# sourceMappingURL=.*", "", code).strip()
        assert body in sample_report, f"{name} is not inlined verbatim"
    assert "sourceMappingURL" not in sample_report
    assert "font/woff2;base64," in sample_report


def test_vendored_bundles_are_the_versions_we_document() -> None:
    readme = (Path(report_charts.__file__).parent / "report_assets" / "README.md").read_text()
    for package, version in report_charts.VERSIONS.items():
        assert f"| `{package}` | {version} |" in readme
    vega = report_charts.asset_bytes("vega.min.js").decode()
    assert f'version="{report_charts.VERSIONS["vega"]}"' in vega
    lite = report_charts.asset_bytes("vega-lite.min.js").decode()
    assert report_charts.VERSIONS["vega-lite"] in lite
    embed = report_charts.asset_bytes("vega-embed.min.js").decode()
    assert report_charts.VERSIONS["vega-embed"] in embed
    for name in (*report_charts.SCRIPTS, *report_charts.FONT_FILES.values()):
        digest = hashlib.sha256(report_charts.asset_bytes(name)).hexdigest()
        assert f"| `{name}` |" in readme and f"`{digest}`" in readme, f"{name} changed"


def test_charts_hold_the_run_numbers(sample_report: str) -> None:
    charts = specs(sample_report)
    assert set(charts) == CHARTS
    page = Page()
    page.feed(sample_report)
    assert page.chart_divs == CHARTS
    daily = values(charts["chart-articles-per-day"])
    # 39 articles, one of them undated: it is left off the publication-date axis, and said so
    assert sum(r["articles"] for r in daily) == 38
    assert "1 undated article (no usable publication date" in sample_report
    assert {r["source"] for r in daily} == {
        "aljazeera.net",
        "hespress.com",
        "jawharafm.net",
        "youm7.com",
    }
    assert charts["chart-articles-per-day"]["mark"]["type"] == "bar"
    assert charts["chart-articles-per-day"]["encoding"]["y"]["stack"] == "zero"
    rates = {r["source"]: r for r in values(charts["chart-duplicate-rate"])}
    assert sum(r["duplicates"] for r in rates.values()) == 3
    assert sum(r["articles"] for r in rates.values()) == 39
    assert {s: r["duplicates"] for s, r in rates.items()} == {
        "aljazeera.net": 1,
        "hespress.com": 1,
        "jawharafm.net": 0,
        "masrawy.com": 1,
        "youm7.com": 0,
    }
    assert rates["masrawy.com"]["rate"] == 1.0 and rates["youm7.com"]["rate"] == 0
    clusters = values(charts["chart-story-clusters"])
    assert len({r["label"] for r in clusters}) == 3
    assert sum(r["items"] for r in clusters) == 6
    assert all(ARABIC.search(r["label"]) for r in clusters)
    assert values(charts["chart-rejects"]) == [
        {"reason": "jsonl:invalid-json", "stage": "parse", "rejects": 1}
    ]
    runs = values(charts["chart-runs"])
    assert {(r["table"], r["rows"]) for r in runs} == {
        ("articles", 39),
        ("duplicates", 3),
        ("rejects", 1),
    }


def test_arabic_sits_in_rtl_containers(sample_report: str) -> None:
    page = Page()
    page.feed(sample_report)
    arabic = [t for t in page.rtl_text if ARABIC.search(t)]
    assert len(arabic) >= 3 + 12, "cluster titles and latest headlines in dir=rtl"
    assert 'lang="ar"' in sample_report
    assert "Noto Naskh Arabic" in report_charts.FONT_STACK
    assert report_charts.FONT_STACK in sample_report  # page and charts use the Arabic stack


def test_entities_and_places_are_charted(sample_report: str) -> None:
    """The samples go through extraction, so the seed article's people and places are charted."""
    charted = specs(sample_report)
    assert "chart-top-entities" in charted and "chart-top-places" in charted
    places = json.dumps(charted["chart-top-places"], ensure_ascii=False)
    assert "الصين" in places and "مصر" in places


def test_empty_entities_and_places_say_so(tmp_path: Path) -> None:
    output = tmp_path / "out"
    proc = run_akhbar("ingest", "--output", str(output), "--no-extract")
    assert proc.returncode == 0, proc.stderr
    html = render(output, tmp_path / "report.html")
    page = Page()
    page.feed(html)
    assert "No entities" in page.empty_notes["top-entities"]
    assert "No places" in page.empty_notes["top-places"]
    assert "chart-top-entities" not in specs(html)


def add_entities(output: Path) -> None:
    """One more article, with entities and places filled, in a partition of its own."""
    current = next((output / "articles").rglob("*.parquet"))
    table = pq.read_table(current).slice(0, 1)
    entity_type = table.schema.field("entities").type
    entities = [
        {"text": "القاهرة", "normalized": "القاهره", "type": "LOC", "start": 0, "end": 7},
        {"text": "الصين", "normalized": "الصين", "type": "LOC", "start": 9, "end": 14},
        {"text": "وزارة الصحة", "normalized": "وزاره الصحه", "type": "ORG", "start": 20, "end": 31},
    ]
    columns = {name: table.column(name) for name in table.column_names}
    columns["id"] = pa.array(["entity-test"])
    columns["cluster_id"] = pa.array(["entity-test"])
    columns["entities"] = pa.array([entities], entity_type)
    columns["places"] = pa.array([["القاهره", "الصين"]], pa.list_(pa.string()))
    folder = output / "articles" / "date=2024-05-01" / "source=test.example"
    folder.mkdir(parents=True)
    pq.write_table(pa.table(columns, schema=table.schema), folder / "part-x-0000.parquet")


def test_entities_and_places_are_charted_when_present(output_copy: Path) -> None:
    before = specs(render(output_copy, output_copy / "before.html"))
    china_before = {
        (r["entity"], r["type"]): r["articles"] for r in values(before["chart-top-entities"])
    }[("الصين", "LOC")]
    add_entities(output_copy)
    proc = run_akhbar("report", "--output", str(output_copy))
    assert proc.returncode == 0, proc.stderr
    document = (output_copy / "report.html").read_text(encoding="utf-8")  # the default path
    charts = specs(document)
    entities = {
        (r["entity"], r["type"]): r["articles"] for r in values(charts["chart-top-entities"])
    }
    # the added article mentions China too: one more article for it
    assert entities[("الصين", "LOC")] == china_before + 1
    assert {"القاهره", "الصين"} <= {r["place"] for r in values(charts["chart-top-places"])}


def test_missing_output_is_exit_2(tmp_path: Path) -> None:
    proc = run_akhbar("report", "--output", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    assert not (tmp_path / "nope").exists()
