"""Keep glibc's malloc from holding on to the memory Beam's local runner frees.

Why: FnApiRunner passes each stage's whole input and output around as large byte buffers
(encoded bundles, grouped values). glibc serves a block of 128 KiB or more with its own
``mmap`` and gives it back on ``free``, but every time such a block is freed it raises that
threshold to the block's size (its "dynamic mmap threshold", up to 32 MiB). From then on the
runner's buffers come from the heap, and once freed they stay in the process: the heap only
shrinks from its top, and small objects allocated in between pin it. Peak RSS then counts
every stage's buffers, not the largest stage's.

A fixed threshold turns that off. Measured with ``make bench``'s command on the 50k ANT corpus,
1 in-memory worker, 3 runs each: peak RSS 1.38-1.52 GB by default, 1.15 GB with a fixed
128 KiB threshold, for about 4% more wall time (48.8 -> 51.0 s, the cost of ``mmap`` and the
page faults of fresh pages). At 100k: 2.7 -> 2.0 GB. On 2 workers the process tree's peak went
from 3.4 to 2.2 GB.

Set ``MALLOC_MMAP_THRESHOLD_`` yourself to choose another value (``33554432`` is close to
glibc's own behaviour); akhbar then leaves the allocator alone. Other C libraries (musl,
macOS) are left alone too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import MutableMapping

MMAP_THRESHOLD = 128 * 1024  # bytes: glibc's own starting value, kept fixed
MMAP_THRESHOLD_ENV = "MALLOC_MMAP_THRESHOLD_"  # read by glibc when a process starts
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


def tune_allocator(environ: MutableMapping[str, str] | None = None) -> bool:
    """Fix glibc's mmap threshold in this process and in the worker processes it starts.

    This process is set with ``mallopt``; worker processes (``multi_processing`` SDK workers)
    inherit ``MALLOC_MMAP_THRESHOLD_`` through ``environ``, which glibc reads at their start.
    A value already in ``environ`` is the user's choice and wins: nothing is changed.
    Returns whether this process's allocator was changed.
    """
    env = os.environ if environ is None else environ
    if MMAP_THRESHOLD_ENV in env:
        return False
    libc = _glibc()
    if libc is None:
        return False
    env[MMAP_THRESHOLD_ENV] = str(MMAP_THRESHOLD)
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
