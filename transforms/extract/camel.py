"""Optional camel-tools components: morphological segmentation and BERT NER.

The offline baseline needs neither. They are used only when the configuration names a data
folder (``camel_data``, what ``CAMELTOOLS_DATA`` points to) or an NER model folder, and this
module imports ``camel_tools.data``, ``camel_tools.morphology``, ``camel_tools.ner`` and torch only
inside the loaders below, never at import time: importing them without data fails, and torch
costs seconds and hundreds of megabytes per worker.

``camel_tools.data`` reads ``CAMELTOOLS_DATA`` once, when it is first imported, and insists on a
``catalogue.json`` there. So the loaders set the variable before that import, and an NER model
given without a data folder gets a minimal private catalogue (the model itself needs no entry).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from akhbar.transforms.normalize import normalize_fast

_CATALOGUE_VERSION = "1.5"
_NER_TYPES = {"PERS": "PER", "PER": "PER", "ORG": "ORG", "LOC": "LOC"}
_WORDS = re.compile(r"\w+|[^\w\s]")
_SENTENCES = re.compile(r"[^.!?؟\n]+[.!?؟]?")


class CamelSetupError(RuntimeError):
    """camel-tools cannot be used with the given folders."""


def minimal_catalogue(folder: Path) -> Path:
    """Write the smallest ``catalogue.json`` camel-tools accepts (no packages, no components)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "catalogue.json"
    if not path.exists():
        path.write_text(
            json.dumps({"version": _CATALOGUE_VERSION, "packages": {}, "components": {}}),
            encoding="utf-8",
        )
    return path


def point_data_dir(camel_data: str | None) -> None:
    """Make ``camel_tools.data`` (not yet imported) read its catalogue from ``camel_data``.

    Without a folder we keep an existing ``CAMELTOOLS_DATA`` or installed default catalogue, and
    otherwise point at a private minimal one so that importing ``camel_tools.ner`` does not try
    to download a catalogue.
    """
    already = sys.modules.get("camel_tools.data.catalogue")
    if camel_data is not None:
        wanted = Path(camel_data).expanduser().absolute()
        if not (wanted / "catalogue.json").exists():
            raise CamelSetupError(f"{wanted} has no catalogue.json (not a CAMELTOOLS_DATA folder)")
        if already is not None and Path(already.CT_DATA_DIR) != wanted:
            raise CamelSetupError(
                f"camel_tools.data was already loaded from {already.CT_DATA_DIR}; "
                f"cannot switch to {wanted} in the same process"
            )
        os.environ["CAMELTOOLS_DATA"] = str(wanted)
        return
    if already is not None or os.environ.get("CAMELTOOLS_DATA"):
        return
    default = Path.home() / ".camel_tools" / "catalogue.json"
    if not default.exists():
        private = Path(tempfile.mkdtemp(prefix="akhbar-camel-"))
        minimal_catalogue(private)
        os.environ["CAMELTOOLS_DATA"] = str(private)
        # camel_tools reads it lazily, so it lives as long as the process; every Beam worker
        # process makes one, and they used to pile up in the temporary folder
        atexit.register(shutil.rmtree, private, True)


class CamelMorphology:
    """Clitic segmentation and lemmas from camel-tools' morphological analyzer."""

    def __init__(self, camel_data: str, db_name: str | None = None) -> None:
        point_data_dir(camel_data)
        from camel_tools.morphology.analyzer import Analyzer
        from camel_tools.morphology.database import MorphologyDB

        try:
            db = MorphologyDB.builtin_db(db_name)
        except Exception as exc:  # KeyError, DatabaseParseError, FileNotFoundError ...
            raise CamelSetupError(f"no usable MorphologyDB in {camel_data}: {exc!r}") from exc
        self._analyzer = Analyzer(db, backoff="NONE")
        self._segment = lru_cache(maxsize=50_000)(self._segment_uncached)

    def analyses(self, word: str) -> list[dict[str, Any]]:
        return list(self._analyzer.analyze(word))

    def _segment_uncached(self, word: str) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        for analysis in self._analyzer.analyze(word):
            stem = normalize_fast(str(analysis.get("stem", "")))
            lemma = normalize_fast(str(analysis.get("lex", "")).split("_")[0])
            prefix = word[: len(word) - len(stem)] if stem and word.endswith(stem) else ""
            for base in (stem, lemma):
                if base and (prefix, base) not in out:
                    out.append((prefix, base))
        return tuple(out)

    def segment(self, word: str) -> list[tuple[str, str]]:
        """(proclitic tags, stem or lemma) candidates, normalized, for one normalized word."""
        return list(self._segment(word))

    def lemma(self, word: str) -> str | None:
        for analysis in self._analyzer.analyze(word):
            lex = analysis.get("lex")
            if lex:
                return normalize_fast(str(lex).split("_")[0])
        return None


class CamelNER:
    """camel-tools' BERT NER (``NERecognizer``) over the sentences of a text, as character spans."""

    def __init__(self, model_dir: str, camel_data: str | None = None, threads: int = 1) -> None:
        if not (Path(model_dir) / "config.json").exists():
            raise CamelSetupError(f"{model_dir} is not a saved transformers model (no config.json)")
        point_data_dir(camel_data)
        import torch
        from camel_tools.ner import NERecognizer

        torch.set_num_threads(max(1, threads))
        self._recognizer = NERecognizer(str(model_dir), use_gpu=False)

    def labels(self, words: list[str]) -> list[str]:
        return list(self._recognizer.predict_sentence(words))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, PER|ORG|LOC) character spans in ``text`` from BIO labels."""
        out: list[tuple[int, int, str]] = []
        for sentence in _SENTENCES.finditer(text):
            words = list(_WORDS.finditer(sentence.group()))
            if not words:
                continue
            labels = self.labels([w.group() for w in words])
            current: list[Any] | None = None
            for word, label in zip(words, labels, strict=False):
                tag, _, kind = label.partition("-")
                type_ = _NER_TYPES.get(kind) if word.group()[0].isalnum() else None
                start, end = sentence.start() + word.start(), sentence.start() + word.end()
                if type_ and (tag == "B" or current is None or current[2] != type_):
                    if current:
                        out.append((current[0], current[1], current[2]))
                    current = [start, end, type_]
                elif type_ and current is not None:
                    current[1] = end
                else:
                    if current:
                        out.append((current[0], current[1], current[2]))
                    current = None
            if current:
                out.append((current[0], current[1], current[2]))
        return out
