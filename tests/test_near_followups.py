"""Follow-ups end to end (issue 20): a same-outlet later article that reuses an earlier one's
body with new facts stays in ``articles``, in the earlier article's cluster, with ``updates_id``;
the ``stories`` view and the report show the chain. Real ANT articles through ``akhbar ingest``."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_akhbar

# Referees of the first African group round (3 May 2017), then the same outlet's article of
# 4 May with the second round added: filed as a near duplicate before issue 20.
FIRST, LATER = "JA-sport-1108-20170503", "JA-sport-1153-20170504"


@pytest.mark.slow
def test_a_follow_up_is_kept_linked_and_shown(shared_data: Path, tmp_path: Path) -> None:
    from benchmarks.dedup_pairs import ant_docs

    docs = ant_docs()
    source = tmp_path / "in.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for docno in (FIRST, LATER):
            d = docs[docno]
            record = {"id": docno, "url": d["url"], "source": "jawharafm.net",
                      "title": d["title"], "published": d["time"], "text": d["text"]}  # fmt: skip
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    out = tmp_path / "out"
    done = run_akhbar("ingest", "--input", str(source), "--output", str(out), "--no-extract")
    assert done.returncode == 0, done.stderr[-2000:]
    con = duckdb.connect()
    rows = con.sql(
        f"""select guid, cluster_id, updates_id, id from read_parquet(
            '{out}/articles/**/*.parquet', union_by_name = true) order by published_at"""
    ).fetchall()
    assert [r[0] for r in rows] == [FIRST, LATER]  # both kept: nothing in duplicates
    (_, first_cluster, first_updates, first_id), (_, later_cluster, later_updates, _) = rows
    assert first_updates is None and later_updates == first_id
    assert later_cluster == first_cluster
    chain = run_akhbar(
        "query", "--output", str(out), "--format", "json",
        "select articles, updates, chain from stories where updates > 0",
    )  # fmt: skip
    assert chain.returncode == 0, chain.stderr
    [story] = [json.loads(line) for line in chain.stdout.splitlines() if line.strip()]
    assert story["articles"] == 2 and story["updates"] == 1
    assert [link["updates_id"] for link in story["chain"]] == [None, first_id]
    report = run_akhbar("report", "--output", str(out), "--html", str(tmp_path / "r.html"))
    assert report.returncode == 0, report.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "→" in html and docs[LATER]["title"][:20] in html
