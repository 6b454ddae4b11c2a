"""Clean -> normalize -> basic extraction, fused into one step per item.

These are cheap per item, and Beam charges per element per step, so they run as one DoFn.
Each stage stays a separate pure function in its own module (clean, normalize, extract).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import apache_beam as beam
from akhbar.schemas.records import Article, RawItem, Reject, make_reject, visible
from akhbar.transforms.bounds import DEFAULT_MAX_TEXT_CHARS
from akhbar.transforms.clean import CleanConfig, clean_field, clean_line, clean_text, truncate_text
from akhbar.transforms.dedup.urls import canonical_url, url_key
from akhbar.transforms.extract.metadata import clean_names, resolve_published, word_count
from akhbar.transforms.normalize import NormalizeConfig, detect_language, normalize_fast
from akhbar.transforms.portable import WithOutputs
from akhbar.transforms.progress import ProgressCounter

REJECTS_TAG = "rejects"
# Raw fields are cut at this multiple of max_text_chars before cleaning: markup rarely takes
# more than a few times the text's length, and a 200 MB item must not reach the HTML parser.
RAW_MARKUP_FACTOR = 10


@dataclass(frozen=True, slots=True)
class PrepareConfig:
    """Settings of the clean/normalize/filter step."""

    clean: CleanConfig = field(default_factory=CleanConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    min_text_chars: int = 20
    languages: tuple[str, ...] = ()  # empty: keep every language
    # Longer text, summary or title is cut there and the article flagged ``truncated``: a long
    # document (a law, a live blog) is still news worth keeping, and rejecting it would lose it.
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS

    def __post_init__(self) -> None:
        if self.max_text_chars < 1:
            raise ValueError("PrepareConfig.max_text_chars must be positive")


def _bounded(
    value: str | None, config: PrepareConfig, clean: Callable[[str], str]
) -> tuple[str, bool]:
    """``clean`` applied to a raw field cut first at RAW_MARKUP_FACTOR x the limit, and the
    result cut at the limit; the flag says whether anything was cut."""
    if not value:
        return "", False
    raw_cap = config.max_text_chars * RAW_MARKUP_FACTOR
    text, cut = truncate_text(clean(value[:raw_cap]), config.max_text_chars)
    return text, cut or len(value) > raw_cap


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

    def clean_body(value: str) -> str:
        return clean_text(value, config.clean)

    text, cut = _bounded(raw.body, config, clean_body)
    if not text and raw.summary:
        text, cut = _bounded(raw.summary, config, clean_body)
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
    summary, summary_cut = (
        _bounded(raw.summary, config, clean_body)
        if raw.summary and raw.summary != raw.body
        else ("", False)
    )
    title, title_cut = _bounded(raw.title, config, clean_line)
    # Metadata goes out as given but without control characters or lone surrogates (which
    # Parquet cannot store): see clean_field and visible.
    return Article(
        id=raw.item_id,
        source=clean_field(raw.source) or "unknown",
        origin=visible(raw.origin),
        input_format=raw.input_format,
        fetched_at=raw.fetched_at,
        guid=clean_field(raw.guid),
        url=canonical_url(raw.url),
        url_original=clean_field(raw.url),
        url_key=url_key(raw.url),
        title=title or None,
        summary=summary or None,
        text=text,
        text_normalized=normalized,
        content_hash=content_hash(normalized),
        published_at=resolve_published(raw.published_at, raw.published_raw, now),
        published_raw=clean_field(raw.published_raw),
        language=language,
        language_declared=clean_field(raw.language_declared),
        authors=clean_names(raw.authors),
        categories=clean_names(raw.categories),
        word_count=word_count(text),
        char_count=len(text),
        truncated=cut or summary_cut or title_cut,
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
        return raw_items | "CleanNormalizeExtract" >> WithOutputs(
            beam.ParDo(PrepareDoFn(self.config, self.now, self.progress_dir)),
            REJECTS_TAG,
            main="articles",
        )
