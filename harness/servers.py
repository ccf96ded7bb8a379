"""Scoring servers on 127.0.0.1 (``mlmodel serve`` and ``mlflow models serve``) and the
classifier they serve: what the serving tests and ``bench/bench_serve.py`` share.

Every server is a subprocess on a free loopback port, waited for with a bounded deadline and
stopped (SIGTERM, then SIGKILL) by the fixture (or benchmark) that started it. Importing this
module has no side effects.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from harness.child_process import ROOT, child_env

COLUMNS = ["a", "b", "c", "d"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env() -> dict[str, str]:
    """The environment of a server: it loads the model's pickles."""
    out = child_env()
    out.pop("MLMODEL_NO_PICKLE", None)
    return out


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    handle: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.handle.close()
        return int(self.process.returncode)

    def wait_ready(
        self, deadline: float = 180.0, interval: float = 0.1, path: str = "/ping"
    ) -> Server:
        """Wait until ``path`` answers 200, asking every ``interval`` seconds (the server is
        stopped if it never does)."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(
                    f"server exited with {self.process.returncode}:\n{self.log.read_text()}"
                )
            try:
                if httpx.get(f"{self.url}{path}", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(interval)
        self.stop()
        raise RuntimeError(f"server not ready in {deadline}s:\n{self.log.read_text()}")


def launch(
    cmd: list[str],
    port: int,
    log: Path,
    environ: dict[str, str] | None = None,
    cwd: Path = ROOT,
) -> Server:
    """Run ``cmd`` in its own process group, output to ``log`` (not waiting for it);
    ``environ`` defaults to :func:`env`, ``cwd`` to the checkout."""
    handle = log.open("wb")
    process = subprocess.Popen(
        cmd,
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=env() if environ is None else environ,
        cwd=cwd,
        start_new_session=True,
    )
    return Server(process, port, log, handle)


def start(
    cmd: list[str],
    port: int,
    log: Path,
    deadline: float = 180.0,
    environ: dict[str, str] | None = None,
    cwd: Path = ROOT,
) -> Server:
    """Run ``cmd`` and wait until ``/ping`` answers 200."""
    return launch(cmd, port, log, environ, cwd).wait_ready(deadline)


def mlmodel_cmd(model: Path, port: int, *extra: str, workers: int | None = 1) -> list[str]:
    """``mlmodel serve`` on ``model``: one worker process unless ``workers`` says otherwise
    (None: the server's default, one per CPU; a ``--workers`` in ``extra`` wins)."""
    cmd = [sys.executable, "-m", "mlmodel", "serve", str(model), "--port", str(port)]
    if workers is not None and "--workers" not in extra:
        cmd += ["--workers", str(workers)]
    return [*cmd, *extra]


def mlflow_cmd(model: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mlflow",
        "models",
        "serve",
        "-m",
        str(model),
        "--env-manager",
        "local",
        "-p",
        str(port),
        "-h",
        "127.0.0.1",
    ]


def mlserver_cmd(
    python: Path, model: Path, folder: Path, name: str = "model"
) -> tuple[list[str], int, dict[str, str]]:
    """Seldon MLServer (``python`` is the interpreter of the venv it is installed in) serving
    ``model`` with its MLflow runtime, its defaults otherwise: the command, its HTTP port and
    its environment. Its settings go to ``folder``; the HTTP, gRPC and metrics ports are free
    loopback ports and it listens on 127.0.0.1 only."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    http_port = free_port()
    settings = {
        "host": "127.0.0.1",
        "http_port": http_port,
        "grpc_port": free_port(),
        "metrics_port": free_port(),
    }
    model_settings = {
        "name": name,
        "implementation": "mlserver_mlflow.MLflowRuntime",
        "parameters": {"uri": str(model)},
    }
    (folder / "settings.json").write_text(json.dumps(settings))
    (folder / "model-settings.json").write_text(json.dumps(model_settings))
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    mlserver = Path(python).parent / "mlserver"
    return [str(mlserver), "start", str(folder)], http_port, environ


def save_classifier(path: Path, rows: int = 200) -> Path:
    """A LogisticRegression on four double columns, saved by MLflow with its signature."""
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(rows, 4)), columns=COLUMNS)
    target = (frame.a + frame.b > 0).astype(int)
    model = LogisticRegression().fit(frame, target)
    mlflow.sklearn.save_model(
        model, str(path), signature=infer_signature(frame, model.predict(frame))
    )
    return path


def running(cmd: list[str], port: int, log: Path) -> Iterator[Server]:
    server = start(cmd, port, log)
    try:
        yield server
    finally:
        server.stop()
