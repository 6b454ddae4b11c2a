"""Run state under ``OUTPUT/_state/``: HTTP validators, pending commits, and file helpers.

Everything here goes through Beam's ``FileSystems`` so that ``gs://``/``s3://`` outputs keep
their state next to their tables. Each state file is replaced atomically (write a temporary
name, then rename), so a killed run leaves either the old or the new version, never half.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apache_beam.io.filesystem import BeamIOError, CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions


@dataclass(frozen=True, slots=True)
class FetchState:
    """What the next run needs to send a conditional request for one URL."""

    url: str
    etag: str | None
    last_modified: str | None
    status: int | None
    fetched_at: str


def use_storage_options(settings: Mapping[str, Any] | None) -> None:
    """Give this process's ``FileSystems`` the run's storage options (S3 endpoint, keys ...).

    Beam's SDK harness sets them from the pipeline options where it starts a worker, but a DoFn
    should not depend on how a runner hands options to its workers (configuration travels in
    constructor arguments: docs/design-notes.md#configuration-of-workers). So every DoFn that
    touches storage receives the settings in its constructor and calls this in ``setup``.
    """
    if settings:
        FileSystems.set_options(PipelineOptions.from_dictionary(dict(settings)))


def join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts])


def state_dir(output: str) -> str:
    return join(output, "_state")


def staging_dir(output: str, run_id: str) -> str:
    return join(output, "_staging", run_id)


def read_json(path: str) -> Any | None:
    if not FileSystems.exists(path):
        return None
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        return json.loads(handle.read().decode("utf-8"))


def write_json_atomic(path: str, data: Any) -> None:
    folder, name = path.rsplit("/", 1)
    temp = f"{folder}/.{name}.inprogress"
    ensure_dir(folder)
    with FileSystems.create(temp, compression_type=CompressionTypes.UNCOMPRESSED) as sink:
        sink.write(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
    FileSystems.rename([temp], [path])


def ensure_dir(path: str) -> None:
    """Create a folder (local filesystems need it before a rename; object stores ignore it)."""
    with contextlib.suppress(BeamIOError, OSError):  # already exists
        FileSystems.mkdirs(path)


def delete_quietly(paths: list[str]) -> None:
    existing = [p for p in paths if FileSystems.exists(p)]
    if existing:
        FileSystems.delete(existing)


def list_files(pattern: str) -> list[str]:
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def delete_tree(folder: str) -> None:
    """Remove a folder and everything under it, on a local disk or an object store.

    On S3 or GCS a folder is only a key prefix: ``FileSystems.exists`` is false for it, so
    deleting it by name did nothing and a killed run's staged objects stayed forever. The
    files are listed and deleted first; then the folder itself, where there is one.
    """
    files = list_files(join(folder, "**"))
    if files:
        FileSystems.delete(files)
    delete_quietly([folder])


CRASH_ENV = "AKHBAR_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here, like a SIGKILL would, when ``AKHBAR_CRASH_AT`` names this point.

    Used by the crash-safety tests to stop a real run between two commit steps; unset, it is a
    dictionary lookup.
    """
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


# --- HTTP validators --------------------------------------------------------------------------


def validators_path(output: str) -> str:
    return join(state_dir(output), "http.json")


def load_validators(output: str) -> dict[str, dict[str, Any]]:
    """URL -> {etag, last_modified, status, fetched_at} from earlier runs."""
    data = read_json(validators_path(output))
    return data if isinstance(data, dict) else {}


def merge_validators(
    known: dict[str, dict[str, Any]], fetched: list[FetchState]
) -> dict[str, dict[str, Any]]:
    """Keep what a 304 did not change; replace what a 200 brought; drop nothing."""
    merged = dict(known)
    for state in fetched:
        previous = merged.get(state.url, {})
        merged[state.url] = {
            "etag": state.etag or (previous.get("etag") if state.status == 304 else None),
            "last_modified": state.last_modified
            or (previous.get("last_modified") if state.status == 304 else None),
            "status": state.status,
            "fetched_at": state.fetched_at,
        }
    return merged
