"""Clean -> normalize -> basic extraction, fused into one step per item.

These are cheap per item, and Beam charges per element per step, so they run as one DoFn.
Each stage stays a separate pure function in its own module (clean, normalize, extract).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import apache_beam as beam

from akhbar.schemas.records import Article, RawItem, Reject, make_reject, stable_id, visible
from akhbar.transforms import coders  # noqa: F401  (registers the record coders)
from akhbar.transforms.accounting import AlreadyIngested
from akhbar.transforms.bounds import DEFAULT_MAX_TEXT_CHARS
from akhbar.transforms.clean import CleanConfig, clean_field, clean_line, clean_text, truncate_text
from akhbar.transforms.dedup.keys import dedup_key
from akhbar.transforms.dedup.minhash import MinhashConfig
from akhbar.transforms.dedup.urls import canonical_url, url_key
from akhbar.transforms.extract.dates import dateline_date
from akhbar.transforms.extract.metadata import clean_names, resolve_published, word_count
from akhbar.transforms.identity import item_key
from akhbar.transforms.ingested import KeySet
from akhbar.transforms.normalize import NormalizeConfig, detect_language, normalize_fast
from akhbar.transforms.progress import ProgressCounter

REJECTS_TAG = "rejects"
ALREADY_TAG = "already_ingested"
KEYS_TAG = "keys"
# Formats whose date comes from the article page itself (JSON-LD, <meta>), not from a feed.
PAGE_FORMATS = frozenset({"html", "warc"})
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


def raw_item_key(raw: RawItem) -> str:
    """``item_key`` of a raw item (``transforms.identity``), from the fields as the input gave
    them: the source as the article row will name it, the guid, the URL, else the raw text."""
    source = clean_field(raw.source) or "unknown"
    content = (raw.title or "") + "\n" + (raw.body or raw.summary or "")
    return item_key(source, clean_field(raw.guid), raw.url, content)


def row_id(raw: RawItem, key: str) -> str:
    """The row id: the source's id (which includes where the item was read). An item with
    neither guid nor URL is known only by its text, so its id includes the item key too: a
    different text at the same place of a rewritten file must not reuse an earlier row's id."""
    return raw.item_id if (raw.guid or raw.url) else stable_id(raw.item_id, key)


def published_from(raw: RawItem) -> str:
    """Where a date the input gave came from: its page (saved HTML, WARC, a fetched page) or
    the feed item / record."""
    return raw.published_from or ("page" if raw.input_format in PAGE_FORMATS else "feed")


def prepare_item(
    raw: RawItem, config: PrepareConfig, now: datetime, ingested: KeySet | None = None
) -> Article | Reject | AlreadyIngested:
    """One RawItem -> an Article ready for dedup, a Reject with the reason, or, when its
    ``item_key`` is in ``ingested`` (what the output already holds), AlreadyIngested."""
    key = raw_item_key(raw)
    result = _prepare(raw, config, now, key, row_id(raw, key))
    if ingested is not None and ingested.content_of(key) is not None:
        text_hash = result.content_hash if isinstance(result, Article) else None
        return AlreadyIngested(result.id, changed=ingested.changed(key, text_hash))
    return result


def _prepare(
    raw: RawItem, config: PrepareConfig, now: datetime, key: str, rid: str
) -> Article | Reject:
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
            rid,
            item_key=key,
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
    published = resolve_published(raw.published_at, raw.published_raw, now)
    date_origin = published_from(raw)
    if published is None:
        published = dateline_date(normalized, now)
        date_origin = "text" if published is not None else "none"
    # Metadata goes out as given but without control characters or lone surrogates (which
    # Parquet cannot store): see clean_field and visible.
    return Article(
        id=rid,
        item_key=key,
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
        published_at=published,
        published_raw=clean_field(raw.published_raw),
        published_from=date_origin,
        page_fetch=raw.page_fetch,
        language=language,
        language_declared=clean_field(raw.language_declared),
        authors=clean_names(raw.authors),
        categories=clean_names(raw.categories),
        word_count=word_count(text),
        char_count=len(text),
        truncated=cut or summary_cut or title_cut,
    )


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class PrepareDoFn(beam.DoFn):
    """Thin wrapper: Articles on the main output, Rejects on ``rejects``, AlreadyIngested on
    ``already_ingested``, and with ``keys`` set each article's ``DedupKey`` on ``keys`` (signed
    when ``minhash`` is given): dedup then works on the keys while the bodies wait here.

    "Now" (for the plausible-date window and the rejects' time) is ``now`` when given, the run's
    start in batch, so that a run gives the same rows whenever it is replayed; else ``clock()``
    for each element, which a stream needs: a start time frozen for days would make every date
    after start + 2 days implausible.
    """

    def __init__(
        self,
        config: PrepareConfig,
        now: datetime | None,
        progress_dir: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        keys: bool = False,
        minhash: MinhashConfig | None = None,
        blocks: Mapping[str, frozenset[int]] | None = None,
    ) -> None:
        self.config = config
        self.now = now
        self.progress_dir = progress_dir
        self.clock = clock
        self.keys = keys
        self.minhash = minhash
        self.blocks = dict(blocks or {})  # source -> sentences it repeats (dedup.blocks)

    def setup(self) -> None:
        self.progress = ProgressCounter(self.progress_dir)

    def finish_bundle(self) -> None:
        self.progress.flush()

    def process(
        self, raw: RawItem, ingested: KeySet | None = None
    ) -> Iterator[Article | beam.pvalue.TaggedOutput]:
        now = self.now or self.clock()
        try:
            result = prepare_item(raw, self.config, now, ingested)
        except Exception as exc:  # a bug on one item must not kill the run; it is recorded
            yield beam.pvalue.TaggedOutput(
                REJECTS_TAG,
                make_reject(
                    raw.origin,
                    "clean",
                    "clean:internal-error",
                    repr(exc)[:300],
                    raw.body,
                    now,
                    raw.fetched_at,
                    raw.source,
                    raw.item_id,
                    item_key=raw.item_id,
                ),
            )
            return
        if isinstance(result, AlreadyIngested):
            self.progress.add("already")
            yield beam.pvalue.TaggedOutput(ALREADY_TAG, result)
        elif isinstance(result, Reject):
            self.progress.add("filtered")
            yield beam.pvalue.TaggedOutput(REJECTS_TAG, result)
        else:
            self.progress.add("prepared")
            yield result
            if self.keys:
                blocks = self.blocks.get(result.source, frozenset())
                yield beam.pvalue.TaggedOutput(KEYS_TAG, dedup_key(result, self.minhash, blocks))


class PrepareArticles(beam.PTransform):
    """RawItems -> (articles, rejects, already_ingested[, keys]).

    ``ingested``: a singleton PCollection of the output's ``KeySet``
    (``transforms.ingested.IngestedKeys``), or None when nothing can be there yet. ``keys``:
    also output each article's ``DedupKey`` (signed for near dedup with ``minhash``, after
    cutting each source's learned ``blocks``).
    """

    def __init__(
        self,
        config: PrepareConfig,
        now: datetime | None,
        progress_dir: str | None = None,
        ingested: beam.PCollection | None = None,
        clock: Callable[[], datetime] = utc_now,
        keys: bool = False,
        minhash: MinhashConfig | None = None,
        blocks: Mapping[str, frozenset[int]] | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.now = now
        self.progress_dir = progress_dir
        self.ingested = ingested
        self.clock = clock
        self.keys = keys
        self.minhash = minhash
        self.blocks = blocks

    def expand(self, raw_items):
        side = () if self.ingested is None else (beam.pvalue.AsSingleton(self.ingested),)
        fn = PrepareDoFn(
            self.config,
            self.now,
            self.progress_dir,
            self.clock,
            self.keys,
            self.minhash,
            self.blocks,
        )
        tags = (REJECTS_TAG, ALREADY_TAG, KEYS_TAG) if self.keys else (REJECTS_TAG, ALREADY_TAG)
        return raw_items | "CleanNormalizeExtract" >> beam.ParDo(fn, *side).with_output_types(
            Article
        ).with_outputs(*tags, main="articles")


def keyed(reject: Reject) -> Reject:
    """A reject that no reader keyed (a fetch failure: an event of this run) is its own item."""
    return reject if reject.item_key else replace(reject, item_key=reject.id)


def skip_ingested_reject(
    reject: Reject, ingested: KeySet | None = None
) -> Iterator[Reject | beam.pvalue.TaggedOutput]:
    """A reader's reject goes on unless an earlier run already recorded it (same item key)."""
    reject = keyed(reject)
    if ingested is not None and ingested.content_of(reject.item_key) is not None:
        yield beam.pvalue.TaggedOutput(ALREADY_TAG, AlreadyIngested(reject.id))
    else:
        yield reject


class SkipIngestedRejects(beam.PTransform):
    """Readers' rejects -> (rejects to write, already_ingested)."""

    def __init__(self, ingested: beam.PCollection | None = None) -> None:
        super().__init__()
        self.ingested = ingested

    def expand(self, rejects):
        side = () if self.ingested is None else (beam.pvalue.AsSingleton(self.ingested),)
        return rejects | "SkipRecorded" >> beam.FlatMap(skip_ingested_reject, *side).with_outputs(
            ALREADY_TAG, main="rejects"
        )
