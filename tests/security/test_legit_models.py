"""Legitimate scikit-learn models load by default: every estimator type below, saved in each
format (skops, cloudpickle, pickle) by mlmodel and by MLflow, loads with
``mlmodel.sklearn.load_model`` and ``mlmodel.pyfunc.load_model`` with no ``allow_unsafe``
and predicts exactly as the original.

This states the requirement for the pickle allowlist: a cell fails when the loader refuses a
global (or skops type) that a plain fitted scikit-learn model needs."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pytest.importorskip("sklearn")
pytest.importorskip("skops")
pytest.importorskip("mlflow")

import mlflow.sklearn
import skops.io
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    IsolationForest,
    RandomForestClassifier,
)
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import mlmodel.pyfunc
import mlmodel.sklearn
from mlmodel.runtime.load.tree_check import VERIFIED_TYPES

X, Y = load_iris(return_X_y=True)
#: iris with a string column, for the ColumnTransformer pipeline
FRAME = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"]).assign(
    size=np.where(X[:, 0] > 5.8, "big", "small")
)
FORMATS = ("skops", "cloudpickle", "pickle")


def _column_pipeline() -> Pipeline:
    columns = ColumnTransformer(
        [
            ("numbers", StandardScaler(), ["sl", "sw", "pl", "pw"]),
            ("size", OneHotEncoder(handle_unknown="ignore"), ["size"]),
        ]
    )
    return Pipeline([("columns", columns), ("forest", RandomForestClassifier(5, random_state=0))])


#: name -> (unfitted estimator, fit with the target?, input)
MODELS: dict[str, tuple[Callable[[], Any], bool, Any]] = {
    "logistic_regression": (lambda: LogisticRegression(max_iter=1000), True, X),
    "linear_regression": (LinearRegression, True, X),
    "ridge": (Ridge, True, X),
    "svc_probability": (lambda: SVC(probability=True, random_state=0), True, X),
    "knn_brute": (lambda: KNeighborsClassifier(algorithm="brute"), True, X),
    "knn_kd_tree": (lambda: KNeighborsClassifier(algorithm="kd_tree"), True, X),
    "gaussian_nb": (GaussianNB, True, X),
    "decision_tree": (lambda: DecisionTreeClassifier(random_state=0), True, X),
    "random_forest": (lambda: RandomForestClassifier(5, random_state=0), True, X),
    "extra_trees": (lambda: ExtraTreesClassifier(5, random_state=0), True, X),
    "gradient_boosting": (
        lambda: GradientBoostingClassifier(n_estimators=5, random_state=0),
        True,
        X,
    ),
    "hist_gradient_boosting": (
        lambda: HistGradientBoostingClassifier(max_iter=5, random_state=0),
        True,
        X,
    ),
    "isolation_forest": (lambda: IsolationForest(n_estimators=5, random_state=0), False, X),
    "column_transformer_pipeline": (_column_pipeline, True, FRAME),
    "mlp": (lambda: MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0), True, X),
    "kmeans": (lambda: KMeans(n_clusters=3, n_init=1, random_state=0), False, X),
    "pca_logistic_pipeline": (
        lambda: Pipeline([("pca", PCA(2)), ("model", LogisticRegression(max_iter=1000))]),
        True,
        X,
    ),
}
CELLS = [pytest.param(m, f, id=f"{m}-{f}") for m in MODELS for f in FORMATS]


@pytest.fixture(scope="module")
def fitted() -> dict[str, Any]:
    models = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the MLP's ConvergenceWarning on 50 iterations
        for name, (build, supervised, data) in MODELS.items():
            model = build()
            models[name] = model.fit(data, Y) if supervised else model.fit(data)
    return models


@pytest.fixture(autouse=True)
def _allow_mlflow_to_unpickle(monkeypatch: pytest.MonkeyPatch) -> None:
    # MLflow 3.17 refuses to deserialize any sklearn model without this opt-in
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")


def _skops_needs(model: Any, serialization_format: str) -> list[str] | None:
    """The types skops does not trust by default that the model needs (listed by the user,
    as skops asks; mlmodel trusts the tree types itself)."""
    if serialization_format != "skops":
        return None
    return sorted(skops.io.get_untrusted_types(data=skops.io.dumps(model))) or None


def _assert_loads_by_default(path: Path, model: Any, data: Any) -> None:
    expected = model.predict(data)
    loaded = mlmodel.sklearn.load_model(path)
    np.testing.assert_array_equal(loaded.predict(data), expected)
    pyfunc = mlmodel.pyfunc.load_model(path)
    np.testing.assert_array_equal(np.asarray(pyfunc.predict(data)), expected)


@pytest.mark.parametrize(("name", "serialization_format"), CELLS)
def test_mlmodel_saved_model_loads_by_default(
    fitted: dict[str, Any], name: str, serialization_format: str, tmp_path: Path
) -> None:
    model, data = fitted[name], MODELS[name][2]
    needs = _skops_needs(model, serialization_format)
    mlmodel.sklearn.save_model(
        model,
        tmp_path / "model",
        serialization_format=serialization_format,
        skops_trusted_types=[t for t in needs or () if t not in VERIFIED_TYPES] or None,
    )
    _assert_loads_by_default(tmp_path / "model", model, data)


@pytest.mark.parametrize(("name", "serialization_format"), CELLS)
def test_mlflow_saved_model_loads_by_default(
    fitted: dict[str, Any], name: str, serialization_format: str, tmp_path: Path
) -> None:
    model, data = fitted[name], MODELS[name][2]
    mlflow.sklearn.save_model(
        model,
        str(tmp_path / "model"),
        serialization_format=serialization_format,
        skops_trusted_types=_skops_needs(model, serialization_format),
        pip_requirements=["scikit-learn"],  # no requirement inference subprocess
    )
    _assert_loads_by_default(tmp_path / "model", model, data)
