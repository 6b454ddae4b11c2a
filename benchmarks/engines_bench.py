"""What the benchmark needs of engines it does not own: datatrove's venv and a Flink cluster."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def datatrove_python() -> tuple[str | None, str]:
    """(the datatrove venv's python, "") or (None, why it cannot be had)."""
    try:  # dedup_quality owns the venv recipe; imported here only when datatrove is wanted
        from benchmarks.dedup_quality import DATATROVE_VENV, ensure_datatrove_venv

        python = ensure_datatrove_venv()
    except Exception as exc:  # offline, no wheel, no venv module: each one a skip
        return None, f"could not make the datatrove venv: {exc}"
    check = subprocess.run(
        [str(python), "-c", "import datatrove, spacy"], capture_output=True, text=True
    )
    if check.returncode:
        return None, (
            f"{DATATROVE_VENV} does not import datatrove (an earlier install failed? delete the "
            f"folder to retry): {check.stderr.strip()[-500:]}"
        )
    return str(python), ""


def flink_pids() -> list[int]:
    """The local Flink cluster's JobManager, TaskManagers and SDK worker pool (their trees hold
    the SDK workers): they work for a Flink run without being its descendants."""
    from akhbar.pipelines.engines import engine_cache

    run_dir = Path(os.environ.get("FLINK_RUN_DIR") or engine_cache() / "flink" / "run")
    pids = []
    for path in (run_dir / "pid").glob("*.pid"):
        try:
            pids += [int(x) for x in path.read_text().split()]
        except (OSError, ValueError):
            continue
    return [p for p in pids if Path(f"/proc/{p}").exists()]


@contextmanager
def flink_cluster() -> Iterator[str]:
    """ "" while ``deploy/flink/local.sh``'s cluster is up (started here, and stopped again, if
    it was not running), or why it could not be had."""
    script = REPO / "deploy" / "flink" / "local.sh"
    if subprocess.run([script, "status"], capture_output=True).returncode == 0:
        yield ""
        return
    up = subprocess.run([script, "up"], capture_output=True, text=True)
    if up.returncode:
        subprocess.run([script, "down"], capture_output=True)
        yield f"deploy/flink/local.sh up failed: {(up.stderr or up.stdout).strip()[-400:]}"
        return
    try:
        yield ""
    finally:
        subprocess.run([script, "down"], capture_output=True)
