"""``ReadInputFiles`` in a real Beam pipeline gives exactly what ``read_input_file`` gives."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from akhbar.transforms.sources import ReadInputFiles
from akhbar.transforms.sources.files import InputFile, expand_inputs, read_input_file

from .conftest import NOW, split

SAMPLES = Path(__file__).resolve().parents[2] / "seeds" / "samples"
EXPECTED_COUNTS = {
    "aljazeera.atom": 9,
    "hespress.rdf": 8,
    "jawharafm.jsonl": 15,
    "masrawy-article.html": 1,
    "youm7.xml": 10,
}


def direct(files: list[InputFile]) -> tuple[list[str], list[tuple[str, str]], dict[str, int]]:
    ids: list[str] = []
    rejects: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    for input_file in files:
        results = list(read_input_file(input_file, NOW))
        items, bad = split(results)
        ids += [i.item_id for i in items]
        rejects += [(r.input, r.reason) for r in bad]
        counts[input_file.display] = len(results)
    return ids, rejects, counts


def run(files: list[InputFile], total: int) -> None:
    """Run the transform and assert it matches the direct calls (assert_that fails the run)."""
    ids, rejects, counts = direct(files)
    assert sum(counts.values()) == total
    with BeamTestPipeline(runner="FnApiRunner") as pipeline:
        items, bad, read_counts = pipeline | ReadInputFiles(files, NOW)
        assert_that(items | "ItemIds" >> beam.Map(lambda i: i.item_id), equal_to(ids), label="ids")
        assert_that(
            bad | "RejectKeys" >> beam.Map(lambda r: (r.input, r.reason)),
            equal_to(rejects),
            label="rejects",
        )
        assert_that(
            read_counts | "CountPairs" >> beam.Map(lambda c: (c.input, c.items)),
            equal_to(list(counts.items())),
            label="counts",
        )
        assert_that(
            read_counts
            | "Items" >> beam.Map(lambda c: c.items)
            | "Total" >> beam.CombineGlobally(sum),
            equal_to([total]),
            label="total",
        )


def test_direct_reading_of_the_samples() -> None:
    ids, rejects, counts = direct(expand_inputs([str(SAMPLES)]))
    assert counts == EXPECTED_COUNTS
    assert sum(counts.values()) == 43
    assert len(ids) == 42 and len(set(ids)) == 42
    assert rejects == [("jawharafm.jsonl#line=9", "jsonl:invalid-json")]


def test_pipeline_matches_direct_reading_on_the_samples() -> None:
    run(expand_inputs([str(SAMPLES)]), total=43)


def test_pipeline_with_unreadable_and_hostile_files(tmp_path: Path) -> None:
    (tmp_path / "bomb.xml").write_text(
        '<!DOCTYPE b [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><b>&b;</b>', encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("نص عادي", encoding="utf-8")
    (tmp_path / "youm7.xml").write_bytes((SAMPLES / "youm7.xml").read_bytes())
    files = [*expand_inputs([str(tmp_path)]), InputFile(str(tmp_path / "gone.xml"), "gone.xml")]
    ids, rejects, counts = direct(files)
    assert Counter(reason for _, reason in rejects) == {
        "xml:entity-expansion": 1,
        "read:unknown-format": 1,
        "read:io-error": 1,
    }
    assert counts == {"bomb.xml": 1, "notes.txt": 1, "youm7.xml": 10, "gone.xml": 1}
    assert len(ids) == 10
    run(files, total=13)
