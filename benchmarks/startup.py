"""Start-up costs: ``akhbar ingest`` on the bundled samples, and what importing akhbar costs.

Part of ``make bench`` (the ``startup`` scenario of ``benchmarks/run.py``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.timing import Measurement, run_once

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
AKHBAR = [PY, "-m", "akhbar.pipelines.cli"]
STARTUP_LIMIT_S = 5.0


def parse_importtime(text: str) -> list[tuple[int, str, int]]:
    """``python -X importtime`` lines as (nesting level, module, cumulative microseconds)."""
    out = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _self, cumulative, name = line[len("import time:") :].split("|", 2)
        if not cumulative.strip().isdigit():
            continue  # the header line
        name = name[1:]
        level = (len(name) - len(name.lstrip(" "))) // 2
        out.append((level, name.strip(), int(cumulative)))
    return out


def importtime(cmd: list[str]) -> list[tuple[int, str, int]]:
    """Run ``cmd`` (a ``python -X importtime ...`` command) and parse what it imported."""
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=str(REPO))
        err.seek(0)
        text = err.read().decode(errors="replace")
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {text[-1500:]}")
    return parse_importtime(text)


def import_summary(rows: list[tuple[int, str, int]]) -> dict[str, Any]:
    """Total import time (top-level imports' cumulative times), the slowest, torch/camel_tools."""
    top = sorted((r for r in rows if r[0] == 0), key=lambda r: -r[2])
    names = {r[1] for r in rows}

    def imported(package: str) -> bool:
        return any(n == package or n.startswith(package + ".") for n in names)

    return {
        "total_ms": round(sum(r[2] for r in top) / 1000, 1),
        "modules": len(rows),
        "slowest": [[name, round(us / 1000, 1)] for _level, name, us in top[:8]],
        "torch": imported("torch"),
        "camel_tools": imported("camel_tools"),
    }


def _timed(label: str, cmd: list[str], repeat: int, fresh: Path | None = None) -> dict[str, Any]:
    import shutil

    runs, peak = [], 0.0
    try:
        for _ in range(repeat):
            if fresh is not None:
                shutil.rmtree(fresh, ignore_errors=True)
            once = run_once(cmd, cwd=str(REPO))
            runs.append(round(once.seconds, 3))
            peak = max(peak, once.peak_rss_mb)
    except RuntimeError as exc:
        return {"label": label, "failed": str(exc)[-1500:]}
    return {"size": 0, **Measurement(label, 0, runs, round(peak, 1), round(peak, 1)).as_dict()}


def startup(work: Path, repeat: int) -> dict[str, Any]:
    """``akhbar ingest`` on the bundled samples (no --input), and the import costs."""
    out = work / "startup-out"
    ingest = [*AKHBAR, "ingest", "--output", str(out)]
    result: dict[str, Any] = {
        "ingest_samples": _timed("startup_ingest_samples", ingest, repeat, out)
    }
    for key, code in (("import_cli", "import akhbar.pipelines.cli"), ("bare_python", "pass")):
        result[key] = _timed(key, [PY, "-c", code], repeat)
    x = [PY, "-X", "importtime"]
    try:
        rows = importtime([*x, "-m", "akhbar.pipelines.cli", "ingest", "--output", str(work / "x")])
        result["imports_during_ingest"] = import_summary(rows)
        cli = importtime([*x, "-c", "import akhbar.pipelines.cli"])
        result["import_cli_importtime_ms"] = next(
            (round(us / 1000, 1) for lvl, n, us in cli if lvl == 0 and n == "akhbar.pipelines.cli"),
            None,
        )
    except RuntimeError as exc:
        result["imports_failed"] = str(exc)[-1500:]
    return result


def _cell(s: str) -> str:
    return " ".join(s.replace("|", "\\|").split())[:300]


def startup_markdown(s: dict[str, Any]) -> list[str]:
    lines = [
        "## Start-up",
        "",
        "| measurement | median s | peak RSS MB | target |",
        "|---|---:|---:|---|",
    ]
    names = {
        "ingest_samples": "akhbar ingest on the bundled samples (`python -m akhbar.pipelines.cli "
        "ingest --output DIR`)",
        "import_cli": '`python -c "import akhbar.pipelines.cli"` (whole process)',
        "bare_python": "`python -c pass` (the interpreter alone)",
    }
    for key, name in names.items():
        r = s.get(key) or {}
        if "median_s" not in r:
            lines.append(f"| {name} | {_cell('FAILED: ' + str(r.get('failed')))} | | |")
            continue
        goal = ""
        if key == "ingest_samples":
            met = r["median_s"] < STARTUP_LIMIT_S
            goal = f"< {STARTUP_LIMIT_S:.0f} s: {'met' if met else '**not met**'}"
        lines.append(f"| {name} | {r['median_s']:.2f} | {r['peak_rss_mb']:.0f} | {goal} |")
    imports = s.get("imports_during_ingest")
    if imports:
        slowest = ", ".join(f"{name} {ms:.0f} ms" for name, ms in imports["slowest"])
        lines += [
            "",
            f"`python -X importtime` (one run): `import akhbar.pipelines.cli` itself "
            f"{s.get('import_cli_importtime_ms')} ms; the ingest on the samples imports "
            f"{imports['modules']} modules in {imports['total_ms']:.0f} ms; torch imported: "
            f"{'yes' if imports['torch'] else 'no'}; camel_tools imported: "
            f"{'yes' if imports['camel_tools'] else 'no'}. Slowest top-level imports: {slowest}.",
        ]
    elif s.get("imports_failed"):
        lines += ["", f"Import profile failed: {_cell(s['imports_failed'])}"]
    return lines
