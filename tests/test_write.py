"""write.py: safe partition folders, atomic idempotent Parquet files with the declared schema."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from apache_beam import Create, Map
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.schemas.tables import SCHEMA_VERSION, TABLES
from akhbar.transforms.write import (
    WriteTables,
    WrittenFile,
    partition_dir,
    partition_key,
    partition_slug,
    slug_to_name,
    write_partition,
)
from tests.helpers import NOW, beam_pipeline, make_article, make_duplicate, make_reject_row

FP = "f00dfeed"
DAY = "2026-11-29"
PUBLISHED = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

# --- partition slugs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("../../etc", "..%2F..%2Fetc"),
        ("a/b", "a%2Fb"),
        ("a\\b", "a%5Cb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("", "unknown"),
        (None, "unknown"),
        ("CON", "%43ON"),
        ("nul", "%6Eul"),
        ("a\x00b", "a%00b"),
        ("a\nb", "a%0Ab"),
        ("100%", "100%25"),
        ("youm7.com", "youm7.com"),
        ("اليوم السابع", "اليوم%20السابع"),
        ("\ud800x", "%ED%A0%80x"),
    ],
)
def test_partition_slug(name: str | None, slug: str) -> None:
    assert partition_slug(name) == slug
    if name:
        assert slug_to_name(slug) == name


def test_long_names_are_cut_below_the_file_name_limit_and_stay_unique() -> None:
    for letter in ("x", "ع", "中", "%", "/"):
        a, b = letter * 300, letter * 299 + "!"
        slug_a, slug_b = partition_slug(a), partition_slug(b)
        assert slug_a != slug_b
        assert len(("source=" + slug_a).encode("utf-8")) <= 255
        assert "~" in slug_a and "/" not in slug_a
        # never a broken %XX escape before the hash
        assert "%" not in slug_a.rsplit("~", 1)[0][-2:]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=150))
def test_slug_properties(name: str) -> None:
    slug = partition_slug(name)
    assert slug and "/" not in slug and "\\" not in slug and "\x00" not in slug
    assert slug not in (".", "..")
    assert len(("source=" + slug).encode("utf-8")) <= 255
    if name and len(slug.encode("utf-8")) <= 150:  # under the cap: nothing was cut
        assert slug_to_name(slug) == name


# --- layout ------------------------------------------------------------------------------------


def test_partition_layout() -> None:
    assert partition_dir("/out/", "articles", DAY, "youm7.com") == (
        f"/out/articles/date={DAY}/source=youm7.com"
    )
    assert (
        partition_dir("/out", "duplicates", DAY, "a/b")
        == f"/out/duplicates/date={DAY}/source=a%2Fb"
    )
    assert partition_dir("/out", "rejects", DAY, "youm7.com") == f"/out/rejects/date={DAY}"
    assert partition_dir("gs://b/out", "rejects", DAY, None) == f"gs://b/out/rejects/date={DAY}"


def test_partition_key_uses_published_then_fetched_date() -> None:
    assert partition_key(make_article("a", published_at=PUBLISHED)) == (
        "articles",
        DAY,
        "youm7.com",
    )
    undated = make_article("b", fetched_at=datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    assert partition_key(undated) == ("articles", "2026-11-30", "youm7.com")
    assert partition_key(make_duplicate("d", "a", source="x")) == ("duplicates", DAY, "x")
    assert partition_key(make_reject_row(source="youm7.com")) == ("rejects", DAY, None)


# --- write_partition ---------------------------------------------------------------------------


def write_articles(output: Path, ids: list[str], **kw) -> list[WrittenFile]:  # type: ignore[no-untyped-def]
    records = [make_article(i, published_at=PUBLISHED) for i in ids]
    key = ("articles", DAY, "youm7.com")
    return write_partition(str(output), key, records, TABLES["articles"], FP, **kw)


def test_write_partition_file_name_and_no_temp_left(tmp_path: Path) -> None:
    [written] = write_articles(tmp_path, ["c", "a", "b"])
    folder = tmp_path / "articles" / f"date={DAY}" / "source=youm7.com"
    facets = (("enrichment", "skipped", 3), ("published_from", "none", 3))
    assert written == WrittenFile(
        "articles", f"{folder}/part-{FP}-0000.parquet", 3, (), facets=facets
    )
    assert sorted(p.name for p in folder.iterdir()) == [f"part-{FP}-0000.parquet"]
    assert not list(tmp_path.rglob("*.inprogress"))


@pytest.mark.parametrize("table", sorted(TABLES))
def test_file_schema_is_the_declared_schema(tmp_path: Path, table: str) -> None:
    record = {
        "articles": make_article("a", published_at=PUBLISHED),
        "duplicates": make_duplicate("d", "a"),
        "rejects": make_reject_row(),
    }[table]
    [written] = write_partition(str(tmp_path), partition_key(record), [record], TABLES[table], FP)
    schema = pq.read_schema(written.path)
    declared = TABLES[table]
    assert schema.names == declared.names
    assert [f.type for f in schema] == [f.type for f in declared]
    assert schema.metadata[b"akhbar.schema_version"] == SCHEMA_VERSION.encode()
    assert "date" not in schema.names
    if table != "rejects":  # rejects are partitioned by date only, so source is a plain column
        assert "source" not in schema.names


def test_zstd_and_statistics(tmp_path: Path) -> None:
    [written] = write_articles(tmp_path, ["b", "a"])
    meta = pq.ParquetFile(written.path).metadata
    assert meta.num_rows == 2 and meta.num_row_groups == 1
    group = meta.row_group(0)
    for i in range(group.num_columns):
        assert group.column(i).compression == "ZSTD"
    id_stats = group.column(TABLES["articles"].names.index("id")).statistics
    assert id_stats is not None and id_stats.has_min_max
    assert (id_stats.min, id_stats.max) == ("a", "b")


def _dictionary_columns(path: str) -> list[str]:
    group = pq.ParquetFile(path).metadata.row_group(0)
    return [
        group.column(i).path_in_schema
        for i in range(group.num_columns)
        if "PLAIN_DICTIONARY" in group.column(i).encodings
        or "RLE_DICTIONARY" in group.column(i).encodings
    ]


def test_dictionary_pages_only_in_large_files(tmp_path: Path, monkeypatch) -> None:
    """Small partitions skip dictionary pages (a zstd call per column, no size gain); large files
    keep them, where repeated values pay for them."""
    [small] = write_articles(tmp_path / "small", ["b", "a"])
    assert _dictionary_columns(small.path) == []
    monkeypatch.setattr("akhbar.transforms.write.DICTIONARY_MIN_ROWS", 2)
    [large] = write_articles(tmp_path / "large", ["b", "a"])
    assert "id" in _dictionary_columns(large.path)
    assert pq.read_table(large.path).equals(pq.read_table(small.path))


def test_rows_sorted_by_id_and_values_round_trip(tmp_path: Path) -> None:
    [written] = write_articles(tmp_path, ["z", "m", "a"])
    rows = pq.read_table(written.path).to_pylist()
    assert [r["id"] for r in rows] == ["a", "m", "z"]
    assert rows[0]["published_at"] == PUBLISHED
    assert rows[0]["url"] == "https://youm7.com/a" and rows[0]["content_hash"] == "hash-a"


def test_rewriting_a_partition_replaces_it(tmp_path: Path) -> None:
    write_articles(tmp_path, ["a", "b", "c"])
    [again] = write_articles(tmp_path, ["a", "b"])
    files = list(tmp_path.rglob("*.parquet"))
    assert [str(f) for f in files] == [again.path]
    assert pq.read_table(again.path).column("id").to_pylist() == ["a", "b"]


def test_large_partitions_are_sharded(tmp_path: Path) -> None:
    written = write_articles(tmp_path, ["e", "d", "c", "b", "a"], max_rows_per_file=2)
    assert [Path(w.path).name for w in written] == [
        f"part-{FP}-0000.parquet",
        f"part-{FP}-0001.parquet",
        f"part-{FP}-0002.parquet",
    ]
    assert [w.rows for w in written] == [2, 2, 1]
    ids = [pq.read_table(w.path).column("id").to_pylist() for w in written]
    assert ids == [["a", "b"], ["c", "d"], ["e"]]


def test_counts_by_reason_and_kind(tmp_path: Path) -> None:
    rejects = [make_reject_row(f"in{i}", reason) for i, reason in enumerate("xyx")]
    [w] = write_partition(str(tmp_path), ("rejects", DAY, None), rejects, TABLES["rejects"], FP)
    assert w.counts == (("x", 2), ("y", 1))
    dups = [make_duplicate("d1", "a"), make_duplicate("d2", "a", kind="url", similarity=None)]
    [w] = write_partition(
        str(tmp_path), ("duplicates", DAY, "youm7.com"), dups, TABLES["duplicates"], FP
    )
    assert w.counts == (("exact", 1), ("url", 1))


def test_write_tables_pipeline(tmp_path: Path) -> None:
    out = str(tmp_path)
    records = [
        make_article("a1", published_at=PUBLISHED),
        make_article("a2", published_at=PUBLISHED),
        make_article("h1", source="hespress.com", published_at=PUBLISHED),
        make_duplicate("d1", "a1"),
        make_reject_row("bad.xml", "xml:malformed"),
        make_reject_row("worse.xml", "xml:entities-forbidden", source="hespress.com"),
    ]

    def relative(w: WrittenFile) -> tuple[str, str, int, tuple[tuple[str, int], ...]]:
        return (w.table, w.path[len(out) + 1 :], w.rows, w.counts)

    with beam_pipeline() as p:
        written = p | Create(records) | WriteTables(out, TABLES, FP)
        assert_that(
            written | Map(relative),
            equal_to(
                [
                    (
                        "articles",
                        f"articles/date={DAY}/source=youm7.com/part-{FP}-0000.parquet",
                        2,
                        (),
                    ),
                    (
                        "articles",
                        f"articles/date={DAY}/source=hespress.com/part-{FP}-0000.parquet",
                        1,
                        (),
                    ),
                    (
                        "duplicates",
                        f"duplicates/date={DAY}/source=youm7.com/part-{FP}-0000.parquet",
                        1,
                        (("exact", 1),),
                    ),
                    (
                        "rejects",
                        f"rejects/date={DAY}/part-{FP}-0000.parquet",
                        2,
                        (("xml:entities-forbidden", 1), ("xml:malformed", 1)),
                    ),
                ]
            ),
            label="written",
        )
    assert len(list(tmp_path.rglob("*.parquet"))) == 4
    assert not list(tmp_path.rglob("*.inprogress"))
    assert NOW.strftime("%Y-%m-%d") == DAY


def test_write_tables_keys_and_packs_each_input_before_they_meet(tmp_path: Path) -> None:
    """Several producers go in unflattened: each is keyed and packed on its own, so the Flatten
    (which FnApiRunner materializes) holds packed bytes, not records pickled a second time."""
    out = str(tmp_path)
    articles = [
        make_article("a1", published_at=PUBLISHED),
        make_article("a2", published_at=PUBLISHED),
    ]
    rejects = [make_reject_row("bad.xml", "xml:malformed")]
    pipeline = beam_pipeline()
    written = (
        pipeline | "Articles" >> Create(articles),
        pipeline | "Rejects" >> Create(rejects),
    ) | "Write" >> WriteTables(out, TABLES, FP)
    assert_that(
        written | Map(lambda w: (w.table, w.rows)), equal_to([("articles", 2), ("rejects", 1)])
    )
    flatten = next(
        t
        for t in pipeline.to_runner_api().components.transforms.values()
        if t.unique_name == "Write/AllRecords"
    )
    producers = {
        t.unique_name
        for t in pipeline.to_runner_api().components.transforms.values()
        if set(t.outputs.values()) & set(flatten.inputs.values())
    }
    assert producers == {"Write/KeyByPartition0", "Write/KeyByPartition1"}
    pipeline.run().wait_until_finish()
    assert pq.read_table(tmp_path / "articles").num_rows == 2
    assert pq.read_table(tmp_path / "rejects").num_rows == 1


# --- the writer DoFn's thread pool ----------------------------------------------------------


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threaded_writer_reports_each_file_on_disk_in_its_own_window(
    tmp_path: Path, threads: int
) -> None:
    """Files finish out of step with the elements that asked for them: each one must still come
    out in the window (and with the timestamp) of its own partition's element, only once it is
    on disk, and the bundle must not end before every file is written."""
    from apache_beam.transforms.window import IntervalWindow
    from apache_beam.utils.windowed_value import WindowedValue

    from akhbar.transforms.write import _WritePartitionFn

    fn = _WritePartitionFn(str(tmp_path), TABLES, FP, None, per_window=True, writer_threads=threads)
    fn.setup()
    fn.start_bundle()
    emitted: list[WindowedValue] = []
    asked: dict[str, tuple[IntervalWindow, int]] = {}
    for n in range(12):
        window = IntervalWindow(600 * n, 600 * (n + 1))
        article = make_article(id=f"a{n}", source=f"src{n}", published_at=PUBLISHED)
        key = partition_key(article)
        for value in fn.process((key, [article]), window=window, timestamp=n):
            assert Path(value.value.path).is_file()
            emitted.append(value)
        asked[partition_dir(str(tmp_path), *key)] = (window, n)
    for value in fn.finish_bundle():
        assert Path(value.value.path).is_file()
        emitted.append(value)
    fn.teardown()
    assert len(emitted) == 12
    for value in emitted:
        written: WrittenFile = value.value
        window, timestamp = asked[str(Path(written.path).parent)]
        assert list(value.windows) == [window] and value.timestamp == timestamp
        assert f"-w{int(window.start)}-" in written.path
