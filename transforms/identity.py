"""Which input item is which, across runs: the ``item_key`` of every row.

The everyday workflow is "drop today's file into the folder and run again". For that to write
each item once, an item must be recognisable when it is read again, from another file, under a
new name, or with items added around it. So the key ignores where an item was read (file and
position, which the row ``id`` keeps) and uses what the publisher gave it:

1. the source and the item's own guid (a feed's ``<guid>``, a JSONL record's ``id``);
2. else the source and the canonical URL key (``http``/``https``, ``www.``, tracking parameters
   and trailing slashes do not matter);
3. else the source and a digest of the raw title and text.

A reject that never became an item (an unparseable line) has no guid: its key is its reason,
its payload, the item read just before it in its input (its anchor) and the how-many-th such
payload after that anchor it is. So a renamed or appended file does not reject the same line
twice, two identical bad lines of one file stay two rows, and the same bad line in another file
(another anchor) is that file's own reject, not "already ingested".

Decided on purpose (README, "Folders that grow"): an item whose text changed under the same guid
keeps its first version; the re-read is counted as already ingested (and as changed).
"""

from __future__ import annotations

import hashlib

from akhbar.schemas.records import stable_id
from akhbar.transforms.dedup.urls import url_key


def content_digest(*parts: str | None) -> str:
    """A digest of raw text parts (an item with neither guid nor URL is known by its text)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update((part or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


def item_key(source: str, guid: str | None, url: str | None, content: str | None = None) -> str:
    """The item's identity (see the module docstring); ``content``: its raw title and text."""
    if guid and guid.strip():
        return stable_id("item", source, "guid", guid.strip())
    key = url_key(url) if url else None
    if key:
        return stable_id("item", source, "url", key)
    return stable_id("item", source, "content", content_digest(content))


def reject_key(reason: str, payload: str, anchor: str, occurrence: int) -> str:
    """A parse reject's identity: the ``occurrence``-th (from 0) ``payload`` with ``reason``
    after the item ``anchor`` (``item_anchor`` of the item read before it; "" at the start)."""
    return stable_id("reject", reason, content_digest(payload), anchor, str(occurrence))


def item_anchor(source: str, guid: str | None, url: str | None, title: str | None) -> str:
    """What places a reject in its input, independent of the file's name: the item before it."""
    return content_digest(source, guid, url, title)


def key_bits(key: str) -> int:
    """The first 64 bits of a hex key, for compact sets (``transforms.ingested.KeySet``).

    Keys are 128-bit blake2b digests; two different items share 64 bits with probability
    about n² / 2⁶⁵ (10⁻⁷ for ten million items), and a false match only counts a new item as
    already ingested: it is never written twice and never lost from the accounting.
    """
    return int(key[:16], 16)
