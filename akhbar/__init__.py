"""akhbar: Apache Beam pipelines that ingest Arabic news into partitioned Parquet.

The public Python API is small and stable (README, "Python API"):

- ``akhbar.ingest(inputs=..., feeds=..., output=..., **options) -> RunRecord``: one batch run,
  the same as ``akhbar ingest`` on the command line;
- ``akhbar.connect(output)``: a DuckDB connection with the views ``articles``, ``duplicates``,
  ``rejects``, ``runs`` and ``stories``;
- ``akhbar.RunRecord``: the typed run record both return or read.

Everything else (``akhbar.pipelines``, ``akhbar.transforms``, ``akhbar.schemas``) is importable
but internal. Names are imported lazily so that ``import akhbar`` stays fast and loads neither
Beam nor DuckDB until they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from akhbar import _quiet_imports

_quiet_imports.install()  # importing Beam would print a warning and configure logging

__all__ = ["RunRecord", "connect", "ingest"]

if TYPE_CHECKING:
    from akhbar.pipelines.api import RunRecord, connect, ingest


def __getattr__(name: str) -> Any:
    if name in __all__:
        from akhbar.pipelines import api

        return getattr(api, name)
    raise AttributeError(f"module 'akhbar' has no attribute {name!r}")
