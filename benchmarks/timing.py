"""Whole-process timing: wall time and peak memory of a command, median of N runs.

Two memory figures per run:

* ``peak_rss_mb``: ``ru_maxrss`` from ``os.wait4``, exact, but the largest *single* process of
  the tree (Linux folds the reaped descendants' maxima in as a max, not a sum);
* ``tree_rss_mb``: the sum of the RSS of the process and all its descendants, sampled every
  ``SAMPLE_S`` seconds from /proc. It is what a multi-process run (Beam's ``multi_processing``
  SDK workers, datatrove's worker pool) costs the machine; sampling can miss a peak shorter
  than the interval, and shared pages are counted once per process (an upper bound).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

SAMPLE_S = 0.2
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MB = 1024.0 * 1024.0


@dataclass(frozen=True)
class Measurement:
    label: str
    articles: int
    runs: list[float]
    peak_rss_mb: float
    tree_rss_mb: float = 0.0

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


def _children() -> dict[int, list[int]]:
    """parent pid -> child pids, from /proc/*/stat (no /proc/PID/task/*/children here)."""
    kids: dict[int, list[int]] = defaultdict(list)
    try:
        entries = os.listdir("/proc")
    except OSError:
        return kids
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so cut at the last ")".
        fields = stat[stat.rindex(b")") + 2 :].split()
        if len(fields) > 1:
            kids[int(fields[1])].append(int(name))
    return kids


def tree_rss_mb(root: int) -> float:
    """Summed resident memory (MB) of ``root`` and its descendants, now; 0 if it is gone."""
    kids = _children()
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(kids.get(pid, ()))
    return total / MB


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_S):
            self.peak = max(self.peak, tree_rss_mb(self.pid))


def run_once(
    cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> tuple[float, float, float]:
    """(seconds, peak RSS MB of the largest process, sampled peak MB of the whole tree).

    ``os.wait4`` gives the child's own resource usage, whose ``ru_maxrss`` covers the child and
    the descendants it reaped (the Beam SDK worker processes), as a maximum. stderr goes to a
    temporary file, not a pipe: a chatty process (datatrove's logs, ``-X importtime``) would
    fill a pipe nobody reads while we wait, and hang.
    """
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {tail}")
    peak = usage.ru_maxrss / 1024.0
    return elapsed, peak, max(sampler.peak, peak)


def measure(
    label: str, articles: int, cmd: list[str], repeat: int = 3, **kwargs: Any
) -> Measurement:
    runs, peak, tree = [], 0.0, 0.0
    for _ in range(repeat):
        seconds, rss, tree_rss = run_once(cmd, **kwargs)
        runs.append(round(seconds, 3))
        peak, tree = max(peak, rss), max(tree, tree_rss)
    return Measurement(label, articles, runs, round(peak, 1), round(tree, 1))
