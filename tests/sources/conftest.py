"""Fixtures for the source-reader tests: a fixed clock and a reader that splits items from rejects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.records import RawItem, Reject
from transforms.sources.files import InputFile, read_input_file

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)

Split = tuple[list[RawItem], list[Reject]]


def split(results: list[RawItem | Reject]) -> Split:
    """(items, rejects), checking that nothing else came out of a reader."""
    items = [r for r in results if isinstance(r, RawItem)]
    rejects = [r for r in results if isinstance(r, Reject)]
    assert len(items) + len(rejects) == len(results)
    return items, rejects


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def read_path() -> Callable[[Path], Split]:
    """Run ``read_input_file`` on one path (displayed by its name), fully consumed."""

    def read(path: Path) -> Split:
        return split(list(read_input_file(InputFile(str(path), path.name), NOW)))

    return read
