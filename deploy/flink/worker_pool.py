"""The Python SDK worker pool of the EXTERNAL environment, bound to loopback.

Beam's ``python -m apache_beam.runners.worker.worker_pool_main --service_port=P`` listens on every
interface (``[::]:P``) and anyone who reaches it can start a worker that runs code sent by a
control endpoint of their choosing; it also pipes each worker's stdout without reading it (a
chatty worker blocks). This module runs the same servicer (Beam's
``BeamFnExternalWorkerPoolServicer``) on ``127.0.0.1`` only, starts each SDK worker with this
interpreter (so the project's virtualenv is used whatever ``PATH`` says), sends its output to a
log file, and stops the workers when it is stopped.

Run: ``python -m deploy.flink.worker_pool --port 50000 --log-dir DIR``. Each TaskManager asks
it for one SDK worker process per environment (``--environment_type=EXTERNAL
--environment_config=127.0.0.1:50000``), so Python work runs in as many processes as there are
busy slots.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from concurrent import futures
from pathlib import Path

logger = logging.getLogger(__name__)


def _worker_command(control_url: str, worker_id: str) -> list[str]:
    code = (
        "from apache_beam.runners.worker.sdk_worker import SdkHarness; "
        f"SdkHarness({control_url!r}, worker_id={worker_id!r}, state_cache_size=0, "
        "data_buffer_time_limit_ms=0).run()"
    )
    return [sys.executable, "-c", code]


def make_servicer(log_dir: Path):
    """Beam's worker-pool servicer, with workers started by :func:`_worker_command`."""
    from apache_beam.portability.api import beam_fn_api_pb2
    from apache_beam.runners.worker.worker_pool_main import BeamFnExternalWorkerPoolServicer, kill_process_gracefully

    class LoopbackWorkerPoolServicer(BeamFnExternalWorkerPoolServicer):
        """Starts each SDK worker as a process of this interpreter, its output in ``log_dir``.

        Several TaskManagers share one pool here and each names its first worker ``1-1``, so
        workers are kept per (id, control endpoint). ``StopWorker`` carries only the id: a worker
        whose id is shared is left to exit by itself, which an SDK worker does as soon as its
        TaskManager closes the control stream.
        """

        def __init__(self) -> None:
            super().__init__(use_process=True)
            self._lock = threading.Lock()
            self._workers: dict[tuple[str, str], subprocess.Popen] = {}

        def _reap(self) -> None:
            with self._lock:
                for key, process in list(self._workers.items()):
                    if process.poll() is not None:
                        del self._workers[key]

        def StartWorker(self, request, context):  # noqa: N802 - gRPC method name
            self._reap()
            worker_id, control = request.worker_id, request.control_endpoint.url
            name = "".join(c if c.isalnum() or c in "-_" else "_" for c in f"{worker_id}-{control}")[:100]
            try:
                with open(log_dir / f"sdk-worker-{name}.log", "ab") as out:
                    process = subprocess.Popen(
                        _worker_command(control, worker_id),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        close_fds=True,
                    )
            except OSError as exc:
                return beam_fn_api_pb2.StartWorkerResponse(error=f"could not start an SDK worker: {exc}")
            with self._lock:
                self._workers[(worker_id, control)] = process
            logger.info("started SDK worker %s for %s (pid %d)", worker_id, control, process.pid)
            return beam_fn_api_pb2.StartWorkerResponse()

        def StopWorker(self, request, context):  # noqa: N802 - gRPC method name
            self._reap()
            with self._lock:
                matches = [key for key in self._workers if key[0] == request.worker_id]
                process = self._workers.pop(matches[0]) if len(matches) == 1 else None
            if process is not None:
                logger.info("stopping SDK worker %s (pid %d)", request.worker_id, process.pid)
                kill_process_gracefully(process, timeout=10)
            elif matches:
                logger.info(
                    "SDK worker id %s is shared by %d TaskManagers; each exits when its stream closes",
                    request.worker_id,
                    len(matches),
                )
            return beam_fn_api_pb2.StopWorkerResponse()

        def stop_all(self) -> None:
            with self._lock:
                processes = list(self._workers.values())
                self._workers.clear()
            for process in processes:
                kill_process_gracefully(process, timeout=10)

        def count(self) -> int:
            with self._lock:
                return len(self._workers)

    return LoopbackWorkerPoolServicer()


def serve(host: str, port: int, log_dir: Path) -> None:
    """Serves until SIGTERM/SIGINT, then stops every worker it started."""
    import grpc
    from apache_beam.portability.api import beam_fn_api_pb2_grpc

    log_dir.mkdir(parents=True, exist_ok=True)
    servicer = make_servicer(log_dir)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=16),
        options=[("grpc.http2.max_pings_without_data", 0), ("grpc.http2.max_ping_strikes", 0)],
    )
    beam_fn_api_pb2_grpc.add_BeamFnExternalWorkerPoolServicer_to_server(servicer, server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise SystemExit(f"worker pool: could not bind {host}:{port}")
    server.start()
    logger.info("Python SDK worker pool listening on %s:%d (python %s)", host, bound, sys.executable)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    while not stopped.wait(10):
        servicer._reap()  # collect workers that exited, so none lingers as a zombie
    logger.info("stopping: %d worker(s)", servicer.count())
    server.stop(grace=2)
    servicer.stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Loopback-only Beam Python SDK worker pool")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    serve(args.host, args.port, args.log_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
