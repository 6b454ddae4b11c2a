"""What this output already holds: the ``item_key`` of every row of every committed file.

An item whose key is here was ingested by an earlier run: it is counted as already ingested and
never written again (``transforms.prepare``). The tables themselves are the record, so it can
never disagree with what readers see, and every committed file counts, however old: a horizon
here would let a year-old item be written a second time.

The keys travel as one ``KeySet`` side input: two sorted numpy arrays of 64-bit values (key and
content hash), 16 bytes per row, built by a ``CombineGlobally`` so that runners can combine
partial sets where the files are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from akhbar.transforms.identity import item_key, key_bits
from akhbar.transforms.state import use_storage_options
from akhbar.transforms.write import slug_to_name

TABLES = ("articles", "duplicates", "rejects")
_SOURCE = re.compile(r"/source=([^/]+)/")


def committed_files(output: str) -> list[str]:
    """Every published table file of ``output`` (staging and temporary files excluded)."""
    found = []
    for table in TABLES:
        pattern = f"{output.rstrip('/')}/{table}/**/part-*.parquet"
        found += [m.path for m in FileSystems.match([pattern])[0].metadata_list]
    return sorted(p for p in found if "/_staging/" not in p)


def _bits(hex_value: str | None) -> int:
    return key_bits(hex_value) if hex_value else 0


def read_file_keys(path: str) -> np.ndarray:
    """(key bits, content-hash bits) of every row of one table file, as an n x 2 array.

    Files written before ``item_key`` existed (schema 1) get the key their row would have had
    from its source folder, guid and URL; rows with neither, and old rejects, have none.
    """
    with FileSystems.open(path) as handle:
        parquet = pq.ParquetFile(handle)
        names = set(parquet.schema_arrow.names)
        columns = [c for c in ("item_key", "content_hash", "guid", "url") if c in names]
        table = parquet.read(columns=columns)
    hashes = table.column("content_hash").to_pylist() if "content_hash" in names else None
    if "item_key" in names:
        keys = table.column("item_key").to_pylist()
    elif "guid" in names and "url" in names:
        m = _SOURCE.search(path)
        source = slug_to_name(m.group(1)) if m else ""
        keys = [
            item_key(source, guid, url) if guid or url else None
            for guid, url in zip(
                table.column("guid").to_pylist(), table.column("url").to_pylist(), strict=True
            )
        ]
    else:
        keys = []
    pairs = [
        (_bits(key), _bits(hashes[i]) if hashes is not None else 0)
        for i, key in enumerate(keys)
        if key
    ]
    return np.array(pairs, dtype=np.uint64).reshape(-1, 2)


@dataclass(frozen=True)
class KeySet:
    """Sorted key bits and the content-hash bits of each (0: unknown, e.g. a reject)."""

    keys: np.ndarray
    hashes: np.ndarray

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, int]]) -> KeySet:
        data = np.array(list(pairs), dtype=np.uint64).reshape(-1, 2)
        return cls.from_arrays(data[:, 0], data[:, 1])

    @classmethod
    def from_arrays(cls, keys: np.ndarray, hashes: np.ndarray) -> KeySet:
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], hashes[order])

    def __len__(self) -> int:
        return len(self.keys)

    def content_of(self, key: str) -> int | None:
        """None when ``key`` is new; else the content-hash bits it was written with."""
        bits = np.uint64(key_bits(key))
        i = int(np.searchsorted(self.keys, bits))
        if i < len(self.keys) and self.keys[i] == bits:
            return int(self.hashes[i])
        return None

    def changed(self, key: str, content_hash: str | None) -> bool:
        """Whether an item already here was written with another text."""
        before = self.content_of(key)
        return bool(before and content_hash and before != key_bits(content_hash))


EMPTY = KeySet.of([])


class BuildKeySet(beam.CombineFn):
    """Per-file n x 2 arrays of (key bits, hash bits) -> one KeySet. Accumulators are lists of
    arrays, so that partial sets combine cheaply wherever the runner lifts the combiner."""

    def create_accumulator(self) -> list[np.ndarray]:
        return []

    def add_input(self, acc: list[np.ndarray], pairs: np.ndarray) -> list[np.ndarray]:
        if len(pairs):
            acc.append(pairs)
        return acc

    def merge_accumulators(self, accs: Iterable[list[np.ndarray]]) -> list[np.ndarray]:
        merged = [a for acc in accs for a in acc]
        return [np.concatenate(merged)] if merged else []

    def compact(self, acc: list[np.ndarray]) -> list[np.ndarray]:
        return [np.concatenate(acc)] if len(acc) > 1 else acc

    def extract_output(self, acc: list[np.ndarray]) -> KeySet:
        if not acc:
            return EMPTY
        data = np.concatenate(acc)
        return KeySet.from_arrays(data[:, 0], data[:, 1])


class _ReadKeysFn(beam.DoFn):
    def __init__(self, storage: dict[str, Any] | None) -> None:
        self.storage = storage

    def setup(self) -> None:
        use_storage_options(self.storage)

    def process(self, path: str) -> Iterator[np.ndarray]:
        yield read_file_keys(path)


class IngestedKeys(beam.PTransform):
    """Committed table files -> one KeySet (a singleton PCollection, for ``AsSingleton``)."""

    def __init__(self, paths: list[str], storage: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.storage = storage

    def expand(self, pbegin):
        return (
            pbegin
            | "ListCommittedFiles" >> beam.Create(self.paths)
            | "ReadItemKeys" >> beam.ParDo(_ReadKeysFn(self.storage))
            | "OneKeySet" >> beam.CombineGlobally(BuildKeySet())
        )
