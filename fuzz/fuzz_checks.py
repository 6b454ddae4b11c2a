"""What every fuzz input must satisfy after a reader and the prepare step have seen it.

Shared by the harnesses; each one feeds bytes to a reader and passes its results here. A failed
assertion (or any exception) is a finding: libFuzzer saves the input as ``crash-*``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

import pyarrow as pa

from akhbar.schemas.records import Article, RawItem, Reject, as_row, table_schema
from akhbar.transforms.prepare import PrepareConfig, prepare_item

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
CONFIG = PrepareConfig(min_text_chars=1, max_text_chars=5_000)
SPECIFIC_REASON = re.compile(r"[a-z]+:[a-z0-9-]+")
FORBIDDEN_IN_TEXT = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def check(results: Iterable[RawItem | Reject]) -> None:
    """Readers never raise; rejects say why; items survive prepare and fit the Arrow schema."""
    rows: dict[str, list[dict]] = {"articles": [], "rejects": []}
    for result in results:
        if isinstance(result, Reject):
            assert SPECIFIC_REASON.fullmatch(result.reason), result.reason
            assert "internal-error" not in result.reason, result
            rows["rejects"].append(as_row(result))
            continue
        assert isinstance(result, RawItem), type(result)
        prepared = prepare_item(result, CONFIG, NOW)
        if isinstance(prepared, Reject):
            rows["rejects"].append(as_row(prepared))
            continue
        assert isinstance(prepared, Article)
        for text in (prepared.text, prepared.title or "", prepared.summary or ""):
            assert not FORBIDDEN_IN_TEXT.search(text), repr(text)
            assert "<script" not in text.lower(), repr(text)
            assert len(text) <= CONFIG.max_text_chars
        rows["articles"].append(as_row(prepared))
    for table, batch in rows.items():
        pa.Table.from_pylist(batch, schema=table_schema(table))  # the writer's own conversion
