"""Reader for the ANT corpus (TREC-style <DOC> files in a tar.gz) used to build samples and
benchmark inputs. Regex-based on purpose: 28 of its files are not well-formed XML (raw '&')."""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

ANT_LICENCE = (
    "ANT Corpus v1.1 (antcorpus/antcorpus.data), JawharaFM articles, Apache-2.0. "
    "Please cite: Chouigui, Ben Khiroun, Elayeb, 'ANT Corpus: An Arabic News Text Collection "
    "for Textual Classification', AICCSA 2017."
)
DEFAULT_TARBALL = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/data/corpora/ant-v1.1-jawharafm/antcorpus_v1.1_all_10161_docs.tar.gz"
)
_FIELD = re.compile(r"<(DOCNO|URL|SRC|CAT|TITLE|TIME|ABSTRACT|TEXT)>(.*?)</\1>", re.DOTALL)


def parse_doc(raw: str) -> dict[str, str]:
    return {name.lower(): value.strip() for name, value in _FIELD.findall(raw)}


def read_ant_docs(tarball: Path = DEFAULT_TARBALL) -> Iterator[dict[str, str]]:
    """Every document, in sorted member order, as a dict of its lower-cased fields.

    The archive is read once, in its own order, and sorted afterwards: extracting members in
    another order than the archive's makes a .tar.gz seek backwards, that is decompress again
    from the start, which took minutes for this corpus instead of seconds.
    """
    texts: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if not (member.isfile() and member.name.endswith(".txt")):
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                texts[member.name] = handle.read()
    for name in sorted(texts):
        doc = parse_doc(texts[name].decode("utf-8", "replace"))
        if doc.get("docno"):
            yield doc
