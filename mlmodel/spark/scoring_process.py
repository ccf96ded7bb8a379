"""A Spark Python worker's scoring process inside the model's environment: started once per
worker (on its first batch), fed batches over pipes, stopped when the worker ends.

Why pipes and Arrow rather than ``mlmodel serve`` on a port: no port to find and race for,
nothing listening (an executor may forbid loopback servers: MLflow falls back to standard
input there too), no HTTP or JSON on the way (a numeric batch crosses as its own bytes, and
predictions keep their dtype and shape, so the worker shapes them exactly as when the model
runs in the worker), no uvicorn start, and a process that ends with its pipes.

The process (:mod:`mlmodel.spark.scoring_process_main`) ends when the worker does: when its
standard input closes, and at once through a watch pipe whose only write end the worker
holds (even in the middle of a ``predict``); ``atexit`` stops it on a normal exit too.
Its standard error is forwarded to the worker's, and its last lines are quoted in the error
when it fails to start or dies.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from mlmodel.core.errors import ModelLoadError, PredictionError
from mlmodel.spark import arrow_wire as wire

if TYPE_CHECKING:
    from mlmodel.environments.prepare import PreparedEnvironment
    from mlmodel.runtime.load.safety import TrustOptions

#: how long the process may take to load the model (MLMODEL_SPARK_SCORER_TIMEOUT overrides)
START_TIMEOUT: Final = 300.0
_TAIL_LINES: Final = 30
_MAIN: Final = "mlmodel.spark.scoring_process_main"

#: this worker's scoring processes, by (archive, trust, model config, manager)
_PROCESSES: dict[tuple[str, ...], ScoringProcess] = {}


def start_timeout() -> float:
    try:
        return float(os.environ.get("MLMODEL_SPARK_SCORER_TIMEOUT", START_TIMEOUT))
    except ValueError:
        return START_TIMEOUT


class ScoringProcess:
    """``<env>/bin/python -m mlmodel.spark.scoring_process_main`` for one model."""

    def __init__(
        self,
        environment: PreparedEnvironment,
        model_dir: Path,
        document: dict[str, Any],
        trust: TrustOptions,
        model_config: dict[str, Any] | None,
    ) -> None:
        self.environment = environment
        self._tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        watch_read, self._watch = os.pipe()
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["VIRTUAL_ENV"] = str(environment.path)
        env["PYTHONNOUSERSITE"] = "1"
        env["PATH"] = f"{environment.path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        command = [str(environment.python), "-m", _MAIN, str(model_dir), str(watch_read)]
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(watch_read,),
                env=env,
            )
        except OSError as exc:
            os.close(self._watch)
            raise ModelLoadError(
                f"the model's environment could not start {command[0]}: {exc}"
            ) from None
        finally:
            os.close(watch_read)
        threading.Thread(target=self._forward_stderr, daemon=True).start()
        self._in: IO[bytes] = self.process.stdin  # type: ignore[assignment]
        self._out: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        setup = {"document": document, "trust": asdict(trust), "model_config": model_config}
        try:
            wire.write_message(self._in, wire.SETUP, wire.encode_json(setup))
            self.ready = self._wait_ready(start_timeout())
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def _forward_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        for raw in stream:
            line = raw.decode("utf-8", errors="replace")
            self._tail.append(line.rstrip("\n"))
            sys.stderr.write(f"[model environment] {line}")

    def _said(self) -> str:
        time.sleep(0.05)  # its last lines, when it just died
        lines = [line for line in self._tail if line.strip()]
        return ("; its last output:\n" + "\n".join(lines)) if lines else ""

    def _died(self, what: str) -> ModelLoadError | PredictionError:
        code = self.process.poll()
        status = f"exited with {code}" if code is not None else "closed its output"
        error = ModelLoadError if what == "load" else PredictionError
        return error(
            f"the scoring process in the model's environment {self.environment.short_key} "
            f"{status} during {what}{self._said()}"
        )

    def _wait_ready(self, timeout: float) -> dict[str, Any]:
        ready, _, _ = select.select([self._out], [], [], timeout)
        if not ready:
            raise ModelLoadError(
                f"the scoring process in the model's environment {self.environment.short_key} "
                f"did not load the model within {timeout:.0f} s (MLMODEL_SPARK_SCORER_TIMEOUT)"
                f"{self._said()}"
            )
        message = self._receive("load")
        kind, payload = message
        if kind == wire.ERROR:
            raise _raised(wire.decode_json(payload), self.environment.short_key, "load")
        if kind != wire.READY:
            raise ModelLoadError(f"the scoring process answered {kind!r} to its setup")
        answer: dict[str, Any] = wire.decode_json(payload)
        return answer

    def _receive(self, what: str) -> tuple[bytes, bytes]:
        try:
            message = wire.read_message(self._out)
        except (wire.WireError, OSError):
            message = None
        if message is None:
            raise self._died(what)
        return message

    def predict(self, frame: Any, params: dict[str, Any] | None) -> Any:
        """The model's predictions for ``frame``, in the shape its ``predict`` returned."""
        try:
            wire.write_message(self._in, wire.BATCH, wire.encode_batch(frame, params))
        except (BrokenPipeError, OSError):
            raise self._died("predict") from None
        kind, payload = self._receive("predict")
        if kind == wire.ERROR:
            raise _raised(wire.decode_json(payload), self.environment.short_key, "predict")
        return wire.decode_predictions(payload)

    def stop(self, timeout: float = 5.0) -> None:
        """End the process (its input closed, then SIGTERM, then SIGKILL) and release the
        environment's lock."""
        with contextlib.suppress(OSError):
            self._in.close()
        with contextlib.suppress(OSError):
            os.close(self._watch)
        try:
            self.process.wait(timeout / 2)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout / 2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.environment.lock.close()


def _raised(error: dict[str, Any], key: str, what: str) -> ModelLoadError | PredictionError:
    """The exception for an error the scoring process reported, with its message."""
    kind = ModelLoadError if what == "load" else PredictionError
    return kind(
        f"{error.get('type', 'Exception')}: {error.get('message', '')} (in the model's "
        f"environment {key}, during {what})"
    )


def worker_process(
    archive_name: str,
    model_dir: Path,
    document: dict[str, Any],
    *,
    manager: str,
    driver_root: str,
    trust: TrustOptions,
    model_config: dict[str, Any] | None,
) -> ScoringProcess:
    """This worker's scoring process for the model (started on first use, then reused for
    every batch, task and job; stopped when the worker exits)."""
    import json

    from mlmodel.spark.environment import prepare_on_executor

    config = json.dumps(model_config, sort_keys=True, default=repr)
    key = (archive_name, repr(trust), config, manager)
    process = _PROCESSES.get(key)
    if process is not None and process.process.poll() is None:
        return process
    if process is not None:
        _PROCESSES.pop(key).stop()
    environment = prepare_on_executor(model_dir, manager, driver_root)
    try:
        process = ScoringProcess(environment, model_dir, document, trust, model_config)
    except BaseException:
        environment.lock.close()
        raise
    if not _PROCESSES:
        atexit.register(stop_all)
    _PROCESSES[key] = process
    return process


def stop_all() -> None:
    """Stop every scoring process of this worker."""
    while _PROCESSES:
        _, process = _PROCESSES.popitem()
        process.stop()
