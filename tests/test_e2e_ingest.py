"""End to end: the `akhbar ingest` CLI in a subprocess, output read back with DuckDB and pyarrow."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from akhbar.schemas.tables import SCHEMA_VERSION, TABLES
from tests.conftest import SAMPLES, SHARED_DATA, SampleRun, run_akhbar

EXPECTED_SOURCES = {"youm7.com", "jawharafm.net", "aljazeera.net", "hespress.com"}


def ingest(output: Path, *extra: str) -> dict:
    proc = run_akhbar("ingest", "--output", str(output), *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "accounting" in proc.stdout and "OK" in proc.stdout, proc.stdout
    runs = sorted((output / "_runs").glob("*.json"))
    assert runs, "no run record published"
    return json.loads(runs[-1].read_text(encoding="utf-8"))


def table(output: Path, name: str) -> pa.Table:
    return ds.dataset(output / name, format="parquet", partitioning="hive").to_table()


def file_set(output: Path) -> list[str]:
    return sorted(
        str(p.relative_to(output))
        for p in output.rglob("*")
        if p.is_file() and "_runs" not in p.parts
    )


def test_summary_accounts_for_every_item(sample_run: SampleRun) -> None:
    output, record = sample_run.output, sample_run.record
    assert record["read"] == 43
    assert (record["articles"], record["duplicates"], record["rejects"]) == (39, 3, 1)
    assert record["read"] == record["articles"] + record["duplicates"] + record["rejects"]
    assert record["duplicates_by_kind"] == {"exact": 2, "url": 1}
    assert record["rejects_by_reason"] == {"jsonl:invalid-json": 1}
    con = duckdb.connect()
    counts = {
        name: con.execute(
            f"select count(*) from read_parquet('{output}/{name}/**/*.parquet', hive_partitioning=true)"
        ).fetchone()[0]
        for name in TABLES
    }
    assert counts == {"articles": 39, "duplicates": 3, "rejects": 1}


def test_duckdb_reads_partitions_and_types(sample_run: SampleRun) -> None:
    output = sample_run.output
    con = duckdb.connect()
    rows = con.execute(
        f"select distinct source, date from read_parquet('{output}/articles/**/*.parquet', "
        "hive_partitioning=true)"
    ).fetchall()
    assert {source for source, _ in rows} == EXPECTED_SOURCES
    types = {
        r[0]: r[1]
        for r in con.execute(
            f"describe select * from read_parquet('{output}/articles/**/*.parquet', hive_partitioning=true)"
        ).fetchall()
    }
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["authors"] == "VARCHAR[]"
    assert types["entities"].startswith("STRUCT(")
    assert types["date"] == "DATE"
    seed = con.execute(
        f"select source, published_at, authors, categories, word_count from read_parquet("
        f"'{output}/articles/**/*.parquet', hive_partitioning=true) where text like '%لياو ليتشانج%'"
    ).fetchall()
    assert len(seed) == 1, "the seed article is kept exactly once"
    source, published, authors, categories, words = seed[0]
    assert source == "youm7.com" and published.year == 2020 and authors == ["أحمد جمعة"]
    assert categories == ["أخبار عاجلة"] and words > 300


def test_pyarrow_dataset_matches_schemas(sample_run: SampleRun) -> None:
    output = sample_run.output
    for name, schema in TABLES.items():
        files = list((output / name).rglob("*.parquet"))
        assert files, name
        for path in files:
            written = ds.dataset(path, format="parquet").schema
            assert written.remove_metadata() == schema.remove_metadata(), (name, path)
            assert written.metadata[b"akhbar.schema_version"] == SCHEMA_VERSION.encode()
        data = table(output, name)
        assert "date" in data.column_names
        if name != "rejects":
            assert "source" in data.column_names
            assert set(data.column("source").to_pylist()) <= EXPECTED_SOURCES | {"masrawy.com"}


def test_ids_unique_and_clusters_consistent(sample_run: SampleRun) -> None:
    output = sample_run.output
    articles = table(output, "articles").to_pylist()
    duplicates = table(output, "duplicates").to_pylist()
    rejects = table(output, "rejects").to_pylist()
    ids = [r["id"] for r in articles + duplicates + rejects]
    assert len(ids) == len(set(ids))
    by_id = {a["id"]: a for a in articles}
    for dup in duplicates:
        canonical = by_id[dup["duplicate_of"]]
        assert dup["cluster_id"] == canonical["cluster_id"]
        if dup["kind"] == "exact":
            assert dup["content_hash"] == canonical["content_hash"] and dup["similarity"] == 1.0
    assert {d["kind"] for d in duplicates} == {"exact", "url"}
    assert all(r["reason"] and r["stage"] and r["input"] for r in rejects)


def test_undated_item_kept_and_partitioned_by_fetch_time(sample_run: SampleRun) -> None:
    output = sample_run.output
    con = duckdb.connect()
    rows = con.execute(
        f"select date, fetched_at from read_parquet('{output}/articles/**/*.parquet', "
        "hive_partitioning=true) where published_at is null"
    ).fetchall()
    assert len(rows) == 1
    date, fetched = rows[0]
    assert date == fetched.date()


def test_rerun_same_output_is_idempotent(sample_run: SampleRun, sample_copy: Path) -> None:
    """A second run of the same inputs writes nothing: every item is already ingested."""
    first = sample_run.record
    files_before = file_set(sample_copy)
    second = ingest(sample_copy, "--run-id", "second")
    assert file_set(sample_copy) == files_before
    assert (second["read"], second["already_ingested"]) == (first["read"], first["read"])
    assert (second["articles"], second["duplicates"], second["rejects"]) == (0, 0, 0)
    assert second["balanced"] is True
    con = duckdb.connect()
    total = con.execute(
        f"select count(*) from read_parquet('{sample_copy}/articles/**/*.parquet', hive_partitioning=true)"
    ).fetchone()[0]
    assert total == first["articles"]


def _rows(output: Path, name: str, drop: tuple[str, ...] = ()) -> list[dict]:
    data = table(output, name)
    keep = [c for c in data.column_names if c not in drop]
    return sorted(data.select(keep).to_pylist(), key=lambda r: r["id"])


@pytest.mark.slow
def test_multi_processing_gives_same_rows(tmp_path: Path, sample_run: SampleRun) -> None:
    reference = sample_run.output
    ingest(tmp_path, "--direct_running_mode=multi_processing", "--direct_num_workers=2")
    for name in ("articles", "duplicates"):
        assert _rows(tmp_path, name) == _rows(reference, name), name
    assert _rows(tmp_path, "rejects", drop=("rejected_at",)) == _rows(
        reference, "rejects", drop=("rejected_at",)
    )


def test_bad_inputs_are_ingested_or_rejected(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(SHARED_DATA / "xml-bombs", inputs / "bombs")
    shutil.copytree(SHARED_DATA / "feedparser-suite" / "illformed", inputs / "illformed")
    output = tmp_path / "out"
    record = ingest(output, "--input", str(inputs))
    assert record["balanced"]
    n_files = sum(1 for p in inputs.rglob("*") if p.is_file())
    assert record["input_files"] == n_files
    assert record["rejects_by_reason"]["xml:entity-expansion"] == 3
    assert record["rejects_by_reason"]["xml:external-entity"] == 2
    assert record["rejects_by_reason"]["xml:external-dtd"] >= 1
    rejects = table(output, "rejects").to_pylist()
    assert all(r["reason"] and ":" in r["reason"] for r in rejects)


def test_missing_input_is_a_clear_usage_error(tmp_path: Path) -> None:
    proc = run_akhbar("ingest", "--input", str(tmp_path / "nope.xml"), "--output", str(tmp_path))
    assert proc.returncode == 2
    assert "nope.xml" in proc.stderr


def test_help_lists_options() -> None:
    proc = run_akhbar("ingest", "--help")
    assert proc.returncode == 0
    for flag in ("--input", "--output", "--language"):
        assert flag in proc.stdout


def test_samples_cover_the_contract() -> None:
    names = sorted(p.name for p in SAMPLES.iterdir() if p.is_file())
    assert {"jawharafm.jsonl", "youm7.xml", "aljazeera.atom", "hespress.rdf"} <= set(names)


def test_story_counts_on_canonical_articles(sample_run: SampleRun) -> None:
    output = sample_run.output
    con = duckdb.connect()
    seed = con.execute(
        f"select duplicate_count, syndicated_by from read_parquet('{output}/articles/**/*.parquet', "
        "hive_partitioning=true) where text like '%لياو ليتشانج%'"
    ).fetchall()
    assert seed == [(1, ["masrawy.com", "youm7.com"])]
    singles = con.execute(
        f"select count(*) from read_parquet('{output}/articles/**/*.parquet', hive_partitioning=true) "
        "where duplicate_count = 0 and len(syndicated_by) = 1"
    ).fetchone()[0]
    assert singles == 39 - 3


def test_warc_inputs_count_skipped_records(tmp_path: Path) -> None:
    record = ingest(tmp_path, "--input", str(SHARED_DATA / "warc"))
    assert record["balanced"] and record["input_files"] == 14
    skipped = record["skipped_not_items"]
    assert skipped["request"] > 0 and skipped["warcinfo"] > 0
    assert record["articles"] >= 1
    assert all(reason.startswith("warc:") for reason in record["rejects_by_reason"])


def test_run_record_has_what_report_and_audits_need(sample_run: SampleRun) -> None:
    record = sample_run.record
    for key in (
        "started_at",
        "finished_at",
        "inputs",
        "runner",
        "akhbar_version",
        "git_commit",
        "rejects_by_reason",
        "duplicates_by_kind",
        "articles",
        "duplicates",
        "rejects",
    ):
        assert key in record, key
    assert record["runner"] == "FnApiRunner"
    assert record["akhbar_version"] == "0.1.0"
    assert record["git_commit"] is None or len(record["git_commit"]) == 40


@pytest.mark.slow
def test_large_input_runs_on_every_free_core_by_default(
    tmp_path: Path, sample_run: SampleRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The samples stand in for a large input (threshold lowered): the run goes multi-process
    on its own, says so in its run record, and writes the same rows."""
    import akhbar.pipelines.ingest as ingest_module
    import akhbar.pipelines.options as options_module

    monkeypatch.setattr(options_module, "AUTO_PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(ingest_module, "free_cores", lambda: 2)
    record = ingest_module.run_ingest(["--output", str(tmp_path)])
    assert record["balanced"]
    assert "multi_processing, 2 workers" in record["runner"]
    reference = sample_run.output
    for name in ("articles", "duplicates"):
        assert _rows(tmp_path, name) == _rows(reference, name), name
