"""A real S3-compatible server on 127.0.0.1 (moto's standalone server, in a thread of the test
process) and readers that go through S3's HTTP API, never through a local folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from tests.feeds.conftest import feed_server  # noqa: F401  (fixture, used by the tests here)

KEY, SECRET, REGION = "akhbar-test", "akhbar-test-secret", "us-east-1"


@dataclass
class S3Server:
    endpoint: str  # http://127.0.0.1:PORT

    def beam_args(self) -> list[str]:
        """Beam's S3 filesystem options (apache_beam.options.pipeline_options.S3Options)."""
        return [
            f"--s3_endpoint_url={self.endpoint}",
            f"--s3_access_key_id={KEY}",
            f"--s3_secret_access_key={SECRET}",
            f"--s3_region_name={REGION}",
        ]

    def client(self):  # boto3 client, for listing and for creating buckets
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            region_name=REGION,
        )

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def arrow_fs(self):
        from pyarrow import fs

        host = self.endpoint.removeprefix("http://")
        return fs.S3FileSystem(
            access_key=KEY,
            secret_key=SECRET,
            region=REGION,
            endpoint_override=host,
            scheme="http",
        )

    def table(self, path: str) -> pa.Table:
        """A table folder (bucket/prefix/articles) read with pyarrow's own S3 client."""
        return ds.dataset(
            path, filesystem=self.arrow_fs(), format="parquet", partitioning="hive"
        ).to_table()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    pytest.importorskip("boto3", reason="needs the aws extra: pip install 'akhbar[aws]'")
    server_module = pytest.importorskip("moto.server", reason="needs moto[server] (dev extra)")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()


@pytest.fixture
def s3_filesystems(s3_server: S3Server) -> Iterator[None]:
    """Beam's ``FileSystems`` in this process talk to the test server (as a run's workers do
    with the same options), for the length of one test."""
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.options.pipeline_options import PipelineOptions

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FileSystems, "_pipeline_options", PipelineOptions(s3_server.beam_args()))
        yield


@pytest.fixture
def bucket(s3_server: S3Server, request: pytest.FixtureRequest) -> str:
    """A fresh bucket per test."""
    name = "akhbar-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    s3_server.client().create_bucket(Bucket=name)
    return name
