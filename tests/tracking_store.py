"""MLflow tracking stores for the tests: the embedded sqlite store under a temporary folder,
and a real ``mlflow server`` process on 127.0.0.1 (HTTP, proxied artifacts).

Both point ``MLFLOW_TRACKING_URI`` and ``MLMODEL_CACHE_DIR`` at the temporary folder (never
a ``./mlruns`` in the repository) and restore the environment afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from harness.servers import free_port


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def using_store(tracking_uri: str, root: Path, artifact_location: str | None) -> Iterator[str]:
    """Point MLflow (and mlmodel's cache) at ``tracking_uri``; yields the experiment id."""
    import mlflow

    with environment(
        MLFLOW_TRACKING_URI=tracking_uri,
        MLFLOW_REGISTRY_URI=tracking_uri,
        MLMODEL_CACHE_DIR=str(root / "cache"),
    ):
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_registry_uri(tracking_uri)
        try:
            experiment_id = mlflow.create_experiment("mlmodel-tests", artifact_location)
            mlflow.set_experiment(experiment_id=experiment_id)
            yield experiment_id
        finally:
            while mlflow.active_run() is not None:
                mlflow.end_run()
            mlflow.set_tracking_uri("")
            mlflow.set_registry_uri("")


@contextlib.contextmanager
def sqlite_store(root: Path) -> Iterator[str]:
    """MLflow's embedded store: ``sqlite:///<root>/mlflow.db``, artifacts under root."""
    root.mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{root / 'mlflow.db'}"
    with using_store(uri, root, (root / "artifacts").as_uri()) as experiment_id:
        yield experiment_id


@contextlib.contextmanager
def mlflow_server(root: Path, timeout: float = 120.0) -> Iterator[str]:
    """A real ``mlflow server`` on 127.0.0.1 (a free port), sqlite backend and proxied
    artifacts under ``root``; stopped (SIGTERM, then SIGKILL) on exit. Yields its URL."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "mlflow", "server",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--backend-store-uri", f"sqlite:///{root / 'server.db'}",
            "--artifacts-destination", str(root / "server-artifacts"),
        ],
        stdout=log, stderr=subprocess.STDOUT, cwd=root, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {(root / 'server.log').read_text()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/health", timeout=2) as reply,
            ):
                if reply.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("mlflow server did not start in time")
            time.sleep(0.3)
        with using_store(url, root, None):
            yield url
    finally:
        # its own session: the server and its workers form the group we started. uvicorn's
        # graceful shutdown waits for the MLflow client's idle keep-alive connections, which
        # this process keeps open: it took the whole 15 s it was given, every run
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        log.close()
