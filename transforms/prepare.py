"""Clean -> normalize -> basic extraction, fused into one step per item.

These are cheap per item, and Beam charges per element per step, so they run as one DoFn.
Each stage stays a separate pure function in its own module (clean, normalize, extract).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import apache_beam as beam

from schemas.records import Article, RawItem, Reject, make_reject
from transforms.clean import CleanConfig, clean_line, clean_text
from transforms.dedup.urls import canonical_url, url_key
from transforms.extract.metadata import clean_names, resolve_published, word_count
from transforms.normalize import NormalizeConfig, detect_language, normalize_fast
from transforms.progress import ProgressCounter

REJECTS_TAG = "rejects"


@dataclass(frozen=True, slots=True)
class PrepareConfig:
    """Settings of the clean/normalize/filter step."""

    clean: CleanConfig = field(default_factory=CleanConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    min_text_chars: int = 20
    languages: tuple[str, ...] = ()  # empty: keep every language


def content_hash(text_normalized: str) -> str:
    return hashlib.blake2b(text_normalized.encode("utf-8"), digest_size=16).hexdigest()


def prepare_item(raw: RawItem, config: PrepareConfig, now: datetime) -> Article | Reject:
    """One RawItem -> an Article ready for dedup, or a Reject with the reason."""

    def reject(reason: str, detail: str) -> Reject:
        payload = (raw.title or "") + "\n" + (raw.body or raw.summary or "")
        return make_reject(
            raw.origin,
            "filter",
            reason,
            detail,
            payload,
            now,
            raw.fetched_at,
            raw.source,
            raw.item_id,
        )

    text = clean_text(raw.body, config.clean)
    if not text and raw.summary:
        text = clean_text(raw.summary, config.clean)
    if not text:
        return reject("filter:empty-text", "no text left after removing markup")
    if len(text) < config.min_text_chars:
        return reject("filter:too-short", f"{len(text)} characters < {config.min_text_chars}")
    language = detect_language(text)
    if config.languages and language not in config.languages:
        return reject(
            f"filter:language-{language}", f"language {language} not in {config.languages}"
        )
    normalized = normalize_fast(text, config.normalize)
    summary = (
        clean_text(raw.summary, config.clean) if raw.summary and raw.summary != raw.body else None
    )
    return Article(
        id=raw.item_id,
        source=raw.source,
        origin=raw.origin,
        input_format=raw.input_format,
        fetched_at=raw.fetched_at,
        guid=raw.guid,
        url=canonical_url(raw.url),
        url_original=raw.url,
        url_key=url_key(raw.url),
        title=clean_line(raw.title) or None,
        summary=summary or None,
        text=text,
        text_normalized=normalized,
        content_hash=content_hash(normalized),
        published_at=resolve_published(raw.published_at, raw.published_raw, now),
        published_raw=raw.published_raw,
        language=language,
        language_declared=raw.language_declared,
        authors=clean_names(raw.authors),
        categories=clean_names(raw.categories),
        word_count=word_count(text),
        char_count=len(text),
    )


class PrepareDoFn(beam.DoFn):
    """Thin wrapper: Articles on the main output, Rejects on ``rejects``."""

    def __init__(
        self, config: PrepareConfig, now: datetime, progress_dir: str | None = None
    ) -> None:
        self.config = config
        self.now = now
        self.progress_dir = progress_dir

    def setup(self) -> None:
        self.progress = ProgressCounter(self.progress_dir)

    def finish_bundle(self) -> None:
        self.progress.flush()

    def process(self, raw: RawItem) -> Iterator[Article | beam.pvalue.TaggedOutput]:
        try:
            result = prepare_item(raw, self.config, self.now)
        except Exception as exc:  # a bug on one item must not kill the run; it is recorded
            yield beam.pvalue.TaggedOutput(
                REJECTS_TAG,
                make_reject(
                    raw.origin,
                    "clean",
                    "clean:internal-error",
                    repr(exc)[:300],
                    raw.body,
                    self.now,
                    raw.fetched_at,
                    raw.source,
                    raw.item_id,
                ),
            )
            return
        if isinstance(result, Reject):
            self.progress.add("filtered")
            yield beam.pvalue.TaggedOutput(REJECTS_TAG, result)
        else:
            self.progress.add("prepared")
            yield result


class PrepareArticles(beam.PTransform):
    """RawItems -> (articles, rejects)."""

    def __init__(
        self, config: PrepareConfig, now: datetime, progress_dir: str | None = None
    ) -> None:
        super().__init__()
        self.config = config
        self.now = now
        self.progress_dir = progress_dir

    def expand(self, raw_items):
        return raw_items | "CleanNormalizeExtract" >> beam.ParDo(
            PrepareDoFn(self.config, self.now, self.progress_dir)
        ).with_outputs(REJECTS_TAG, main="articles")
