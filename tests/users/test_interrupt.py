"""Ctrl-C: one line, exit code 130, and the next run resumes (README, "Exit codes").

``test_cli_errors.py`` interrupts ``akhbar ingest`` on the local runner; here the other two
ways a user meets it: ``akhbar stream``, which runs until stopped, and an ingest whose steps run
in worker processes (``multi_processing``, which akhbar picks by itself for inputs of 32 MB and
more), where the terminal's SIGINT reaches every worker too and each used to print its own
traceback.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import akhbar_cmd
from tests.feeds.conftest import FeedServer, feeds_file
from tests.feeds.conftest import feed_server as feed_server  # the fixture
from tests.users.interrupting import interrupt_when, jsonl_articles

STREAM_INTERRUPTED = (
    "akhbar stream: interrupted: windows already committed stay, the rest was not committed; "
    "run again to resume"
)


@pytest.mark.slow
def test_stream_interrupted_while_polling_exits_130_and_runs_again(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.add_items("live.xml", 4)
    feeds = feeds_file(tmp_path, feed_server, "live.xml")
    argv = [
        *akhbar_cmd(),
        "stream",
        "--feeds",
        str(feeds),
        "--output",
        "out",
        "--poll-interval",
        "1",
        "--allow-private-network",
        "--host-delay",
        "0.01",
    ]
    proc = interrupt_when(argv, tmp_path, lambda: bool(feed_server.requests_for("/live.xml")))
    assert proc.returncode == 130, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == STREAM_INTERRUPTED
    again = subprocess.run(
        [*argv, "--duration", "3"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "read 4 = articles 4" in again.stdout and "OK" in again.stdout


@pytest.mark.slow
def test_ingest_with_worker_processes_interrupted_is_one_line(tmp_path: Path) -> None:
    source = jsonl_articles(tmp_path / "big.jsonl", 3000)
    work = tmp_path / "tmp"
    work.mkdir()
    proc = interrupt_when(
        [
            *akhbar_cmd(),
            "ingest",
            "--input",
            str(source),
            "--output",
            "out",
            "--direct_running_mode=multi_processing",
            "--direct_num_workers=2",
        ],
        tmp_path,
        lambda: any(work.glob("akhbar-progress-*/*.json")),  # items flow through the workers
        env={"TMPDIR": str(work)},
    )
    assert proc.returncode == 130, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "KeyboardInterrupt" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        "akhbar ingest: interrupted: nothing was committed; run again to resume"
    )
