"""Information extraction from Arabic news: entities, amounts, dates, quotes, keywords.

Public API (what pipelines wire in):

* ``ExtractConfig``: which extractors run and where their resources are. Frozen and hashable: it
  travels to workers through constructor arguments, never through globals or options.
* ``extract_article(article, config) -> Article``: the pure function; returns a copy with
  ``entities``, ``places``, ``amounts``, ``dates_mentioned``, ``quotes`` and ``keywords`` filled.
* ``ExtractInfo(config)``: the PTransform (Articles in, Articles out). Its DoFn loads the
  gazetteer automaton, the IDF table and any camel-tools model once per worker in ``setup()``.

Importing this package is cheap and loads none of those (``prepare.py`` imports the publication
date parser from here): the engine module is imported on first use. camel-tools' morphology and
NER (and torch) are imported only when ``camel_data`` or ``ner_model`` is set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import apache_beam as beam

from akhbar.schemas.records import Article

if TYPE_CHECKING:
    from akhbar.transforms.extract.engine import Extractor

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """Settings of the extraction step.

    gazetteer_dir: folder holding ``gazetteer.tsv`` and ``curated/`` (default: seeds/gazetteers).
    idf_path: gzipped document-frequency table (default: seeds/idf_ant.tsv.gz).
    camel_data: a ``CAMELTOOLS_DATA`` folder; enables morphological segmentation.
    ner_model: a saved camel-tools/transformers BERT token-classification folder; enables NER.
    default_country: ISO code used for bare currency names ("دينار") when the article names no
        country (e.g. "TN" for a Tunisian outlet).
    person_list: match the curated list of heads of state and government (off for ablations).
    """

    gazetteer_dir: str | None = None
    idf_path: str | None = None
    camel_data: str | None = None
    ner_model: str | None = None
    entities: bool = True
    amounts: bool = True
    dates: bool = True
    quotes: bool = True
    keywords: bool = True
    keyword_count: int = 10
    default_country: str | None = None
    person_list: bool = True
    ner_threads: int = 1


@lru_cache(maxsize=4)
def get_extractor(config: ExtractConfig) -> Extractor:
    """One loaded ``Extractor`` per configuration and process."""
    from akhbar.transforms.extract.engine import Extractor

    return Extractor(config)


def extract_article(article: Article, config: ExtractConfig | None = None) -> Article:
    """``article`` with its extracted columns filled (a new object; the input is not mutated)."""
    return get_extractor(config or ExtractConfig()).extract(article)


def failure_reason(exc: BaseException) -> str:
    """``failed:<reason>`` for the ``enrichment`` column: the exception's type and the first
    line of its message, short and on one line (users group rows by it)."""
    message = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return f"failed:{type(exc).__name__}" + (f": {message}" if message else "")


def extract_or_mark(extractor: Extractor, article: Article, errors: Any = None) -> Article:
    """The extracted article with ``enrichment = "ok"``; when extraction raises, the article
    unchanged with ``enrichment = "failed:<reason>"``, so that empty columns caused by a
    failure never look like "nothing found"."""
    try:
        return extractor.extract(article)
    except Exception as exc:
        if errors is not None:
            errors.inc()
        LOG.exception("extraction failed for article %s", article.id)
        return replace(article, enrichment=failure_reason(exc))


class ExtractDoFn(beam.DoFn):
    """Loads the extractor once per worker; an article that makes it fail passes through as is.

    Extraction enriches an article that is already valid, so a bug on one text must neither drop
    the article nor stop the run: it is logged and counted (``extract/errors``) instead.
    """

    def __init__(self, config: ExtractConfig) -> None:
        self.config = config
        self._extractor: Extractor | None = None
        self._errors = beam.metrics.Metrics.counter("extract", "errors")

    def setup(self) -> None:
        from akhbar.transforms.extract.engine import Extractor

        self._extractor = Extractor(self.config)

    def process(self, article: Article) -> Iterator[Article]:
        if self._extractor is None:
            self.setup()
        assert self._extractor is not None
        yield extract_or_mark(self._extractor, article, self._errors)


class ExtractInfo(beam.PTransform):
    """Articles -> Articles with entities, places, amounts, dates, quotes and keywords."""

    def __init__(self, config: ExtractConfig | None = None) -> None:
        super().__init__()
        self.config = config or ExtractConfig()

    def expand(self, articles: beam.PCollection[Article]) -> beam.PCollection[Article]:
        return articles | "ExtractEntitiesAmountsDatesQuotes" >> beam.ParDo(
            ExtractDoFn(self.config)
        )


__all__ = ["ExtractConfig", "ExtractDoFn", "ExtractInfo", "extract_article", "get_extractor"]
