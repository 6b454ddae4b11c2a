"""Bounds on what one input may cost the run, and the depth measures they need.

Inputs come from strangers: a feed of a million items, a 200 MB JSON line or a page nested
ten thousand levels deep is either an attack or a broken exporter, and either way it must not
take the run's memory or time. Every bound here turns an oversized input into rejects with a
reason of its own (``read:too-large``, ``feed:too-many-items``, ``jsonl:too-deep``,
``xml:too-deep``, ``html:too-deep``), never into a silent truncation: the accounting identity
still holds item by item. ``ReadLimits`` is a frozen dataclass so it travels to Beam workers as
a constructor argument, like every other configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The numbers themselves live in a module that imports nothing, so that `akhbar ingest --help`
# shows them without importing Beam (this package's __init__ does).
from akhbar.transforms.bounds import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_FEED_ITEMS,
    DEFAULT_MAX_FILE_BYTES,
    HTML_MAX_DEPTH,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_FEED_ITEMS",
    "DEFAULT_MAX_FILE_BYTES",
    "HTML_MAX_DEPTH",
    "ReadLimits",
    "tree_depth",
]


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Per-input bounds of the readers.

    max_file_bytes: a feed or HTML file (or its gzip, inflated) larger than this is rejected
        whole; JSONL larger than this too. WARC is streamed record by record and exempt.
    max_feed_items: entries of one feed document beyond this become ``feed:too-many-items``.
    max_depth: element/array nesting of a JSON record, XML feed or HTML page; deeper documents
        are rejected (``*:too-deep``). HTML is also capped at ``HTML_MAX_DEPTH``.
    """

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_feed_items: int = DEFAULT_MAX_FEED_ITEMS
    max_depth: int = DEFAULT_MAX_DEPTH

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_feed_items", "max_depth"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"ReadLimits.{name} must be a positive integer, got {value!r}")


DEFAULT_LIMITS = ReadLimits()


def tree_depth(root: Any) -> int:
    """Element depth of an lxml tree (the root is 1), iteratively."""
    depth = 0
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        element, level = stack.pop()
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in element)
    return depth
