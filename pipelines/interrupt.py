"""Ctrl-C during a run: one line and exit code 130, not a screenful of tracebacks.

Without help, Ctrl-C in ``akhbar ingest`` ends in whichever traceback Beam happens to produce:
a ``KeyboardInterrupt`` raised inside a DoFn is logged with its traceback and re-raised as
``RuntimeError: KeyboardInterrupt [while running 'Extract/...']`` (exit 1, the code that means
"accounting failed"), the runner's threads print theirs, and with ``multi_processing`` every
worker process, which got the same SIGINT from the terminal, prints its own on the shared
stderr. ``interrupt_guard`` makes an interruption recognisable and quiet:

- its SIGINT handler records the interruption before raising ``KeyboardInterrupt``, so the
  command can tell an interrupted run from a failed one whatever exception comes out of Beam;
- from then on, logging and thread tracebacks are silenced;
- file descriptor 2 goes through a pipe that this process forwards to the real stderr, so the
  worker processes, which inherit it, are silenced too once the run is interrupted (from the
  moment this process takes the SIGINT: see ``_forward``; on a loaded machine a worker's
  traceback could otherwise pass before the main thread ran the handler). Python's
  own ``sys.stderr`` keeps writing to the real stderr (a terminal stays a terminal for the live
  progress table). This part only applies when ``sys.stderr`` is the process's own.

Nothing here decides what was committed: the commit step and the next run's recovery do.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType


def _forward(source: int, target: int, interrupted: threading.Event, wakeup: int) -> None:
    """Copy ``source`` to ``target`` until end of file; drop everything once interrupted.

    A worker process that takes the terminal's SIGINT writes its traceback at once, maybe
    before this process has run its handler (which sets ``interrupted`` in the main thread,
    when the scheduler gets to it). So before each chunk goes out this thread also asks the
    kernel: a SIGINT still pending for this process (this thread blocks it, so it shows in
    ``sigpending``; the main thread takes it), or one whose C-level handler has run, which
    writes the signal's number into the ``wakeup`` fd before the Python-level handler runs.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    sigint = bytes([signal.SIGINT])
    dropping = False
    with contextlib.suppress(OSError):
        while chunk := os.read(source, 65536):
            if not dropping:
                dropping = signal.SIGINT in signal.sigpending()
                with contextlib.suppress(BlockingIOError):
                    dropping = sigint in os.read(wakeup, 512) or dropping
            if not dropping and not interrupted.is_set():
                os.write(target, chunk)
    os.close(source)
    os.close(wakeup)


@contextlib.contextmanager
def _stderr_through_pipe(interrupted: threading.Event) -> Iterator[None]:
    """fd 2 -> a pipe forwarded to the real stderr (see the module docstring)."""
    if sys.stderr is not sys.__stderr__ or sys.stderr is None:
        yield  # captured (tests calling main() in-process): leave it alone
        return
    sys.stderr.flush()
    real = os.dup(2)
    read_end, write_end = os.pipe()
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_read, False)
    os.set_blocking(wakeup_write, False)
    previous_wakeup = signal.set_wakeup_fd(wakeup_write, warn_on_full_buffer=False)
    forwarder = threading.Thread(
        target=_forward,
        args=(read_end, real, interrupted, wakeup_read),
        name="akhbar-stderr",
        daemon=True,
    )
    forwarder.start()
    original = sys.stderr
    os.dup2(write_end, 2)
    os.close(write_end)
    sys.stderr = io.TextIOWrapper(
        io.FileIO(real, "w", closefd=False),
        encoding=original.encoding,
        errors="backslashreplace",
        line_buffering=True,
        write_through=True,
    )
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr = original
        with contextlib.suppress(OSError):
            original.flush()  # what went to fd 2 (the pipe) goes out before fd 2 is restored
        signal.set_wakeup_fd(previous_wakeup)
        os.close(wakeup_write)
        os.dup2(real, 2)  # closes this process's write end: the forwarder sees end of file
        # unless a worker process still holds one (it is being shut down); do not wait for it
        forwarder.join(timeout=5)
        if not forwarder.is_alive():
            os.close(real)


@contextlib.contextmanager
def interrupt_guard() -> Iterator[threading.Event]:
    """While the body runs, Ctrl-C is recorded (the event is set) and then quiet."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted  # signal handlers can only be set from the main thread
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        first = not interrupted.is_set()
        interrupted.set()
        if first:
            logging.disable(logging.CRITICAL)  # Beam logs the exception it wraps this in
            threading.excepthook = lambda _args: None  # the runner's threads die loudly too
        raise KeyboardInterrupt

    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    try:
        with _stderr_through_pipe(interrupted):
            yield interrupted
    finally:
        # Logging and thread tracebacks stay silenced after an interruption: the runner's
        # threads may still be dying while the command prints its line and exits.
        signal.signal(signal.SIGINT, previous_handler)
