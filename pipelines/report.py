"""``akhbar report``: one self-contained HTML file that shows what the runs brought in.

The file is what a person opens after ``make run``: articles per day and source, how much each
source duplicates, the biggest stories and who carried them, entities and places, why items were
rejected, and every run's counts. It is one file on purpose (mail it, archive it, open it offline):
the chart libraries and the Arabic font are inlined, and a Content-Security-Policy forbids any
network request, so a missing asset fails loudly instead of silently phoning home.

Data comes from the same DuckDB views as ``akhbar query`` (:mod:`pipelines.views`); charts are
Vega-Lite specs (:mod:`pipelines.report_charts`). A section whose data is empty (no entities
extracted yet, no rejects) says so in words instead of drawing an empty chart. Arabic text (titles,
entities, places) sits in ``dir="rtl" lang="ar"`` containers so the browser orders and shapes it.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from akhbar.pipelines import report_charts as charts
from akhbar.pipelines.report_html import Report, Section, ar, esc, html_table, render_html, shorten
from akhbar.pipelines.usage import ArgumentParser, UsageError, error_line
from akhbar.pipelines.views import OutputNotFound, define_views, has_column, materialize

Rows = list[dict[str, Any]]


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> Rows:
    result = con.execute(sql)
    names = [d[0] for d in result.description or ()]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def jsonable(rows_: Rows) -> Rows:
    """Rows as JSON-ready values (dates as ISO strings) for inlined chart data."""

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return value

    return [{k: convert(v) for k, v in r.items()} for r in rows_]


def totals(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return rows(
        con,
        """select (select count(*) from articles) as articles,
                  (select count(*) from duplicates) as duplicates,
                  (select count(*) from rejects) as rejects,
                  (select count(distinct source) from articles) as sources,
                  (select min(date) from articles where published_at is not null) as first_day,
                  (select max(date) from articles where published_at is not null) as last_day,
                  (select count(*) from runs) as runs""",
    )[0]


def span_days(data: Rows) -> int:
    days = [r["date"] for r in data]
    return (max(days) - min(days)).days + 1


def articles_section(con: duckdb.DuckDBPyConnection) -> Section:
    """Articles on the publication-date axis. Undated articles (partitioned by their fetch time)
    are left out and counted in the caption: a 2017 archive fetched today would otherwise
    stretch the axis to today and put a false spike on the fetch day."""
    data = rows(
        con,
        """select date, source, count(*) as articles from articles
           where published_at is not null group by all order by all""",
    )
    undated = rows(con, "select count(*) as n from articles where published_at is null")[0]["n"]
    unit, word = charts.time_unit([r["date"] for r in data])
    section = Section(
        "articles-per-day",
        f"Articles per {word} per source",
        "Unique articles by publication date (UTC), stacked by source."
        + (f" Grouped per {word}: the dates span {span_days(data)} days." if word != "day" else "")
        + (
            f" {undated} undated article{'s' if undated != 1 else ''} (no usable publication "
            "date; published_from = 'none') left out."
            if undated
            else ""
        ),
    )
    if data:
        section.spec = charts.articles_per_day(jsonable(data), unit)
    else:
        section.empty = (
            "No dated articles in this output yet."
            if undated
            else "No articles in this output yet."
        )
    return section


def duplicates_section(con: duckdb.DuckDBPyConnection) -> Section:
    data = rows(
        con,
        """with a as (select source, count(*) as n from articles group by source),
                d as (select source, count(*) as n from duplicates group by source)
           select coalesce(a.source, d.source) as source, coalesce(a.n, 0) as articles,
                  coalesce(d.n, 0) as duplicates,
                  coalesce(d.n, 0) / (coalesce(a.n, 0) + coalesce(d.n, 0)) as rate
           from a full outer join d on a.source = d.source order by rate desc, source""",
    )
    section = Section(
        "duplicate-rate",
        "Duplicate rate per source",
        "Share of each source's items that were duplicates (exact copies, URL variants, near "
        "duplicates) of an article kept elsewhere.",
    )
    if data:
        section.spec = charts.duplicate_rate(data)
    else:
        section.empty = "No articles or duplicates yet."
    return section


CLUSTERS_SQL = """
with members as (
    select coalesce(cluster_id, id) as cluster, source, title, published_at, true as canonical,
           {updates} as updates_id
    from articles
    union all
    select coalesce(cluster_id, duplicate_of) as cluster, source, title, published_at, false,
           null
    from duplicates
),
top as (
    select cluster, count(*) as items, count(distinct source) as source_count,
           arg_min(title, coalesce(published_at, timestamptz '9999-12-31')) filter (where canonical) as title,
           min(published_at) as first_published,
           list(distinct source order by source) as sources,
           list(title order by published_at nulls last, title)
               filter (where canonical and updates_id is not null) as followups
    from members group by cluster having count(*) > 1
    order by items desc, source_count desc, cluster limit {limit}
)
select row_number() over (order by items desc, source_count desc, cluster) as rank, top.*,
       (select list({{'source': m.source}}) from members m where m.cluster = top.cluster) as parts
from top order by rank
"""


def clusters_section(con: duckdb.DuckDBPyConnection, limit: int) -> Section:
    updates = "updates_id" if has_column(con, "articles", "updates_id") else "null::varchar"
    data = rows(con, CLUSTERS_SQL.format(limit=limit, updates=updates))
    section = Section(
        "story-clusters",
        "Largest story clusters",
        "A story is an article with every duplicate of it (same cluster_id, or duplicate_of "
        "the article) and the follow-ups that update it (kept as articles: the chain under the "
        "title, in publication order); bars are stacked by the source that carried each item.",
    )
    if not data:
        section.empty = "No story has more than one item yet: no duplicates were found."
        return section
    chart_rows = []
    for r in data:
        label = f"{r['rank']}. {shorten(r['title'], 60)}"
        for part in r["parts"]:
            chart_rows.append(
                {"rank": r["rank"], "label": label, "source": part["source"], "items": 1}
            )
    section.spec = charts.story_clusters(chart_rows)
    body = [
        [
            esc(r["rank"]),
            ar(shorten(r["title"], 120))
            + "".join(f"<br>→ {ar(shorten(t, 100))}" for t in r["followups"] or []),
            esc(r["items"]),
            esc(", ".join(r["sources"])),
            esc(r["first_published"].date() if r["first_published"] else ""),
        ]
        for r in data
    ]
    section.table_html = html_table(
        ["#", "title", "items", "sources", "first published"], body, "clusters"
    )
    return section


def terms_section(con: duckdb.DuckDBPyConnection, limit: int) -> list[Section]:
    entities = Section(
        "top-entities",
        "Top entities",
        "Named entities (people, organisations, places) by number of articles mentioning them.",
    )
    places = Section(
        "top-places",
        "Top places",
        "Places (normalized location entities) by number of articles mentioning them.",
    )
    if has_column(con, "articles", "entities"):
        data = rows(
            con,
            f"""select coalesce(nullif(e.normalized, ''), e.text) as entity, e.type as type,
                       count(distinct id) as articles
                from (select id, unnest(entities) as e from articles)
                where coalesce(nullif(e.normalized, ''), e.text) is not null
                group by all order by articles desc, entity limit {int(limit)}""",
        )
        if data:
            entities.spec = charts.top_terms(data, "entity", "articles mentioning it", color="type")
    if not entities.spec:
        entities.empty = (
            "No entities in this output yet: entity extraction has not filled the entities column."
        )
    if has_column(con, "articles", "places"):
        data = rows(
            con,
            f"""select place, count(distinct id) as articles
                from (select id, unnest(places) as place from articles)
                where place is not null and place <> ''
                group by place order by articles desc, place limit {int(limit)}""",
        )
        if data:
            places.spec = charts.top_terms(data, "place", "articles mentioning it")
    if not places.spec:
        places.empty = "No places in this output yet: the places column is empty."
    return [entities, places]


def rejects_section(con: duckdb.DuckDBPyConnection) -> Section:
    data = rows(
        con,
        "select reason, stage, count(*) as rejects from rejects group by all order by rejects desc, reason",
    )
    section = Section(
        "rejects",
        "Rejects by reason",
        "Items that could not be ingested, by machine-readable reason and pipeline stage.",
    )
    if data:
        section.spec = charts.rejects_by_reason(data)
    else:
        section.empty = "No rejects: every item read was ingested."
    return section


def runs_section(con: duckdb.DuckDBPyConnection) -> Section:
    data = rows(
        con,
        """select run_id, started_at, finished_at, read, articles, duplicates, rejects, balanced
           from runs order by started_at, run_id""",
    )
    section = Section(
        "runs",
        "Runs over time",
        "What each run (a record under _runs/) read and wrote, in start order.",
    )
    if not data:
        section.empty = "No run records under _runs/."
        return section
    chart_rows = [
        {
            "run": r["run_id"],
            "started_at": jsonable([{"t": r["started_at"]}])[0]["t"],
            "table": t,
            "rows": r[t] or 0,
        }
        for r in data
        for t in ("articles", "duplicates", "rejects")
    ]
    section.spec = charts.runs_over_time(chart_rows)

    def seconds(r: dict[str, Any]) -> str:
        if r["started_at"] and r["finished_at"]:
            return f"{(r['finished_at'] - r['started_at']).total_seconds():.1f}"
        return ""

    body = [
        [
            esc(r["run_id"]),
            esc(r["started_at"]),
            seconds(r),
            esc(r["read"]),
            esc(r["articles"]),
            esc(r["duplicates"]),
            esc(r["rejects"]),
            "OK" if r["balanced"] else "MISMATCH",
        ]
        for r in reversed(data[-20:])
    ]
    section.table_html = html_table(
        [
            "run",
            "started (UTC)",
            "seconds",
            "read",
            "articles",
            "duplicates",
            "rejects",
            "accounting",
        ],
        body,
        "runs",
    )
    return section


def latest_section(con: duckdb.DuckDBPyConnection, limit: int) -> Section:
    data = rows(
        con,
        f"""select title, source, published_at, url from articles
            order by published_at desc nulls last, id limit {int(limit)}""",
    )
    section = Section(
        "latest", "Latest headlines", "The most recently published articles in this output."
    )
    if not data:
        section.empty = "No articles yet."
        return section
    items = "".join(
        f'<li><span class="headline">{esc(shorten(r["title"], 140))}</span> '
        f'<span class="meta" dir="ltr">{esc(r["source"])} · '
        f"{esc(r['published_at'].date() if r['published_at'] else 'undated')}</span></li>"
        for r in data
    )
    section.table_html = f'<ol class="latest" dir="rtl" lang="ar">{items}</ol>'
    return section


# Columns the report reads; everything else (text, text_normalized, payload) stays on disk.
REPORT_COLUMNS = {
    "articles": "id title url published_at cluster_id updates_id entities places duplicate_count "
    "date source",
    "duplicates": "id title published_at cluster_id duplicate_of kind date source",
    "rejects": "id stage reason date",
}


def build_report(output: Path, top: int = 15, label: str = "") -> Report:
    con = duckdb.connect()
    define_views(con, output)
    materialize(con, {table: cols.split() for table, cols in REPORT_COLUMNS.items()})
    report = Report(output, totals(con), label=label)
    report.sections = [
        articles_section(con),
        duplicates_section(con),
        clusters_section(con, top),
        *terms_section(con, max(top, 20)),
        rejects_section(con),
        runs_section(con),
        latest_section(con, 12),
    ]
    return report


def report_main(argv: list[str]) -> int:
    parser = ArgumentParser(
        prog="akhbar report", description="Write one self-contained HTML report."
    )
    parser.add_argument(
        "--output", default="output", metavar="DIR", help="akhbar output folder (default: ./output)"
    )
    parser.add_argument(
        "--html", metavar="FILE", help="report file to write (default: OUTPUT/report.html)"
    )
    parser.add_argument(
        "--top", type=int, default=15, help="how many clusters to show (default 15)"
    )
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(error_line("report", exc), file=sys.stderr)
        return 2
    output = Path(args.output).resolve()
    target = Path(args.html) if args.html else output / "report.html"
    try:
        report = build_report(output, max(args.top, 1), label=args.output)
    except OutputNotFound as exc:
        print(f"akhbar report: error: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(
            f"akhbar report: error: cannot read {output}: {str(exc).splitlines()[0]}",
            file=sys.stderr,
        )
        return 2
    document = render_html(report)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.inprogress")
        temp.write_text(document, encoding="utf-8")
        temp.replace(target)
    except OSError as exc:
        print(f"akhbar report: error: cannot write {target}: {exc}", file=sys.stderr)
        return 2
    charts_n = sum(1 for s in report.sections if s.spec)
    print(
        f"akhbar report: wrote {target} ({len(document) // 1024} KiB, {charts_n} charts); open it in a browser"
    )
    return 0
