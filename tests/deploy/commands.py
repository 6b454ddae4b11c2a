"""Every ``akhbar`` command line written in deploy/ (and in the README's cluster section),
extracted the way a shell, Kubernetes or Airflow would expand it, for ``--dry-run`` checks.

Shell variables take the default the same file gives them (``VAR="${VAR:-default}"``); a
variable without a default becomes a placeholder word. Jinja ``{{ params.x }}`` in the Airflow
DAG takes the Param's default.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.conftest import REPO

DEPLOY = REPO / "deploy"
_DEFAULT = re.compile(r'^\s*(\w+)="\$\{\1:-([^}]*)\}"', re.M)
_VARIABLE = re.compile(r"\$\{(\w+)(?::[-?][^}]*)?\}|\$(\w+)")
_JINJA = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
_CLUSTER_SECTION = re.compile(r"^## Running on a cluster\n(.*?)^## ", re.S | re.M)
_SH_FENCE = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Command:
    where: str  # file (and line) it came from
    argv: list[str]  # without the leading "akhbar"


def _shell_lines(text: str) -> list[tuple[int, str]]:
    """Logical lines (continuations joined) that run akhbar, with their first line number."""
    found, pending, start = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not pending:
            if not re.match(r"^(exec\s+)?akhbar\s+(ingest|stream)\b", stripped):
                continue
            start = number
        pending += " " + stripped.rstrip("\\").strip()
        if not stripped.endswith("\\"):
            found.append((start, pending.strip()))
            pending = ""
    return found


def _expand(line: str, defaults: dict[str, str]) -> list[str]:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return defaults.get(name, f"placeholder-{name.lower()}")

    words = shlex.split(_VARIABLE.sub(value, line))
    if words and words[0] == "exec":
        words = words[1:]
    assert words[0] == "akhbar", line
    return words[1:]


def shell_commands(path: Path) -> list[Command]:
    text = path.read_text(encoding="utf-8")
    defaults = dict(_DEFAULT.findall(text))
    name = str(path.relative_to(REPO))
    return [Command(f"{name}:{n}", _expand(line, defaults)) for n, line in _shell_lines(text)]


def markdown_commands(path: Path, section: re.Pattern[str] | None = None) -> list[Command]:
    text = path.read_text(encoding="utf-8")
    if section is not None:
        match = section.search(text)
        assert match, f"section missing from {path}"
        text = match.group(1)
    name = str(path.relative_to(REPO))
    commands = []
    for block in _SH_FENCE.findall(text):
        defaults = dict(_DEFAULT.findall(block))
        commands += [
            Command(f"{name}:{line[:40]}", _expand(line, defaults))
            for _, line in _shell_lines(block)
        ]
    return commands


def yaml_commands(path: Path) -> list[Command]:
    commands = []
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        for container in _containers(document):
            if container.get("command") == ["akhbar"]:
                commands.append(
                    Command(
                        f"{path.relative_to(REPO)}:{container['name']}",
                        [str(a) for a in container.get("args", [])],
                    )
                )
    return commands


def _containers(node: object) -> list[dict]:
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("containers"), list):
            found += [c for c in node["containers"] if isinstance(c, dict)]
        for value in node.values():
            found += _containers(value)
    elif isinstance(node, list):
        for value in node:
            found += _containers(value)
    return found


def dag_module(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def dag_params(tree: ast.Module) -> dict[str, str]:
    """Defaults of ``params={"name": Param(default, ...)}``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "params"
            and isinstance(node.value, ast.Dict)
        ):
            return {
                key.value: call.args[0].value
                for key, call in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(key, ast.Constant) and isinstance(call, ast.Call) and call.args
            }
    return {}


def dag_commands(path: Path) -> list[Command]:
    tree = dag_module(path)
    params = dag_params(tree)
    context = {f"params.{k}": v for k, v in params.items()} | {"ts_nodash": "20260101T000000"}
    commands = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id.endswith("COMMAND") for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            text = node.value.value
            assert text.startswith(("akhbar ingest ", "akhbar stream ")), text
            line = _JINJA.sub(lambda m: context[m.group(1)], text)
            commands.append(
                Command(f"{path.relative_to(REPO)}:{node.lineno}", shlex.split(line)[1:])
            )
    return commands


def all_commands() -> list[Command]:
    commands: list[Command] = []
    for path in sorted(DEPLOY.rglob("*")):
        if path.suffix == ".sh":
            commands += shell_commands(path)
        elif path.suffix == ".md":
            commands += markdown_commands(path)
        elif path.suffix in (".yaml", ".yml"):
            commands += yaml_commands(path)
        elif path.suffix == ".py" and "airflow" in path.parts:
            commands += dag_commands(path)
    commands += markdown_commands(REPO / "README.md", _CLUSTER_SECTION)
    return commands
