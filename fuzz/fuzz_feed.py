"""libFuzzer (atheris) harness for the feed reader: RSS/Atom/RDF bytes -> items or rejects.

    .venv/bin/python fuzz/fuzz_feed.py fuzz/corpus/feed SEED_DIR... -max_total_time=60

``make fuzz`` runs it with a fixed time budget, a scratch corpus and the feedparser suite as
seeds. Coverage guidance instruments our own modules only (instrumenting feedparser and lxml
makes every execution several times slower for little gain).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["transforms", "schemas"]):
    from fuzz_checks import NOW, check

    from akhbar.transforms.sources.feeds import parse_feed


def test_one_input(data: bytes) -> None:
    check(parse_feed(data, "fuzz.xml", NOW, "fuzz", NOW))


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
