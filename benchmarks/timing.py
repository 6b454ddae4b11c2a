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

import contextlib
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
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


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, now."""
    kids = _children()
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid not in found:
            found.append(pid)
            stack.extend(kids.get(pid, ()))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of ``pids`` and of the children they have waited for, now (from
    /proc/PID/stat); processes that are gone count 0."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / ticks


def memory_limit_mb(share: float = 0.75) -> float:
    """``share`` of the machine's memory (MemTotal), in MB: above it a run is stopped, so
    that a benchmark that outgrows the machine fails alone instead of waking the OOM killer
    on the machine's other work (there is no swap on these machines)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return share * int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("inf")


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
    """Samples the tree's RSS; past ``limit_mb`` it kills the run's own processes (by pid,
    never the extra roots: a cluster that was running before the run is not the run's)."""

    def __init__(
        self,
        pid: int,
        extra_roots: Callable[[], list[int]] | None = None,
        limit_mb: float = float("inf"),
    ) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()
        self.extra_roots = extra_roots
        self.limit_mb = limit_mb
        self.killed_at: tuple[float, float] | None = None  # (seconds after start, MB)
        self.started = time.perf_counter()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_S):
            extra = self.extra_roots() if self.extra_roots else []
            now = tree_rss_mb(self.pid) + sum(tree_rss_mb(pid) for pid in extra)
            self.peak = max(self.peak, now)
            if now > self.limit_mb and self.killed_at is None:
                self.killed_at = (time.perf_counter() - self.started, now)
                for pid in reversed(descendants(self.pid)):
                    with contextlib.suppress(OSError):  # already gone
                        os.kill(pid, signal.SIGKILL)


@dataclass(frozen=True)
class RunOnce:
    """One whole-process run: wall and CPU seconds, memory, the load before it, and (in a
    terminal) when the program wrote to it and what (``frames``: seconds after start, text)."""

    seconds: float
    peak_rss_mb: float
    tree_rss_mb: float
    cpu_s: float
    load_before: float
    frames: list[tuple[float, str]]


def _drain(master: int, started: float, frames: list[tuple[float, str]]) -> None:
    """Read a pty until the child side closes, stamping each chunk (the child must never
    block on a full terminal buffer)."""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            return
        if not chunk:
            return
        frames.append((time.perf_counter() - started, chunk.decode("utf-8", "replace")))


def _terminal(columns: int = 120, lines: int = 40) -> tuple[int, int]:
    """A pseudo-terminal (master, slave) of a fixed size, so that a program that draws a live
    display (rich) draws it as it would for a person."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    return master, slave


def run_once(
    cmd: list[str],
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    terminal: bool = False,
    extra_roots: Callable[[], list[int]] | None = None,
    limit_mb: float | None = None,
) -> RunOnce:
    """Run ``cmd`` to its end and measure it (see ``RunOnce``).

    ``os.wait4`` gives the child's own resource usage, whose ``ru_maxrss`` covers the child and
    the descendants it reaped (the Beam SDK worker processes), as a maximum, and whose CPU
    times include them. stderr goes to a temporary file, not a pipe: a chatty process
    (datatrove's logs, ``-X importtime``) would fill a pipe nobody reads while we wait, and
    hang. ``terminal``: stdout and stderr are a pseudo-terminal instead, drained by a thread.
    ``extra_roots``: pids of processes that work for the run without being its descendants
    (a Flink cluster's TaskManagers and worker pool), added to the sampled tree, and the CPU
    they spent during the run (with the workers they reaped) to the run's.
    ``limit_mb`` (default: ``memory_limit_mb()``): the run is killed when the sampled tree
    grows past it, and ``run_once`` raises ``RuntimeError`` saying when and at what size.
    """
    load = os.getloadavg()[0]
    frames: list[tuple[float, str]] = []
    outside = extra_roots() if extra_roots else []
    outside_cpu = cpu_seconds(outside)
    with tempfile.TemporaryFile() as err:
        master = slave = -1
        out: Any = subprocess.DEVNULL
        errors: Any = err
        if terminal:
            master, slave = _terminal()
            out = errors = slave
            env = {**(env or os.environ), "TERM": "xterm-256color", "COLUMNS": "120"}
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=errors, env=env, cwd=cwd)
        reader = None
        if terminal:
            os.close(slave)
            reader = threading.Thread(target=_drain, args=(master, started, frames), daemon=True)
            reader.start()
        limit = memory_limit_mb() if limit_mb is None else limit_mb
        sampler = _TreeSampler(proc.pid, extra_roots, limit)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        if reader is not None:
            reader.join(timeout=10)
            os.close(master)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler.killed_at is not None:
            at, size = sampler.killed_at
            raise RuntimeError(
                f"killed after {at:.0f} s: the process tree held {size:.0f} MB, over the "
                f"benchmark's limit of {limit:.0f} MB ({' '.join(cmd[:6])} ...)"
            )
        if proc.returncode != 0:
            if terminal:
                tail = "".join(text for _t, text in frames)[-3000:]
            else:
                err.seek(0)
                tail = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {tail}")
    peak = usage.ru_maxrss / 1024.0
    cpu = usage.ru_utime + usage.ru_stime + cpu_seconds(outside) - outside_cpu
    return RunOnce(elapsed, peak, max(sampler.peak, peak), cpu, load, frames)


def measure(
    label: str, articles: int, cmd: list[str], repeat: int = 3, **kwargs: Any
) -> Measurement:
    runs, peak, tree = [], 0.0, 0.0
    for _ in range(repeat):
        once = run_once(cmd, **kwargs)
        runs.append(round(once.seconds, 3))
        peak, tree = max(peak, once.peak_rss_mb), max(tree, once.tree_rss_mb)
    return Measurement(label, articles, runs, round(peak, 1), round(tree, 1))
