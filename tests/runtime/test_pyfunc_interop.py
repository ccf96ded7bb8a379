"""Every kind of model MLflow 3.17.2 saves loads in mlmodel.pyfunc and predicts identically.

MLflow is the oracle: each model is saved by MLflow, loaded by ``mlflow.pyfunc.load_model``
and by ``mlmodel.pyfunc.load_model``, and both predict on the same data. A custom
``PythonModel`` is code: it loads once the loader trusts its class (``trusted_types``, the
class pickled by reference) or the model's code (``allow_unsafe``; a signature in
tests/security/test_signing.py).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import mlflow.lightgbm
import mlflow.pyfunc
import mlflow.sklearn
import mlflow.xgboost
import numpy as np
import pandas as pd
import pytest
from mlflow.models import infer_signature
from mlflow.models.signature import ModelSignature
from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mlmodel.pyfunc
from tests import pyfunc_models

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RNG = np.random.default_rng(7)
X = pd.DataFrame({"a": RNG.random(40), "b": RNG.random(40), "c": RNG.random(40)})
Y = (X["a"] + X["b"] > 1).astype(np.int64)


def _same(expected: Any, actual: Any) -> None:
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(actual, expected)
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(actual, expected)
    elif isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray)
        assert actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)
    else:
        assert actual == expected


def _both(path: Path, data: Any, params: dict[str, Any] | None = None, **load: Any) -> Any:
    theirs = mlflow.pyfunc.load_model(str(path)).predict(data, params=params)
    ours = mlmodel.pyfunc.load_model(path, **load).predict(data, params=params)
    _same(theirs, ours)
    return ours


@pytest.fixture(scope="module")
def pipeline() -> Any:
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(X, Y)


@pytest.mark.parametrize("fmt", ["skops", "cloudpickle", "pickle"])
@pytest.mark.parametrize("predict_fn", ["predict", "predict_proba"])
def test_sklearn_each_format(tmp_path: Path, pipeline: Any, fmt: str, predict_fn: str) -> None:
    path = tmp_path / "model"
    mlflow.sklearn.save_model(
        pipeline,
        path,
        serialization_format=fmt,
        input_example=X.head(3),
        pyfunc_predict_fn=predict_fn,
    )
    _both(path, X)
    model = mlmodel.pyfunc.load_model(path)
    assert model.loader_module == "mlflow.sklearn"
    assert model.predict_fn == predict_fn
    pd.testing.assert_frame_equal(model.input_example, X.head(3))
    np.testing.assert_array_equal(model.predict_proba(X), pipeline.predict_proba(X))
    assert model.score(X, Y) == pipeline.score(X, Y)
    assert model.get_raw_model().__class__ is pipeline.__class__
    assert model.metadata.flavors["sklearn"]["serialization_format"] == fmt


def test_sklearn_without_signature_takes_numpy(tmp_path: Path, pipeline: Any) -> None:
    path = tmp_path / "model"
    mlflow.sklearn.save_model(pipeline, path, serialization_format="cloudpickle")
    _both(path, X)
    model = mlmodel.pyfunc.load_model(path)
    assert model.input_schema is None and model.input_example is None


def test_sklearn_flavor_only_loads_for_prediction(tmp_path: Path, pipeline: Any) -> None:
    """An estimator without the chosen predict function gets no pyfunc flavor from MLflow."""
    path = tmp_path / "model"
    mlflow.sklearn.save_model(pipeline, path, serialization_format="skops")
    mlmodel_file = path / "MLmodel"
    import yaml

    doc = yaml.safe_load(mlmodel_file.read_text())
    del doc["flavors"]["python_function"]
    mlmodel_file.write_text(yaml.safe_dump(doc))
    model = mlmodel.pyfunc.load_model(path)
    np.testing.assert_array_equal(model.predict(X), pipeline.predict(X))
    with pytest.raises(mlflow.exceptions.MlflowException, match="python_function"):
        mlflow.pyfunc.load_model(str(path))


def test_xgboost_sklearn_api_and_booster(tmp_path: Path) -> None:
    import xgboost as xgb

    clf = xgb.XGBClassifier(n_estimators=5, max_depth=2).fit(X, Y)
    mlflow.xgboost.save_model(clf, tmp_path / "clf", input_example=X.head(2))
    _both(tmp_path / "clf", X)
    booster = xgb.train({"max_depth": 2}, xgb.DMatrix(X, label=Y), num_boost_round=4)
    mlflow.xgboost.save_model(booster, tmp_path / "booster", input_example=X.head(2))
    _both(tmp_path / "booster", X)


@pytest.mark.parametrize("fmt", ["skops", "cloudpickle"])
def test_lightgbm_sklearn_api(tmp_path: Path, fmt: str) -> None:
    import lightgbm as lgb

    clf = lgb.LGBMClassifier(n_estimators=5, min_child_samples=2, verbose=-1).fit(X, Y)
    mlflow.lightgbm.save_model(
        clf, tmp_path / "m", input_example=X.head(2), serialization_format=fmt
    )
    _both(tmp_path / "m", X)


def test_lightgbm_booster(tmp_path: Path) -> None:
    import lightgbm as lgb

    booster = lgb.train(
        {"verbose": -1, "min_data_in_leaf": 2},
        lgb.Dataset(X, label=Y),
        num_boost_round=4,
    )
    mlflow.lightgbm.save_model(booster, tmp_path / "m", input_example=X.head(2))
    _both(tmp_path / "m", X)


def test_custom_python_model_with_artifacts_and_params(tmp_path: Path) -> None:
    factor = tmp_path / "factor.txt"
    factor.write_text("2.5")
    signature = ModelSignature(
        inputs=Schema([ColSpec("double", "x")]),
        params=ParamSchema([ParamSpec("shift", "double", 0.0)]),
    )
    path = tmp_path / "m"
    mlflow.pyfunc.save_model(
        path,
        python_model=pyfunc_models.ScaleModel(),
        artifacts={"factor": str(factor)},
        signature=signature,
    )
    data = pd.DataFrame({"x": [1.0, 2.0, 4.0]})
    with pytest.raises(mlmodel.pyfunc.UnsafeModelError, match=r"tests\.pyfunc_models\.ScaleModel"):
        mlmodel.pyfunc.load_model(path)
    trusted = ["tests.pyfunc_models.ScaleModel"]
    _both(path, data, trusted_types=trusted)
    out = _both(path, data, params={"shift": 1}, trusted_types=trusted)
    assert list(out) == [3.5, 6.0, 11.0]
    model = mlmodel.pyfunc.load_model(path, trusted_types=trusted)
    assert model.loader_module == "mlflow.pyfunc.model"


def test_code_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    helper = tmp_path / "src" / "shipped_helper.py"
    helper.parent.mkdir()
    helper.write_text("def double(x):\n    return x * 2\n")
    path = tmp_path / "m"
    monkeypatch.syspath_prepend(str(helper.parent))
    mlflow.pyfunc.save_model(
        path, python_model=pyfunc_models.UsesCodePath(), code_paths=[str(helper)]
    )
    monkeypatch.delitem(sys.modules, "shipped_helper", raising=False)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(helper.parent)])
    data = pd.DataFrame({"x": [1, 2, 3]})
    with pytest.raises(mlmodel.pyfunc.UnsafeModelError, match=r"code/ first on the import path"):
        mlmodel.pyfunc.load_model(path, trusted_types=["tests.pyfunc_models.UsesCodePath"])
    assert str(path / "code") not in sys.path
    ours = mlmodel.pyfunc.load_model(path, allow_unsafe=True).predict(data)
    assert str(path / "code") in sys.path  # the model's own copy, not the source folder
    _same(mlflow.pyfunc.load_model(str(path)).predict(data), ours)


def test_models_from_code(tmp_path: Path) -> None:
    script = tmp_path / "my_model.py"
    script.write_text(
        textwrap.dedent(
            """
            import mlflow
            from mlflow.models import set_model

            class Plus(mlflow.pyfunc.PythonModel):
                def predict(self, context, model_input, params=None):
                    return model_input["x"] + 1

            set_model(Plus())
            """
        )
    )
    path = tmp_path / "m"
    mlflow.pyfunc.save_model(path, python_model=str(script))
    data = pd.DataFrame({"x": [1, 2, 3]})
    with pytest.raises(mlmodel.pyfunc.UnsafeModelError, match="model from code"):
        mlmodel.pyfunc.load_model(path)
    assert list(_both(path, data, allow_unsafe=True)) == [2, 3, 4]
    loaded = mlmodel.pyfunc.load_model(path, allow_unsafe=True)
    assert loaded.loader_module == "mlflow.pyfunc.loaders.code_model"


def test_type_hinted_python_model(tmp_path: Path) -> None:
    path = tmp_path / "m"
    mlflow.pyfunc.save_model(path, python_model=pyfunc_models.HintedModel())
    trusted = [
        "tests.pyfunc_models.HintedModel",
        "cloudpickle.cloudpickle._builtin_type",  # list[str]: types.GenericAlias, by name
        "types.GenericAlias",
    ]
    assert _both(path, ["a", "bc"], trusted_types=trusted) == ["A", "BC"]
    model = mlmodel.pyfunc.load_model(path, trusted_types=trusted)
    assert model.is_signature_from_type_hint is True
    with pytest.raises(Exception, match=r"(?i)list|str|type"):
        model.predict([1, 2])  # the model's own type-hint check still runs


def test_metadata_reads_match_mlflow(tmp_path: Path, pipeline: Any) -> None:
    """model_id, model_uuid and the output schema read as MLflow's PyFuncModel reads them."""
    import yaml

    path = tmp_path / "m"
    frame = pd.DataFrame({"label": pipeline.predict(X), "score": pipeline.predict_proba(X)[:, 1]})
    mlflow.sklearn.save_model(pipeline, path, signature=infer_signature(X, frame))
    document = yaml.safe_load((path / "MLmodel").read_text())
    document["model_id"] = "m-0123456789abcdef0123456789abcdef"
    (path / "MLmodel").write_text(yaml.safe_dump(document))
    theirs = mlflow.pyfunc.load_model(str(path))
    ours = mlmodel.pyfunc.load_model(path)
    assert ours.model_id == theirs.model_id == "m-0123456789abcdef0123456789abcdef"
    assert ours.model_uuid == theirs.metadata.model_uuid == ours.metadata.model_uuid
    assert ours.model_uuid is not None
    assert ours.is_signature_from_type_hint is False
    outputs = theirs.metadata.get_output_schema()
    assert ours.output_schema is not None
    assert ours.output_schema.names() == outputs.input_names() == ["label", "score"]
    assert [c.type for c in ours.output_schema.columns] == ["long", "double"]


def test_signature_from_infer_signature_with_mixed_types(tmp_path: Path, pipeline: Any) -> None:
    frame = X.assign(n=np.arange(len(X), dtype=np.int64))
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, Y)
    path = tmp_path / "m"
    mlflow.sklearn.save_model(
        model, path, signature=infer_signature(frame, Y), serialization_format="skops"
    )
    _both(path, frame)
    _both(path, frame[["n", "c", "b", "a"]])  # reordered by name
    _both(path, frame.to_dict(orient="records"))  # list of dicts
    _both(path, frame.to_dict(orient="list"))  # dict of columns


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    ("saved", "given", "offset"),
    [
        ({"offset": 1}, None, 1.0),  # the saved configuration
        ({"offset": 1}, {"offset": 10}, 10.0),  # a key it has: changed
        ({"offset": 1}, {"offset": 10, "other": 2}, 10.0),  # a key it lacks: ignored
        (None, {"offset": 10}, 0.0),  # no saved configuration: nothing changes
    ],
)
def test_model_config_overrides_as_mlflow(
    tmp_path: Path, saved: dict[str, Any] | None, given: dict[str, Any] | None, offset: float
) -> None:
    """load_model(model_config=...) may change only the keys the saved config has."""
    path = tmp_path / "m"
    mlflow.pyfunc.save_model(path, python_model=pyfunc_models.ConfigModel(), model_config=saved)
    data = pd.DataFrame({"x": [0.0, 1.0]})
    theirs = mlflow.pyfunc.load_model(str(path), model_config=given).predict(data)
    trusted = ["tests.pyfunc_models.ConfigModel"]
    ours = mlmodel.pyfunc.load_model(path, model_config=given, trusted_types=trusted).predict(data)
    _same(theirs, ours)
    assert list(ours) == [offset, 1.0 + offset]
