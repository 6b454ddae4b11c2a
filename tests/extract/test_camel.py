"""The optional camel-tools paths, tested offline with resources made on the spot.

Each test runs in a fresh interpreter: ``camel_tools.data`` reads ``CAMELTOOLS_DATA`` once per
process, and the point of one test is to show what the default path does *not* import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "data" / "seed-article-ar.txt"


def _python(code: str, timeout: float = 300) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_default_path_imports_no_camel_data_morphology_ner_or_torch() -> None:
    result = _python(
        f"""
import json, sys
from datetime import datetime, UTC
import akhbar.transforms.extract as extract
from tests.helpers import make_article
text = open({str(SEED)!r}, encoding="utf-8").read()
article = make_article("seed", text=text, text_normalized=text, published_at=datetime(2020, 9, 10, tzinfo=UTC))
out = extract.extract_article(article)
heavy = ["camel_tools.data", "camel_tools.morphology", "camel_tools.ner", "torch", "transformers"]
print(json.dumps({{"loaded": [m for m in heavy if m in sys.modules], "entities": len(out.entities)}}))
"""
    )
    assert result["entities"] > 5
    assert result["loaded"] == []


def test_morphology_path_with_a_hand_written_db(tmp_path: Path) -> None:
    result = _python(
        f"""
import json, sys
from datetime import datetime, UTC
from pathlib import Path
from tests.extract.camel_fixtures import write_camel_data
from akhbar.transforms.extract import ExtractConfig
from akhbar.transforms.extract.engine import Extractor
data = write_camel_data(Path({str(tmp_path)!r}) / "camel")
extractor = Extractor(ExtractConfig(camel_data=str(data)))
text = "نحب بلادنا ومصرنا وتونس"
out = extractor.fields(text, datetime(2026, 1, 1, tzinfo=UTC))
print(json.dumps({{
    "segment": extractor.segmenter.segment("بمصر"),
    "lemma": extractor.segmenter.lemma("والصين"),
    "entities": [[e["text"], e["type"], e["start"], e["end"]] for e in out["entities"]],
    "morphology_loaded": "camel_tools.morphology" in sys.modules,
    "torch_loaded": "torch" in sys.modules,
}}))
"""
    )
    assert ["ب", "مصر"] in result["segment"]
    assert result["lemma"] == "الصين"
    # "ومصرنا" carries a suffix the prefix rules cannot strip: only the analyzer finds مصر in it
    assert ["مصر", "LOC", 12, 15] in result["entities"]
    assert ["تونس", "LOC", 19, 23] in result["entities"]
    assert result["morphology_loaded"] and not result["torch_loaded"]


def test_morphology_path_rejects_a_folder_without_catalogue(tmp_path: Path) -> None:
    from akhbar.transforms.extract.camel import CamelSetupError, point_data_dir

    with pytest.raises(CamelSetupError):
        point_data_dir(str(tmp_path))


@pytest.mark.slow
def test_ner_path_with_a_random_bert_model(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    result = _python(
        f"""
import json, sys
from datetime import datetime, UTC
from pathlib import Path
from tests.extract.camel_fixtures import write_ner_model
from akhbar.transforms.extract import ExtractConfig
from akhbar.transforms.extract.engine import Extractor
text = open({str(SEED)!r}, encoding="utf-8").read()
model = write_ner_model(Path({str(tmp_path)!r}) / "ner", text.split())
extractor = Extractor(ExtractConfig(ner_model=str(model)))
spans = extractor.ner.spans(text)
out = extractor.fields(text, datetime(2020, 9, 10, tzinfo=UTC))
print(json.dumps({{
    "spans": spans,
    "entities": out["entities"],
    "ner_loaded": "camel_tools.ner" in sys.modules,
}}))
""",
        timeout=600,
    )
    assert result["ner_loaded"]
    assert result["spans"], "a random model still labels some words"
    for start, end, type_ in result["spans"]:
        assert type_ in ("PER", "ORG", "LOC") and 0 <= start < end <= len(text)
    for entity in result["entities"]:
        assert set(entity) == {"text", "normalized", "type", "start", "end"}
        assert text[entity["start"] : entity["end"]] == entity["text"]
    # gazetteer names still win where the model's spans overlap them
    assert ("منظمة الصحة العالمية", "ORG") in {(e["text"], e["type"]) for e in result["entities"]}


def test_private_catalogue_folder_is_removed_at_exit(tmp_path: Path) -> None:
    """Without camel data, each process points camel_tools at a private minimal catalogue in
    the temporary folder; it must not outlive the process."""
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    code = (
        "import json, os; from transforms.extract.camel import point_data_dir;"
        "point_data_dir(None); folder = os.environ['CAMELTOOLS_DATA'];"
        "print(json.dumps({'folder': folder, 'exists': os.path.isfile(folder + '/catalogue.json')}))"
    )
    env = {"HOME": str(home), "TMPDIR": str(temp), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["exists"] and result["folder"].startswith(str(temp))
    assert not Path(result["folder"]).exists()
    assert list(temp.iterdir()) == []
