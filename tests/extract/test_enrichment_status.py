"""The ``enrichment`` column: extraction that fails is visible, per row and in the run record.

Before: when extraction raised, the article was written with empty ``entities``, the same as
"nothing found", and only a Beam counter (which the run record never saw) knew.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam import Create
from apache_beam.testing.util import assert_that, equal_to

from akhbar.transforms.extract import ExtractConfig, ExtractInfo, extract_or_mark, failure_reason
from akhbar.transforms.extract.engine import Extractor
from tests.helpers import beam_pipeline, make_article


class Broken(Extractor):
    """The real extractor, broken on one text (as a bug on one odd article would)."""

    def extract(self, article):  # type: ignore[no-untyped-def]
        if "BOOM" in article.text:
            raise ValueError("unbalanced offsets\nsecond line")
        return super().extract(article)


def test_failure_reason_is_one_short_line() -> None:
    assert failure_reason(ValueError("bad\nmore")) == "failed:ValueError: bad"
    assert failure_reason(KeyError()) == "failed:KeyError"


def test_ok_failed_and_skipped_are_told_apart() -> None:
    extractor = Broken(ExtractConfig())
    fine = make_article("a", text="قال وزير الخارجية أحمد عطاف في الجزائر إن الاتفاق تم.")
    broken = make_article("b", text="BOOM " + fine.text)
    assert fine.enrichment == "skipped"  # what --no-extract leaves
    done = extract_or_mark(extractor, fine)
    assert done.enrichment == "ok" and done.entities
    failed = extract_or_mark(extractor, broken)
    assert failed.enrichment == "failed:ValueError: unbalanced offsets"
    assert failed.entities == [] and failed.text == broken.text


def test_the_beam_step_marks_every_article() -> None:
    articles = [
        make_article("a", text="قال وزير الخارجية أحمد عطاف في الجزائر إن الاتفاق تم."),
        make_article("b", text="نص قصير بلا أسماء ولا أرقام لكنه خبر صحيح."),
    ]
    with beam_pipeline() as p:
        out = p | Create(articles) | ExtractInfo(ExtractConfig())
        assert_that(out | "Status" >> beam.Map(lambda a: a.enrichment), equal_to(["ok", "ok"]))
