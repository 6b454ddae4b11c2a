"""Silence one warning Apache Beam prints when it is imported, without touching logging.

``import apache_beam`` imports its BigQuery client package, which calls ``logging.warning(
"apitools not found ...")`` when the optional GCP client libraries are not installed (akhbar
does not use them). A bare ``logging.warning`` on an unconfigured root logger also calls
``logging.basicConfig()``, so besides the noise, importing akhbar would have installed a stderr
handler on the user's root logger. A global logging filter would hide the message but keep that
side effect, so instead this finder wraps the import of that one module: while it runs, the root
logger has a handler (so ``basicConfig`` does nothing) that drops exactly this message and hands
anything else to ``logging.lastResort``, as an unconfigured logger would have.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

NOISY_MODULE = "apache_beam.io.gcp.internal.clients.bigquery"
NOISE = "apitools not found"


class _DropNoise(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if NOISE in record.getMessage():
            return
        last_resort = logging.lastResort
        if last_resort is not None and record.levelno >= last_resort.level:
            last_resort.handle(record)


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        root = logging.getLogger()
        handler = _DropNoise() if not root.handlers else None
        if handler is None:  # the user configured logging: a filter on their handlers' path
            root.addFilter(_drop_noise_filter)
        else:
            root.addHandler(handler)
        try:
            self.inner.exec_module(module)
        finally:
            if handler is None:
                root.removeFilter(_drop_noise_filter)
            else:
                root.removeHandler(handler)

    def __getattr__(self, name: str) -> Any:  # get_source, is_package ... for tracebacks
        return getattr(self.inner, name)


def _drop_noise_filter(record: logging.LogRecord) -> bool:
    return NOISE not in record.getMessage()


class QuietBeamImport(importlib.abc.MetaPathFinder):
    """Finds ``NOISY_MODULE`` like the normal path finder, with a loader that keeps it quiet."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != NOISY_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install() -> None:
    """Idempotent; a no-op once Beam has been imported (its warning is already out)."""
    if NOISY_MODULE in sys.modules:
        return
    if not any(isinstance(f, QuietBeamImport) for f in sys.meta_path):
        sys.meta_path.insert(0, QuietBeamImport())
