"""One writer per output folder: a lock file with stale-lock recovery.

Two runs committing into the same folder would interleave staging, state and stale-file
clean-up. The lock is an exclusive-create file ``OUTPUT/_state/lock`` holding the owner's host,
pid and start time. A lock whose process is gone (same host) or that is older than
``stale_after`` seconds is taken over. Object stores have no exclusive create, so remote outputs
are not locked: schedule them with no concurrent runs (the Airflow DAG and CronJob do).
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path


class OutputLocked(RuntimeError):
    """Another live run holds the output folder."""


@dataclass
class OutputLock:
    output: str
    wait_seconds: float = 0.0
    stale_after: float = 6 * 3600.0
    path: Path | None = None

    def __enter__(self) -> OutputLock:
        if "://" in self.output:
            return self
        self.path = Path(self.output) / "_state" / "lock"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            if self._try_create():
                return self
            holder = self._holder()
            if self._is_stale(holder):
                self.path.unlink(missing_ok=True)
                continue
            if time.monotonic() >= deadline:
                raise OutputLocked(
                    f"{self.output} is locked by {holder or 'another run'} ({self.path}); "
                    "wait for it, or delete the lock file if that run is gone"
                )
            time.sleep(0.5)

    def __exit__(self, *_exc: object) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def _try_create(self) -> bool:
        assert self.path is not None
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as handle:
            json.dump({"host": socket.gethostname(), "pid": os.getpid(), "at": time.time()}, handle)
        return True

    def _holder(self) -> dict[str, object] | None:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _is_stale(self, holder: dict[str, object] | None) -> bool:
        assert self.path is not None
        if holder is None:
            try:  # unreadable: half-written by a process that died, or being written right now
                return time.time() - self.path.stat().st_mtime > 5
            except FileNotFoundError:
                return True
        at = holder.get("at")
        if isinstance(at, int | float) and time.time() - at > self.stale_after:
            return True
        pid = holder.get("pid")
        if holder.get("host") == socket.gethostname() and isinstance(pid, int):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False
        return False
