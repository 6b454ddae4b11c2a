"""Where the real Beam engines' artifacts are, and the runner flags that point Beam at them.

Beam's portable runners fetch what they need at submit time: FlinkRunner and SparkRunner a
job-server jar from Maven Central, PrismRunner a prebuilt binary from GitHub releases. akhbar
fetches or builds them once instead (``make engines``: pinned and checksum-verified in
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


# Beam's Flink job server as deploy/flink/fetch.sh builds it (its version: deploy/engines.lock).
FLINK_JOB_SERVER_JAR = "beam-runners-flink-1.20-job-server-2.73.0.jar"
FLINK_VERSION = "1.20"
# Where a TaskManager finds Beam's Python SDK worker pool: next to it, on its own host (the
# sidecar of deploy/flink/flink-session.yaml, the pool deploy/flink/local.sh starts).
FLINK_WORKER_POOL = "localhost:50000"
FLINK_EMBEDDED = frozenset({"[local]", "[auto]"})


def flink_job_server_jar(cache: Path | None = None) -> Path | None:
    """Beam's Flink 1.20 job-server jar built by ``deploy/flink/fetch.sh``, or None.

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
      Flink version was asked for (``--flink_version``: the jar is for Flink 1.20).
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
    unless the user gave that flag (FlinkRunner: ``with_flink_defaults``).

    When the artifact is not in the cache, argv is left as it is and Beam does what it does
    by default (PrismRunner then downloads a binary from GitHub): a machine with internet
    access still works without ``make engines``. Offline that download fails with a long
    traceback, so a warning first says what to do.
    """
    runner = _runner(argv)
    if runner == "FlinkRunner":
        return with_flink_defaults(argv)
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
