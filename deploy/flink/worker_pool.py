"""Beam's Python SDK worker pool for the local Flink cluster, on 127.0.0.1 only.

The TaskManagers run akhbar's Python steps through Beam's EXTERNAL environment: for every job,
each TaskManager asks this pool (``--environment_config=localhost:50000``) to start an SDK
worker, and the pool starts it as its own process with this interpreter, so the Python work of
the two TaskManagers runs in separate processes that import the same akhbar and Beam as the
driver, as on a cluster whose TaskManager pods carry a worker-pool sidecar
(``deploy/flink/flink-session.yaml``). Usage: ``worker_pool.py PORT``.

Why not Beam's own ``python -m apache_beam.runners.worker.worker_pool_main``:

- it listens on every interface (``[::]``); this one binds the loopback address only;
- it stops workers by worker id, and worker ids are unique only within one TaskManager ("1-1",
  "2-1" ... in each), so with one pool serving two TaskManagers, the end of a stage on one
  TaskManager killed the worker of the same id on the other in the middle of its bundle (seen
  here: "CANCELLED: client cancelled", the ANT run failed). Here a worker is never stopped by
  id: it exits when its TaskManager closes the worker's control channel (end of the job, or the
  TaskManager died), and the pool only reaps it;
- it pipes the workers' stdout and never reads it (a worker that prints enough would block);
  here they write to the pool's log;
- its workers start in the pool's working directory, which ``python -c`` puts first on
  ``sys.path``: started from a checkout, they imported the checkout's folders instead of the
  installed akhbar (a driver and workers on different code gave one different row). Here they
  start in an empty folder of their own.
"""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

import grpc
from apache_beam.portability.api import beam_fn_api_pb2, beam_fn_api_pb2_grpc
from apache_beam.utils import thread_pool_executor

HARNESS = (
    "import sys; from apache_beam.runners.worker.sdk_worker import SdkHarness; "
    "SdkHarness(sys.argv[1], worker_id=sys.argv[2]).run()"
)


class WorkerPool(beam_fn_api_pb2_grpc.BeamFnExternalWorkerPoolServicer):
    """Starts one SDK worker process per request; workers end with their control channel."""

    def __init__(self, workdir: str) -> None:
        self._workdir = workdir
        self._lock = threading.Lock()
        self._workers: list[subprocess.Popen[bytes]] = []

    def StartWorker(  # the gRPC method's name
        self, request: beam_fn_api_pb2.StartWorkerRequest, context: object
    ) -> beam_fn_api_pb2.StartWorkerResponse:
        command = [sys.executable, "-c", HARNESS, request.control_endpoint.url, request.worker_id]
        try:
            worker = subprocess.Popen(
                command, cwd=self._workdir, stdout=sys.stderr, stderr=sys.stderr
            )
        except OSError as exc:
            return beam_fn_api_pb2.StartWorkerResponse(error=f"cannot start an SDK worker: {exc}")
        logging.info("worker %s started (pid %d)", request.worker_id, worker.pid)
        with self._lock:
            self._workers = [w for w in self._workers if w.poll() is None] + [worker]
        return beam_fn_api_pb2.StartWorkerResponse()

    def StopWorker(
        self, request: beam_fn_api_pb2.StopWorkerRequest, context: object
    ) -> beam_fn_api_pb2.StopWorkerResponse:
        with self._lock:
            self._workers = [w for w in self._workers if w.poll() is None]
        return beam_fn_api_pb2.StopWorkerResponse()

    def stop_all(self) -> None:
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def serve(port: int) -> None:
    """Serve until SIGTERM/SIGINT, then stop the workers still running."""
    server = grpc.server(thread_pool_executor.shared_unbounded_instance())
    workdir = tempfile.mkdtemp(prefix="akhbar-sdk-workers-")
    pool = WorkerPool(workdir)
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
    pool.stop_all()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    # force: importing Beam already logged a warning, which set up the root logger at WARNING
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", force=True
    )
    serve(int(sys.argv[1]))
