"""The extractor: loads resources once, then enriches one article at a time.

Kept apart from the package's ``__init__`` so that importing ``transforms.extract`` (which
``prepare.py`` does for publication dates) loads no gazetteer, no Aho-Corasick automaton and no
camel-tools: those load when an ``Extractor`` is built, in a DoFn's ``setup()`` or on the first
``extract_article`` call.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from akhbar.schemas.records import Article
from akhbar.transforms.extract import amounts as amounts_mod
from akhbar.transforms.extract import entities as entities_mod
from akhbar.transforms.extract import mentions, quotes
from akhbar.transforms.extract.dates import local_time
from akhbar.transforms.extract.gazetteer import load_lexicons
from akhbar.transforms.extract.keywords import load_idf, top_keywords
from akhbar.transforms.extract.offsets import align
from akhbar.transforms.extract.scan import DATE, NUMBER, VERB, read
from akhbar.transforms.normalize import normalize_fast

if TYPE_CHECKING:
    from akhbar.transforms.extract import ExtractConfig


class Extractor:
    """All extractors of one configuration, with their resources loaded."""

    def __init__(self, config: ExtractConfig) -> None:
        self.config = config
        lexicons = load_lexicons(config.gazetteer_dir)
        self.idf = load_idf(config.idf_path)
        self.resources = entities_mod.build_resources(lexicons, self.idf, config.person_list)
        self.segmenter: entities_mod.Segmenter | None = None
        self.ner: entities_mod.SpanSource | None = None
        if config.camel_data:
            from akhbar.transforms.extract.camel import CamelMorphology

            self.segmenter = CamelMorphology(config.camel_data)
        if config.ner_model:
            from akhbar.transforms.extract.camel import CamelNER

            self.ner = CamelNER(config.ner_model, config.camel_data, config.ner_threads)

    def fields(self, text: str, published: datetime, title: str = "") -> dict[str, Any]:
        """The extracted columns for one text (the pure core of ``extract``).

        ``published`` anchors relative dates; give it the article's own UTC offset.
        """
        cfg = self.config
        aligned = align(text)
        found_roles = read(aligned.normalized, self.resources.roles)
        out: dict[str, Any] = {}
        need_entities = cfg.entities or cfg.quotes or cfg.amounts
        found = (
            entities_mod.find_entities(
                aligned, self.resources, self.segmenter, self.ner, found_roles
            )
            if need_entities
            else None
        )
        surfaces: dict[str, str] = {}
        entity_dicts = entities_mod.to_dicts(aligned, found.spans, surfaces) if found else []
        if cfg.entities:
            out["entities"] = entity_dicts
            out["places"] = entities_mod.places(entity_dicts)
        dates = (
            mentions.find_dates(
                aligned.normalized, published, found_roles, found_roles.where(DATE | NUMBER)
            )
            if (cfg.dates or cfg.amounts)
            else []
        )
        if cfg.dates:
            out["dates_mentioned"] = mentions.to_dicts(aligned, dates)
        if cfg.amounts:
            blocked = [(d.start, d.end) for d in dates if d.calendar]
            spans = found.spans if found else []
            found_amounts = amounts_mod.find_amounts(
                found_roles, blocked, spans, cfg.default_country, found_roles.where(NUMBER)
            )
            out["amounts"] = amounts_mod.to_dicts(aligned, found_amounts)
        if cfg.quotes and found is not None:
            found_quotes = quotes.find_quotes(
                aligned.normalized,
                found_roles,
                found.spans,
                found.persons.titles,
                found_roles.where(VERB),
            )
            out["quotes"] = quotes.to_dicts(aligned, found_quotes, surfaces)
        if cfg.keywords:
            out["keywords"] = top_keywords(
                aligned.normalized,
                self.idf,
                cfg.keyword_count,
                normalize_fast(title),
                terms=found_roles.terms(),
            )
        return out

    def extract(self, article: Article) -> Article:
        """A copy of ``article`` with the extracted columns filled; the input is not changed."""
        if article.published_at is not None:
            published = local_time(article.published_at, article.published_raw)
        else:
            published = article.fetched_at or datetime.now(UTC)
        fields = self.fields(article.text, published, article.title or "")
        return replace(article, enrichment="ok", **fields)
