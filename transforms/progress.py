"""Live progress counters that work across Beam worker processes on one machine.

Beam metrics are only readable after a local run ends, so workers also write their running
counts to small JSON files (one per DoFn instance, replaced atomically at most twice a second)
in a folder the command line watches. Remote runners simply get no live view; the end-of-run
summary comes from the run record either way.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path


class ProgressCounter:
    """Counts per stage for one DoFn instance; ``folder=None`` turns it off."""

    def __init__(self, folder: str | None, min_interval: float = 0.5) -> None:
        self.folder = folder
        self.min_interval = min_interval
        self.counts: dict[str, int] = {}
        self.name = f"{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
        self.last = 0.0

    def add(self, stage: str, n: int = 1) -> None:
        if self.folder is None:
            return
        self.counts[stage] = self.counts.get(stage, 0) + n
        now = time.monotonic()
        if now - self.last >= self.min_interval:
            self.flush()
            self.last = now

    def flush(self) -> None:
        if self.folder is None or not self.counts:
            return
        folder = Path(self.folder)
        if not folder.is_dir():
            # A worker on another machine (Dask, Flink, Dataflow): the folder is the driver's,
            # not here; creating it would only leave stray folders on the workers.
            return
        try:
            temp = folder / f".{self.name}.tmp"
            temp.write_text(json.dumps(self.counts))
            temp.replace(folder / self.name)
        except OSError:
            pass  # progress is best effort; it must never fail a run


def read_progress(folder: str) -> dict[str, int]:
    """Sum of every worker's counts."""
    totals: dict[str, int] = {}
    for path in Path(folder).glob("*.json"):
        try:
            counts = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for stage, n in counts.items():
            totals[stage] = totals.get(stage, 0) + int(n)
    return totals
