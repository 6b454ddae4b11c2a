"""Where the real Beam engines' artifacts are, and the runner flags that point Beam at them.

Beam's portable runners fetch what they need at submit time: FlinkRunner and SparkRunner a
job-server jar from Maven Central, PrismRunner a prebuilt binary from GitHub releases. akhbar
fetches, builds or assembles them once instead (``make engines``: pinned and checksum-verified in
``deploy/engines.lock``) into one cache folder, ``$AKHBAR_ENGINE_CACHE`` or
``~/.cache/akhbar/engines``, one subfolder per engine, and passes the cached path to Beam, so a
run needs no network and uses exactly the pinned artifact. A flag the user gives wins.

No Beam import here: ``with_default_runner`` calls this for every command line, ``--help`` too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path

CACHE_VARIABLE = "AKHBAR_ENGINE_CACHE"
_LOG = logging.getLogger(__name__)


def engine_cache(environ: Mapping[str, str] | None = None) -> Path:
    """The cache folder of engine artifacts (``deploy/*/fetch.sh`` write there)."""
    env = os.environ if environ is None else environ
    return Path(env.get(CACHE_VARIABLE) or Path.home() / ".cache" / "akhbar" / "engines")


def prism_binary(cache: Path | None = None) -> Path | None:
    """The Prism binary built by ``deploy/prism/fetch.sh``, or None when it was not built.

    Only existence is checked: ``fetch.sh`` moves the binary into place after verifying it,
    so a binary there is whole (``deploy/prism/fetch.sh --check`` re-verifies it).
    """
    path = (cache if cache is not None else engine_cache()) / "prism" / "prism"
    return path if path.is_file() and os.access(path, os.X_OK) else None


# Beam's Flink job server as deploy/flink/fetch.sh assembles it (its version: deploy/engines.lock).
FLINK_JOB_SERVER_JAR = "beam-runners-flink-1.19-job-server-2.62.0.jar"
FLINK_VERSION = (
    "1.19"  # the Flink line of that jar, and of the cluster deploy/flink/local.sh starts
)
# Where a TaskManager finds Beam's Python SDK worker pool: next to it, on its own host (the
# sidecar of deploy/flink/flink-session.yaml, the pool deploy/flink/local.sh starts).
FLINK_WORKER_POOL = "localhost:50000"
FLINK_EMBEDDED = frozenset({"[local]", "[auto]"})


def flink_job_server_jar(cache: Path | None = None) -> Path | None:
    """Beam's Flink 1.19 job-server jar assembled by ``deploy/flink/fetch.sh``, or None.

    Only existence is checked: ``fetch.sh`` moves the jar into place after checking its sha256
    (``deploy/flink/fetch.sh --check`` checks it again).
    """
    path = (cache if cache is not None else engine_cache()) / "flink" / FLINK_JOB_SERVER_JAR
    return path if path.is_file() else None


def _value(argv: list[str], flag: str) -> str | None:
    """The value of the last ``flag=V`` or ``flag V`` in argv."""
    found = None
    for i, arg in enumerate(argv):
        if arg.startswith(flag + "="):
            found = arg.split("=", 1)[1]
        elif arg == flag and i + 1 < len(argv):
            found = argv[i + 1]
    return found


def with_flink_defaults(argv: list[str]) -> list[str]:
    """FlinkRunner's argv plus what akhbar's Flink set-up needs, each unless the user gave it.

    - ``--flink_job_server_jar=<cache>/flink/...jar`` when the cached jar is there and no other
      Flink version was asked for (``--flink_version``: the jar is for Flink 1.19).
    - ``--environment_type=EXTERNAL --environment_config=localhost:50000`` for a Flink cluster
      (``--flink_master=host:port``): the Python steps run in the SDK worker pool beside each
      TaskManager. Beam's own default there is DOCKER, a container per worker, which needs a
      Docker daemon on every TaskManager host. With ``--flink_master=[local]`` (or none), Beam
      runs Flink inside the job server and the workers in this process (LOOPBACK), as it does
      by default.
    """
    argv = list(argv)
    if not _given(argv, "--flink_job_server_jar") and _value(argv, "--flink_version") in (
        None,
        FLINK_VERSION,
    ):
        jar = flink_job_server_jar()
        if jar is None:
            _LOG.warning(
                "FlinkRunner: no cached job server in %s (run `make engines`, or give "
                "--flink_job_server_jar); Beam will try to download its own",
                engine_cache() / "flink",
            )
        else:
            argv.append(f"--flink_job_server_jar={jar}")
    master = _value(argv, "--flink_master") or "[auto]"
    if master.strip() not in FLINK_EMBEDDED and not _given(argv, "--environment_type"):
        argv += ["--environment_type=EXTERNAL", f"--environment_config={FLINK_WORKER_POOL}"]
    return argv


# Beam's Spark job server as deploy/spark/fetch.sh assembles it (its version: deploy/engines.lock).
SPARK_JOB_SERVER_JAR = "beam-runners-spark-3-job-server-2.62.0.jar"
# Where an executor finds Beam's Python SDK worker pool: on its own host (the pool
# deploy/spark/local.sh starts; on a cluster, one beside every Spark worker). Not Flink's port,
# so that both local clusters can run at once.
SPARK_WORKER_POOL = "localhost:50100"
SPARK_DEFAULT_MASTER = "local[4]"  # Beam's default --spark_master_url
# How long an executor keeps an idle SDK worker. Beam's default, 0, ends it after every stage, so
# each of akhbar's ~16 stages started a new Python process on each executor (2 per executor with
# this, and the samples ran in 2/3 of the time); it ends with its executor at the end of the job.
SPARK_ENVIRONMENT_CACHE_MILLIS = 60_000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
# The Spark driver runs inside the job server. On a host whose name resolves to 127.0.0.1, Spark
# binds its driver to another interface it finds, and its web UI to every interface; for a master
# on this machine, the driver belongs on loopback, and a batch run's UI is not worth a port.
SPARK_LOOPBACK_DRIVER = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
}


def spark_job_server_jar(cache: Path | None = None) -> Path | None:
    """Beam's Spark 3 job-server jar assembled by ``deploy/spark/fetch.sh``, or None.

    Only existence is checked: ``fetch.sh`` moves the jar into place after checking its sha256
    (``deploy/spark/fetch.sh --check`` checks it again).
    """
    path = (cache if cache is not None else engine_cache()) / "spark" / SPARK_JOB_SERVER_JAR
    return path if path.is_file() else None


def _spark_master_on_this_machine(master: str) -> bool:
    """Whether the master URL is Spark inside the job server (``local[N]``) or a standalone
    master whose every host is loopback (``spark://127.0.0.1:7077``)."""
    if master.startswith("local"):
        return True
    if not master.startswith("spark://"):
        return False
    hosts = [part.rsplit(":", 1)[0] for part in master[len("spark://") :].split(",")]
    return all(host in LOOPBACK_HOSTS for host in hosts)


def _jvm_properties_given(argv: list[str]) -> set[str]:
    """The ``-Dname`` names of the job-server JVM properties given on the command line."""
    names = set()
    for i, arg in enumerate(argv):
        for flag in ("--job_server_jvm_property", "--job_server_jvm_properties"):
            value = None
            if arg.startswith(flag + "="):
                value = arg.split("=", 1)[1]
            elif arg == flag and i + 1 < len(argv):
                value = argv[i + 1]
            if value and value.startswith("-D"):
                names.add(value[2:].split("=", 1)[0])
    return names


def with_spark_defaults(argv: list[str]) -> list[str]:
    """SparkRunner's argv plus what akhbar's Spark set-up needs, each unless the user gave it.

    - ``--spark_job_server_jar=<cache>/spark/...jar`` when the cached jar is there.
    - ``--environment_type=EXTERNAL --environment_config=localhost:50100`` for a standalone
      cluster (``--spark_master_url=spark://...``): the Python steps run in the SDK worker pool
      beside each Spark worker. Beam's own default there is DOCKER (a container per worker, a
      Docker daemon on every worker host). With ``local[N]`` (Beam's default master) Spark runs
      inside the job server and the workers in this process (LOOPBACK), as Beam does by default.
    - ``--environment_cache_millis=60000``: an executor keeps its SDK worker between stages.
    - For a master on this machine (``local[N]``, ``spark://127.0.0.1:7077``), the driver's
      ``-Dspark.driver.host``, ``-Dspark.driver.bindAddress`` (127.0.0.1) and
      ``-Dspark.ui.enabled=false`` as ``--job_server_jvm_property``: a driver on another
      interface would make the executors talk to it off loopback.
    """
    argv = list(argv)
    if not _given(argv, "--spark_job_server_jar"):
        jar = spark_job_server_jar()
        if jar is None:
            _LOG.warning(
                "SparkRunner: no cached job server in %s (run `make engines`, or give "
                "--spark_job_server_jar); Beam will try to download its own",
                engine_cache() / "spark",
            )
        else:
            argv.append(f"--spark_job_server_jar={jar}")
    master = (_value(argv, "--spark_master_url") or SPARK_DEFAULT_MASTER).strip()
    if not master.startswith("local") and not _given(argv, "--environment_type"):
        argv += ["--environment_type=EXTERNAL", f"--environment_config={SPARK_WORKER_POOL}"]
    if not _given(argv, "--environment_cache_millis"):
        argv.append(f"--environment_cache_millis={SPARK_ENVIRONMENT_CACHE_MILLIS}")
    if _spark_master_on_this_machine(master):
        given = _jvm_properties_given(argv)
        argv += [
            f"--job_server_jvm_property=-D{name}={value}"
            for name, value in SPARK_LOOPBACK_DRIVER.items()
            if name not in given
        ]
    return argv


# Runner class name -> (the Beam flag naming its artifact, the function finding it in the cache).
ENGINE_ARTIFACTS: dict[str, tuple[str, Callable[[], Path | None]]] = {
    "PrismRunner": ("--prism_location", prism_binary),
}


def _runner(argv: list[str]) -> str:
    """The class name of the last ``--runner`` in argv ("" when there is none)."""
    runner = ""
    for i, arg in enumerate(argv):
        if arg.startswith("--runner="):
            runner = arg.split("=", 1)[1]
        elif arg == "--runner" and i + 1 < len(argv):
            runner = argv[i + 1]
    return runner.rsplit(".", 1)[-1]


def _given(argv: list[str], flag: str) -> bool:
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv)


def with_engine_defaults(argv: list[str]) -> list[str]:
    """argv (its ``--runner`` already resolved from a short alias) plus the cached artifact of
    that runner's engine, e.g. ``--prism_location=<cache>/prism/prism`` for ``PrismRunner``,
    unless the user gave that flag (FlinkRunner: ``with_flink_defaults``, SparkRunner:
    ``with_spark_defaults``).

    When the artifact is not in the cache, argv is left as it is and Beam does what it does
    by default (PrismRunner then downloads a binary from GitHub): a machine with internet
    access still works without ``make engines``. Offline that download fails with a long
    traceback, so a warning first says what to do.
    """
    runner = _runner(argv)
    if runner == "FlinkRunner":
        return with_flink_defaults(argv)
    if runner == "SparkRunner":
        return with_spark_defaults(argv)
    artifact = ENGINE_ARTIFACTS.get(runner)
    if artifact is None:
        return argv
    flag, find = artifact
    if _given(argv, flag):
        return argv
    path = find()
    if path is None:
        _LOG.warning(
            "%s: no cached engine artifact in %s (run `make engines`, or give %s); "
            "Beam will try to download its own",
            runner,
            engine_cache(),
            flag,
        )
        return argv
    return [*argv, f"{flag}={path}"]
