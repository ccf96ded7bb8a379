"""Input conversion for column signatures: what MLflow turns into a DataFrame, and how.

A scalar becomes a one-row frame; a dict of scalars (or of lists of strings, or any dict
when the schema has array/object columns) one row; another dict a frame of columns; a list
(of dicts or rows), numpy array or Series a frame. DataFrames pass as they are.
"""

from __future__ import annotations

from typing import Any

from mlmodel.runtime.errors import SchemaEnforcementError
from mlmodel.runtime.predict.signature_spec import ArrayType, InputSchema, ObjectType


def _is_scalar(value: Any) -> bool:
    import numpy as np

    return bool(np.isscalar(value)) or value is None


def to_frame(data: Any, schema: InputSchema) -> Any:
    """``data`` as a pandas DataFrame for a column signature."""
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if np.isscalar(data):
        return pd.DataFrame([data])
    if isinstance(data, dict):
        return _dict_to_frame(data, schema)
    if isinstance(data, (list, np.ndarray, pd.Series)):
        return pd.DataFrame(data)
    raise SchemaEnforcementError(f"Expected input to be DataFrame. Found: {type(data).__name__}")


def _dict_to_frame(data: dict[Any, Any], schema: InputSchema) -> Any:
    import numpy as np
    import pandas as pd

    complex_columns = any(isinstance(c.type, (ArrayType, ObjectType)) for c in schema.columns)
    if complex_columns or all(
        _is_scalar(v) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
        for v in data.values()
    ):
        return pd.DataFrame([data])
    try:
        if all(
            isinstance(v, np.ndarray) and v.dtype.type == np.str_ and v.shape == ()
            for v in data.values()
        ):
            return pd.DataFrame([data])
        if any(isinstance(v, np.ndarray) and v.ndim > 1 for v in data.values()):
            return pd.DataFrame(
                {
                    k: v.tolist() if isinstance(v, np.ndarray) and v.ndim > 1 else v
                    for k, v in data.items()
                }
            )
        return pd.DataFrame(data)
    except Exception as exc:
        raise SchemaEnforcementError(
            "This model contains a column-based signature, which suggests a DataFrame input. "
            f"There was an error casting the input data to a DataFrame: {exc}"
        ) from exc
