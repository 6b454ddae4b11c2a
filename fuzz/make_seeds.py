"""Seed corpora for the fuzz harnesses: the small hostile files and the bundled samples.

    PYTHONPATH=. .venv/bin/python fuzz/make_seeds.py fuzz/seeds

writes ``fuzz/seeds/feed/*.xml`` and ``fuzz/seeds/jsonl/*.jsonl``. Seeds that already trip each
defence (bombs, NULs, surrogates, deep nesting) let libFuzzer start from the hard cases.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tests.hardening.hostile import write_hostile_set

SAMPLES = Path(__file__).resolve().parent.parent / "seeds" / "samples"
KINDS = {"feed": (".xml", ".rss", ".atom", ".rdf"), "jsonl": (".jsonl",)}


def main(target: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        hostile = write_hostile_set(Path(scratch), big=False)
        for kind, suffixes in KINDS.items():
            folder = target / kind
            folder.mkdir(parents=True, exist_ok=True)
            for path in [*hostile.iterdir(), *SAMPLES.iterdir()]:
                if path.suffix in suffixes:
                    shutil.copyfile(path, folder / path.name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "fuzz/seeds"))
