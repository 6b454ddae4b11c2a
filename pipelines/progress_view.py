"""Live progress on a terminal while a local run works; one line per stage otherwise."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from akhbar.transforms.progress import read_progress

T = TypeVar("T")

STAGES = (
    ("read", "items read"),
    ("prepared", "cleaned and normalized"),
    ("filtered", "rejected by filters"),
    ("already", "already ingested by earlier runs"),
    ("written:articles", "articles written"),
    ("written:duplicates", "duplicates written"),
    ("written:rejects", "rejects written"),
)


def render(counts: dict[str, int], elapsed: float) -> Any:
    from rich.table import Table

    table = Table(title=f"akhbar ingest — {elapsed:5.1f} s", show_header=False, box=None)
    for key, label in STAGES:
        table.add_row(label, f"{counts.get(key, 0):>10,}")
    return table


def with_progress(folder: str, work: Callable[[], T], stream: Any = None) -> T:
    """Run ``work`` while showing the counts workers write to ``folder``.

    On a TTY a rich live table refreshes twice a second; elsewhere nothing is drawn while
    running and one line per stage is logged at the end.
    """
    stream = stream or sys.stderr
    started = time.monotonic()
    if not stream.isatty():
        result = work()
        counts = read_progress(folder)
        for key, label in STAGES:
            print(f"stage {key:<20} {counts.get(key, 0):>10}  {label}", file=stream)
        return result
    from rich.console import Console
    from rich.live import Live

    done = threading.Event()
    with Live(render({}, 0.0), console=Console(file=stream), refresh_per_second=4) as live:

        def refresh() -> None:
            while not done.wait(0.5):
                live.update(render(read_progress(folder), time.monotonic() - started))

        thread = threading.Thread(target=refresh, daemon=True)
        thread.start()
        try:
            return work()
        finally:
            done.set()
            thread.join()
            live.update(render(read_progress(folder), time.monotonic() - started))
