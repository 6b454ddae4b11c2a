"""``--input s3://bucket/prefix``: inputs are read through Beam's FileSystems, so an object store
holds the inputs as well as the output (tested on moto's S3 server on 127.0.0.1).

Before: inputs were listed with ``glob`` and opened with ``open``; an ``s3://`` input was "a file
that does not exist" (exit 2).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.dataset as ds

from tests.conftest import SAMPLES, run_akhbar
from tests.storage.conftest import S3Server


def upload_samples(server: S3Server, bucket: str, prefix: str) -> None:
    for path in sorted(SAMPLES.iterdir()):
        server.client().put_object(
            Bucket=bucket, Key=f"{prefix}/{path.name}", Body=path.read_bytes()
        )
    # skipped like a local folder's _ or . entries
    server.client().put_object(Bucket=bucket, Key=f"{prefix}/_notes.txt", Body=b"x")


def rows(output: Path, table: str) -> list[dict]:
    """The table's rows without the times of this fetch: ``fetched_at`` is the file's mtime or
    the object's LastModified. An undated article's ``date`` partition is the day of that fetch
    (checked, then left out); so is a reject's, which keeps no fetch time (left out)."""
    data = ds.dataset(output / table, format="parquet", partitioning="hive").to_table()
    out = []
    for row in data.to_pylist():
        if table == "articles" and row["published_at"] is None:
            assert str(row.pop("date")) == row["fetched_at"].date().isoformat(), row["id"]
        elif table == "rejects":
            row.pop("date")
        row.pop("rejected_at", None)
        row.pop("fetched_at", None)
        out.append(row)
    return sorted(out, key=lambda r: r["id"])


def test_inputs_under_an_s3_prefix_give_the_local_tables(
    s3_server: S3Server, bucket: str, tmp_path: Path
) -> None:
    upload_samples(s3_server, bucket, "inbox")
    local = tmp_path / "local"
    assert run_akhbar("ingest", "--output", str(local)).returncode == 0
    remote = tmp_path / "remote"
    done = run_akhbar(
        "ingest",
        "--input",
        f"s3://{bucket}/inbox/",
        "--output",
        str(remote),
        *s3_server.beam_args(),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "inputs           5" in done.stdout and "OK" in done.stdout
    for table in ("articles", "duplicates", "rejects"):
        assert rows(remote, table) == rows(local, table), table


def test_an_s3_glob_a_gzipped_object_and_a_missing_prefix(
    s3_server: S3Server, bucket: str, tmp_path: Path
) -> None:
    upload_samples(s3_server, bucket, "in")
    jsonl = (SAMPLES / "jawharafm.jsonl").read_bytes()
    s3_server.client().put_object(
        Bucket=bucket, Key="in/2026/12/dump.jsonl.gz", Body=gzip.compress(jsonl)
    )
    done = run_akhbar(
        "ingest", "--input", f"s3://{bucket}/in/*.xml", "--input", f"s3://{bucket}/in/2026/",
        "--output", str(tmp_path / "o"), *s3_server.beam_args(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "inputs           2" in done.stdout and "OK" in done.stdout
    origins = {r["origin"].split("#")[0] for r in rows(tmp_path / "o", "articles")}
    assert origins == {"youm7.xml", "12/dump.jsonl.gz"}  # named relative to what was given
    missing = run_akhbar(
        "ingest", "--input", f"s3://{bucket}/nothing-here/", "--output", str(tmp_path / "m"),
        *s3_server.beam_args(),
    )  # fmt: skip
    assert missing.returncode == 2
    assert "matches no file" in missing.stderr and "Traceback" not in missing.stderr
