"""mlmodel.models.infer_signature against mlflow.models.infer_signature: the same JSON for a
table of inputs, outputs and params; input examples written as MLflow writes them."""

from __future__ import annotations

import datetime
import warnings
from pathlib import Path
from typing import Any

import pytest

from mlmodel.models import SignatureInferenceError, infer_signature
from mlmodel.runtime.document.input_example import InputExample, read_example

pytest.importorskip("mlflow")
np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
sparse = pytest.importorskip("scipy.sparse")

import mlflow.models
from mlflow.models.utils import _Example

CASES: dict[str, tuple[Any, Any, Any]] = {
    "frame": (
        pd.DataFrame({"a": [1.0, 2.0], "b": [1, 2], "s": ["x", "y"], "t": [True, False]}),
        None,
        None,
    ),
    "frame-narrow-types": (
        pd.DataFrame(
            {
                "i": np.array([1, 2], dtype=np.int32),
                "u": np.array([1, 2], dtype=np.uint32),
                "f": np.array([1, 2], dtype=np.float32),
                "i8": np.array([1, 2], dtype=np.int8),
            }
        ),
        np.array([0, 1]),
        None,
    ),
    "frame-missing": (pd.DataFrame({"a": [1.0, None], "s": ["x", None]}), None, None),
    "frame-datetime": (
        pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2021-01-01"])}),
        None,
        None,
    ),
    "frame-nested": (
        pd.DataFrame({"l": [[1, 2], [3]], "o": [{"a": 1}, {"a": 2, "b": "x"}]}),
        None,
        None,
    ),
    "frame-bytes": (pd.DataFrame({"b": [b"a", b"b"]}), None, None),
    "frame-int-columns": (pd.DataFrame([[1.0, 2.0]]), None, None),
    "ndarray": (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 2]), None),
    "ndarray-3d": (np.zeros((2, 3, 4), dtype=np.uint8), np.zeros((2, 3), dtype=np.float16), None),
    "ndarray-str": (np.array(["a", "bb"]), None, None),
    "ndarray-bytes": (np.array([b"a", b"bb"]), None, None),
    "tensor-dict": ({"x": np.zeros((2, 3), dtype=np.float32), "y": np.array([1, 2])}, None, None),
    "dict": ({"a": "x", "b": [1, 2], "c": None, "d": {"k": 1.5}}, None, None),
    "list-of-dicts": ([{"a": 1, "b": "x"}, {"a": 2, "c": [1.0]}], None, None),
    "chat": ([{"messages": [{"role": "user", "content": "hi"}]}], None, None),
    "strings": (["a", "b"], ["c"], None),
    "empty-list": ([], None, None),
    "list-of-lists": ([[1, 2], [3]], None, None),
    "list-with-none": ([None, "a"], None, None),
    "scalar": ("hello", 1.5, None),
    "datetime-scalar": (datetime.datetime(2020, 1, 1), None, None),
    "series": (pd.Series([1, 2], name="x"), pd.Series([0.5, 1.5]), None),
    "sparse": (sparse.csr_matrix(np.eye(3)), sparse.csc_matrix(np.eye(2, dtype=np.float32)), None),
    "params": (
        None,
        None,
        {
            "t": 0.5,
            "k": 3,
            "s": "x",
            "b": True,
            "l": [1, 2],
            "lf": [1, 2.5],
            "d": datetime.datetime(2020, 1, 1, 5),
            "o": {"a": 1, "b": "x"},
            "ls": ["a", "b"],
            "dd": [datetime.date(2020, 1, 2)],
        },
    ),
    "mixed-list": ([1, "a"], None, None),
    "mixed-dict": ({"a": np.array([1]), "b": "x"}, None, None),
    "objects-merge": ([{"o": {"a": 1}}, {"o": {"b": [1]}}, {"o": None}], None, None),
}


def _mlflow(x: Any, y: Any, p: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return mlflow.models.infer_signature(x, y, p).to_dict()
        except Exception as exc:  # noqa: BLE001 - the verdict is compared
            return type(exc).__name__


def _ours(x: Any, y: Any, p: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return infer_signature(x, y, p).to_dict()
        except SignatureInferenceError:
            return "MlflowException"


@pytest.mark.parametrize("name", list(CASES))
def test_same_signature_as_mlflow(name: str) -> None:
    x, y, p = CASES[name]
    assert _ours(x, y, p) == _mlflow(x, y, p)


@pytest.mark.parametrize(
    "params",
    [{"bad": b"bytes"}, {"nested": [[1, 2]]}, {"none": None}],
    ids=["binary", "2d", "none"],
)
def test_params_mlflow_refuses_are_refused(params: dict[str, Any]) -> None:
    assert _mlflow(None, None, params) == "MlflowException"
    with pytest.raises(SignatureInferenceError):
        infer_signature(params=params)


def test_an_uninferable_input_becomes_an_any_column_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="any"):
        signature = infer_signature([1, "a"])
    assert signature.to_dict()["inputs"] == '[{"type": "any", "required": true}]'


EXAMPLES: dict[str, Any] = {
    "frame": pd.DataFrame({"a": [1.0, None], "b": [1, 2], "s": ["x", None]}),
    "frame-default-columns": pd.DataFrame([[1.0, 2.0]]),
    "ndarray": np.array([[1.0, np.nan], [3.0, 4.0]]),
    "tensor-dict": {"x": np.array([1, 2]), "y": np.array([[0.5]])},
    "json-dict": {"a": "x", "b": [1, 2]},
    "chat": {"messages": [{"role": "user", "content": "hi"}]},
    "list": ["a", "b"],
    "scalar": 3,
    "sparse-csr": sparse.csr_matrix(np.eye(2)),
    "sparse-csc": sparse.csc_matrix(np.eye(2)),
    "with-params": (pd.DataFrame({"a": [1]}), {"threshold": 0.5}),
    "chat-with-params": ({"messages": [{"role": "user", "content": "hi"}]}, {"t": 1}),
}


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_input_example_files_as_mlflow(name: str, tmp_path: Path) -> None:
    example = EXAMPLES[name]
    ours = InputExample.from_data(example)
    theirs = _Example(example)
    assert ours.info == theirs.info
    assert ours.json_input_example == theirs.json_input_example
    assert ours.json_serving_input == theirs.json_serving_input
    ours.write(tmp_path)
    data = example[0] if isinstance(example, tuple) else example
    schema = infer_signature(data).inputs if isinstance(data, np.ndarray) else None
    read = read_example(tmp_path, ours.info, schema)
    example = data
    if isinstance(example, pd.DataFrame):
        pd.testing.assert_frame_equal(
            read, example.astype(read.dtypes.to_dict()), check_dtype=False
        )
    elif isinstance(example, np.ndarray):
        np.testing.assert_array_equal(read, example)
    elif sparse.issparse(example):
        assert (read != example).nnz == 0
    elif not isinstance(example, dict) or name == "json-dict" or name == "chat":
        assert read == example
