"""akhbar's Python API: ``akhbar.ingest``, ``akhbar.connect``, ``akhbar.RunRecord``
(README, "Python API")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import akhbar
from akhbar.pipelines.api import AccountingError, ingest_argv
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def sample_record(tmp_path_factory: pytest.TempPathFactory) -> akhbar.RunRecord:
    out = tmp_path_factory.mktemp("api") / "out"
    return akhbar.ingest(output=out, no_extract=True, run_id="api-run")


def test_ingest_returns_the_typed_run_record(sample_record: akhbar.RunRecord) -> None:
    record = sample_record
    assert isinstance(record, akhbar.RunRecord)
    assert (record.run_id, record.read, record.articles, record.duplicates, record.rejects) == (
        "api-run",
        43,
        39,
        3,
        1,
    )
    assert record.balanced and record.seconds > 0
    assert record.duplicates_by_kind == {"exact": 2, "url": 1}
    assert record.enrichment == {"skipped": 39}  # no_extract=True reached the run
    on_disk = json.loads((Path(record.output) / "_runs" / "api-run.json").read_text())
    assert akhbar.RunRecord.from_json(on_disk) == record.with_seconds(0.0)


def test_connect_gives_the_views(sample_record: akhbar.RunRecord) -> None:
    con = akhbar.connect(sample_record.output)
    counts = con.execute(
        "select (select count(*) from articles), (select count(*) from duplicates),"
        " (select count(*) from rejects), (select count(*) from runs)"
    ).fetchone()
    assert counts == (39, 3, 1, 1)
    assert con.execute("select count(*) from stories").fetchone()[0] >= 39


def test_options_map_to_the_command_line() -> None:
    argv = ingest_argv(
        inputs=[SAMPLES / "youm7.xml", "more/*.jsonl"],
        output="out",
        min_text_chars=50,
        no_extract=True,
        no_near_dedup=False,
        language="ar",
        direct_num_workers=2,
    )
    assert argv == [
        f"--input={SAMPLES / 'youm7.xml'}",
        "--input=more/*.jsonl",
        "--output=out",
        "--min-text-chars=50",
        "--no-extract",
        "--language=ar",
        "--direct_num_workers=2",
    ]


def test_a_mistyped_option_is_refused_like_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"--inptu.*--input"):
        akhbar.ingest(output=tmp_path / "out", inptu="x")
    assert not (tmp_path / "out").exists()


def test_an_unbalanced_run_raises_with_its_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run whose counts do not balance (exit code 1 on the command line) raises; such a
    run cannot be produced on purpose, so the run function is replaced for this one test."""
    import akhbar.pipelines.ingest as ingest_module

    def unbalanced(argv: list[str]) -> dict[str, object]:
        return {"run_id": "r", "output": str(tmp_path), "read": 3, "articles": 2,
                "accounted": 2, "balanced": False}  # fmt: skip

    monkeypatch.setattr(ingest_module, "run_ingest", unbalanced)
    with pytest.raises(AccountingError) as raised:
        akhbar.ingest(output=tmp_path)
    assert raised.value.record.read == 3 and "accounted for 2" in str(raised.value)
