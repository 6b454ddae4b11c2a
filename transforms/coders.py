"""Beam coders for akhbar's record types, registered once so that every runner uses them.

Records are slotted dataclasses pickled as (class, field values) (``compact_pickle``). Those
that carry article text (``RawItem``, ``Article``) are also LZ4-compressed from 1 KB on (pyarrow's
codec): Arabic news pickles shrink about 2x for 7 µs to compress and 2 µs to expand, and every
shuffled or materialized byte is held by the runner and, across processes, sent over gRPC.
Records without text (keys, decisions, rows of ``duplicates``/``rejects``) are only pickled:
their bytes are signatures, hashes and ids, which do not compress.

A PCollection gets these coders when its element type is known: steps declare it with
``with_output_types`` (a step whose outputs mix record types declares ``Record``). Importing
this module registers the coders; the transform modules that produce records import it.
"""

from __future__ import annotations

import pickle
import struct
from typing import Any

import pyarrow as pa
from apache_beam.coders import Coder, registry

from akhbar.schemas.records import Article, Duplicate, RawItem, Record, Reject

_PROTOCOL = pickle.HIGHEST_PROTOCOL
_RAW, _LZ4 = b"\x00", b"\x01"
MIN_COMPRESS = 1024


def encode_record(value: Any, compress: bool = True) -> bytes:
    data = pickle.dumps(value, _PROTOCOL)
    if not compress or len(data) < MIN_COMPRESS:
        return _RAW + data
    return _LZ4 + struct.pack("<I", len(data)) + pa.compress(data, codec="lz4", asbytes=True)


def decode_record(data: bytes) -> Any:
    if data[:1] == _RAW:
        return pickle.loads(memoryview(data)[1:])
    size = struct.unpack_from("<I", data, 1)[0]
    return pickle.loads(
        pa.decompress(memoryview(data)[5:], decompressed_size=size, codec="lz4", asbytes=True)
    )


class RecordCoder(Coder):
    """Compact pickle, LZ4-compressed from ``MIN_COMPRESS`` bytes on (``compress``)."""

    def __init__(self, compress: bool = True) -> None:
        self.compress = compress

    def encode(self, value: Any) -> bytes:
        return encode_record(value, self.compress)

    def decode(self, encoded: bytes) -> Any:
        return decode_record(encoded)

    def is_deterministic(self) -> bool:
        return False  # values only; never a grouping key

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RecordCoder)
            and type(other) is type(self)
            and (other.compress == self.compress)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.compress))


class TextRecordCoder(RecordCoder):
    """Records that carry article text: compressed."""

    def __init__(self) -> None:
        super().__init__(compress=True)


class PlainRecordCoder(RecordCoder):
    """Records without text: pickled only."""

    def __init__(self) -> None:
        super().__init__(compress=False)


def register(types: tuple[type, ...], coder: type[Coder]) -> None:
    for record_type in types:
        registry.register_coder(record_type, coder)


register((RawItem, Article, Record), TextRecordCoder)
register((Duplicate, Reject), PlainRecordCoder)
