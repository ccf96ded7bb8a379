"""The table: every entry point x every bad input gives the outcome of its cause.

Entry points: the loaders (``mlmodel.pyfunc.load_model``, ``mlmodel.sklearn.load_model``),
``Model.load``, ``mlmodel.spark.spark_udf`` (a local Spark session; nothing is scored: every
refusal comes before a Spark job), and the commands ``serve`` (a subprocess on a free
loopback port: start-up only), ``predict``, ``download`` (a local path as source),
``generate-dockerfile`` and ``inspect`` (in this process, through the CLI's ``run``).

Bad inputs: a missing path, a FIFO named ``MLmodel``, a model whose ``MLmodel`` parses but is
wrong (``flavors: 3``), a path out of the model directory (``../../x.pkl``, and a symlink
out), a pickle that would run ``os.system`` (it would create a canary file: the canary
never appears), and a missing optional package (``skops`` for a skops model; the command's
own extra for ``serve`` and ``download``).

For each cell: the outcome of the cause (:data:`CAUSES`: a usage error, an invalid model, an
unsafe model, a missing dependency) as the exception class a Python entry point raises
(:data:`EXCEPTIONS`, and none of the other outcomes' classes) or the exit status a command
gives (:data:`EXIT_CODES`); every error ``validate`` reports for the model shown as
``file:line:col: error CODE message`` in the exception's text or the command's output; no
``Diagnostic(`` repr, no "internal error", no traceback; an answer within
:data:`TIME_BOUND` seconds (a FIFO must not hang anything). An entry point that has nothing
to refuse for a cause (it loads nothing) must succeed: :data:`NOTHING_TO_REFUSE`.

The expectations are written as names in the mappings below, to be adjusted in one place
when the exception hierarchy or the exit codes change.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.child_process import child_env, run_bounded
from harness.pickle_payloads import call4
from harness.servers import free_port

#: outcome -> (module, class) a Python entry point raises for it
EXCEPTIONS: dict[str, tuple[str, str]] = {
    "usage": ("mlmodel.core.errors", "UsageError"),
    "invalid": ("mlmodel.core.errors", "InvalidModelError"),
    "unsafe": ("mlmodel.core.errors", "UnsafeModelError"),
    "missing": ("mlmodel.core.errors", "MissingDependencyError"),
}
#: outcome -> the exit status of a command
EXIT_CODES: dict[str, int] = {"ok": 0, "usage": 2, "invalid": 1, "unsafe": 1, "missing": 2}

#: bad input -> its outcome
CAUSES: dict[str, str] = {
    "missing-path": "usage",
    "fifo": "invalid",
    "invalid": "invalid",
    "escape": "invalid",
    "symlink-out": "invalid",
    "unsafe-pickle": "unsafe",
    "missing-extra": "missing",
    "missing-command-extra": "missing",
}

PYTHON = ("pyfunc.load_model", "sklearn.load_model", "Model.load", "spark_udf")
COMMANDS = ("serve", "predict", "download", "generate-dockerfile", "inspect")
ENTRY_POINTS = (*PYTHON, *COMMANDS)

#: (entry point, bad input) -> why the entry point succeeds: it has nothing to refuse
NOTHING_TO_REFUSE: dict[tuple[str, str], str] = {
    ("Model.load", "unsafe-pickle"): "reads the document; unpickles nothing",
    ("Model.load", "missing-extra"): "reads the document; needs no model package",
    ("spark_udf", "missing-extra"): "the driver judges the model; the executors load it",
    ("download", "unsafe-pickle"): "copies the files; a loader judges the pickles",
    ("download", "missing-extra"): "copies the files",
    ("generate-dockerfile", "missing-extra"): "loads nothing: the image installs the packages",
    **{
        ("inspect", cause): "describes any model it can read; loads nothing"
        for cause in ("invalid", "escape", "symlink-out", "unsafe-pickle", "missing-extra")
    },
}

#: the command's own optional dependency (the other entry points have none of their own)
COMMAND_EXTRAS: dict[str, tuple[str, ...]] = {
    "serve": ("uvicorn",),  # mlmodel[serve]
    "download": ("mlflow",),  # mlmodel[tracking]
}
#: cells the code does not meet yet, with the reason (strict: they fail when it does)
NOT_YET: dict[tuple[str, str], str] = {}  # every cell holds

#: seconds any cell may take (a hang is a failure, not a stuck run)
TIME_BOUND = 60.0

#: the model package the "missing-extra" input hides (a skops model needs it to load)
MODEL_EXTRA = ("skops", "skops.io")

#: runs the CLI in a child with the modules of $MLMODEL_TEST_BLOCK unimportable
BOOT = (
    "import os, sys\n"
    "for name in filter(None, os.environ.get('MLMODEL_TEST_BLOCK', '').split(',')):\n"
    "    sys.modules[name] = None\n"
    "from mlmodel.cli.app import run\n"
    "sys.exit(run(sys.argv[1:]))\n"
)


def _outcome(entry: str, cause: str) -> str:
    return "ok" if (entry, cause) in NOTHING_TO_REFUSE else CAUSES[cause]


def _cells() -> list[Any]:
    cells = []
    for entry in ENTRY_POINTS:
        causes = [c for c in CAUSES if c != "missing-command-extra"]
        if entry in COMMAND_EXTRAS:
            causes.append("missing-command-extra")
        for cause in causes:
            marks: list[Any] = []
            if entry == "spark_udf":
                marks.append(pytest.mark.spark)
            if (entry, cause) in NOT_YET:
                marks.append(pytest.mark.xfail(strict=True, reason=NOT_YET[(entry, cause)]))
            cells.append(pytest.param(entry, cause, marks=marks, id=f"{entry}-{cause}"))
    return cells


# -- the models -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two clean models: a cloudpickle one (its pickle loads by default) and a skops one."""
    import warnings

    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import mlmodel.sklearn

    root = tmp_path_factory.mktemp("bases")
    frame = pd.DataFrame({"a": [0.1, 0.9, 0.2, 0.8], "b": [1.0, 0.0, 1.0, 0.5]})
    estimator = LogisticRegression().fit(frame, np.array([0, 1, 0, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cloudpickle format's own warning
        for fmt in ("cloudpickle", "skops"):
            mlmodel.sklearn.save_model(estimator, root / fmt, serialization_format=fmt)
    (root / "input.json").write_text(
        '{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2]]}}'
    )
    return {"pickle": root / "cloudpickle", "skops": root / "skops", "input": root / "input.json"}


@dataclass
class Case:
    path: Path  #: the model as given to the entry point
    canary: Path  #: what the unsafe pickle would create
    blocked: tuple[str, ...] = ()  #: modules that cannot be imported


def _make(cause: str, entry: str, bases: dict[str, Path], tmp_path: Path) -> Case:
    model = tmp_path / "model"
    canary = tmp_path / "canary"
    if cause == "missing-path":
        return Case(tmp_path / "absent", canary)
    if cause == "fifo":
        model.mkdir()
        os.mkfifo(model / "MLmodel")
        return Case(model, canary)
    if cause == "missing-extra":
        shutil.copytree(bases["skops"], model)
        return Case(model, canary, MODEL_EXTRA)
    shutil.copytree(bases["pickle"], model)
    mlmodel_file = model / "MLmodel"
    if cause == "invalid":
        document = yaml.safe_load(mlmodel_file.read_text())
        document["flavors"] = 3
        mlmodel_file.write_text(yaml.safe_dump(document))
    elif cause == "escape":
        mlmodel_file.write_text(mlmodel_file.read_text().replace("model.pkl", "../../x.pkl"))
    elif cause == "symlink-out":
        outside = tmp_path / "outside.pkl"
        (model / "model.pkl").rename(outside)
        (model / "model.pkl").symlink_to(outside)
    elif cause == "unsafe-pickle":
        (model / "model.pkl").write_bytes(call4("os", "system", f"touch {canary}"))
    elif cause == "missing-command-extra":
        return Case(model, canary, COMMAND_EXTRAS[entry])
    return Case(model, canary)


# -- running an entry point, bounded in time --------------------------------------------------


def _bounded(call: Callable[[], Any]) -> Any:
    """``call()`` in a thread: a failure if it has not returned within TIME_BOUND."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            result["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(TIME_BOUND)
    if worker.is_alive():
        pytest.fail(f"no answer within {TIME_BOUND} s: a hang")
    if "error" in result:
        raise result["error"]
    return result.get("value")


@pytest.fixture(scope="module")
def spark_session() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("mlmodel-entry-points")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "512m")
        .getOrCreate()
    )
    yield session
    session.stop()


def _python_call(entry: str, path: Path, request: pytest.FixtureRequest) -> Callable[[], Any]:
    import mlmodel.pyfunc
    import mlmodel.sklearn
    from mlmodel.models import Model

    if entry == "pyfunc.load_model":
        return lambda: mlmodel.pyfunc.load_model(path)
    if entry == "sklearn.load_model":
        return lambda: mlmodel.sklearn.load_model(path)
    if entry == "Model.load":
        return lambda: Model.load(path)
    from mlmodel.spark import spark_udf

    spark = request.getfixturevalue("spark_session")
    return lambda: spark_udf(spark, path)


def _argv(entry: str, path: Path, bases: dict[str, Path], tmp_path: Path) -> list[str]:
    if entry == "serve":
        # one worker: the model loads in the process whose modules the case blocks (worker
        # processes start afresh and would import them)
        port = str(free_port())
        return ["serve", str(path), "--host", "127.0.0.1", "--port", port, "--workers", "1"]
    if entry == "predict":
        return ["predict", str(path), "-i", str(bases["input"])]
    if entry == "download":
        return ["download", "--no-progress", str(path), str(tmp_path / "downloaded")]
    if entry == "generate-dockerfile":
        return ["generate-dockerfile", str(path), "-o", str(tmp_path / "context")]
    return ["inspect", "--color", "never", str(path)]


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """MLflow's client (download) on a store under a temporary folder, never ./mlruns."""
    root = tmp_path_factory.mktemp("tracking")
    return {
        "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}",
        "MLMODEL_CACHE_DIR": str(root / "cache"),
    }


def _command(
    argv: list[str],
    blocked: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, str]:
    """(exit status, stdout + stderr) of ``mlmodel ARGV``: serve in a child process (it
    would serve if it did not refuse), the other commands through the CLI's ``run``."""
    if argv[0] == "serve":
        environ = child_env(MLMODEL_TEST_BLOCK=",".join(blocked))
        try:
            done = run_bounded([sys.executable, "-c", BOOT, *argv], timeout=TIME_BOUND, env=environ)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve did not stop within {TIME_BOUND} s")
        return done.returncode, done.stdout + done.stderr
    from mlmodel.cli.app import run

    for name in blocked:
        monkeypatch.setitem(sys.modules, name, None)
    capsys.readouterr()
    code = _bounded(lambda: run(argv))
    captured = capsys.readouterr()
    return int(code), captured.out + captured.err


# -- the table --------------------------------------------------------------------------------


def _class(outcome: str) -> type[BaseException]:
    module, name = EXCEPTIONS[outcome]
    found: type[BaseException] = getattr(importlib.import_module(module), name)
    return found


def _expected_lines(path: Path, cause: str, outcome: str) -> list[str]:
    """Every error ``validate`` reports for a model refused as invalid, as it prints each
    one."""
    if outcome != "invalid":
        return []
    from mlmodel.checking.validate import validate_file

    errors = [d for d in validate_file(path).diagnostics if d.is_error]
    assert errors, "the bad input must be one validate reports"
    for error in errors:
        assert error.file == str(path / "MLmodel")
        if cause != "fifo":  # V115 is about the file as a whole: no position
            assert error.line is not None and error.column is not None
    return [str(error) for error in errors]


@pytest.mark.parametrize(("entry", "cause"), _cells())
def test_entry_point_gives_the_outcome_of_the_cause(
    entry: str,
    cause: str,
    bases: dict[str, Path],
    tracking: dict[str, str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in tracking.items():
        monkeypatch.setenv(name, value)
    case = _make(cause, entry, bases, tmp_path)
    outcome = _outcome(entry, cause)
    expected_lines = _expected_lines(case.path, cause, outcome)
    began = time.monotonic()
    if entry in PYTHON:
        call = _python_call(entry, case.path, request)
        for name in case.blocked:
            monkeypatch.setitem(sys.modules, name, None)
        raised: BaseException | None = None
        try:
            _bounded(call)
        except Exception as exc:  # noqa: BLE001 - judged below
            raised = exc
        if outcome == "ok":
            assert raised is None, f"{type(raised).__name__}: {raised}"
            text = ""
        else:
            assert raised is not None, f"{entry} accepted the {cause} input"
            assert isinstance(raised, _class(outcome)), f"{type(raised).__mro__}: {raised}"
            # a missing extra is a usage error too: only the other branches are excluded
            others = [o for o in EXCEPTIONS if not issubclass(_class(outcome), _class(o))]
            assert not any(isinstance(raised, _class(o)) for o in others), type(raised).__mro__
            text = str(raised)
    else:
        code, text = _command(
            _argv(entry, case.path, bases, tmp_path), case.blocked, capsys, monkeypatch
        )
        assert code == EXIT_CODES[outcome], text
        assert "allow_unsafe=True" not in text  # the CLI names its own options
    elapsed = time.monotonic() - began
    assert elapsed < TIME_BOUND
    for line in expected_lines:
        assert line in text, f"missing {line!r} in:\n{text}"
    assert "Diagnostic(" not in text
    assert "internal error" not in text
    assert "Traceback" not in text
    if outcome == "unsafe":
        assert "model.pkl" in text and "os.system" in text
    if outcome == "missing":
        assert "pip install" in text
    assert not case.canary.exists()  # the pickle never ran


def test_the_table_covers_every_entry_point_and_cause() -> None:
    """Each entry point meets each bad input (its own extra where it has one), and every
    outcome is one of the mapped ones."""
    cells = {(p.values[0], p.values[1]) for p in _cells()}
    for entry in ENTRY_POINTS:
        for cause in CAUSES:
            if cause == "missing-command-extra" and entry not in COMMAND_EXTRAS:
                continue
            assert (entry, cause) in cells
    assert set(CAUSES.values()) <= set(EXCEPTIONS) and set(EXIT_CODES) == {"ok", *EXCEPTIONS}


def test_the_native_loaders_are_the_ones_model_environments_leave_mlflow_out_for() -> None:
    from mlmodel.flavors.libraries import NATIVE_LOADER_MODULES
    from mlmodel.runtime.load.dispatch import NATIVE_LOADERS

    assert set(NATIVE_LOADERS) == set(NATIVE_LOADER_MODULES)
    for module, _flavor in NATIVE_LOADERS.values():
        assert importlib.import_module(module).load_pyfunc is not None
