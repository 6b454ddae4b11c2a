"""commit.py: the run summary and its accounting, the atomic run record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apache_beam import Create
from apache_beam.io.filesystems import FileSystems
from apache_beam.testing.util import assert_that

from akhbar.transforms.accounting import AlreadyIngested, ReadCount
from akhbar.transforms.commit import CommitRun, publish_run
from akhbar.transforms.tally import summarize
from akhbar.transforms.write import WrittenFile
from tests.helpers import beam_pipeline

FP = "f00dfeed"


def results() -> list[WrittenFile | ReadCount]:
    return [
        ReadCount("feed-a.xml", 6),
        ReadCount("dump.jsonl", 4),
        WrittenFile("articles", "/o/articles/date=2026-11-29/source=a/part-x-0000.parquet", 5, ()),
        WrittenFile("articles", "/o/articles/date=2026-11-28/source=b/part-x-0000.parquet", 1, ()),
        WrittenFile(
            "duplicates", "/o/duplicates/d/part-x-0000.parquet", 2, (("exact", 1), ("url", 1))
        ),
        WrittenFile("duplicates", "/o/duplicates/e/part-x-0000.parquet", 1, (("exact", 1),)),
        WrittenFile(
            "rejects",
            "/o/rejects/date=2026-11-29/part-x-0000.parquet",
            1,
            (("filter:too-short", 1),),
        ),
    ]


def test_summarize_counts_and_balance() -> None:
    summary = summarize(results())
    assert {
        k: summary[k] for k in ("input_files", "read", "articles", "duplicates", "rejects")
    } == {
        "input_files": 2,
        "read": 10,
        "articles": 6,
        "duplicates": 3,
        "rejects": 1,
    }
    assert summary["duplicates_by_kind"] == {"exact": 2, "url": 1}
    assert summary["rejects_by_reason"] == {"filter:too-short": 1}
    assert summary["accounted"] == 10
    assert summary["balanced"] is True
    assert summary["files"] == sorted(w.path for w in results() if isinstance(w, WrittenFile))


def test_summarize_unbalanced_when_an_item_is_lost() -> None:
    lossy = [*results(), ReadCount("lost.jsonl", 1)]
    summary = summarize(lossy)
    assert (summary["read"], summary["accounted"], summary["balanced"]) == (11, 10, False)
    too_many = [*results(), WrittenFile("rejects", "/o/r2.parquet", 1, (("x", 1),))]
    assert summarize(too_many)["balanced"] is False


def test_summarize_empty_run_is_balanced() -> None:
    summary = summarize([])
    assert (summary["read"], summary["accounted"], summary["balanced"], summary["files"]) == (
        0,
        0,
        True,
        [],
    )


def test_already_ingested_items_and_written_facets_are_counted() -> None:
    more = [
        ReadCount("grown.jsonl", 3),
        AlreadyIngested("a"),
        AlreadyIngested("b", changed=True),
        WrittenFile(
            "articles",
            "/o/articles/date=2026-11-30/source=a/part-y-0000.parquet",
            1,
            (),
            facets=(("enrichment", "ok", 1), ("published_from", "none", 1)),
        ),
    ]
    summary = summarize([*results(), *more])
    assert (summary["read"], summary["already_ingested"], summary["accounted"]) == (13, 2, 13)
    assert summary["already_ingested_changed"] == 1 and summary["balanced"] is True
    assert summary["published_from"] == {"none": 1}
    assert summary["enrichment"] == {"ok": 1}
    assert summary["page_fetch"] == {}


def touch(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PAR1")
    return str(path)


@pytest.fixture
def output(tmp_path: Path) -> dict[str, str]:
    """An output folder holding another run's files."""
    art = tmp_path / "articles" / "date=2026-11-29" / "source=youm7.com"
    return {
        "kept": touch(art / f"part-{FP}-0000.parquet"),
        "other_run": touch(art / "part-0123abcd-0000.parquet"),
        "not_parquet": touch(art / f"part-{FP}-0000.txt"),
        "root": str(tmp_path),
    }


def test_publish_run_writes_the_record_and_touches_no_other_file(
    output: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    renames: list[tuple[list[str], list[str]]] = []
    real_rename = FileSystems.rename

    def spy(sources: list[str], destinations: list[str]) -> None:
        renames.append((sources, destinations))
        real_rename(sources, destinations)

    monkeypatch.setattr(FileSystems, "rename", staticmethod(spy))
    root = output["root"]
    written = [ReadCount("in.jsonl", 3), WrittenFile("articles", output["kept"], 3, ())]
    record = publish_run(root, "run-1", FP, {"inputs": ["in.jsonl"]}, written)

    run_file = Path(root) / "_runs" / "run-1.json"
    on_disk = json.loads(run_file.read_text(encoding="utf-8"))
    assert on_disk == record
    assert (record["run_id"], record["fingerprint"], record["inputs"]) == (
        "run-1",
        FP,
        ["in.jsonl"],
    )
    assert (record["read"], record["articles"], record["balanced"]) == (3, 3, True)
    assert record["finished_at"].endswith("+00:00")
    # written under a temporary name, then renamed into place: readers never see half a record
    assert renames[-1] == ([f"{root}/_runs/.run-1.json.inprogress"], [f"{root}/_runs/run-1.json"])
    # the pending manifest (the commit's intent) was written first and removed at the end
    assert renames[0][1] == [f"{root}/_state/pending/run-1.json"]
    assert not (Path(root) / "_state" / "pending" / "run-1.json").exists()
    assert sorted(p.name for p in (Path(root) / "_runs").iterdir()) == ["run-1.json"]

    remaining = {
        str(p)
        for p in Path(root).rglob("*")
        if p.is_file() and "_runs" not in p.parts and "_state" not in p.parts
    }
    assert remaining == {output["kept"], output["other_run"], output["not_parquet"]}


def test_publish_run_replaces_an_earlier_record(tmp_path: Path) -> None:
    publish_run(str(tmp_path), "r", FP, {"attempt": 1}, [ReadCount("a", 1)])
    publish_run(str(tmp_path), "r", FP, {"attempt": 2}, [ReadCount("a", 0)])
    record = json.loads((tmp_path / "_runs" / "r.json").read_text(encoding="utf-8"))
    assert (record["attempt"], record["read"], record["balanced"]) == (2, 0, True)
    assert [p.name for p in (tmp_path / "_runs").iterdir()] == ["r.json"]


def test_commit_run_pipeline(tmp_path: Path) -> None:
    def check(records: list[dict]) -> None:  # type: ignore[type-arg]
        assert len(records) == 1
        [record] = records
        assert (record["run_id"], record["read"], record["articles"], record["rejects"]) == (
            "r9",
            2,
            1,
            1,
        )
        assert record["balanced"] is True and record["rejects_by_reason"] == {"x": 1}

    inputs = [
        ReadCount("in.jsonl", 2),
        WrittenFile("articles", str(tmp_path / "a.parquet"), 1, ()),
        WrittenFile("rejects", str(tmp_path / "r.parquet"), 1, (("x", 1),)),
    ]
    with beam_pipeline() as p:
        published = p | Create(inputs) | CommitRun(str(tmp_path), "r9", FP, {"k": "v"})
        assert_that(published, check, label="published")
    assert json.loads((tmp_path / "_runs" / "r9.json").read_text(encoding="utf-8"))["k"] == "v"
