"""Runs load attempts of the malicious models, each in its own child process.

``python -m tests.security.runner JOBS RESULTS``: JOBS is a JSON list of jobs (an entry
point, a model directory, a canary); RESULTS receives one outcome per job id. The runner
imports the heavy libraries once, then forks one child per job (a few at a time), so a job
costs its load, not an interpreter start. A job whose case is ``fresh`` (its attack depends
on what the process imported first) is forked before any of that, from the runner as a new
interpreter has it (only ``mlmodel``'s light command-line and loader modules imported: no
numpy, scikit-learn or cloudpickle), so an import it triggers is the first one.
Every child has its own session and is killed with its process group after its deadline.

Outcomes: ``refused`` (an exception of mlmodel's error family, or a non-zero exit with an
mlmodel message), ``loaded`` (no refusal), ``error`` (another exception, a traceback or an
internal error on the command line), ``crash`` (killed by a signal), ``timeout``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

#: more than the two cores: a server job mostly waits
PARALLEL: Final = 3
JOB_SECONDS: Final = 60.0
SERVE_READY_SECONDS: Final = 30.0
INPUT: Final = {"dataframe_split": {"columns": ["a", "b"], "data": [[0.1, 1.0]]}}
IN_PROCESS: Final = ("pyfunc", "pyfunc_strict", "sklearn")
#: what a new ``python -m mlmodel`` or ``import mlmodel.pyfunc`` has imported before loading
COLD_MODULES: Final = ("mlmodel.cli", "mlmodel.cli.app", "mlmodel.pyfunc", "mlmodel.sklearn")
WARM_MODULES: Final = (
    "numpy",
    "pandas",
    "scipy",
    "sklearn",
    "sklearn.linear_model",
    "cloudpickle",
    "joblib",
    "skops.io",
    "mlmodel.pyfunc",
    "mlmodel.sklearn",
    "mlmodel.checking.validate",
    "mlmodel.pickle_scan",
    "mlmodel.runtime.load.dispatch",
    "mlmodel.runtime.load.sklearn",
    "mlmodel.runtime.load.mlflow_fallback",
    "mlmodel.cli.app",
    "mlmodel.cli.predict_cmd",
    "mlmodel.cli.serve_cmd",
    "mlmodel.scoring.batch",
    "mlmodel.scoring.dataplane",
    "mlmodel.serve.server",
    "uvicorn",
    "mlflow.pyfunc",
    "mlflow.sklearn",
)
MLMODEL_ERRORS: Final = (
    "UnsafeModelError",
    "MlmodelException",
    "InvalidModelError",
    "MissingDependencyError",
    "UsageError",
    "MLModelError",
)

Result = dict[str, str]


def _result(outcome: str, detail: str = "") -> Result:
    return {"outcome": outcome, "detail": detail[-1500:]}


def _clean_environment() -> None:
    for name in ("MLMODEL_ALLOW_UNSAFE", "MLMODEL_NO_PICKLE"):
        os.environ.pop(name, None)


def _frame() -> Any:
    import pandas as pd

    return pd.DataFrame({"a": [0.1], "b": [1.0]})


# -- the entry points --------------------------------------------------------------------


def _in_process(entry: str, model: str) -> Result:
    from mlmodel.core.errors import MLModelError

    try:
        if entry == "sklearn":
            import mlmodel.sklearn

            loaded: Any = mlmodel.sklearn.load_model(model)
        else:
            import mlmodel.pyfunc

            loaded = mlmodel.pyfunc.load_model(model, strict=entry == "pyfunc_strict")
    except MLModelError as exc:
        return _result("refused", f"{type(exc).__name__}: {exc}")
    except BaseException as exc:  # noqa: BLE001 - any other failure is a finding
        return _result("error", f"{type(exc).__name__}: {exc}")
    try:
        loaded.predict(_frame())
        detail = "predicted"
    except BaseException as exc:  # noqa: BLE001
        detail = f"predict failed: {type(exc).__name__}: {exc}"
    return _result("loaded", f"{type(loaded).__name__}; {detail}")


def _judge_exit(code: int, text: str) -> Result:
    if code < 0:
        return _result("crash", f"signal {-code}: {text}")
    if code == 0:
        return _result("loaded", text)
    if "Traceback (most recent call last)" in text or "internal error" in text:
        return _result("error", f"exit {code}: {text}")
    return _result("refused", f"exit {code}: {text}")


def _redirect(log: Path) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)


def _run_cli_here(argv: list[str]) -> int:
    """``mlmodel ARGV`` in this process, as ``python -m mlmodel`` runs it: the exit code."""
    sys.argv = ["mlmodel", *argv]
    try:
        from mlmodel.cli import main

        main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _cli(job: dict[str, Any]) -> Result:
    work = Path(job["work"])
    argv = ["predict", job["model"], "-i", str(work / "input.json")]
    log = work / "cli.log"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            _redirect(log)
            code = _run_cli_here(argv)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return _judge_exit(os.waitstatus_to_exitcode(status), log.read_text(errors="replace"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(url: str, body: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    if body:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _serve(job: dict[str, Any]) -> Result:
    work = Path(job["work"])
    log = work / "serve.log"
    port = _free_port()
    argv = ["serve", job["model"], "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: the server
        code = 1
        try:
            os.setsid()
            _redirect(log)
            code = _run_cli_here(argv)
        finally:
            os._exit(code)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + SERVE_READY_SECONDS
    try:
        while time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                return _judge_exit(code, log.read_text(errors="replace"))
            with contextlib.suppress(OSError):
                if _http(f"{url}/ping") == 200:
                    answer = _http(f"{url}/invocations", json.dumps(INPUT).encode())
                    return _result("loaded", f"ready; /invocations answered {answer}")
            time.sleep(0.1)
        return _result("timeout", "server neither ready nor exited")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _live(job: dict[str, Any]) -> Result:
    """Load the payload the way the attack intends, without mlmodel: it must fire."""
    import bz2
    import gzip
    import importlib
    import lzma
    import pickle
    import zipfile
    import zlib

    kind, arg = job["live"]
    model = Path(job["model"])
    decompress: dict[str, Callable[[bytes], bytes]] = {
        "gzip": gzip.decompress,
        "bz2": bz2.decompress,
        "xz": lzma.decompress,
        "zlib": zlib.decompress,
    }
    try:
        if kind == "pickle":
            pickle.loads((model / arg).read_bytes())
        elif kind == "stream":
            with (model / arg).open("rb") as handle, contextlib.suppress(EOFError):
                while True:
                    pickle.load(handle)
        elif kind in decompress:
            pickle.loads(decompress[kind]((model / arg).read_bytes()))
        elif kind == "joblib":
            import joblib

            joblib.load(model / arg)
        elif kind == "zipmember":
            name, member = arg.split(":")
            with zipfile.ZipFile(model / name) as archive:
                pickle.loads(archive.read(member))
        elif kind == "mlflow_pyfunc":
            import mlflow.pyfunc

            mlflow.pyfunc.load_model(str(model)).predict(_frame())
        elif kind == "mlflow_sklearn":
            import mlflow.sklearn

            mlflow.sklearn.load_model(str(model))
        elif kind == "import":
            folder, module = arg.split(":")
            sys.path.insert(0, str((model / folder).resolve()))
            importlib.import_module(module)
        elif kind == "sitedir":
            import site

            site.addsitedir(str(model / arg))
        elif kind == "skops":
            import skops.io
            import yaml

            document = yaml.safe_load((model / "MLmodel").read_text())
            trusted = document["flavors"]["sklearn"]["skops_trusted_types"]
            skops.io.load(model / arg, trusted=trusted)
        else:
            return _result("error", f"unknown live kind {kind}")
    except BaseException as exc:  # noqa: BLE001 - the canary decides, not the exception
        return _result("loaded", f"{type(exc).__name__}: {exc}")
    return _result("loaded", "no exception")


def run_job(job: dict[str, Any]) -> Result:
    _clean_environment()
    entry = job["entry"]
    if entry in IN_PROCESS:
        return _in_process(entry, job["model"])
    if entry == "cli":
        return _cli(job)
    if entry == "serve":
        return _serve(job)
    if entry == "live":
        return _live(job)
    return _result("error", f"unknown entry point {entry}")


# -- scheduling --------------------------------------------------------------------------


def _result_path(job: dict[str, Any]) -> Path:
    return Path(job["work"]) / f"{job['entry']}.result.json"


def _child(job: dict[str, Any]) -> None:  # pragma: no cover - runs in the forked child
    code = 0
    try:
        os.setsid()
        log = Path(job["work"]) / f"{job['entry']}.child.log"
        _redirect(log)
        _result_path(job).write_text(json.dumps(run_job(job)))
    except BaseException:  # noqa: BLE001
        code = 3
    finally:
        os._exit(code)


class _Running:
    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        self.deadline = time.monotonic() + JOB_SECONDS
        pid = os.fork()
        if pid == 0:  # pragma: no cover
            _child(job)
        self.pid = pid

    def poll(self) -> int | None:
        done, status = os.waitpid(self.pid, os.WNOHANG)
        return os.waitstatus_to_exitcode(status) if done else None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def outcome(self, code: int) -> Result:
        path = _result_path(self.job)
        if path.is_file():
            result: Result = json.loads(path.read_text())
            return result
        if code < 0:
            return _result("crash", f"the child died of signal {-code}")
        return _result("error", f"the child exited {code} without a result")


def run_all(jobs: list[dict[str, Any]], parallel: int = PARALLEL) -> dict[str, Result]:
    results: dict[str, Result] = {}
    pending = list(reversed(jobs))
    running: list[_Running] = []
    while pending or running:
        while pending and len(running) < parallel:
            running.append(_Running(pending.pop()))
        time.sleep(0.01)
        for item in list(running):
            code = item.poll()
            if code is None and time.monotonic() > item.deadline:
                item.kill()
                # the process group may have left a result before it hung
                results[item.job["id"]] = _result("timeout", "killed at the deadline")
                running.remove(item)
            elif code is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(item.pid, signal.SIGKILL)  # leftovers (a server's workers)
                results[item.job["id"]] = item.outcome(code)
                running.remove(item)
    return results


def _import(names: tuple[str, ...]) -> None:
    import importlib
    import warnings

    warnings.simplefilter("ignore")
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def main(argv: list[str]) -> int:
    jobs_file, results_file = argv
    jobs = json.loads(Path(jobs_file).read_text())
    _clean_environment()
    _import(COLD_MODULES)
    cold = [job for job in jobs if job["fresh"]]
    results = run_all(cold)
    _import(WARM_MODULES)
    gc.freeze()  # forked children share the warm heap instead of copying it on collection
    results.update(run_all([job for job in jobs if not job["fresh"]]))
    Path(results_file).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
