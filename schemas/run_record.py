"""The run record: what one run read and wrote, as ``OUTPUT/_runs/<run_id>.json``.

One typed record, used three ways: the commit step writes it, ``akhbar ingest`` prints its
summary from it, and ``akhbar.ingest()`` returns it. A dict would let a misspelt key read as
"0" far from the cause; a dataclass fails where the name is wrong. Keys a newer akhbar adds to
the JSON file are kept in ``extra`` when an older one reads it, so reading never fails on them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunRecord:
    """Counts and files of one run. The accounting identity is
    ``read == articles + duplicates + rejects + already_ingested``."""

    run_id: str
    output: str
    read: int = 0
    articles: int = 0
    duplicates: int = 0
    rejects: int = 0
    already_ingested: int = 0
    # items an earlier run wrote under the same source and guid/URL whose text has changed
    # since: counted in already_ingested, never written again (README, "Folders that grow")
    already_ingested_changed: int = 0
    accounted: int = 0
    balanced: bool = False
    input_files: int = 0
    fingerprint: str = ""
    duplicates_by_kind: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    skipped_not_items: dict[str, int] = field(default_factory=dict)
    # where published_at came from, over the written articles and duplicates:
    # feed | page | text | none (none: undated; the fetch time chose the partition)
    published_from: dict[str, int] = field(default_factory=dict)
    # per written article: ok | skipped | failed:<reason>
    enrichment: dict[str, int] = field(default_factory=dict)
    # --fetch-articles, per feed item that needed its page: ok | failed:<reason> | skipped:<why>
    page_fetch: dict[str, int] = field(default_factory=dict)
    feeds: int = 0  # feeds polled (--feeds); their fetch failures are rejects
    near_dedup: dict[str, int] = field(default_factory=dict)
    # partitions of the output holding more than 8 files after this run (``akhbar compact``);
    # counted by the command after the commit, not stored in the record file
    crowded_partitions: int = 0
    files: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    runner: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    akhbar_version: str | None = None
    git_commit: str | None = None
    seconds: float = 0.0  # wall time of the whole command, set by the caller (not stored)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def undated(self) -> int:
        """Rows whose published_at is unknown (partitioned by their fetch time instead)."""
        return self.published_from.get("none", 0)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        """A record read back from ``_runs/*.json`` (older or newer versions included)."""
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        values = {k: v for k, v in data.items() if k in known}
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(**values, extra=extra)

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to ``_runs/<run_id>.json`` (``seconds`` and
        ``crowded_partitions`` are not stored: the command knows them only after the commit)."""
        data = dataclasses.asdict(self)
        extra = data.pop("extra")
        data.pop("seconds")
        data.pop("crowded_partitions")
        return {**extra, **data}

    def with_seconds(self, seconds: float) -> RunRecord:
        return dataclasses.replace(self, seconds=seconds)
