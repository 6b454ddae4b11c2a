"""schemas/: the contract's minimum columns and types (README, "Output schema"), no partition columns, rows fit schemas."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from akhbar.schemas.records import (
    TABLE_OF,
    Article,
    Duplicate,
    Reject,
    as_row,
    make_reject,
    stable_id,
    table_schema,
)
from akhbar.schemas.tables import (
    ARTICLES,
    DUPLICATES,
    PARTITIONED_BY_SOURCE,
    SCHEMA_VERSION,
    TABLES,
    with_version,
)
from tests.conftest import SAMPLES
from tests.helpers import NOW, make_article, make_duplicate, make_reject_row

UTC_TS = pa.timestamp("us", tz="UTC")
STR = pa.string()

MINIMUM: dict[str, dict[str, pa.DataType | None]] = {
    "articles": {
        "id": STR,
        "guid": STR,
        "url": STR,
        "title": STR,
        "text": STR,
        "text_normalized": STR,
        "published_at": UTC_TS,
        "fetched_at": UTC_TS,
        "language": STR,
        "authors": pa.list_(STR),
        "categories": pa.list_(STR),
        "entities": None,
        "amounts": None,  # checked field by field below
        "content_hash": STR,
        "cluster_id": STR,
    },
    "duplicates": {
        "id": STR,
        "guid": STR,
        "url": STR,
        "title": STR,
        "published_at": UTC_TS,
        "cluster_id": STR,
        "duplicate_of": STR,
        "kind": STR,
        "similarity": pa.float64(),
    },
    "rejects": {"input": STR, "stage": STR, "reason": STR, "payload": STR, "rejected_at": UTC_TS},
}


@pytest.mark.parametrize("table", sorted(MINIMUM))
def test_minimum_columns_and_types(table: str) -> None:
    schema = TABLES[table]
    missing = set(MINIMUM[table]) - set(schema.names)
    assert not missing
    for name, type_ in MINIMUM[table].items():
        if type_ is not None:
            assert schema.field(name).type == type_, name


def test_published_at_is_a_utc_timestamp() -> None:
    for schema in (ARTICLES, DUPLICATES):
        type_ = schema.field("published_at").type
        assert pa.types.is_timestamp(type_) and type_.tz == "UTC"


def test_entities_and_amounts_are_lists_of_structs() -> None:
    entities = ARTICLES.field("entities").type
    assert pa.types.is_list(entities) and pa.types.is_struct(entities.value_type)
    fields = {f.name: f.type for f in entities.value_type}
    assert {k: fields[k] for k in ("text", "normalized", "type")} == {
        "text": STR,
        "normalized": STR,
        "type": STR,
    }
    amounts = ARTICLES.field("amounts").type
    assert pa.types.is_list(amounts) and pa.types.is_struct(amounts.value_type)
    fields = {f.name: f.type for f in amounts.value_type}
    assert {k: fields[k] for k in ("text", "value", "unit")} == {
        "text": STR,
        "value": pa.float64(),
        "unit": STR,
    }


@pytest.mark.parametrize("table", sorted(TABLES))
def test_partition_columns_are_not_in_the_files(table: str) -> None:
    names = TABLES[table].names
    assert "date" not in names
    if table in PARTITIONED_BY_SOURCE:
        assert "source" not in names
    assert len(names) == len(set(names))


def test_partitioning_sets() -> None:
    assert set(PARTITIONED_BY_SOURCE) == {"articles", "duplicates"}
    assert set(TABLES) == {"articles", "duplicates", "rejects"}
    assert all(table_schema(t) is TABLES[t] for t in TABLES)


def test_every_field_is_documented_and_ids_required() -> None:
    for schema in TABLES.values():
        for field in schema:
            assert field.metadata and field.metadata[b"doc"], field.name
        assert schema.field("id").nullable is False


def test_with_version() -> None:
    versioned = with_version(ARTICLES)
    assert versioned.metadata == {b"akhbar.schema_version": SCHEMA_VERSION.encode()}
    assert versioned.names == ARTICLES.names and ARTICLES.metadata is None


RECORDS = {
    "articles": lambda: make_article(
        "a",
        published_at=datetime(2026, 11, 29, tzinfo=UTC),
        authors=["محمد"],
        entities=[{"text": "الصين", "normalized": "الصين", "type": "LOC", "start": 0, "end": 5}],
        amounts=[{"text": "50 مليون دولار", "value": 5e7, "unit": "USD"}],
        cluster_id="c",
    ),
    "duplicates": lambda: make_duplicate("d", "a"),
    "rejects": lambda: make_reject_row(source="youm7.com"),
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_as_row_has_exactly_the_schema_columns(table: str) -> None:
    record = RECORDS[table]()
    row = as_row(record)
    assert list(row) == TABLES[table].names
    arrow = pa.Table.from_pylist([row], schema=TABLES[table])  # types fit without inference
    assert arrow.num_rows == 1 and arrow.column("id").to_pylist() == [record.id]


def test_record_types_map_to_their_tables() -> None:
    assert {Article: "articles", Duplicate: "duplicates", Reject: "rejects"} == TABLE_OF
    for table, build in RECORDS.items():
        assert TABLE_OF[type(build())] == table


def test_stable_id() -> None:
    assert stable_id("a", "b") == stable_id("a", "b")
    assert stable_id("a", "b") != stable_id("ab", "")  # parts are separated
    assert stable_id(None) == stable_id("")
    assert len(stable_id("x")) == 32
    assert stable_id("\ud800") == stable_id("\ud800")  # surrogates do not raise


def test_make_reject_truncates_and_repairs_payload() -> None:
    from_bytes = make_reject("f.xml", "read", "io:error", "d" * 900, b"\xff\xfe" + b"x" * 5000, NOW)
    assert len(from_bytes.payload) <= 2000 and from_bytes.payload.startswith("\ufffd")
    assert len(from_bytes.detail) == 500
    assert from_bytes.id == stable_id("reject", "f.xml", "io:error", from_bytes.payload)
    # another bad record at the same place (a rewritten file) is another row, with another id
    other = make_reject("f.xml", "read", "io:error", "d", b"another", NOW)
    assert other.id != from_bytes.id
    assert from_bytes.partition_time == NOW and from_bytes.source is None
    from_text = make_reject("f.xml", "read", "r", "d", "ok\ud800", NOW, item_id="i-1")
    assert from_text.payload == "ok?" and from_text.id == "i-1"
    assert make_reject("f", "read", "r", "d", None, NOW).payload == ""


def test_as_table_equals_rows_through_from_pylist(tmp_path) -> None:
    """The writer builds Arrow column by column; it must equal the row-dict path on real records
    (extracted entities, quotes, dates, nulls, empty lists) of all three tables."""
    from akhbar.schemas.records import as_table
    from benchmarks.plain_loop import stages

    state: dict = {}
    for _name, step in stages(str(SAMPLES / "jawharafm.jsonl"), str(tmp_path))[:5]:
        step(state)
    by_table: dict[str, list] = {
        "articles": list(state["articles"]),
        "rejects": [],
        "duplicates": [],
    }
    by_table["rejects"] = [r for r in state["prepared"] if isinstance(r, Reject)]
    by_table["rejects"].append(make_reject_row(source=None))
    by_table["duplicates"] = [d for g in state["near"].groups for d in g.duplicates]
    by_table["duplicates"].append(make_duplicate("d", "a"))
    assert any(a.entities for a in by_table["articles"]) and any(
        a.quotes for a in by_table["articles"]
    )
    for table, records in by_table.items():
        schema = with_version(TABLES[table])
        expected = pa.Table.from_pylist([as_row(r) for r in records], schema=schema)
        built = as_table(records, schema)
        assert built.equals(expected, check_metadata=True), table
        assert built.num_rows == len(records) > 0
