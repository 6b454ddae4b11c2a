"""The README's "Folders that grow" and "Python API" blocks run as written, in a folder holding
the files they name, and do what their comments say."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import SAMPLES
from tests.users.test_readme_snippets import FENCE, README, commands, run_python, sh_line


def section_blocks(heading: str) -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8").split(f"### {heading}\n", 1)[1]
    text = re.split(r"^##+ ", text, maxsplit=1, flags=re.M)[0]
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]


def write_day(path: Path, records: list[str], bad: int = 0) -> None:
    path.write_text("\n".join(records + ['{"id": "cut short'] * bad) + "\n", encoding="utf-8")


def sample_lines() -> list[str]:
    """JSONL lines of the bundled sample's articles, one per text and URL."""
    found: dict[str, str] = {}
    urls: set[str] = set()
    for line in (SAMPLES / "jawharafm.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        text = record.get("text") if isinstance(record, dict) else None
        if text and len(text) > 100 and text not in found and record["url"] not in urls:
            found[text] = line
            urls.add(record["url"])
    return list(found.values())


def test_growing_folder_and_api_blocks(tmp_path: Path) -> None:
    unique = sample_lines()
    (tmp_path / "inbox").mkdir()
    write_day(tmp_path / "inbox" / "monday.jsonl", unique[:6], bad=1)
    write_day(tmp_path / "tuesday.jsonl", unique[6:10], bad=1)

    [(lang, code)] = section_blocks("Folders that grow")[:1]
    assert lang == "sh"
    outputs = []
    for line in commands(code):
        done = sh_line(line, tmp_path)
        assert done.returncode == 0, (line, done.stderr[-2000:])
        outputs.append(done.stdout)
    first, second = (o for o in outputs if "akhbar ingest: run" in o)
    assert "items read       7" in first and "already ingested 0 (7)  OK" in first
    assert "items read       12" in second and "already ingested 7 (12)  OK" in second

    [(lang, code)] = [b for b in section_blocks("Python API") if b[0] == "python"]
    done = run_python(code, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[0] == "12 0 0 0 12"  # everything already in news/
    assert "jawharafm.net" in done.stdout
