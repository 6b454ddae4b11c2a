"""Eight real ``akhbar ingest`` processes released at the same moment on one output folder.

Not a lock held by the test: the processes race for it. Each reads its feed list from a named
pipe (FIFO), so every process blocks at that read, after its imports and before it reaches
the lock, until the test has opened all eight pipes; the test then writes the lists, and all
eight go on together. The feed they poll is served by the test, which can hold the response:
the run that won the lock stays inside it until the test has seen the other seven give up,
whatever the machine's speed. Nothing here waits on a clock.

Without ``--lock-wait`` exactly one run writes and the seven others exit 3 with the one-line
message naming it. With ``--lock-wait`` all eight run, one after another (the feed server
notes who held the lock at each request: eight different runs, never two at once), and the
tables hold each item once.
"""

from __future__ import annotations

import errno
import json
import os
import queue
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

from tests.conftest import REPO, akhbar_cmd
from tests.feeds.conftest import FeedItem, rss, story

pytestmark = pytest.mark.slow
RUNS = 8
ITEMS = 12
VOLATILE = ("at", "rejected_at", "fetched_at", "run_id", "ingested_at")  # differ per run
LOSER = re.compile(
    r"akhbar ingest: error: (?P<output>\S+) is busy: another run holds it \(host \S+, "
    r"pid (?P<pid>\d+), started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) "
    r"\(wait with --lock-wait SECONDS, or stop that run\)"
)


class GatedFeed:
    """One RSS feed; each request notes the output's lock holder, then waits for the gate."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.output: Path | None = None
        self.in_flight = 0
        self.most_in_flight = 0
        self.guard = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        published = datetime(2026, 11, 1, tzinfo=UTC)
        items = [
            FeedItem(f"g{i}", f"عنوان الخبر {i}", story(i), published + timedelta(hours=i))
            for i in range(ITEMS)
        ]
        self.body = rss(items, self.base)

    def reset(self, output: Path, gated: bool) -> None:
        self.output = output
        self.events = queue.Queue()
        self.most_in_flight = 0
        if gated:
            self.gate.clear()
        else:
            self.gate.set()

    def holder_pid(self) -> int | None:
        """Who holds the output's lock now, from the holder file it writes once it has it."""
        assert self.output is not None
        try:
            return int(json.loads((self.output / "_state" / "lock").read_text())["pid"])
        except (OSError, ValueError, KeyError):
            return None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != "/feed.xml":
                    self.send_error(404)
                    return
                with feed.guard:
                    feed.in_flight += 1
                    feed.most_in_flight = max(feed.most_in_flight, feed.in_flight)
                feed.events.put(("request", feed.holder_pid()))
                try:
                    feed.gate.wait(timeout=600)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(feed.body)))
                    self.end_headers()
                    self.wfile.write(feed.body)
                finally:
                    with feed.guard:
                        feed.in_flight -= 1

        return Handler


@pytest.fixture(scope="module")
def feed() -> Iterator[GatedFeed]:
    served = GatedFeed()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    yield served
    served.gate.set()
    served.server.shutdown()
    served.server.server_close()


def poll_until(condition: Callable[[], bool], what: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class Runs:
    """``count`` ingest processes, each blocked reading its feed list from a FIFO."""

    def __init__(self, folder: Path, output: Path, feed: GatedFeed, count: int, *extra: str):
        self.feed = feed
        self.procs: list[subprocess.Popen[str]] = []
        self.fifos: list[Path] = []
        for i in range(count):
            fifo = folder / f"feeds-{i}.txt"
            os.mkfifo(fifo)
            self.fifos.append(fifo)
            proc = subprocess.Popen(
                [*akhbar_cmd(), "ingest", "--feeds", str(fifo), "--output", str(output),
                 "--allow-private-network", "--host-delay", "0", *extra],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
            )  # fmt: skip
            self.procs.append(proc)
            threading.Thread(target=self._wait, args=(proc,), daemon=True).start()

    def _wait(self, proc: subprocess.Popen[str]) -> None:
        out, err = proc.communicate(timeout=900)
        self.feed.events.put(
            ("exit", subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
        )

    def release_together(self) -> None:
        """Open every FIFO for writing (each open succeeds once its reader is blocked in
        ``open``, and leaves it blocked in ``read``), then give all of them the list."""
        ends = []
        for fifo, proc in zip(self.fifos, self.procs, strict=True):
            ends.append(-1)

            def opened(fifo: Path = fifo, proc: subprocess.Popen[str] = proc) -> bool:
                assert proc.poll() is None, f"run {proc.pid} ended before the barrier"
                try:
                    ends[-1] = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                except OSError as exc:
                    if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                        raise
                    return False
                return True

            poll_until(opened, f"run {proc.pid} to reach the barrier")
        text = f"{self.feed.base}/feed.xml\n".encode()
        for fd in ends:
            os.write(fd, text)
        for fd in ends:
            os.close(fd)

    def next_event(self) -> tuple[str, Any]:
        """("request", holder pid at a feed request) or ("exit", CompletedProcess)."""
        return self.feed.events.get(timeout=600)

    def pid_of(self, result: subprocess.CompletedProcess[str]) -> int:
        return next(p.pid for p in self.procs if p.args == result.args)  # FIFO names differ

    def kill_all(self) -> None:
        self.feed.gate.set()
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()


def rows(output: Path, name: str) -> list[dict[str, Any]]:
    if not (output / name).exists():
        return []
    table = ds.dataset(output / name, format="parquet", partitioning="hive").to_table()
    keep = [c for c in table.column_names if c not in VOLATILE]
    return sorted(table.select(keep).to_pylist(), key=lambda r: r["id"])


def leftovers(output: Path) -> list[str]:
    found = [p for p in (output / "_staging").rglob("*") if p.is_file()]
    found += list((output / "_state" / "pending").glob("*"))
    found += [p for p in output.rglob("*") if p.name.endswith(".inprogress")]
    found += [p for p in [output / "_state" / "lock"] if p.exists()]  # the holder record
    return [str(p) for p in found]


@pytest.fixture(scope="module")
def reference(feed: GatedFeed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the same feed on its own."""
    output = tmp_path_factory.mktemp("reference")
    feed.reset(output, gated=False)
    proc = subprocess.run(
        [*akhbar_cmd(), "ingest", "--feeds", str(write_list(output.parent, feed)),
         "--output", str(output), "--allow-private-network", "--host-delay", "0"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(rows(output, "articles")) == ITEMS
    return output


def write_list(folder: Path, feed: GatedFeed) -> Path:
    path = folder / "reference-feeds.txt"
    path.write_text(f"{feed.base}/feed.xml\n")
    return path


def assert_same_tables(output: Path, reference: Path) -> None:
    for name in ("articles", "duplicates", "rejects"):
        got, want = rows(output, name), rows(reference, name)
        assert [r["id"] for r in got] == [r["id"] for r in want], name
        differ = {
            (r["id"], k) for r, w in zip(got, want, strict=True) for k in r if r[k] != w.get(k)
        }
        assert not differ, (name, sorted(differ)[:10])
    assert leftovers(output) == []


def test_eight_runs_at_once_one_writes_and_seven_exit_3(
    tmp_path: Path, feed: GatedFeed, reference: Path
) -> None:
    output = tmp_path / "out"
    feed.reset(output, gated=True)
    runs = Runs(tmp_path, output, feed, RUNS)
    try:
        runs.release_together()
        losers: list[subprocess.CompletedProcess[str]] = []
        requests: list[int | None] = []
        while len(losers) < RUNS - 1:  # the winner is held at its feed request meanwhile
            kind, value = runs.next_event()
            if kind == "request":
                requests.append(value)
                assert len(requests) == 1, "a second run got past the lock"
            else:
                assert value.returncode == 3, value.stderr[-2000:]
                losers.append(value)
        feed.gate.set()
        kind, winner = runs.next_event()
        while kind == "request":  # only if a loser's exit came after the winner's request
            requests.append(winner)
            kind, winner = runs.next_event()
    finally:
        runs.kill_all()
    assert winner.returncode == 0, winner.stderr[-3000:]
    winner_pid = runs.pid_of(winner)
    assert requests == [winner_pid]  # the only feed request came from inside the lock
    for loser in losers:
        lines = loser.stderr.strip().splitlines()
        assert len(lines) == 1, loser.stderr  # one line, no traceback, no log noise
        found = LOSER.fullmatch(lines[0])
        assert found, lines[0]
        assert int(found["pid"]) == winner_pid and found["output"] == str(output)
    assert len(list((output / "_runs").glob("*.json"))) == 1
    assert_same_tables(output, reference)


def test_eight_runs_at_once_with_lock_wait_run_one_after_another(
    tmp_path: Path, feed: GatedFeed, reference: Path
) -> None:
    """The folder starts with the holder record of a run that died on another machine (an
    output on a shared disk): a record blocks nobody. (The old lock could not tell that such a
    run was dead, and waited six hours for it.)"""
    output = tmp_path / "out"
    (output / "_state").mkdir(parents=True)
    (output / "_state" / "lock").write_text(
        json.dumps({"host": "gone.example", "pid": 4242, "started": "2026-12-07T10:00:00Z",
                    "at": time.time()})
    )  # fmt: skip
    feed.reset(output, gated=False)
    runs = Runs(tmp_path, output, feed, RUNS, "--lock-wait", "600")
    results, holders = [], []
    try:
        runs.release_together()
        while len(results) < RUNS:
            kind, value = runs.next_event()
            (holders if kind == "request" else results).append(value)
    finally:
        runs.kill_all()
    assert [r.returncode for r in results] == [0] * RUNS, [r.stderr[-1500:] for r in results]
    # every run polled the feed once, from inside the lock, and never two at the same time
    assert sorted(holders) == sorted(p.pid for p in runs.procs)
    assert feed.most_in_flight == 1
    assert_same_tables(output, reference)  # each item once
    records = [json.loads(p.read_text()) for p in (output / "_runs").glob("*.json")]
    assert len(records) == RUNS, "each run keeps its own run record"
    assert all(r["balanced"] for r in records)
    assert sorted(r["articles"] for r in records) == [0] * (RUNS - 1) + [ITEMS]
