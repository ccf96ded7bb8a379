"""Enforcement parity: the same good and bad inputs go to MLflow's and mlmodel's pyfunc, which
must agree on accept/reject and, when accepting, return equal outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException
from mlflow.models.signature import ModelSignature
from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema, TensorSpec
from sklearn.linear_model import LinearRegression

import mlmodel.pyfunc
from mlmodel.core.errors import INVALID_PARAMETER_VALUE, MlmodelException
from tests import pyfunc_models

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

COLUMNS = Schema([ColSpec("double", "a"), ColSpec("long", "b"), ColSpec("string", "s")])
PARAMS = ParamSchema(
    [
        ParamSpec("threshold", "double", 0.5),
        ParamSpec("k", "long", 3),
        ParamSpec("tags", "string", ["x"], shape=(-1,)),
    ]
)
GOOD = pd.DataFrame(
    {"a": [0.5, 1.5, 2.5], "b": np.array([1, 2, 3], dtype=np.int64), "s": ["p", "q", "r"]}
)


@dataclass(frozen=True)
class Case:
    id: str
    data: Any
    params: dict[str, Any] | None = None
    #: expected verdict (checked against MLflow too: a wrong expectation fails loudly)
    accepted: bool = True
    names: tuple[str, ...] = field(default=())  #: words the rejection message must contain


def _good(**changes: Any) -> pd.DataFrame:
    return GOOD.assign(**changes)


COLUMN_CASES = [
    Case("exact", GOOD),
    Case("reordered", GOOD[["s", "b", "a"]]),
    Case("extra column", _good(extra=[9, 9, 9])),
    Case("missing column", GOOD[["a", "s"]], accepted=False, names=("b",)),
    Case("int64 into double", _good(a=np.array([5, 6, 7])), accepted=False, names=("a",)),
    Case("int64 0/1 into double", _good(a=np.array([0, 1, 1]))),
    Case("int32 into double", _good(a=np.array([5, 6, 7], dtype=np.int32))),
    Case("float32 into double", _good(a=np.array([0.5, 1.5, 2.0], dtype=np.float32))),
    Case("int32 into long", _good(b=np.array([1, 2, 3], dtype=np.int32))),
    Case("uint64 into long", _good(b=np.array([1, 2, 3], dtype=np.uint64)), accepted=False),
    Case("string into long", _good(b=["1", "2", "x"]), accepted=False, names=("b",)),
    Case("float into long", _good(b=[1.5, 2.0, 3.0]), accepted=False, names=("b",)),
    Case("bool into double", _good(a=[True, False, True]), accepted=False),
    Case("dict of scalars", {"a": 1.5, "b": 2, "s": "z"}),
    Case("dict of lists", {"a": [1.5, 2.5], "b": [1, 2], "s": ["u", "v"]}),
    Case("list of dicts", GOOD.to_dict(orient="records")),
    Case("list of rows", [[0.5, 1, "p"]], accepted=False),
    Case("numpy array", GOOD.to_numpy(), accepted=False),
    Case("series", GOOD.iloc[0], accepted=False),
    Case("unknown param", GOOD, params={"nope": 1}),
    Case("params: int into double, int into long", GOOD, params={"threshold": 1, "k": 4}),
    Case("param of the wrong type", GOOD, params={"threshold": "high"}, accepted=False),
    Case("param float into long", GOOD, params={"k": 2.5}, accepted=False),
    Case("param list", GOOD, params={"tags": ["a", "b"]}),
    Case("param scalar for a list", GOOD, params={"tags": "a"}, accepted=False),
    Case("params not a dict", GOOD, params=["k"], accepted=False),  # type: ignore[arg-type]
]

TENSOR = Schema([TensorSpec(np.dtype("float64"), (-1, 3))])
TENSOR_GOOD = np.arange(12, dtype=np.float64).reshape(4, 3)
TENSOR_CASES = [
    Case("tensor exact", TENSOR_GOOD),
    Case("tensor wrong shape", np.zeros((4, 4)), accepted=False),
    Case("tensor wrong rank", np.zeros(3), accepted=False),
    Case("tensor wrong dtype", TENSOR_GOOD.astype(np.float32), accepted=False),
    Case("tensor int dtype", TENSOR_GOOD.astype(np.int64), accepted=False),
    Case("tensor from a frame", pd.DataFrame(TENSOR_GOOD, columns=["x", "y", "z"])),
    Case("tensor from a list", TENSOR_GOOD.tolist(), accepted=False),
]


@pytest.fixture(scope="module")
def echo_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    path = tmp_path_factory.mktemp("echo") / "m"
    mlflow.pyfunc.save_model(
        path,
        python_model=pyfunc_models.EchoModel(),
        signature=ModelSignature(inputs=COLUMNS, params=PARAMS),
    )
    trusted = ["tests.pyfunc_models.EchoModel"]
    return mlflow.pyfunc.load_model(str(path)), mlmodel.pyfunc.load_model(
        path, trusted_types=trusted
    )


@pytest.fixture(scope="module")
def tensor_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    path = tmp_path_factory.mktemp("tensor") / "m"
    model = LinearRegression().fit(TENSOR_GOOD, [1.0, 2.0, 3.0, 4.0])
    mlflow.sklearn.save_model(
        model, path, signature=ModelSignature(inputs=TENSOR), serialization_format="skops"
    )
    return mlflow.pyfunc.load_model(str(path)), mlmodel.pyfunc.load_model(path)


def _outcome(model: Any, case: Case) -> tuple[bool, Any]:
    data = case.data.copy() if hasattr(case.data, "copy") else case.data
    try:
        return True, model.predict(data, params=case.params)
    except (MlflowException, MlmodelException) as exc:
        return False, exc


def _check(models: tuple[Any, Any], case: Case) -> None:
    theirs_ok, theirs = _outcome(models[0], case)
    ours_ok, ours = _outcome(models[1], case)
    assert theirs_ok == case.accepted, f"MLflow's verdict changed: {theirs}"
    assert ours_ok == theirs_ok, f"verdicts differ: MLflow {theirs!r}, mlmodel {ours!r}"
    if ours_ok:
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(ours, theirs)
        else:
            np.testing.assert_array_equal(ours, theirs)
        return
    assert ours.error_code == theirs.error_code == INVALID_PARAMETER_VALUE
    for name in case.names:
        assert f"'{name}'" in ours.message or f"column {name}" in ours.message


@pytest.mark.parametrize("case", COLUMN_CASES, ids=lambda c: c.id)
def test_column_signature_parity(echo_model: tuple[Any, Any], case: Case) -> None:
    _check(echo_model, case)


@pytest.mark.parametrize("case", TENSOR_CASES, ids=lambda c: c.id)
def test_tensor_signature_parity(tensor_model: tuple[Any, Any], case: Case) -> None:
    _check(tensor_model, case)


def test_extra_columns_are_dropped_with_a_warning(
    echo_model: tuple[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    out = echo_model[1].predict(_good(extra=[1, 2, 3]))
    assert "extra" not in out.columns
    assert "extra" in caplog.text


def test_unknown_params_are_ignored_with_a_warning(
    echo_model: tuple[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    out = echo_model[1].predict(GOOD, params={"nope": 1})
    assert "param_nope" not in out.columns
    assert list(out["param_k"]) == [3, 3, 3]  # defaults filled in
    assert "nope" in caplog.text
