"""The same tables whatever the local runner's mode: FnApiRunner in one process (the
reference) and its multi-processing mode, on 2,000 ANT articles. Real engines (Prism, Flink,
Spark) are compared in ``tests/engines``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cluster.conftest import assert_committed, assert_same_tables, ingest, write_ant_slice

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ant_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ant_slice(tmp_path_factory.mktemp("ant") / "in")


def test_multi_processing_ant_slice_equal_fnapi(tmp_path: Path, ant_slice: Path) -> None:
    reference = tmp_path / "reference"
    ingest(reference, "--input", str(ant_slice))
    record = ingest(
        tmp_path / "multi",
        "--input",
        str(ant_slice),
        "--direct_running_mode=multi_processing",
        "--direct_num_workers=2",
    )
    assert record["read"] == 2000
    assert_committed(tmp_path / "multi", record)
    assert_same_tables(tmp_path / "multi", reference)
