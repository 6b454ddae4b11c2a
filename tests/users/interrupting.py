"""Helpers of the Ctrl-C tests: an input that takes a few seconds, and SIGINT at a known point.

No sleeps: the caller says what "the run has started" looks like (a file, a request to a test
server), this polls for it with a generous timeout, then sends SIGINT to the command's whole
process group, as a terminal's Ctrl-C does (worker processes included).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

WORDS = [
    "أعلنت",
    "الحكومة",
    "اليوم",
    "عن",
    "خطة",
    "جديدة",
    "لدعم",
    "الاقتصاد",
    "الوطني",
    "وتحسين",
    "الخدمات",
    "العامة",
    "في",
    "المدن",
    "والقرى",
    "مع",
    "زيادة",
    "الاستثمار",
    "في",
    "التعليم",
    "والصحة",
    "والبنية",
    "التحتية",
    "خلال",
    "العام",
    "المقبل",
]


def jsonl_articles(path: Path, count: int, seed: int = 17) -> Path:
    """``count`` distinct short Arabic articles as JSONL (about 1.1 KB each)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            record = {
                "id": f"a{i}",
                "url": f"https://example.com/news/{i}",
                "source": "example.com",
                "title": f"خبر رقم {i}: " + " ".join(rng.choice(WORDS) for _ in range(5)),
                "published": "2026-01-02T10:00:00Z",
                "text": " ".join(rng.choice(WORDS) for _ in range(80)),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def interrupt_when(
    command: list[str],
    cwd: Path,
    started: Callable[[], bool],
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``command``, wait until ``started()`` is true, send SIGINT to its process group,
    and return what it printed and its exit code."""
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    try:
        while not started():
            if proc.poll() is not None:
                out, err = proc.communicate()
                raise AssertionError(f"ended before it started ({proc.returncode}):\n{err[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not started after {timeout} s")
            time.sleep(0.01)  # polling a condition, not waiting for one
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return subprocess.CompletedProcess(command, proc.returncode, out, err)
