"""akhbar installs under one import namespace, ``akhbar``, and its docstrings point inside the
repository.

Before: the wheel installed four generic top-level packages (``pipelines``, ``transforms``,
``schemas``, ``seeds``), each a name taken by an unrelated PyPI project, so a user's own
``pipelines/`` folder shadowed ours and ``import akhbar`` failed.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAPPED = {"pipelines": "akhbar.pipelines", "transforms": "akhbar.transforms",
          "schemas": "akhbar.schemas", "seeds": "akhbar.seeds"}  # fmt: skip
OLD_TOP_LEVEL = tuple(MAPPED)


def python_files() -> list[Path]:
    """The project's own Python files: not caches, nor the virtualenvs ``make bench`` creates
    inside ``benchmarks/`` (``.venv-datatrove``, gitignored), whose packages are not ours."""
    roots = [REPO / d for d in (*MAPPED, "akhbar", "tests", "benchmarks", "fuzz", "deploy")]
    return sorted(
        p
        for root in roots
        for p in root.rglob("*.py")
        if not any(part == "__pycache__" or part.startswith(".venv") for part in p.parts)
    )


def test_every_package_folder_is_installed_under_akhbar() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {"akhbar"}
    for folder, package in MAPPED.items():
        assert config["package-dir"][package] == folder
        for init in (REPO / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(REPO / folder).parts
            on_disk.add(".".join((package, *relative)))
    assert listed == on_disk


def test_no_module_imports_the_old_top_level_names() -> None:
    """One module imported under two names is two modules (two classes ``Article``...)."""
    offenders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(REPO)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in OLD_TOP_LEVEL
            ]
    assert offenders == []


def test_docstrings_point_inside_the_repository() -> None:
    """Design notes the code refers to live in docs/, and every anchor exists there."""
    references = []
    for path in python_files():
        text = path.read_text(encoding="utf-8")
        outside = "DESIGN" + ".md"  # the design document beside the checkout, not in it
        assert outside not in text, f"{path}: points at a document outside the repository"
        references += re.findall(r"docs/([\w.-]+\.md)(?:#([\w-]+))?", text)
    assert references
    for name, anchor in references:
        doc = REPO / "docs" / name
        assert doc.is_file(), name
        if anchor:
            headings = {
                re.sub(r"[^\w -]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", doc.read_text(encoding="utf-8"), re.M)
            }
            assert anchor in headings, f"docs/{name}#{anchor}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the project's own files (building in place would leave
    build/ and egg-info folders in the checkout)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for folder in ("akhbar", *MAPPED):
        shutil.copytree(REPO / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [built] = out.glob("akhbar-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_installs_only_the_akhbar_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"akhbar"}
    for needed in (
        "akhbar/__init__.py",
        "akhbar/py.typed",
        "akhbar/pipelines/cli.py",
        "akhbar/transforms/dedup/near.py",
        "akhbar/schemas/tables.py",
        "akhbar/seeds/samples/jawharafm.jsonl",
        "akhbar/seeds/gazetteers/gazetteer.tsv",
        "akhbar/seeds/idf_ant.tsv.gz",
        "akhbar/pipelines/report_assets/noto-naskh-arabic-arabic-400-normal.woff2",
    ):
        assert needed in names, needed
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "akhbar = akhbar.pipelines.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


@pytest.mark.slow
def test_installed_wheel_runs_beside_a_users_own_pipelines_folder(
    wheel: Path, tmp_path: Path
) -> None:
    """A user's project with its own ``pipelines/``, ``transforms/`` and ``schemas/`` packages
    (each raising on import) imports akhbar and runs it from that folder."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    project = tmp_path / "project"
    for name in OLD_TOP_LEVEL:
        (project / name).mkdir(parents=True)
        (project / name / "__init__.py").write_text(f"raise ImportError('the user\\'s {name}')\n")
    code = (
        "import sys, akhbar, akhbar.pipelines.cli as cli;"
        "print(akhbar.__file__);"
        "code = cli.main(['ingest', '--output', 'out']);"
        "print('OLD', sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{OLD_TOP_LEVEL!r}));"
        "sys.exit(code)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[0] == str(site / "akhbar" / "__init__.py")
    assert "OLD []" in done.stdout
    assert "accounting" in done.stdout and "OK" in done.stdout
    assert list((project / "out" / "articles").rglob("*.parquet"))


@pytest.mark.parametrize(
    "code",
    [
        "import akhbar",
        "import akhbar.pipelines.ingest",
        "import akhbar; akhbar.ingest; akhbar.connect",
        "import akhbar.transforms.dedup.near, apache_beam",
    ],
)
def test_importing_akhbar_prints_nothing_and_leaves_logging_alone(code: str) -> None:
    """Beam's import used to print ``WARNING:root:apitools not found…`` and, through the bare
    ``logging.warning`` behind it, install a handler on the user's root logger."""
    probe = f"{code}; import logging; print(logging.getLogger().handlers)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd="/"
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == "[]\n"
