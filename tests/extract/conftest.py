"""Shared helpers for the extraction tests: one loaded extractor, and a way to run it on text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from akhbar.transforms.extract import ExtractConfig, get_extractor
from akhbar.transforms.extract.engine import Extractor

PUBLISHED = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)  # a Sunday


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return get_extractor(ExtractConfig())


def run(extractor: Extractor, text: str, published: datetime = PUBLISHED) -> dict[str, Any]:
    return extractor.fields(text, published)


def entity_set(out: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["type"], e["normalized"]) for e in out["entities"]}
