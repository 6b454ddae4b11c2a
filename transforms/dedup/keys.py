"""What deduplication needs of an article, without its text: the ``DedupKey``.

Dedup decides on small keys and the bodies stay where they are (issue 19's "lean data plane"):
an article's text and normalized text are 80-90% of its bytes, and every shuffle that carried
them cost time and memory in every worker and, on the local runner, in the runner process.
The key carries what the decisions and the ``duplicates`` rows need (ids, source, URL key,
content hash, publication order, the fields of a duplicate row) plus, for near dedup, the
MinHash signature and the shingle hashes, computed once where the text is (the prepare step).

The canonical articles' bodies then meet their story's decision once, as a side input
(``transforms.dedup.route``), on their way to extraction and the writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from akhbar.schemas.records import Article, compact_pickle
from akhbar.transforms.dedup.blocks import sentence_hashes, strip_blocks
from akhbar.transforms.dedup.features import EMPTY, TextFeatures, text_features
from akhbar.transforms.dedup.minhash import MinhashConfig, matching_text, shingle_sequence, tokens
from akhbar.transforms.normalize import normalize_fast

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@compact_pickle
@dataclass(slots=True)
class DedupKey:
    """An article for deduplication: everything but its text (see the module docstring).

    It has the attributes of ``Article`` that dedup reads, under the same names, so the dedup
    functions take either (unit tests pass Articles; the pipeline passes keys).
    """

    id: str
    source: str
    origin: str
    fetched_at: datetime
    guid: str | None
    url: str | None
    url_key: str | None
    title: str | None
    content_hash: str
    published_at: datetime | None
    item_key: str = ""
    published_from: str = "none"
    cluster_id: str | None = None
    # near dedup (empty when it is off): MinHash signature, shingle count, shingle hashes
    signature: bytes = b""
    shingles: int = 0
    shingle_hashes: bytes = b""
    # verification features (transforms.dedup.features): marks, numbers, names, lead signature
    marks: bytes = b""
    numbers: bytes = b""
    names: bytes = b""
    lead: bytes = b""
    rare: bytes = b""
    title_words: bytes = b""
    slots: bytes = b""  # (context, value) pairs of its numbers and names
    sentences: bytes = b""  # hashes of its block-sized sentences (learning repeated blocks)
    # set by near dedup: the earlier article this one updates (a follow-up, kept and linked)
    updates_id: str | None = None

    def order_key(self) -> tuple[bool, datetime, str, str]:
        """``Article.order_key``: earliest published first, then a stable tie-break."""
        return (self.published_at is None, self.published_at or FAR_FUTURE, self.source, self.id)

    @property
    def partition_date(self) -> str:
        moment = self.published_at or self.fetched_at
        return moment.astimezone(UTC).strftime("%Y-%m-%d")


def dedup_key(
    article: Article, config: MinhashConfig | None, blocks: frozenset[int] = frozenset()
) -> DedupKey:
    """The key of ``article``; with ``config``, signed for near dedup (one shingling, one hash
    of each shingle: ``features.text_features``).

    ``blocks``: hashes of the sentences this article's source repeats in many articles
    (``transforms.dedup.blocks``, learned by earlier runs); they are cut before shingling.
    The key is built once, with every field (``dataclasses.replace`` of a 25-field key cost
    10 µs an article).
    """
    if config is None:
        return _key(article)
    text = matching_text(article.text_normalized, config)
    sentences = sentence_hashes(text)
    if blocks:
        text = strip_blocks(text, blocks)
    words = tokens(text)
    features = text_features(
        text,
        words,
        shingle_sequence(words, config),
        config.shingle_size,
        config.num_perm,
        config.seed,
        config.lead_words,
        normalize_fast(article.title) if article.title else None,
    )
    return _key(article, features, sentences)


def _key(article: Article, features: TextFeatures = EMPTY, sentences: bytes = b"") -> DedupKey:
    return DedupKey(
        id=article.id,
        source=article.source,
        origin=article.origin,
        fetched_at=article.fetched_at,
        guid=article.guid,
        url=article.url,
        url_key=article.url_key,
        title=article.title,
        content_hash=article.content_hash,
        published_at=article.published_at,
        item_key=article.item_key,
        published_from=article.published_from,
        cluster_id=article.cluster_id,
        signature=features.signature,
        shingles=features.size,
        marks=features.marks,
        numbers=features.numbers,
        names=features.names,
        lead=features.lead,
        rare=features.rare,
        title_words=features.title,
        slots=features.slots,
        sentences=sentences,
    )
