"""Progress: counters shared through files, a live table on a TTY, stage lines otherwise."""

from __future__ import annotations

import os
import pty
import subprocess
import time
from pathlib import Path

from akhbar.transforms.progress import ProgressCounter, read_progress
from tests.conftest import REPO, SampleRun, akhbar_cmd


def test_counters_from_several_workers_are_summed(tmp_path: Path) -> None:
    first, second = ProgressCounter(str(tmp_path)), ProgressCounter(str(tmp_path))
    first.add("read", 3)
    second.add("read", 4)
    second.add("prepared", 2)
    first.flush()
    second.flush()
    assert read_progress(str(tmp_path)) == {"read": 7, "prepared": 2}


def test_counter_is_throttled_but_flush_writes_everything(tmp_path: Path) -> None:
    counter = ProgressCounter(str(tmp_path), min_interval=60)
    counter.add("read")
    counter.add("read")  # within the interval: not on disk yet
    assert read_progress(str(tmp_path)) == {"read": 1}
    counter.flush()
    assert read_progress(str(tmp_path)) == {"read": 2}


def test_disabled_counter_writes_nothing(tmp_path: Path) -> None:
    counter = ProgressCounter(None)
    counter.add("read")
    counter.flush()
    assert list(tmp_path.iterdir()) == []


def test_non_tty_run_logs_one_line_per_stage(sample_run: SampleRun) -> None:
    """The session's run of the samples had no terminal (its output was captured)."""
    lines = [line.split() for line in sample_run.stderr.splitlines() if line.startswith("stage ")]
    stages = {parts[1]: int(parts[2]) for parts in lines}
    assert stages["read"] == 43
    assert stages["written:articles"] == 39
    assert stages["written:duplicates"] == 3
    assert stages["written:rejects"] == 1


def test_tty_run_shows_a_live_table(tmp_path: Path) -> None:
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [*akhbar_cmd(), "ingest", "--output", str(tmp_path)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        cwd=REPO,
        close_fds=True,
    )
    os.close(secondary)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(primary)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "akhbar ingest —" in screen and "articles written" in screen
    assert "accounting" in screen and "OK" in screen
