"""Every malicious model, through every entry point: no canary may fire, every load is refused.

The catalogue (:mod:`tests.security.malicious_models`) is built once per module, one copy
per (case, entry point) so that each has its own canary. All load attempts run in child
processes (:mod:`tests.security.runner`, itself started by
:func:`harness.child_process.run_bounded`): ``mlmodel.pyfunc.load_model`` (default and
``strict=True``), ``mlmodel.sklearn.load_model``, ``mlmodel predict`` and ``mlmodel serve``
(on 127.0.0.1, one request when it becomes ready). Another set of copies proves each payload
live: loaded without mlmodel (plain pickle, joblib, skops, MLflow), its canary fires.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.child_process import ROOT, child_env, run_bounded
from tests.saved_models import SavedModels
from tests.security.malicious_models import CASES, Case, fired
from tests.security.runner import INPUT, JOB_SECONDS, MLMODEL_ERRORS

pytestmark = pytest.mark.filterwarnings("ignore")

ENTRY_POINTS = ("pyfunc", "pyfunc_strict", "sklearn", "cli", "serve")
#: the whole run is bounded: every job has its own deadline, two run at a time
RUN_SECONDS = 900.0


@dataclass(frozen=True)
class Built:
    case: Case
    entry: str
    model: Path
    canary: Path
    work: Path


@dataclass(frozen=True)
class Run:
    built: dict[tuple[str, str], Built]
    results: dict[str, dict[str, str]]
    seconds: float


def _env() -> dict[str, str]:
    env = child_env()
    for name in ("MLMODEL_ALLOW_UNSAFE", "MLMODEL_NO_PICKLE", "MLFLOW_PYFUNC_INFERENCE_CONFIG"):
        env.pop(name, None)
    return env


def build_all(base: Path, entries: tuple[str, ...]) -> dict[tuple[str, str], Built]:
    built: dict[tuple[str, str], Built] = {}
    for entry in entries:
        for case in CASES:
            work = base / entry / case.name
            work.mkdir(parents=True)
            (work / "input.json").write_text(json.dumps(INPUT))
            canary = work / "canary"
            model = case.build(work, canary)
            built[case.name, entry] = Built(case, entry, model, canary, work)
    return built


def run_jobs(base: Path, built: dict[tuple[str, str], Built]) -> dict[str, dict[str, str]]:
    jobs = [
        {
            "id": f"{b.case.name}/{b.entry}",
            "entry": b.entry,
            "model": str(b.model),
            "canary": str(b.canary),
            "work": str(b.work),
            "fresh": b.case.fresh,
            "live": list(b.case.live),
        }
        for b in built.values()
    ]
    jobs_file, results_file = base / "jobs.json", base / "results.json"
    jobs_file.write_text(json.dumps(jobs))
    proc = run_bounded(
        [sys.executable, "-m", "tests.security.runner", str(jobs_file), str(results_file)],
        timeout=RUN_SECONDS,
        env=_env(),
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results: dict[str, dict[str, str]] = json.loads(results_file.read_text())
    return results


LOOKALIKE = Case("lookalike_cloudpickle_estimator", "legitimate", lambda r, c: r, ("pickle", ""))


def save_lookalike(saved: SavedModels, root: Path, canary: Path) -> Path:
    """A plain fitted LogisticRegression saved by MLflow in the cloudpickle format (saved once
    per session, copied to ``root``)."""

    def save(target: Path) -> None:
        import mlflow.sklearn

        from tests.security.malicious_models import fitted_estimator

        mlflow.sklearn.save_model(
            fitted_estimator(), str(target), serialization_format="cloudpickle"
        )

    return saved.copy("malicious-lookalike", save, root / "model")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, saved_models: SavedModels) -> Iterator[Run]:
    base = tmp_path_factory.mktemp("malicious")
    built = build_all(base, (*ENTRY_POINTS, "live"))
    for entry in ENTRY_POINTS:  # the harness must see a legitimate model load everywhere
        work = base / entry / LOOKALIKE.name
        work.mkdir(parents=True)
        (work / "input.json").write_text(json.dumps(INPUT))
        model = save_lookalike(saved_models, work, work / "canary")
        built[LOOKALIKE.name, entry] = Built(LOOKALIKE, entry, model, work / "canary", work)
    start = time.monotonic()
    results = run_jobs(base, built)
    yield Run(built, results, time.monotonic() - start)


def test_the_catalogue_is_broad() -> None:
    assert len(CASES) >= 70
    assert len({case.family for case in CASES}) >= 8


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_payload_is_live(run: Run, case: Case) -> None:
    """Loaded without mlmodel, the way the attack intends, the payload fires: a case that
    could never fire would prove nothing."""
    built = run.built[case.name, "live"]
    result = run.results[f"{case.name}/live"]
    assert fired(built.canary), f"{case.name}: the payload did not fire ({result})"


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_refused_and_never_fires(run: Run, case: Case, entry: str) -> None:
    built = run.built[case.name, entry]
    result = run.results[f"{case.name}/{entry}"]
    assert not fired(built.canary), f"{case.name} via {entry}: THE CANARY FIRED ({result})"
    assert result["outcome"] == "refused", f"{case.name} via {entry}: {result}"


#: cases run again through the real ``python -m mlmodel predict`` (a new interpreter), to
#: show the forked CLI of the runner behaves as the installed command
REAL_CLI_CASES = ("os_system_protocol0", "model_path_absolute", "code_sklearn_shadow")


@pytest.mark.parametrize("name", REAL_CLI_CASES)
def test_the_real_command_line_agrees(run: Run, tmp_path: Path, name: str) -> None:
    case = next(c for c in CASES if c.name == name)
    canary = tmp_path / "canary"
    model = case.build(tmp_path, canary)
    (tmp_path / "input.json").write_text(json.dumps(INPUT))
    proc = run_bounded(
        [
            sys.executable,
            "-m",
            "mlmodel",
            "predict",
            str(model),
            "-i",
            str(tmp_path / "input.json"),
        ],
        timeout=JOB_SECONDS,
        env=_env(),
        cwd=tmp_path,
    )
    assert not fired(canary), f"{name}: THE CANARY FIRED\n{proc.stderr}"
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    forked = run.results[f"{name}/cli"]["outcome"]
    assert forked == "refused", forked


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_legitimate_lookalike_loads_through_the_harness(run: Run, entry: str) -> None:
    """The harness can tell a refusal from a load: a plain estimator loads (and predicts,
    or is served) through every entry point."""
    result = run.results[f"{LOOKALIKE.name}/{entry}"]
    assert result["outcome"] == "loaded", result


def test_a_legitimate_lookalike_loads_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, saved_models: SavedModels
) -> None:
    """A refuse-everything loader cannot pass: the look-alike of the catalogue's sklearn
    models loads through each in-process entry point, and predicts like MLflow."""
    import mlflow.pyfunc
    import numpy as np
    import pandas as pd

    import mlmodel.pyfunc
    import mlmodel.sklearn

    for name in ("MLMODEL_ALLOW_UNSAFE", "MLMODEL_NO_PICKLE"):
        monkeypatch.delenv(name, raising=False)
    model = save_lookalike(saved_models, tmp_path, tmp_path / "canary")
    frame = pd.DataFrame({"a": [0.1, 0.9], "b": [1.0, 0.0]})
    expected = mlflow.pyfunc.load_model(str(model)).predict(frame)
    for strict in (False, True):
        got = mlmodel.pyfunc.load_model(model, strict=strict).predict(frame)
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(mlmodel.sklearn.load_model(model).predict(frame), expected)


def test_a_model_from_code_is_refused_with_pickles_switched_off(tmp_path: Path) -> None:
    """``MLMODEL_NO_PICKLE=1`` switches pickle loading off: a model from code (a .py file
    that runs when loaded) is no safer than a pickle and must be refused too."""
    case = next(c for c in CASES if c.name == "model_from_code")
    canary = tmp_path / "canary"
    model = case.build(tmp_path, canary)
    script = "import sys, mlmodel.pyfunc; mlmodel.pyfunc.load_model(sys.argv[1])"
    proc = run_bounded(
        [sys.executable, "-c", script, str(model)],
        timeout=JOB_SECONDS,
        env={**_env(), "MLMODEL_NO_PICKLE": "1"},
        cwd=tmp_path,
    )
    assert not fired(canary), f"THE CANARY FIRED\n{proc.stderr}"
    assert proc.returncode != 0
    assert any(f"{name}:" in proc.stderr for name in MLMODEL_ERRORS), proc.stderr
