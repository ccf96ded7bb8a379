"""Lean requirements: what a model saved by mlmodel lists, and why its MLflow pin stays.

MLflow's ``virtualenv`` and ``uv`` environment managers install the model's
``python_env.yaml`` (its build tools, then ``-r requirements.txt``) and nothing else unless
``--install-mlflow`` is given (off by default); the scoring command they run in that
environment imports ``mlflow``. A save without the pin would fail there with "No module
named 'mlflow'" (seen with ``mlflow models predict --env-manager uv``), so the pin is kept.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    import mlmodel.sklearn

    path = tmp_path_factory.mktemp("lean") / "model"
    model = LogisticRegression().fit(np.array([[0.0], [1.0]]), [0, 1])
    mlmodel.sklearn.save_model(model, path)
    return path


def test_mlflows_env_managers_get_mlflow_only_from_the_pin(saved: Path) -> None:
    from mlflow.models.cli import predict, serve
    from mlflow.utils.requirements_utils import _parse_requirements
    from mlflow.utils.virtualenv import _get_python_env

    # what MLflow's virtualenv / uv manager installs for this model, read by MLflow itself
    python_env = _get_python_env(saved)  # type: ignore[no-untyped-call]
    installed = [
        r.req_str
        for r in _parse_requirements(python_env.dependencies, False, base_dir=saved)  # type: ignore[no-untyped-call]
    ]
    assert installed[0] == f"mlflow=={importlib.metadata.version('mlflow')}"
    # and MLflow adds none of its own unless asked to
    for command in (serve, predict):
        option = next(p for p in command.params if p.name == "install_mlflow")
        assert option.default is False


def test_the_rest_is_what_the_model_needs(saved: Path) -> None:
    names = [line.split("==")[0] for line in (saved / "requirements.txt").read_text().split()]
    assert names == ["mlflow", "scikit-learn", "skops"]
