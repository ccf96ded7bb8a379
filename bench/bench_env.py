"""Benchmark the model's own environment: ``mlmodel serve --env-manager uv|virtualenv``
against ``mlflow models serve --env-manager uv|virtualenv`` on the same model, side by side
in one run.

Run with the dev venv's interpreter (``uv`` and ``pyenv`` on PATH, as MLflow needs them)::

    python bench/bench_env.py [--runs 1]

A LogisticRegression on four double columns is saved once by MLflow (its requirements as
MLflow infers them) in a temporary folder. For each manager and each tool, the time from
launching the server command to the first ``/ping`` 200 is measured twice on a fresh
environment root: **first** (the environment is created: interpreter found, packages
installed) and **cached** (the same root again: the environment is reused). Before the
timed runs, one untimed creation per manager fills the package caches (pip's and uv's,
shared by both tools), so neither side pays downloads the other does not. Each server is
stopped (SIGTERM) before the next starts. Ratios are mlmodel / MLflow (lower is better).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.servers import env, free_port, launch

MANAGERS = ("uv", "virtualenv")


def save_model(folder: Path) -> Path:
    """A LogisticRegression saved by MLflow with its signature."""
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, 4)), columns=["a", "b", "c", "d"])
    target = (frame["a"] + frame["b"] > 0).astype(int)
    model = LogisticRegression().fit(frame, target)
    path = folder / "model"
    mlflow.sklearn.save_model(
        model, str(path), signature=infer_signature(frame, model.predict(frame))
    )
    return path


def command(tool: str, manager: str, model: Path, port: int) -> list[str]:
    if tool == "mlmodel":
        return [
            sys.executable, "-m", "mlmodel", "serve", str(model), "--env-manager", manager,
            "--port", str(port), "--workers", "1",
        ]  # fmt: skip
    return [
        sys.executable, "-m", "mlflow", "models", "serve", "-m", str(model), "--env-manager",
        manager, "-p", str(port), "-h", "127.0.0.1",
    ]  # fmt: skip


def time_to_ready(tool: str, manager: str, model: Path, root: Path, log: Path) -> float:
    """Seconds from launch to the first ``/ping`` 200, the environment root being ``root``."""
    environ = env()
    environ["MLMODEL_ENV_ROOT" if tool == "mlmodel" else "MLFLOW_ENV_ROOT"] = str(root)
    bin_dir = str(Path(sys.executable).parent)
    environ["PATH"] = f"{bin_dir}{os.pathsep}{environ.get('PATH', '')}"  # uv for MLflow
    port = free_port()
    started = time.perf_counter()
    server = launch(command(tool, manager, model, port), port, log, environ)
    try:
        server.wait_ready(deadline=900.0, interval=0.05)
        return time.perf_counter() - started
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="timed pairs per cell (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlmodel-bench-env-") as tmp:
        folder = Path(tmp)
        model = save_model(folder)
        print(f"model: {model} (requirements: {(model / 'requirements.txt').read_text()!r})")
        for manager in MANAGERS:  # fill pip's and uv's caches for both tools
            for tool in ("mlflow", "mlmodel"):
                root = folder / f"warm-{tool}-{manager}"
                seconds = time_to_ready(tool, manager, model, root, folder / "warm.log")
                print(f"  warm-up {tool:7} {manager:10} {seconds:6.1f} s")
        results: dict[tuple[str, str, str], list[float]] = {}
        for run in range(args.runs):
            for manager in MANAGERS:
                for tool in ("mlmodel", "mlflow"):
                    root = folder / f"run{run}-{tool}-{manager}"
                    log = folder / f"{tool}-{manager}-{run}.log"
                    for phase in ("first", "cached"):
                        seconds = time_to_ready(tool, manager, model, root, log)
                        results.setdefault((tool, manager, phase), []).append(seconds)
        print()
        print("time to ready (s, median)  mlmodel   mlflow   mlmodel/mlflow")
        for manager in MANAGERS:
            for phase in ("first", "cached"):
                ours = statistics.median(results[("mlmodel", manager, phase)])
                theirs = statistics.median(results[("mlflow", manager, phase)])
                print(
                    f"  {manager:10} {phase:7}       {ours:7.2f}  {theirs:7.2f}"
                    f"   {ours / theirs:5.2f}x"
                )


if __name__ == "__main__":
    main()
