"""Vega-Lite specs for ``akhbar report``, and the vendored JS/font assets that render them.

Charts are declarative Vega-Lite specs with their data inlined, rendered in the reader's browser
by the vega, vega-lite and vega-embed builds vendored in ``report_assets/`` (see its README for
versions and licences). Nothing is drawn by hand, nothing is fetched: the report must open from a
mail attachment or an air-gapped laptop. Text in the charts (Arabic headlines, outlet names, entity
names) goes through the browser's own text shaping, with a font stack that covers Arabic and an
embedded Noto Naskh Arabic subset as the first choice.

Every builder takes plain rows (lists of dicts, as DuckDB returns them) and returns a spec dict;
the report decides beforehand whether there is anything to draw.
"""

from __future__ import annotations

import base64
import re
from datetime import date
from importlib import resources
from typing import Any

Spec = dict[str, Any]
Rows = list[dict[str, Any]]

ASSET_PACKAGE = "akhbar.pipelines"
ASSET_DIR = "report_assets"
# Inlined in this order: vega-embed needs the vega and vegaLite globals.
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
VERSIONS = {"vega": "5.33.1", "vega-lite": "5.23.0", "vega-embed": "6.29.0"}
FONT_FAMILY = "akhbar Naskh"
FONT_FILES = {
    400: "noto-naskh-arabic-arabic-400-normal.woff2",
    700: "noto-naskh-arabic-arabic-700-normal.woff2",
}
# The embedded subset's own unicode-range (Arabic, Arabic Supplement/Extended, presentation forms).
ARABIC_RANGE = "U+0600-06FF, U+0750-077F, U+0870-088E, U+0890-0891, U+0897-08E1, U+08E3-08FF, U+200C-200E, U+2010-2011, U+204F, U+2E41, U+FB50-FDFF, U+FE70-FE74, U+FE76-FEFC"
FONT_STACK = (
    f'"{FONT_FAMILY}", "Noto Naskh Arabic", "Noto Sans Arabic", "Amiri", "Geeza Pro", '
    '"Segoe UI", Tahoma, "DejaVu Sans", Arial, system-ui, sans-serif'
)
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


def count_axis(channel: str) -> Spec:
    """Whole-number ticks for counts: never more ticks than the largest count (no 0.5 steps).

    Vega-Lite 5 has no tickMinStep, so the tick count is a Vega signal over the scale's domain.
    """
    size = "width" if channel == "x" else "height"
    return {
        "format": ",d",
        "tickCount": {"signal": f"max(1, min(ceil({size} / 40), domain('{channel}')[1]))"},
    }


BASE_CONFIG: Spec = {
    "font": FONT_STACK,
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 360},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 240},
    "view": {"stroke": None},
    "bar": {"tooltip": True},
}


def asset_bytes(name: str) -> bytes:
    return resources.files(ASSET_PACKAGE).joinpath(ASSET_DIR, name).read_bytes()


def inline_scripts() -> str:
    """The three bundles as inline <script> blocks (source-map comments dropped: no requests)."""
    blocks = []
    for name in SCRIPTS:
        code = _SOURCE_MAP.sub("", asset_bytes(name).decode("utf-8"))
        if "</script" in code.lower():  # would end the inline block early
            raise ValueError(f"{name} contains a closing script tag; cannot inline it")
        blocks.append(f"<script>/* {name} */\n{code}\n</script>")
    return "\n".join(blocks)


def font_faces() -> str:
    """@font-face rules with the woff2 files as data: URIs."""
    rules = []
    for weight, name in FONT_FILES.items():
        data = base64.b64encode(asset_bytes(name)).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: '{FONT_FAMILY}'; font-style: normal; "
            f"font-weight: {weight}; font-display: swap; "
            f"src: url(data:font/woff2;base64,{data}) format('woff2'); "
            f"unicode-range: {ARABIC_RANGE}; }}"
        )
    return "\n".join(rules)


def _chart(data: Rows, height: int, **spec: Any) -> Spec:
    return {
        "data": {"values": data},
        "width": "container",
        "height": height,
        "config": BASE_CONFIG,
        **spec,
    }


def time_unit(days: list[date]) -> tuple[str, str]:
    """Vega-Lite time unit and its word: per day for short spans, coarser for long ones."""
    if not days:
        return "utcyearmonthdate", "day"
    span = (max(days) - min(days)).days
    if span <= 120:
        return "utcyearmonthdate", "day"
    if span <= 3 * 365:
        return "utcyearweek", "week"
    return "utcyearmonth", "month"


def articles_per_day(rows: Rows, unit: str) -> Spec:
    """Stacked bars: articles per day (or week/month) with one colour per source."""
    return _chart(
        rows,
        280,
        mark={"type": "bar"},
        encoding={
            "x": {"field": "date", "type": "temporal", "timeUnit": unit, "title": None},
            "y": {
                "aggregate": "sum",
                "field": "articles",
                "type": "quantitative",
                "stack": "zero",
                "title": "articles",
                "axis": count_axis("y"),
            },
            "color": {"field": "source", "type": "nominal", "title": "source"},
            "tooltip": [
                {"field": "date", "type": "temporal", "timeUnit": unit, "title": "date"},
                {"field": "source", "type": "nominal"},
                {
                    "aggregate": "sum",
                    "field": "articles",
                    "type": "quantitative",
                    "title": "articles",
                },
            ],
        },
    )


def duplicate_rate(rows: Rows) -> Spec:
    """Horizontal bars: share of a source's items that were duplicates, with the counts."""
    return _chart(
        rows,
        max(60, 28 * len(rows)),
        mark={"type": "bar"},
        encoding={
            "y": {"field": "source", "type": "nominal", "sort": "-x", "title": None},
            "x": {
                "field": "rate",
                "type": "quantitative",
                "axis": {"format": "%"},
                "title": "duplicates / items",
            },
            "tooltip": [
                {"field": "source", "type": "nominal"},
                {"field": "rate", "type": "quantitative", "format": ".1%"},
                {"field": "articles", "type": "quantitative"},
                {"field": "duplicates", "type": "quantitative"},
            ],
        },
    )


def story_clusters(rows: Rows) -> Spec:
    """Stacked horizontal bars: items per largest cluster, coloured by the source that carried them.

    ``rows`` are (label, source, items) with one row per cluster and source; the label holds the
    rank so that two stories with the same headline stay apart.
    """
    return _chart(
        rows,
        max(80, 26 * len({r["label"] for r in rows})),
        mark={"type": "bar"},
        encoding={
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": {"field": "rank", "op": "min"},
                "title": None,
            },
            "x": {
                "aggregate": "sum",
                "field": "items",
                "type": "quantitative",
                "title": "items in the story",
                "axis": count_axis("x"),
            },
            "color": {"field": "source", "type": "nominal", "title": "source"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "story"},
                {"field": "source", "type": "nominal"},
                {"aggregate": "sum", "field": "items", "type": "quantitative", "title": "items"},
            ],
        },
    )


def top_terms(rows: Rows, field: str, title: str, color: str | None = None) -> Spec:
    """Horizontal bars of the most frequent entities or places (by articles mentioning them)."""
    encoding: Spec = {
        "y": {"field": field, "type": "nominal", "sort": "-x", "title": None},
        "x": {"field": "articles", "type": "quantitative", "title": title, "axis": count_axis("x")},
        "tooltip": [
            {"field": field, "type": "nominal"},
            {"field": "articles", "type": "quantitative"},
        ],
    }
    if color:
        encoding["color"] = {"field": color, "type": "nominal", "title": color}
    return _chart(rows, max(60, 24 * len(rows)), mark={"type": "bar"}, encoding=encoding)


def rejects_by_reason(rows: Rows) -> Spec:
    return _chart(
        rows,
        max(60, 28 * len(rows)),
        mark={"type": "bar"},
        encoding={
            "y": {"field": "reason", "type": "nominal", "sort": "-x", "title": None},
            "x": {
                "field": "rejects",
                "type": "quantitative",
                "title": "rejected items",
                "axis": count_axis("x"),
            },
            "color": {"field": "stage", "type": "nominal", "title": "stage"},
            "tooltip": [
                {"field": "reason", "type": "nominal"},
                {"field": "stage", "type": "nominal"},
                {"field": "rejects", "type": "quantitative"},
            ],
        },
    )


def runs_over_time(rows: Rows) -> Spec:
    """Stacked bars per run (in start order): what each run wrote, by table.

    ``rows`` are (run, started_at, table, rows); runs sit on an ordinal axis because several runs
    on one day would collapse onto one point of a time axis. A few runs get narrow bars (a fixed
    step per run) instead of one bar as wide as the page.
    """
    spec = _chart(
        rows,
        260,
        mark={"type": "bar"},
        encoding={
            "x": {
                "field": "run",
                "type": "ordinal",
                "sort": {"field": "started_at", "op": "min"},
                "title": "run",
                "axis": {"labelAngle": -30},
            },
            "y": {
                "aggregate": "sum",
                "field": "rows",
                "type": "quantitative",
                "stack": "zero",
                "title": "rows written",
                "axis": count_axis("y"),
            },
            "color": {
                "field": "table",
                "type": "nominal",
                "title": "table",
                "sort": ["articles", "duplicates", "rejects"],
            },
            "tooltip": [
                {"field": "run", "type": "ordinal"},
                {"field": "started_at", "type": "nominal", "title": "started"},
                {"field": "table", "type": "nominal"},
                {"aggregate": "sum", "field": "rows", "type": "quantitative", "title": "rows"},
            ],
        },
    )
    if len({r["run"] for r in rows}) <= 12:
        spec["width"] = {"step": 56}
    return spec
