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
    """Every document, in sorted member order, as a dict of its lower-cased fields."""
    with tarfile.open(tarball, "r:gz") as archive:
        members = sorted(
            (m for m in archive.getmembers() if m.isfile() and m.name.endswith(".txt")),
            key=lambda m: m.name,
        )
        for member in members:
            handle = archive.extractfile(member)
            if handle is None:
                continue
            doc = parse_doc(handle.read().decode("utf-8", "replace"))
            if doc.get("docno"):
                yield doc
