"""The saved input example (``saved_input_example_info``), decoded as MLflow decodes it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlmodel.runtime.signature_spec import InputSchema


def read_input_example(model_dir: Path, info: Mapping[str, Any], schema: InputSchema | None) -> Any:
    """The example object (DataFrame, ndarray, dict of ndarrays, sparse matrix or JSON)."""
    data = json.loads((model_dir / str(info["artifact_path"])).read_text(encoding="utf-8"))
    if str(info.get("params")).lower() == "true" or info.get("format") == "tf-serving":
        data = data["inputs"]
    kind = info["type"]
    if kind == "json_object":
        return data
    if kind == "ndarray":
        return _ndarray(data, schema)
    if kind in ("sparse_matrix_csc", "sparse_matrix_csr"):
        from scipy import sparse

        cls = sparse.csc_matrix if kind == "sparse_matrix_csc" else sparse.csr_matrix
        return cls((data["data"], data["indices"], data["indptr"]), shape=data["shape"])
    if kind == "dataframe":
        return _dataframe(data, info.get("pandas_orient"), schema)
    raise ValueError(f"can not load example of type {kind}")


def _ndarray(data: Any, schema: InputSchema | None) -> Any:
    import numpy as np

    dtypes = {t.name: t.dtype for t in schema.tensors} if schema and schema.is_tensor else {}
    if isinstance(data, dict):
        return {k: np.array(v, dtype=dtypes.get(k)) for k, v in data.items()}
    return np.array(data, dtype=dtypes.get(None) if dtypes else None)


def _dataframe(data: Any, orient: Any, schema: InputSchema | None) -> Any:
    import pandas as pd

    if orient == "split" or (isinstance(data, dict) and "data" in data):
        frame = pd.DataFrame(data["data"], columns=data.get("columns"), index=data.get("index"))
    else:
        frame = pd.DataFrame(data)
    if schema is not None and schema.has_names and not schema.is_tensor:
        from mlmodel.runtime.casting import numpy_dtype

        for col in schema.columns:
            if isinstance(col.type, str) and col.name in frame and col.type != "string":
                with contextlib.suppress(ValueError, TypeError):
                    frame[col.name] = frame[col.name].astype(numpy_dtype(col.type))
    return frame
