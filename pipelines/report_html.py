"""The HTML page of ``akhbar report``: layout, styles, inlined assets and the chart boot script.

Kept apart from the data queries in :mod:`pipelines.report` so each stays readable. The page is
LTR (its labels are English) with every Arabic value in a ``dir="rtl" lang="ar"`` container; the
Content-Security-Policy allows inline scripts and styles, data: fonts and images, and nothing else,
so the page cannot load anything from the network even if a future spec asked it to. Vega compiles
expressions with ``new Function``, hence ``'unsafe-eval'``.

When every chart has rendered (or failed), the boot script sets ``data-charts`` on ``<body>`` to
``"rendered"`` or ``"failed"``; the browser test waits on it.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from akhbar.pipelines import report_charts as charts

CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "font-src data:; img-src data:"
)

STYLE = """
:root { --ink: #1d2430; --muted: #5b6472; --line: #dde1e7; --bg: #f6f7f9; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font-family: FONT_STACK; font-size: 15px; line-height: 1.5; }
header { padding: 24px 32px 8px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header .sub { color: var(--muted); font-size: 13px; word-break: break-all; }
.totals { display: flex; flex-wrap: wrap; gap: 12px; padding: 8px 32px 16px; margin: 0; list-style: none; }
.totals li { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
             padding: 10px 16px; min-width: 120px; }
.totals b { display: block; font-size: 22px; }
.totals span { color: var(--muted); font-size: 12px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px;
       padding: 0 32px 32px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
          padding: 16px 20px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
section h2 { margin: 0 0 4px; font-size: 17px; }
section p.note { margin: 0 0 12px; color: var(--muted); font-size: 13px; }
.chart { width: 100%; min-height: 60px; }
.chart.error { color: #a40000; font-family: monospace; }
p.empty { margin: 8px 0; padding: 16px; background: var(--bg); border-radius: 6px;
          color: var(--muted); text-align: center; }
table { border-collapse: collapse; width: 100%; margin-top: 12px; font-size: 13px; }
th, td { text-align: start; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
[dir="rtl"] { unicode-bidi: isolate; }
td [dir="rtl"] { display: block; text-align: right; font-size: 15px; }
ol.latest { margin: 0; padding-inline-start: 28px; font-size: 16px; }
ol.latest li { margin: 4px 0; }
ol.latest .meta { color: var(--muted); font-size: 12px; margin-inline-start: 8px; }
footer { padding: 0 32px 24px; color: var(--muted); font-size: 12px; }
""".replace("FONT_STACK", charts.FONT_STACK)

BOOT = """
(function () {
  var specs = JSON.parse(document.getElementById('akhbar-specs').textContent);
  var ids = Object.keys(specs);
  var failed = 0;
  function embed(id) {
    return vegaEmbed('#' + id, specs[id], {actions: false, renderer: 'svg', mode: 'vega-lite'})
      .catch(function (err) {
        failed += 1;
        var el = document.getElementById(id);
        el.classList.add('error');
        el.textContent = 'chart failed: ' + err;
      });
  }
  function finish() { document.body.setAttribute('data-charts', failed ? 'failed' : 'rendered'); }
  // Measure labels with the Arabic font, not a fallback: load it before Vega lays out text.
  var fonts = document.fonts ? document.fonts.load('16px "FONT_FAMILY"', '\\u0639') : Promise.resolve();
  fonts.catch(function () {}).then(function () { return Promise.all(ids.map(embed)); }).then(finish, finish);
})();
""".replace("FONT_FAMILY", charts.FONT_FAMILY)


@dataclass
class Section:
    """One report section: a chart (spec) or an explanation of why there is none, plus a table."""

    key: str
    title: str
    note: str
    spec: dict[str, Any] | None = None
    empty: str = ""
    table_html: str = ""


@dataclass
class Report:
    output: Path
    totals: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    label: str = ""  # the output folder as the user named it (shown in the header)


WIDE = frozenset({"articles-per-day", "story-clusters", "runs", "latest"})


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def ar(value: Any, tag: str = "span") -> str:
    """Arabic (or any) text in its own right-to-left, Arabic-language container."""
    return f'<{tag} dir="rtl" lang="ar">{esc(value)}</{tag}>'


def shorten(text: str | None, limit: int = 70) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def html_table(headers: list[str], body: list[list[str]], cls: str = "") -> str:
    """A table from already-escaped cell HTML."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>'


def specs_json(report: Report) -> str:
    """Chart specs keyed by element id, safe inside a <script> element."""
    specs = {f"chart-{s.key}": s.spec for s in report.sections if s.spec}
    text = json.dumps(specs, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_section(section: Section) -> str:
    body = (
        f'<div class="chart" id="chart-{section.key}"></div>'
        if section.spec
        else f'<p class="empty">{esc(section.empty)}</p>'
        if section.empty
        else ""
    )
    cls = ' class="wide"' if section.key in WIDE else ""
    return (
        f'<section id="{section.key}"{cls}><h2>{esc(section.title)}</h2>'
        f'<p class="note">{esc(section.note)}</p>{body}{section.table_html}</section>'
    )


def render_totals(totals: dict[str, object]) -> str:
    span = f"{totals['first_day']} → {totals['last_day']}" if totals.get("first_day") else "—"
    items = [
        ("articles", totals["articles"]),
        ("duplicates", totals["duplicates"]),
        ("rejects", totals["rejects"]),
        ("sources", totals["sources"]),
        ("runs", totals["runs"]),
        ("publication dates", span),
    ]
    return "".join(f"<li><b>{esc(v)}</b><span>{esc(k)}</span></li>" for k, v in items)


def render_html(report: Report) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(f"{k} {v}" for k, v in charts.VERSIONS.items())
    return f"""<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>akhbar report: {esc(report.output.name)}</title>
<style>
{charts.font_faces()}
{STYLE}
</style>
</head>
<body>
<header>
<h1>akhbar report <span dir="rtl" lang="ar">أخبار</span></h1>
<div class="sub">{esc(report.label or report.output)} · generated {esc(generated)}</div>
</header>
<ul class="totals">{render_totals(report.totals)}</ul>
<main>
{"".join(render_section(s) for s in report.sections)}
</main>
<footer>Charts: Vega-Lite ({esc(versions)}), inlined; Arabic font: Noto Naskh Arabic (OFL), inlined.
This file makes no network requests.</footer>
<script type="application/json" id="akhbar-specs">{specs_json(report)}</script>
{charts.inline_scripts()}
<script>{BOOT}</script>
</body>
</html>
"""
