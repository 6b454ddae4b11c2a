"""seeds/build_names.py: the person-name lexicons are rebuilt exactly from their pinned source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from akhbar.seeds import build_names
from akhbar.transforms.extract.gazetteer import load_lexicons


@pytest.mark.slow
def test_committed_name_lexicons_are_what_the_build_script_produces(tmp_path: Path) -> None:
    """Fetch the pinned wheel with pip (the registry is reachable in CI; offline we skip) and
    rebuild: the committed files must be byte-identical, so nobody edits them by hand."""
    fetched = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "-d",
            str(tmp_path),
            f"{build_names.PACKAGE}=={build_names.VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if fetched.returncode != 0:
        pytest.skip(f"could not download {build_names.PACKAGE}: {fetched.stderr.strip()[:200]}")
    wheel = next(tmp_path.glob("arabic_name_romanizer-*.whl"))
    lists = build_names.build(wheel)
    for role, filename in build_names.ROLES.items():
        committed = (build_names.OUT / filename).read_text(encoding="utf-8")
        assert committed == build_names.render(role, lists[role]), filename


def test_lexicons_are_loaded_with_their_sources() -> None:
    lexicons = load_lexicons()
    assert len(lexicons.source_given) > 2000 and len(lexicons.family_names) > 5000
    assert "زهران" in lexicons.family_names and "ابتسام" in lexicons.source_given
    assert "كريستيانو" in lexicons.foreign_given and "كريستيانو" in lexicons.given_names
    header = (build_names.OUT / "given.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert build_names.VERSION in header and build_names.SQLITE_SHA256[:16] in header
