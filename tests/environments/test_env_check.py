"""``mlmodel env check`` and the drift warning at load, on a scikit-learn model saved here
(requirements rewritten per test: another scikit-learn minor, a marker, none at all)."""

from __future__ import annotations

import importlib.metadata
import json
import logging
import shutil
from pathlib import Path

import pytest

from mlmodel.cli.app import run
from mlmodel.environments import drift

SKLEARN = importlib.metadata.version("scikit-learn")
MAJOR, MINOR, *_ = (int(part) for part in SKLEARN.split("."))
OTHER_MINOR = f"{MAJOR}.{MINOR + 1}.0"
OTHER_PATCH = f"{MAJOR}.{MINOR}.999"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    import mlmodel.sklearn

    path = tmp_path_factory.mktemp("env-check") / "model"
    model = LogisticRegression().fit(np.array([[0.0], [1.0]]), [0, 1])
    mlmodel.sklearn.save_model(model, path)
    return path


@pytest.fixture
def model(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "model"))


def requiring(model: Path, *lines: str) -> Path:
    (model / "requirements.txt").write_text("\n".join(lines))
    return model


def check_json(model: Path, *options: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = run(["env", "check", str(model), "--format", "json", *options])
    return code, json.loads(capsys.readouterr().out)


def test_a_model_saved_here_is_clean(model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["env", "check", str(model), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "scikit-learn" in out and SKLEARN in out
    assert "no mismatch" in out


def test_another_scikit_learn_minor_fails_the_gate(
    model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requiring(model, "mlflow==1.0.0", f"scikit-learn=={OTHER_MINOR}")
    code, report = check_json(model, capsys=capsys)
    assert code == 1
    assert set(report) == {"model", "source", "packages", "mismatches", "matters"}
    assert report["source"] == "requirements.txt" and report["matters"] is True
    assert report["mismatches"] == 2
    mlflow, sklearn = report["packages"]
    assert set(sklearn) == {"name", "required", "installed", "verdict", "matters", "framework"}
    assert sklearn == {
        "name": "scikit-learn",
        "required": f"=={OTHER_MINOR}",
        "installed": SKLEARN,
        "verdict": "mismatch-minor",
        "matters": True,
        "framework": True,
    }
    # an MLflow pin is reported but never matters: mlmodel replaces MLflow
    assert mlflow["verdict"] == "mismatch-major" and mlflow["matters"] is False
    assert run(["env", "check", str(model), "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert "mismatch-minor (matters)" in out and OTHER_MINOR in out


def test_what_matters_and_strict(model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    skops = importlib.metadata.version("skops")
    requiring(
        model,
        "mlflow==1.0.0",
        f"scikit-learn=={OTHER_PATCH}",  # the framework's patch: reported, does not matter
        "skops==99.0",  # not the framework: a major mismatch that does not matter
        "numpy",
        "scikit-learn-intelex>=1 ; python_version < '3.0'",  # the marker does not apply
    )
    code, report = check_json(model, capsys=capsys)
    assert code == 0 and report["matters"] is False
    verdicts = {p["name"]: (p["verdict"], p["installed"]) for p in report["packages"]}
    assert verdicts == {
        "mlflow": ("mismatch-major", importlib.metadata.version("mlflow")),
        "scikit-learn": ("mismatch-patch", SKLEARN),
        "skops": ("mismatch-major", skops),
        "numpy": ("unpinned", importlib.metadata.version("numpy")),
        "scikit-learn-intelex": ("skipped-marker", None),
    }
    assert run(["env", "check", str(model), "--strict", "-f", "json"]) == 1
    capsys.readouterr()
    # --strict leaves MLflow's own pins alone
    requiring(model, "mlflow==1.0.0", f"scikit-learn=={SKLEARN}")
    assert run(["env", "check", str(model), "--strict", "-f", "json"]) == 0


@pytest.mark.parametrize(
    ("line", "verdict", "code"),
    [
        ("not-a-distribution-mlmodel-knows==1.0", "missing", 1),
        (f"scikit-learn>=1.0,<{MAJOR + 1}", "ok", 0),
        (f"scikit-learn>={MAJOR + 1}", "mismatch-major", 1),
        (f"scikit-learn~={MAJOR}.{MINOR + 1}.0", "mismatch-minor", 1),
        (f"scikit-learn!={SKLEARN}", "mismatch-major", 1),
        (f"scikit-learn=={MAJOR}.{MINOR}.*", "ok", 0),
    ],
)
def test_specifiers_are_judged(
    model: Path, capsys: pytest.CaptureFixture[str], line: str, verdict: str, code: int
) -> None:
    exit_code, report = check_json(requiring(model, line), capsys=capsys)
    assert (report["packages"][0]["verdict"], exit_code) == (verdict, code)


def test_a_model_without_requirements_says_so(
    model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (model / "requirements.txt").unlink()
    (model / "conda.yaml").unlink()
    assert run(["env", "check", str(model), "--color", "never"]) == 0
    assert "lists no requirements" in capsys.readouterr().out
    code, report = check_json(model, capsys=capsys)
    assert (code, report["source"], report["packages"]) == (0, None, [])


def test_the_conda_file_when_there_is_no_requirements_txt(
    model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (model / "requirements.txt").unlink()
    (model / "conda.yaml").write_text(
        f"dependencies:\n- python=3.11\n- pip:\n  - scikit-learn=={OTHER_MINOR}\n"
    )
    code, report = check_json(model, capsys=capsys)
    assert (code, report["source"], report["packages"][0]["verdict"]) == (
        1,
        "conda.yaml",
        "mismatch-minor",
    )


def test_no_model_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["env", "check", str(tmp_path / "absent")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_a_load_warns_once_per_package(
    model: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlmodel.pyfunc

    monkeypatch.setattr(drift, "_WARNED", set())
    requiring(
        model,
        "mlflow==1.0.0",
        f"scikit-learn=={OTHER_MINOR}",
        "skops==0.0.1",
        "numpy ; python_version < '3.0'",
    )
    with caplog.at_level(logging.WARNING, logger="mlmodel.pyfunc"):
        mlmodel.pyfunc.load_model(model)
        mlmodel.pyfunc.load_model(model)
    messages = [r.getMessage() for r in caplog.records if r.name == "mlmodel.pyfunc"]
    assert len(messages) == 2, messages  # scikit-learn and skops, once each; no MLflow
    sklearn = next(m for m in messages if m.startswith("scikit-learn"))
    assert f"scikit-learn {SKLEARN} is installed (minor version differs)" in sklearn
    assert f"requires scikit-learn=={OTHER_MINOR}" in sklearn
    assert f"mlmodel env check {model}" in sklearn and "--env-manager uv" in sklearn


def test_a_clean_load_says_nothing(
    model: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlmodel.pyfunc

    monkeypatch.setattr(drift, "_WARNED", set())
    with caplog.at_level(logging.WARNING, logger="mlmodel.pyfunc"):
        mlmodel.pyfunc.load_model(model)
    assert not [r for r in caplog.records if "requires" in r.getMessage()]
