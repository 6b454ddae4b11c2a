"""Every snippet of the README's "Query the output" section, run against a real run's output.

The blocks are read from README.md between ``<!-- query-output:start -->`` and
``<!-- query-output:end -->``: ``sh`` blocks run line by line in bash, ``python`` blocks run in this
interpreter, both in a folder whose ``output/`` is a copy of the session's sample run (the path the
README uses after ``make run``). ``.venv/bin/akhbar`` is replaced by this environment's script.
The ``text`` block right after the first command is its expected output, verbatim.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, akhbar_cmd

README = REPO / "README.md"
START, END = "<!-- query-output:start -->", "<!-- query-output:end -->"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.S | re.M)


def section() -> str:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, "query-output markers missing from README.md"
    return text.split(START, 1)[1].split(END, 1)[0]


def blocks(lang: str | None = None) -> list[tuple[str, str]]:
    found = [(m.group(1), m.group(2)) for m in FENCE.finditer(section())]
    return [b for b in found if lang is None or b[0] == lang]


def python_block(marker: str) -> str:
    matches = [code for _, code in blocks("python") if marker in code]
    assert len(matches) == 1, f"exactly one python block should use {marker}"
    return matches[0]


@pytest.fixture
def workdir(sample_output: Path, tmp_path: Path) -> Path:
    """A folder laid out like a checkout after `make run`: ./output is the run."""
    shutil.copytree(sample_output, tmp_path / "output")
    return tmp_path


def sh_line(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    akhbar = " ".join(shlex.quote(part) for part in akhbar_cmd())
    command = line.replace(".venv/bin/akhbar", akhbar).replace(
        ".venv/bin/python", shlex.quote(sys.executable)
    )
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def commands(code: str) -> list[str]:
    return [
        line for line in code.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SPARK_LOCAL_IP": "127.0.0.1"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600, env=env
    )


def test_section_has_the_promised_snippets() -> None:
    langs = [lang for lang, _ in blocks()]
    assert langs.count("python") == 4 and langs.count("sh") >= 2 and "text" in langs
    for marker in ("import duckdb", "import pandas", "import polars", "from pyspark"):
        python_block(marker)
    assert "docs/report-screenshot.png" in section()
    assert (REPO / "docs" / "report-screenshot.png").is_file(), "run tests/users/test_browser.py"


def test_three_commands_from_clone_to_report(workdir: Path) -> None:
    (console,) = [code for lang, code in blocks("console")]
    lines = commands(console)
    assert [line.split()[0] for line in lines] == ["make", ".venv/bin/akhbar", "xdg-open"]
    assert lines[0].split("#")[0].split() == ["make", "run"]
    proc = sh_line(lines[1].split("#")[0], workdir)  # `make run` made ./output: we have it
    assert proc.returncode == 0, proc.stderr
    assert (workdir / "output" / "report.html").is_file()
    assert lines[2].split("#")[0].split() == ["xdg-open", "output/report.html"]


def test_first_query_prints_the_documented_table(workdir: Path) -> None:
    ordered = blocks()
    first_sh = next(i for i, (lang, _) in enumerate(ordered) if lang == "sh")
    lang, expected = ordered[first_sh + 1]
    assert lang == "text", "the first command's output should follow it"
    (line,) = commands(ordered[first_sh][1])
    proc = sh_line(line, workdir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected, "README's sample output drifted; paste this:\n" + proc.stdout


def test_every_akhbar_query_line_runs(workdir: Path) -> None:
    lines = [line for _, code in blocks("sh") for line in commands(code)]
    assert len(lines) >= 8
    for line in lines:
        proc = sh_line(line, workdir)
        assert proc.returncode == 0, (line, proc.stderr)
        assert "error" not in proc.stderr.lower(), (line, proc.stderr)
        if ">" not in line and "--format parquet" not in line:
            assert proc.stdout.strip(), f"no output from: {line}"
    csv_lines = (workdir / "articles.csv").read_text(encoding="utf-8").splitlines()
    assert csv_lines[0] == "id,source,date,title" and len(csv_lines) == 40
    assert (workdir / "youm7.parquet").stat().st_size > 0


def test_pruning_claim_matches_explain_analyze(workdir: Path) -> None:
    claim = re.search(r"`Scanning Files: 1/(\d+)`", section())
    assert claim, "README states the pruning result"
    total = len(list((workdir / "output" / "articles").rglob("*.parquet")))
    assert int(claim.group(1)) == total
    proc = sh_line(
        '.venv/bin/akhbar query --format csv "explain analyze select count(*) from articles '
        "where date = '2017-01-21' and source = 'youm7.com'\"",
        workdir,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"Scanning Files: 1/{total}" in proc.stdout and "Total Files Read: 1" in proc.stdout


def test_duckdb_python_snippet(workdir: Path) -> None:
    proc = run_python(python_block("import duckdb"), workdir)
    assert proc.returncode == 0, proc.stderr
    assert "exact" in proc.stdout and "url" in proc.stdout
    assert "canonical_source" in proc.stdout and "run_id" in proc.stdout
    assert re.search(r"│\s+43 │\s+39 │\s+3 │\s+1 │", proc.stdout), proc.stdout


def test_pandas_snippet(workdir: Path) -> None:
    proc = run_python(python_block("import pandas"), workdir)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"jawharafm\.net\s+14", proc.stdout), proc.stdout
    assert re.search(r"hespress\.com\s+7", proc.stdout), proc.stdout


def test_polars_snippet(workdir: Path) -> None:
    proc = run_python(python_block("import polars"), workdir)
    assert proc.returncode == 0, proc.stderr
    assert "shape: (8, 2)" in proc.stdout and "2017-06-04 ┆ 3" in proc.stdout, proc.stdout


@pytest.mark.slow
def test_spark_snippet(workdir: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: pyspark needs a JVM (the only allowed skip)")
    proc = run_python(python_block("from pyspark"), workdir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"\|jawharafm\.net\s*\|14\s*\|", proc.stdout), proc.stdout
    assert re.search(r"\|hespress\.com\s*\|7\s*\|", proc.stdout), proc.stdout
