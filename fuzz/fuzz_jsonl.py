"""libFuzzer (atheris) harness for the JSONL reader: bytes (split into lines) -> items or rejects.

    .venv/bin/python fuzz/fuzz_jsonl.py fuzz/corpus/jsonl SEED_DIR... -max_total_time=60

Goes through ``read_input_file`` on a real file, so the UTF-16 detection, gzip handling and
line splitting are fuzzed too, not only the per-line parser.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["transforms", "schemas"]):
    from fuzz_checks import NOW, check

    from akhbar.transforms.sources.files import InputFile, read_input_file

_FOLDER = tempfile.mkdtemp(prefix="akhbar-fuzz-")
_PATH = os.path.join(_FOLDER, "fuzz.jsonl")


def test_one_input(data: bytes) -> None:
    with open(_PATH, "wb") as handle:
        handle.write(data)
    check(read_input_file(InputFile(_PATH, "fuzz.jsonl"), NOW))


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
