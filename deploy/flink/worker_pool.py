"""Beam's Python SDK worker pool for the local Flink cluster, on 127.0.0.1 only.

The TaskManagers run akhbar's Python steps through Beam's EXTERNAL environment: for every
job, each TaskManager asks this pool (``--environment_config=localhost:50000``) to start an SDK
worker, and the pool starts it as its own process (``python -c 'SdkHarness(...).run()'``), so
the Python work of the two TaskManagers runs in separate processes, as it does on a cluster
whose TaskManager pods carry a worker-pool sidecar (``deploy/flink/flink-session.yaml``).

Beam's own entry point (``python -m apache_beam.runners.worker.worker_pool_main``) listens on
every interface (``[::]``); this one binds the loopback address only. The workers are started
with the ``python`` found first on PATH: ``local.sh`` puts this interpreter's folder first, so
they import the same akhbar and Beam as the driver. Usage: ``worker_pool.py PORT``.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

import grpc
from apache_beam.portability.api import beam_fn_api_pb2_grpc
from apache_beam.runners.worker.worker_pool_main import BeamFnExternalWorkerPoolServicer
from apache_beam.utils import thread_pool_executor


def serve(port: int) -> None:
    """Serve until SIGTERM/SIGINT, then stop the workers this pool started."""
    server = grpc.server(thread_pool_executor.shared_unbounded_instance())
    pool = BeamFnExternalWorkerPoolServicer(use_process=True)
    beam_fn_api_pb2_grpc.add_BeamFnExternalWorkerPoolServicer_to_server(pool, server)
    if server.add_insecure_port(f"127.0.0.1:{port}") != port:
        raise SystemExit(f"worker pool: cannot listen on 127.0.0.1:{port}")
    server.start()
    logging.info("Beam SDK worker pool listening on 127.0.0.1:%d", port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop(5)
    for process in list(pool._worker_processes.values()):  # noqa: SLF001 (Beam keeps no public list)
        process.terminate()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    serve(int(sys.argv[1]))
