"""Keep glibc's malloc from holding on to the memory Beam's local runner frees.

Why: FnApiRunner passes each stage's whole input and output around as large byte buffers
(encoded bundles, grouped values). glibc serves a block of 128 KiB or more with its own
``mmap`` and gives it back on ``free``, but every time such a block is freed it raises that
threshold to the block's size (its "dynamic mmap threshold", up to 32 MiB). From then on the
runner's buffers come from the heap, and once freed they stay in the process: the heap only
shrinks from its top, and small objects allocated in between pin it. Peak RSS then counts
every stage's buffers, not the largest stage's.

A fixed threshold turns that off, in the process that runs the pipeline (the runner, and on
one in-memory worker the worker too). Measured with ``make bench``'s command on the 50k ANT
corpus, 1 in-memory worker: peak RSS 1.38-1.52 GB by default, 1.07-1.15 GB with a fixed 128 KiB
threshold, wall time unchanged within noise; at 100k 2.7 -> 2.1 GB. With 2 ``multi_processing``
workers, extraction off (two one-off runs each), the runner process went from 1.6-1.7 to
1.2 GB at the same speed (35 s). Fixing it in the SDK worker processes too (through the environment) saved them another
0.2-0.3 GB but cost 10-15% of wall time (35 -> 38.5-40.4 s): their gRPC buffers were mapped
and unmapped over and over. So the workers keep glibc's default.

Set ``MALLOC_MMAP_THRESHOLD_`` yourself to choose another value for every process
(``33554432`` is close to glibc's default); akhbar then leaves the allocator alone. Other C
libraries (musl, macOS) are left alone too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Mapping

MMAP_THRESHOLD = 128 * 1024  # bytes: glibc's own starting value, kept fixed
MMAP_THRESHOLD_ENV = "MALLOC_MMAP_THRESHOLD_"  # glibc reads it when a process starts
_M_MMAP_THRESHOLD = -3  # mallopt parameter number, from glibc's <malloc.h>


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # noqa: B018  # only glibc has it (musl has no mallopt knob)
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def tune_allocator(environ: Mapping[str, str] | None = None) -> bool:
    """Fix glibc's mmap threshold in this process only (``mallopt``); worker processes it
    starts keep the default (see the module docstring for why).

    A ``MALLOC_MMAP_THRESHOLD_`` in ``environ`` is the user's choice, already applied by glibc
    at start-up to this process and inherited by its workers: nothing is changed.
    Returns whether this process's allocator was changed.
    """
    env = os.environ if environ is None else environ
    if MMAP_THRESHOLD_ENV in env:
        return False
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
