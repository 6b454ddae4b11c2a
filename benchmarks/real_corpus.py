"""The second real corpus of issue 19's benchmarks: SaudiNewsNet, as akhbar JSONL.

    python -m benchmarks.real_corpus [--source DIR] [--out benchmarks/data]

**What.** SaudiNewsNet (M. Alhagri, 2015): 31,030 Arabic articles from 14 Saudi online
newspapers (Al-Riyadh, Al-Jazirah, Okaz, Sabq, the Saudi Press Agency, ...), extracted between
2015-07-21 and 2015-08-11: 18 extraction days, 1,713 characters per article on average
(ANT: 663). Each article has its outlet, URL, extraction time, title, author and text. Real
outlets, real lengths and the real duplicates of a news week (wire stories carried by several
papers), where ANT is one Tunisian outlet over four years.

**Where.** The public repository ``inparallel/SaudiNewsNet`` (``dataset/YYYY-MM-DD.zip``, one
JSON array per zip), commit ``4e39239`` read here. ``--source`` takes a folder holding those
zips, or a git directory of the repository (read with ``git archive``); by default the first
of: ``$AKHBAR_SAUDINEWSNET``, ``../shared/data/corpora/saudinewsnet`` beside the checkout, and
``/work/.mirror/inparallel+SaudiNewsNet/repo`` (where this machine's repository snapshot tool
puts it).

**Licence.** CC BY-NC-SA 4.0, "for the sole purpose of aiding open scientific research"; the
articles belong to their newspapers. akhbar only reads it to measure its own speed and never
commits or ships any of it: the JSONL lands in ``benchmarks/data/`` (git-ignored), and the
reports give only counts and timings. Cite: Alhagri, M. A. (2015). Saudi Newspapers Arabic
Corpus (SaudiNewsNet). http://github.com/ParallelMazen/SaudiNewsNet

**Mapping.** ``id``: ``snn-`` + the zip's date + the article's position; ``source``: the
newspaper's domain (``SOURCES``); ``published``: ``date_extracted`` as it is (the README says
it is most probably the publication time after 2015-08-01, the extraction time before); the
author goes to ``authors``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NAME = "saudinewsnet"
ARTICLES = 31_030
REPO = Path(__file__).resolve().parent.parent
SOURCES = {
    "aawsat": "aawsat.com",
    "aleqtisadiya": "aleqt.com",
    "aljazirah": "al-jazirah.com",
    "almadina": "al-madina.com",
    "alriyadh": "alriyadh.com",
    "alwatan": "alwatan.com.sa",
    "alweeam": "alweeam.com.sa",
    "alyaum": "alyaum.com",
    "arreyadi": "arreyadi.com.sa",
    "arreyadiyah": "arreyadiyah.com",
    "okaz": "okaz.com.sa",
    "sabq": "sabq.org",
    "was": "spa.gov.sa",
    "3alyoum": "3alyoum.com",
}
WHERE = (
    "SaudiNewsNet not found: give --source (a folder of its dataset/*.zip, or a git directory "
    "of github.com/inparallel/SaudiNewsNet), set AKHBAR_SAUDINEWSNET, or put the zips in "
    "../shared/data/corpora/saudinewsnet"
)


def candidates() -> list[Path]:
    """Where the corpus is looked for, in order (module docstring)."""
    env = os.environ.get("AKHBAR_SAUDINEWSNET")
    return [
        *([Path(env)] if env else []),
        REPO.parent / "shared" / "data" / "corpora" / "saudinewsnet",
        Path("/work/.mirror/inparallel+SaudiNewsNet/repo"),
    ]


def zips(source: Path) -> Iterator[tuple[str, bytes]]:
    """(zip name, zip bytes) of every ``dataset/*.zip``, from a folder or a git directory."""
    folder = source / "dataset" if (source / "dataset").is_dir() else source
    found = sorted(folder.glob("*.zip"))
    if found:
        for path in found:
            yield path.name, path.read_bytes()
        return
    archive = subprocess.run(
        ["git", f"--git-dir={source}", "archive", "HEAD", "dataset"],
        capture_output=True,
        check=False,
    )
    if archive.returncode:
        raise FileNotFoundError(f"{source}: no dataset/*.zip and not a git directory")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            handle = tar.extractfile(member) if member.name.endswith(".zip") else None
            if handle is not None:
                yield Path(member.name).name, handle.read()


def records(source: Path) -> Iterator[dict[str, Any]]:
    """The articles as akhbar JSONL records (see *Mapping* in the module docstring)."""
    for name, data in zips(source):
        day = name.removesuffix(".zip")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in sorted(archive.namelist()):
                for i, item in enumerate(json.loads(archive.read(member).decode("utf-8"))):
                    outlet = item.get("source", "")
                    yield {
                        "id": f"snn-{day}-{i:05d}",
                        "url": item.get("url", ""),
                        "source": SOURCES.get(outlet, outlet),
                        "title": item.get("title", ""),
                        "published": item.get("date_extracted", ""),
                        "text": item.get("content", ""),
                        "authors": [item["author"]] if item.get("author") else [],
                    }


def ensure(out: Path, source: Path | None = None) -> Path:
    """``<out>/saudinewsnet.jsonl``, converted unless it is already there (FileNotFoundError,
    with where to put the corpus, when it cannot be found)."""
    path = out / f"{NAME}.jsonl"
    if path.exists():
        return path
    found = [source] if source else [c for c in candidates() if c.exists()]
    if not found:
        raise FileNotFoundError(WHERE)
    out.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".partial")
    with temp.open("w", encoding="utf-8") as handle:
        for record in records(found[0]):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    temp.replace(path)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "data")
    args = parser.parse_args(argv)
    path = ensure(args.out, args.source)
    with path.open(encoding="utf-8") as handle:
        print(f"{path}: {sum(1 for _ in handle)} articles")


if __name__ == "__main__":
    main()
