"""Input examples: ``input_example.json`` and ``serving_input_example.json`` as MLflow writes them.

Writing follows MLflow's ``_Example`` (type detection, split orient for data frames, NaN as
null, bytes as base64, compact JSON for the example, indent 2 for the serving payload);
reading turns a saved example back into a data frame, an array or plain JSON data.
"""

from __future__ import annotations

import base64
import datetime
import json
import sys
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmodel.core.errors import UsageError
from mlmodel.schema.datatypes import SCALAR_NUMPY_DTYPES

EXAMPLE_FILENAME = "input_example.json"
SERVING_INPUT_FILENAME = "serving_input_example.json"
EXAMPLE_TYPES = ("dataframe", "ndarray", "json_object", "sparse_matrix_csc", "sparse_matrix_csr")
#: keys of a unified-LLM payload, sent to the scoring server without an ``inputs`` wrapper
_LLM_KEYS = ("messages", "prompt", "input")


def _json_default(value: Any) -> Any:
    """MLflow's ``NumpyEncoder``: numpy values, bytes, dates and pydantic models."""
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                return [_json_default(x) if not _plain_json(x) else x for x in value.tolist()]
            if value.dtype == np.bytes_:
                return np.vectorize(_b64)(value)
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
    if isinstance(value, bytes | bytearray):
        return _b64(bytes(value))
    if np is not None and isinstance(value, np.datetime64):
        return np.datetime_as_string(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if hasattr(value, "model_dump") and hasattr(value, "model_fields"):
        return value.model_dump()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _plain_json(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def dumps(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(value, default=_json_default, indent=indent)


def _ndarray_nans_to_none(array: Any) -> Any:
    import numpy as np

    if np.issubdtype(array.dtype, np.number):
        return np.where(np.isnan(array), None, array)
    return array


def _contains_ndarray(data: Any) -> bool:
    np = sys.modules.get("numpy")
    if np is not None and isinstance(data, np.ndarray):
        return True
    if isinstance(data, list):
        return any(_contains_ndarray(x) for x in data)
    if isinstance(data, dict):
        return any(_contains_ndarray(x) for x in data.values())
    return False


def split_params(example: Any) -> tuple[Any, dict[str, Any] | None]:
    """``(data, params)`` when the example is a 2-tuple ending in a dict, else ``(example, None)``."""
    if isinstance(example, tuple) and len(example) == 2 and isinstance(example[1], dict):
        from mlmodel.runtime.document.signature_infer import infer_param_schema

        infer_param_schema(example[1])  # refuse params a signature could not describe
        return example[0], example[1]
    return example, None


@dataclass
class InputExample:
    """An input example ready to be written, and the ``saved_input_example_info`` for it."""

    info: dict[str, Any]
    json_input_example: str
    json_serving_input: str | None
    inference_data: Any
    inference_params: dict[str, Any] | None

    @classmethod
    def from_data(cls, example: Any) -> InputExample:
        data, params = split_params(deepcopy(example))
        info: dict[str, Any] = {"artifact_path": EXAMPLE_FILENAME}
        if params:
            info["params"] = "true"
        stored, serving, unwrapped = _encode(deepcopy(data), info)
        if params is not None:
            stored = {"inputs": stored, "params": params}
            if serving:
                serving = {**serving, **params} if unwrapped else {**serving, "params": params}
        serving_text = None
        if serving:
            serving_text = dumps(serving, indent=2)
            info["serving_input_path"] = SERVING_INPUT_FILENAME
        return cls(info, dumps(stored), serving_text, data, params)

    def write(self, directory: Path) -> list[Path]:
        """Write the example files into ``directory``; returns the paths written."""
        written = [directory / EXAMPLE_FILENAME]
        written[0].write_text(self.json_input_example, encoding="utf-8")
        if self.json_serving_input:
            serving = directory / SERVING_INPUT_FILENAME
            serving.write_text(self.json_serving_input, encoding="utf-8")
            written.append(serving)
        return written


def _encode(data: Any, info: dict[str, Any]) -> tuple[Any, dict[str, Any] | None, bool]:
    """(what input_example.json holds, the serving payload, whether it is unwrapped)."""
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    sparse = sys.modules.get("scipy.sparse")
    if hasattr(data, "model_dump") and hasattr(data, "model_fields"):
        data = data.model_dump()
    if isinstance(data, dict):
        if np is not None and any(isinstance(v, np.ndarray) for v in data.values()):
            if not all(isinstance(v, np.ndarray) for v in data.values()):
                raise UsageError(
                    "Mixed types in dictionary are not supported as input examples. "
                    "Found numpy arrays and other types."
                )
            info["type"] = "ndarray"
            stored = {k: _ndarray_nans_to_none(v).tolist() for k, v in data.items()}
            return stored, {"inputs": stored}, False
        info["type"] = "json_object"
        if any(key in data for key in _LLM_KEYS):
            return data, data, True
        return data, {"inputs": data}, False
    if np is not None and isinstance(data, np.ndarray):
        info["type"] = "ndarray"
        stored = _ndarray_nans_to_none(data).tolist()
        return stored, {"inputs": stored}, False
    if isinstance(data, list):
        if _contains_ndarray(data):
            raise UsageError("Numpy arrays in list are not supported as input examples.")
        info["type"] = "json_object"
        return data, {"inputs": data}, False
    if sparse is not None and isinstance(data, sparse.csr_matrix | sparse.csc_matrix):
        info["type"] = (
            "sparse_matrix_csc" if isinstance(data, sparse.csc_matrix) else "sparse_matrix_csr"
        )
        stored = {
            "data": _ndarray_nans_to_none(data.data).tolist(),
            "indices": data.indices.tolist(),
            "indptr": data.indptr.tolist(),
            "shape": list(data.shape),
        }
        return stored, {"inputs": data.toarray()}, False
    if pd is not None and isinstance(data, pd.DataFrame):
        split = data.where(data.notnull(), None).to_dict(orient="split")
        del split["index"]
        if list(data.columns) == list(range(len(data.columns))):
            del split["columns"]
        info["type"] = "dataframe"
        info["pandas_orient"] = "split" if "columns" in split else "values"
        return split, {"dataframe_split": split}, False
    scalar = np is not None and bool(np.isscalar(data))
    if scalar or isinstance(data, str | int | float | bool | bytes | datetime.datetime):
        info["type"] = "json_object"
        return data, {"inputs": data}, False
    raise UsageError(
        "an input example is a pandas DataFrame, a numpy array, a dict of numpy arrays, a scipy "
        f"csr/csc matrix, a dict, a list, a scalar or a datetime, not {type(data).__name__}"
    )


# -- reading ----------------------------------------------------------------------------------


def read_example(model_dir: Path, info: dict[str, Any], input_schema: Any = None) -> Any:
    """The saved example as data (a data frame, an array, a sparse matrix or JSON data)."""
    example_type = info.get("type")
    if example_type not in EXAMPLE_TYPES:
        raise UsageError(f"cannot read an input example of type {example_type!r}")
    data = read_side_json(model_dir, str(info.get("artifact_path", EXAMPLE_FILENAME)))
    if info.get("params"):
        data = data["inputs"]
    if example_type == "json_object":
        return data
    if example_type in ("sparse_matrix_csc", "sparse_matrix_csr"):
        from scipy import sparse

        kind = sparse.csc_matrix if example_type == "sparse_matrix_csc" else sparse.csr_matrix
        return kind((data["data"], data["indices"], data["indptr"]), shape=tuple(data["shape"]))
    if example_type == "ndarray":
        return _read_ndarray(data, input_schema)
    return _read_dataframe(data, input_schema)


def read_example_params(model_dir: Path, info: dict[str, Any]) -> dict[str, Any] | None:
    if not info.get("params"):
        return None
    saved = read_side_json(model_dir, str(info.get("artifact_path", EXAMPLE_FILENAME)))
    params = saved.get("params") if isinstance(saved, dict) else None
    return params if isinstance(params, dict) else None


def _side_file(model_dir: Path, relative: str) -> Path:
    from mlmodel.modeldir.containment import inside

    target = inside(model_dir, relative)
    if target is None:
        raise UsageError(f"{model_dir}: {relative!r} is not a path inside the model directory")
    return target


def read_side_text(model_dir: Path, relative: str) -> str:
    """The text of the example file ``relative`` of ``model_dir``: inside the directory, a
    regular file, within :data:`mlmodel.modeldir.sidefiles.MAX_SIDE_FILE_BYTES` (a FIFO or a huge
    file is a :class:`UsageError` naming it, never a hang)."""
    from mlmodel.modeldir.sidefiles import SideFileError, read_text

    try:
        return read_text(_side_file(model_dir, relative))
    except SideFileError as exc:
        raise UsageError(f"{model_dir}: cannot read the example file {exc}") from None


def read_side_json(model_dir: Path, relative: str) -> Any:
    """:func:`read_side_text` read as JSON (nested no deeper than the side-file limit)."""
    from mlmodel.modeldir.sidefiles import SideFileError, load_json

    try:
        return load_json(_side_file(model_dir, relative))
    except SideFileError as exc:
        raise UsageError(f"{model_dir}: cannot read the example file {exc}") from None


def _tensor_dtypes(schema: Any) -> dict[Any, str]:
    if schema is None or not schema.is_tensor_spec():
        return {}
    return {spec.get("name"): spec["tensor-spec"]["dtype"] for spec in schema.specs}


def _read_ndarray(data: Any, schema: Any) -> Any:
    import numpy as np

    dtypes = _tensor_dtypes(schema)
    if isinstance(data, dict):
        return {k: np.array(v, dtype=dtypes.get(k)) for k, v in data.items()}
    return np.array(data, dtype=dtypes.get(None))


def _read_dataframe(data: Any, schema: Any) -> Any:
    import pandas as pd

    frame = pd.DataFrame(data=data.get("data"), columns=data.get("columns"))
    if schema is None or schema.is_tensor_spec():
        return frame
    for index, spec in enumerate(schema.specs):
        name = spec.get("name", index)
        dtype = SCALAR_NUMPY_DTYPES.get(spec.get("type", ""))
        if name not in frame.columns or dtype in (None, "str", "bytes"):
            continue
        if frame[name].isna().any() and dtype.startswith("int"):
            continue
        frame[name] = frame[name].astype(dtype)
    return frame
