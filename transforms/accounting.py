"""What the commit step counts besides written rows: items read, and items skipped as already
ingested. A low module that sources, prepare and the commit step can all import (they must not
import each other upward)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReadCount:
    """How many items (or whole-file rejects) one input file produced."""

    input: str
    items: int
    skipped: tuple[tuple[str, int], ...] = ()  # records that are not news items (WARC requests...)


@dataclass(frozen=True, slots=True)
class AlreadyIngested:
    """An item an earlier run wrote (same ``item_key``): counted, never written twice.

    ``changed``: its text differs from the version written then (the first version is kept).
    """

    id: str
    changed: bool = False
