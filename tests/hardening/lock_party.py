"""A process that takes an ``OutputLock`` when told to: the contender of the lock tests.

    python -m tests.hardening.lock_party OUTPUT BARRIER [--storage JSON] [--wait S]
        [--clock-offset S]

It prints ``ready`` once imported, then spins until the file BARRIER exists, so that a test
releases any number of them at the same moment by creating it (a line on each one's stdin
would wake them one after the other, and a race between processes that arrive a millisecond
apart is no race). It then tries the lock and prints one JSON line,
``{"won": bool, "pid": int, "message": str}``. A winner holds the lock until stdin gives it
another line (or closes), then releases it and prints ``released``. A test that kills a winner
with SIGKILL leaves a lock whose holder died.

``Party`` is the test side of that protocol.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("barrier")
    parser.add_argument("--storage", default=None, help="storage settings as JSON")
    parser.add_argument("--wait", type=float, default=0.0)
    parser.add_argument("--clock-offset", type=float, default=None, help="seconds added to now")
    args = parser.parse_args()
    from akhbar.transforms.lock import OutputLock, OutputLocked

    kwargs: dict[str, Any] = {}  # only what is asked, so the same script drives older locks
    if args.storage:
        kwargs["storage"] = json.loads(args.storage)
    if args.clock_offset is not None:
        offset = args.clock_offset
        kwargs["clock"] = lambda: time.time() + offset
    lock = OutputLock(args.output, args.wait, **kwargs)
    print("ready", flush=True)
    while not os.path.exists(args.barrier):
        os.sched_yield()
    try:
        lock.__enter__()
    except OutputLocked as exc:
        print(json.dumps({"won": False, "pid": os.getpid(), "message": str(exc)}), flush=True)
        return
    print(json.dumps({"won": True, "pid": os.getpid(), "message": ""}), flush=True)
    sys.stdin.readline()
    lock.__exit__(None, None, None)
    print("released", flush=True)


class Party:
    """One contender process, driven line by line."""

    def __init__(self, output: str, barrier: Path, *args: str) -> None:
        self.barrier = barrier
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.hardening.lock_party", output, str(barrier), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        self.pid = self.proc.pid
        self.outcome: dict[str, Any] = {}

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=60)
            raise AssertionError(f"contender {self.pid} ended: {self.stderr()}")
        return line.strip()

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read() if self.proc.poll() is not None else "(still running)"

    def ready(self) -> Party:
        assert self._line() == "ready"
        return self

    def go(self) -> None:
        """Release it (and every other party waiting on the same barrier)."""
        self.barrier.touch()

    def result(self) -> dict[str, Any]:
        self.outcome = json.loads(self._line())
        return self.outcome

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("release\n")
        self.proc.stdin.flush()
        assert self._line() == "released"
        assert self.proc.wait(timeout=60) == 0, self.stderr()

    def kill(self) -> None:
        """Die holding whatever it holds (and be reaped, so its pid is gone)."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def race(parties: list[Party]) -> tuple[Party, list[Party]]:
    """Release parties sharing one barrier at once; (the one winner, the others). Asserts that
    exactly one won."""
    for party in parties:
        party.ready()
    parties[0].go()
    for party in parties:
        party.result()
    winners = [p for p in parties if p.outcome["won"]]
    assert len(winners) == 1, [p.outcome for p in parties]
    return winners[0], [p for p in parties if not p.outcome["won"]]


if __name__ == "__main__":
    main()
