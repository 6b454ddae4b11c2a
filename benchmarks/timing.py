"""Whole-process timing: wall time and peak RSS of a command, median of N runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Measurement:
    label: str
    articles: int
    runs: list[float]
    peak_rss_mb: float

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs)

    @property
    def per_second(self) -> float:
        return self.articles / self.median_s if self.median_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "median_s": round(self.median_s, 3),
            "articles_per_s": round(self.per_second, 1),
        }


def run_once(
    cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run of ``cmd`` and everything it waited for.

    ``os.wait4`` gives the child's own resource usage, whose ``ru_maxrss`` covers the child and
    the descendants it reaped (the Beam SDK worker processes), which is the memory a user pays.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode(errors="replace")[-3000:] if proc.stderr else ""
        raise RuntimeError(f"{' '.join(cmd)} failed: {err}")
    return elapsed, usage.ru_maxrss / 1024.0


def measure(
    label: str, articles: int, cmd: list[str], repeat: int = 3, **kwargs: Any
) -> Measurement:
    runs, peak = [], 0.0
    for _ in range(repeat):
        seconds, rss = run_once(cmd, **kwargs)
        runs.append(round(seconds, 3))
        peak = max(peak, rss)
    return Measurement(label, articles, runs, round(peak, 1))
