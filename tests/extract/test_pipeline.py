"""ExtractInfo on a real Beam runner, and extract_article's contract (a copy, never a mutation)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from apache_beam import Create, Map
from apache_beam.testing.util import assert_that, equal_to

from akhbar.transforms.extract import ExtractConfig, ExtractDoFn, ExtractInfo, extract_article
from tests.helpers import beam_pipeline, make_article

TEXT = (
    "قال السفير الصيني بالقاهرة، لياو ليتشانج إن الصين قدمت 50 مليون دولار لمنظمة الصحة العالمية "
    "أمس، مؤكدا أن مصر شريك."
)
PUBLISHED = datetime(2026, 11, 29, 10, tzinfo=UTC)


def _article(id: str, text: str = TEXT):
    return make_article(id, text=text, text_normalized=text, published_at=PUBLISHED)


def test_extract_article_returns_a_filled_copy() -> None:
    article = _article("a")
    before = dataclasses.asdict(article)
    result = extract_article(article, ExtractConfig())
    assert dataclasses.asdict(article) == before  # the input is untouched
    assert result is not article and result.id == "a"
    assert ("لياو ليتشانج", "PER") in {(e["text"], e["type"]) for e in result.entities}
    assert result.places == ["القاهره", "الصين", "مصر"]
    assert result.amounts == [{"text": "50 مليون دولار", "value": 50e6, "unit": "USD"}]
    assert [d["value"] for d in result.dates_mentioned] == [date(2026, 11, 28)]
    assert [(q["speaker"], q["verb"]) for q in result.quotes] == [
        ("لياو ليتشانج", "قال"),
        ("لياو ليتشانج", "أكد"),
    ]
    assert result.keywords and len(result.keywords) <= 10


def test_switched_off_extractors_leave_fields_alone() -> None:
    config = ExtractConfig(entities=False, quotes=False, keywords=False, dates=False)
    result = extract_article(_article("b"), config)
    assert result.entities == [] and result.quotes == [] and result.keywords == []
    assert result.dates_mentioned == [] and result.places == []
    assert result.amounts == [{"text": "50 مليون دولار", "value": 50e6, "unit": "USD"}]


def test_a_failing_article_passes_through_unchanged() -> None:
    dofn = ExtractDoFn(ExtractConfig())
    dofn.setup()
    broken = _article("bad")
    object.__setattr__(broken, "text", None)  # a bug upstream: no text at all
    [out] = dofn.process(broken)
    assert out.enrichment.startswith("failed:TypeError")  # issue 17: marked, not silent
    assert dataclasses.replace(out, enrichment=broken.enrichment) == broken


def test_extract_info_pipeline() -> None:
    articles = [
        _article("p1"),
        _article("p2", "أعلنت وزارة المالية في تونس أن العجز بلغ 5 بالمائة."),
        _article("p3", "نص بلا كيانات"),
    ]
    with beam_pipeline() as p:
        out = p | Create(articles) | ExtractInfo(ExtractConfig(keywords=False))
        assert_that(
            out
            | "Summaries"
            >> Map(
                lambda a: (a.id, tuple(a.places), tuple((x["value"], x["unit"]) for x in a.amounts))
            ),
            equal_to(
                [
                    ("p1", ("القاهره", "الصين", "مصر"), ((50e6, "USD"),)),
                    ("p2", ("تونس",), ((5.0, "PERCENT"),)),
                    ("p3", (), ()),
                ]
            ),
            label="places-and-amounts",
        )
        assert_that(
            out | "Speakers" >> Map(lambda a: (a.id, tuple(q["speaker"] for q in a.quotes))),
            equal_to(
                [("p1", ("لياو ليتشانج", "لياو ليتشانج")), ("p2", ("وزارة المالية",)), ("p3", ())]
            ),
            label="speakers",
        )


def test_extracted_columns_fit_the_articles_schema() -> None:
    """The dicts are exactly the Arrow structs the writer expects (no inference, no extra keys)."""
    import pyarrow as pa

    from akhbar.schemas.records import as_row
    from akhbar.schemas.tables import ARTICLES

    article = extract_article(_article("schema"), ExtractConfig())
    table = pa.Table.from_pylist([as_row(article)], schema=ARTICLES)
    row = table.to_pylist()[0]
    assert row["entities"] == article.entities
    assert row["amounts"] == article.amounts
    assert row["dates_mentioned"] == article.dates_mentioned
    assert row["quotes"] == article.quotes
    assert row["keywords"] == article.keywords and row["places"] == article.places
