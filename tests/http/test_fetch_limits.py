"""The HTTP limits at their boundaries, set through the command-line options.

``--max-fetch-bytes`` N: a body of exactly N bytes (on the wire, or after decompression) is
read, N+1 is ``http:too-large``. ``--max-redirects`` N: N hops are followed, the N+1st is
``http:too-many-redirects`` and never requested. The configuration is built the way the CLI
builds it (``fetch_config_from`` on parsed options), and one real ``akhbar ingest --feeds`` run
shows the options reach the workers.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from akhbar.pipelines.ingest import fetch_config_from
from akhbar.pipelines.options import IngestOptions
from akhbar.transforms.sources.http import FetchConfig, Fetcher
from tests.conftest import run_akhbar

from .conftest import FAST, Reply, ScriptedServer
from .feeds import FEED, XML


def fetcher_from_cli(*args: str) -> Fetcher:
    opts = PipelineOptions(["--allow-private-network", *args]).view_as(IngestOptions)
    config = fetch_config_from(opts)
    # the test server answers at once: keep the option values, shorten the waits
    waits = {k: v for k, v in FAST.items() if k != "allow_private_network"}
    return Fetcher(FetchConfig(**{**_fields(config), **waits}))


def _fields(config: FetchConfig) -> dict[str, object]:
    return {name: getattr(config, name) for name in FetchConfig.__dataclass_fields__}


def chain(server: ScriptedServer, name: str, hops: int) -> str:
    """``/name/hops`` -> ... -> ``/name/0``, which serves the feed."""
    for n in range(hops, 0, -1):
        server.route(f"/{name}/{n}", Reply(302, headers={"Location": f"/{name}/{n - 1}"}))
    server.route(f"/{name}/0", Reply(200, FEED, XML))
    return server.url(f"/{name}/{hops}")


@pytest.mark.parametrize("limit", [0, 2])
def test_max_redirects(server: ScriptedServer, limit: int) -> None:
    fetcher = fetcher_from_cli("--max-redirects", str(limit))
    try:
        ok = fetcher.fetch(chain(server, "ok", limit))
        assert ok.ok and len(ok.redirects) == limit
        refused = fetcher.fetch(chain(server, "over", limit + 1))
        assert refused.error == "http:too-many-redirects"
        assert not server.requests("/over/0")  # the hop past the limit is never requested
    finally:
        fetcher.close()


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("announced", [True, False])
def test_max_fetch_bytes(server: ScriptedServer, compressed: bool, announced: bool) -> None:
    """The cap holds on the wire and after decompression, with or without Content-Length."""
    body = FEED
    for name, size in (("exact", len(body)), ("over", len(body) - 1)):
        payload = gzip.compress(body) if compressed else body
        headers = {**XML, **({"Content-Encoding": "gzip"} if compressed else {})}
        if announced:
            server.route(f"/{name}", Reply(200, payload, headers))
        else:
            server.route(f"/{name}", Reply(200, headers=headers, stream=lambda p=payload: [p]))
        fetcher = fetcher_from_cli("--max-fetch-bytes", str(size))
        try:
            result = fetcher.fetch(server.url(f"/{name}"))
        finally:
            fetcher.close()
        if name == "exact":
            assert result.ok and result.body == body, result.error
        else:
            assert result.error == "http:too-large", result.error


@pytest.mark.slow
def test_cli_run_applies_both_limits(server: ScriptedServer, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    server.route("/padded", Reply(200, FEED + b" ", XML))  # one byte over the limit
    feeds.write_text(
        "\n".join([chain(server, "two", 2), chain(server, "three", 3), server.url("/padded")])
        + "\n"
    )
    output = tmp_path / "out"
    proc = run_akhbar(
        "ingest", "--feeds", str(feeds), "--output", str(output), "--allow-private-network",
        "--host-delay", "0", "--max-redirects", "2", "--max-fetch-bytes", str(len(FEED)),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    record = json.loads(next((output / "_runs").glob("*.json")).read_text())
    assert record["rejects_by_reason"] == {"http:too-large": 1, "http:too-many-redirects": 1}
    assert record["articles"] == 3  # the feed behind two redirects
    assert not server.requests("/three/0")
