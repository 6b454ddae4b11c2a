"""One writer per output folder: an OS file lock locally, a leased lock object on S3 and GCS.

Two runs committing into the same folder would interleave staging, state and stale-file
clean-up, so ``akhbar ingest`` and ``akhbar stream`` hold ``OutputLock`` for the whole run.

Local folders use ``filelock`` (``flock`` on ``OUTPUT/_state/lock.flock``). The kernel
releases it when the holding process dies, however it dies, so there is no "stale after N
hours" rule to get wrong: a dead run never blocks the next one, and a live run never loses the
lock however long it runs. The file itself stays (deleting it would let a waiter lock an
unlinked inode while a newcomer locks a fresh one) and holds nothing: ``filelock`` opens it
for every contender, so the holder's identity (host, pid, start time) goes to a separate file,
``OUTPUT/_state/lock``, written after the lock is taken and removed before it is released. A
run that finds the folder busy reads that file to name the holder in its one-line message.

``s3://`` and ``gs://`` outputs have no OS lock; ``transforms.lock_remote`` uses a conditional
create and a lease there. Other object stores (``hdfs://``, ``azfs://``) are not locked.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

log = logging.getLogger(__name__)

Clock = Callable[[], float]  # seconds since the epoch; injected by tests
REMOTE_SCHEMES = ("s3", "gs")
HOLDER_FILE = "lock"  # OUTPUT/_state/lock: who holds it (JSON)
LOCK_FILE = "lock.flock"  # OUTPUT/_state/lock.flock: what is locked (empty)
# A contender can look between the holder taking the lock and writing its name down; it waits
# this long for the name rather than print "holder not recorded yet".
HOLDER_GRACE_SECONDS = 2.0


def iso(epoch: float) -> str:
    """``2026-12-07T17:03:11Z``: what people read in messages and in the holder file."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Holder:
    """Who holds an output: enough for a person to find the run (and, remotely, its lease)."""

    host: str
    pid: int
    started: float  # epoch seconds, by the holder's clock
    token: str = ""  # remote: this holder's unique id, to recognise its own lock object
    seq: int = 0  # remote: renewal number, so that every write changes the object's ETag
    expires: float | None = None  # remote: end of the lease, by the holder's clock
    proc: str = ""  # process_identity of the holder, where the OS gives one

    def describe(self) -> str:
        return f"host {self.host}, pid {self.pid}, started {iso(self.started)}"

    def to_json(self) -> bytes:
        data: dict[str, Any] = {"host": self.host, "pid": self.pid, "started": iso(self.started)}
        if self.proc:
            data["proc"] = self.proc
        if self.token:
            data.update(token=self.token, seq=self.seq, expires=self.expires)
        return json.dumps(data, sort_keys=True).encode("utf-8")

    @staticmethod
    def from_json(raw: bytes) -> Holder | None:
        """None for anything this module did not write (or an older akhbar's lock file)."""
        try:
            data = json.loads(raw)
            expires = data.get("expires")
            return Holder(
                host=str(data["host"]),
                pid=int(data["pid"]),
                started=parse_iso(data["started"]),
                token=str(data.get("token", "")),
                seq=int(data.get("seq", 0)),
                expires=float(expires) if expires is not None else None,
                proc=str(data.get("proc", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def this_process(clock: Clock) -> Holder:
    pid = os.getpid()
    proc = process_identity(pid) or ""
    return Holder(host=socket.gethostname(), pid=pid, started=clock(), proc=proc)


def process_identity(pid: int) -> str | None:
    """``boot id|pid namespace|pid|start time`` of a live process (Linux), else None.

    Two equal identities are one process: the boot id and the pid namespace say which machine
    (and which container) counted the pid, and the start time tells a reused pid apart. A host
    name and a pid alone cannot: containers share host names and all count pids from 1.
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if len(stat) < 20 or stat[0] == "Z":  # a zombie has ended, only not been reaped yet
        return None
    return f"{boot}|{namespace}|{pid}|{stat[19]}"


def ended_here(holder: Holder) -> bool:
    """True only when the holder is known to be gone: it ran on this machine, in this pid
    namespace, and no process with its pid and start time exists any more."""
    mine = process_identity(os.getpid())
    if not holder.proc or mine is None:
        return False
    if holder.proc.split("|")[:2] != mine.split("|")[:2]:
        return False
    return process_identity(holder.pid) != holder.proc


class OutputLocked(RuntimeError):
    """Another run holds the output. ``str()`` is the one line the command prints."""

    def __init__(
        self, output: str, holder: Holder | None, waited: float, lease_ends: float | None = None
    ) -> None:
        who = holder.describe() if holder else "its name is not recorded yet"
        wait = (
            f"waited {waited:g} s; wait longer with --lock-wait SECONDS"
            if waited > 0
            else "wait with --lock-wait SECONDS"
        )
        after = (
            f"; if it died, its lease ends at {iso(lease_ends)}" if lease_ends is not None else ""
        )
        super().__init__(
            f"{output} is busy: another run holds it ({who}) ({wait}, or stop that run{after})"
        )
        self.output = output
        self.holder = holder
        self.waited = waited
        self.lease_ends = lease_ends

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (e.g. out of a worker) with its fields
        return (OutputLocked, (self.output, self.holder, self.waited, self.lease_ends))


class Lock(Protocol):
    def acquire(self, wait_seconds: float) -> None: ...
    def release(self) -> None: ...


class OutputLock:
    """``with OutputLock(output, wait_seconds, storage):`` around everything a run writes.

    ``storage``: the run's storage options (``pipelines.options.storage_settings``: S3 endpoint,
    region, keys; GCS project), used to reach an object-store output the way the run does.
    ``clock``, ``lease_seconds`` and ``renew_in_background=False`` (a test renews a remote lease
    by hand instead of from the background thread) are for tests.
    Raises ``OutputLocked`` if another run holds the output after ``wait_seconds``.
    """

    def __init__(
        self,
        output: str,
        wait_seconds: float = 0.0,
        storage: Mapping[str, Any] | None = None,
        *,
        clock: Clock = time.time,
        lease_seconds: float | None = None,
        renew_in_background: bool = True,
    ) -> None:
        self.output = output
        self.wait_seconds = max(0.0, wait_seconds)
        self.lock: Lock | None = None
        scheme = output.split("://", 1)[0].lower() if "://" in output else ""
        if not scheme:
            self.lock = LocalLock(output, clock)
        elif scheme in REMOTE_SCHEMES:
            from akhbar.transforms.lock_remote import LEASE_SECONDS, lease_lock_for

            self.lock = lease_lock_for(
                output,
                dict(storage or {}),
                clock=clock,
                lease_seconds=lease_seconds or LEASE_SECONDS,
                renew_in_background=renew_in_background,
            )
        else:
            log.warning(
                "%s: %s:// outputs are not locked; run one writer at a time", output, scheme
            )

    def __enter__(self) -> OutputLock:
        if self.lock is not None:
            self.lock.acquire(self.wait_seconds)
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        if self.lock is not None:
            self.lock.release()


class LocalLock:
    """``filelock`` on ``OUTPUT/_state/lock.flock`` plus the holder file (module docstring)."""

    def __init__(self, output: str, clock: Clock) -> None:
        from filelock import FileLock

        self.output = output
        self.clock = clock
        state = Path(output) / "_state"
        self.holder_path = state / HOLDER_FILE
        self.file_lock = FileLock(str(state / LOCK_FILE))

    def acquire(self, wait_seconds: float) -> None:
        from filelock import Timeout

        self.holder_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.file_lock.acquire(timeout=wait_seconds, poll_interval=0.05)
        except Timeout:
            raise OutputLocked(self.output, self.current_holder(), wait_seconds) from None
        temp = self.holder_path.with_name(f".{HOLDER_FILE}.inprogress")
        temp.write_bytes(this_process(self.clock).to_json())
        os.replace(temp, self.holder_path)  # readers see the whole record or none

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.holder_path.unlink()
        self.file_lock.release()

    def current_holder(self) -> Holder | None:
        """The live holder's record, waiting briefly for a holder that has just taken the lock.

        A record naming a process of this host that is gone was left by a run that died: the
        holder that replaced it has not written its own yet.
        """
        deadline = time.monotonic() + HOLDER_GRACE_SECONDS
        while True:
            holder = self._read_holder()
            if holder is not None and not ended_here(holder):
                return holder
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

    def _read_holder(self) -> Holder | None:
        try:
            return Holder.from_json(self.holder_path.read_bytes())
        except OSError:
            return None
