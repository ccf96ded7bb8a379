"""Implicit casts the signature allows, one column, value or tensor at a time (MLflow §2.4).

Allowed, as MLflow's ``_enforce_mlflow_datatype`` allows them: object -> string; a wider
int of the same kind; float32 -> float64; (u)int of at most 6 bytes -> double; int64 of
only 0/1 values -> float/double; any datetime64 unit -> ``datetime``; objects -> datetime
when they parse; Decimal -> double. Every other mismatch is refused with the column named.
numpy and pandas are imported on the first call, never at import time.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import TYPE_CHECKING, Any

from mlmodel.runtime.errors import SchemaEnforcementError
from mlmodel.runtime.predict.signature_spec import (
    AnyType,
    ArrayType,
    MapType,
    ObjectType,
    TensorSpec,
    TypeSpec,
)
from mlmodel.schema.datatypes import SCALAR_NUMPY_DTYPES

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (float,),
    "double": (float,),
    "string": (str,),
    "binary": (bytes, bytearray),
    "datetime": (dt.date, dt.datetime),
}


def numpy_dtype(type_name: str) -> np.dtype[Any]:
    import numpy as np

    return np.dtype(SCALAR_NUMPY_DTYPES[type_name])


def _pandas_dtype(type_name: str) -> Any:
    import numpy as np

    if type_name in ("string", "binary"):
        return np.dtype(object)
    return numpy_dtype(type_name)


def dtype_matches(type_name: str, dtype: Any) -> bool:
    """True when a column of ``dtype`` passes unchanged (no cast, no copy)."""
    return bool(_pandas_dtype(type_name) == dtype or numpy_dtype(type_name) == dtype)


def enforce_column(name: object, values: pd.Series[Any], type_name: str) -> pd.Series[Any]:
    """One column against a scalar type: unchanged, safely cast, or refused."""
    import numpy as np
    import pandas as pd

    if values.dtype == object and type_name not in ("binary", "string"):
        values = values.infer_objects()
    if type_name == "string" and (
        values.dtype == object or isinstance(values.dtype, pd.StringDtype)
    ):
        return values
    if type_name == "binary" and isinstance(values.dtype, pd.StringDtype):
        return values
    if dtype_matches(type_name, values.dtype):
        return values
    target = numpy_dtype(type_name)
    if type_name == "binary" and values.dtype.kind == target.kind:
        return values
    if type_name == "datetime" and values.dtype.kind == "M":
        try:
            return values.astype(np.dtype("datetime64[ns]"))
        except TypeError as exc:
            raise SchemaEnforcementError(
                "Please ensure that the input data of datetime column only contains "
                f"timezone-naive datetime objects. Error: {exc}"
            ) from exc
    if type_name == "datetime" and values.dtype == object:
        try:
            return values.astype(np.dtype("datetime64[ns]"), errors="raise")
        except (ValueError, TypeError) as exc:
            raise SchemaEnforcementError(
                f"Failed to convert column {name} from type {values.dtype} to datetime."
            ) from exc
    if type_name == "boolean" and values.dtype == object:
        return values  # a cast would turn None into False
    if type_name == "double" and values.dtype == decimal.Decimal:
        try:
            return pd.to_numeric(values, errors="raise")
        except ValueError as exc:
            raise SchemaEnforcementError(
                f"Failed to convert column {name} from type {values.dtype} to double."
            ) from exc
    kind = values.dtype.kind
    if kind == target.kind:
        upcast = values.dtype.itemsize <= target.itemsize
    elif kind == "u" and target.kind == "i":
        upcast = values.dtype.itemsize < target.itemsize
    elif kind in ("i", "u") and target == np.float64:
        upcast = values.dtype.itemsize <= 6
    else:
        upcast = False
    if upcast:
        return values.astype(target, errors="raise")
    if (
        values.dtype == np.int64
        and target.kind == "f"
        and all(pd.isnull(x) or x in (0, 1) for x in values)
    ):
        return values.astype(target, errors="raise")
    raise SchemaEnforcementError(
        f"Incompatible input types for column {name}. "
        f"Can not safely convert {values.dtype} to {target}."
    )


def enforce_value(data: Any, kind: TypeSpec, required: bool = True) -> Any:
    """One value of an array, object, map or any column (MLflow's ``_enforce_type``)."""
    if isinstance(kind, str):
        return _enforce_scalar(data, kind, required)
    if isinstance(kind, ArrayType):
        return _enforce_array(data, kind, required)
    if isinstance(kind, ObjectType):
        return _enforce_object(data, kind, required)
    if isinstance(kind, MapType):
        return _enforce_map(data, kind, required)
    return data  # AnyType


def _is_none_or_nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _enforce_scalar(data: Any, type_name: str, required: bool) -> Any:
    import numpy as np
    import pandas as pd

    if not required and _is_none_or_nan(data):
        return None
    if not np.isscalar(data):
        raise SchemaEnforcementError(f"Expected data to be scalar, got {type(data).__name__}")
    try:
        return enforce_column("", pd.Series(data), type_name)[0]
    except SchemaEnforcementError as exc:
        raise SchemaEnforcementError(
            f"Failed to enforce schema of data `{data!r}` with dtype `{type_name}`"
        ) from exc


def _enforce_array(data: Any, kind: ArrayType, required: bool) -> Any:
    import numpy as np
    import pandas as pd

    if (not required or isinstance(kind.items, AnyType)) and (
        data is None or (isinstance(data, (list, np.ndarray)) and len(data) == 0)
    ):
        return data
    if not isinstance(data, (list, np.ndarray)):
        raise SchemaEnforcementError(
            f"Expected data to be list or numpy array, got {type(data).__name__}"
        )
    enforced: Any
    if isinstance(kind.items, str):
        enforced = (
            enforce_column("", pd.Series(data), kind.items).to_numpy(dtype=numpy_dtype(kind.items))
            if len(data) > 0
            else data
        )
    else:
        enforced = [enforce_value(x, kind.items, required) for x in data]
    if isinstance(data, list) and isinstance(enforced, np.ndarray):
        return enforced.tolist()
    if isinstance(data, np.ndarray) and isinstance(enforced, list):
        return np.array(enforced)
    return enforced


def _enforce_object(data: Any, kind: ObjectType, required: bool) -> Any:
    if not required and (data is None or data == {}):
        return data
    if not isinstance(data, dict):
        raise SchemaEnforcementError(f"Expected data to be dictionary, got {type(data).__name__}")
    props = {p.name: p for p in kind.properties}
    missing = {name for name, p in props.items() if p.required} - set(data)
    if missing:
        raise SchemaEnforcementError(f"Missing required properties: {missing}")
    invalid = set(data) - set(props)
    if invalid:
        raise SchemaEnforcementError(
            f"Invalid properties not defined in the schema found: {invalid}"
        )
    for key, value in data.items():
        try:
            data[key] = enforce_value(value, props[key].type, props[key].required)
        except SchemaEnforcementError as exc:
            raise SchemaEnforcementError(
                f"Failed to enforce schema for key `{key}`: {exc.message}"
            ) from exc
    return data


def _enforce_map(data: Any, kind: MapType, required: bool) -> Any:
    if (not required or isinstance(kind.values, AnyType)) and (data is None or data == {}):
        return data
    if not isinstance(data, dict):
        raise SchemaEnforcementError(f"Expected data to be a dict, got {type(data).__name__}")
    if not all(isinstance(k, str) for k in data):
        raise SchemaEnforcementError("Expected all keys in the map type data are string type.")
    return {k: enforce_value(v, kind.values, required) for k, v in data.items()}


def _clean_dtype(dtype: Any) -> Any:
    import numpy as np

    if dtype.char == "U":
        return np.dtype("str")
    if dtype.char == "S":
        return np.dtype("bytes")
    return dtype


def enforce_tensor(values: Any, spec: TensorSpec) -> Any:
    """A numpy array (or scipy sparse matrix) against a tensor spec: exact dtype and shape."""
    import numpy as np

    expected_type = np.dtype(spec.dtype)
    shape = spec.shape
    actual_shape = values.shape
    actual_type = values.dtype if isinstance(values, np.ndarray) else values.data.dtype
    if len(shape) == 1 and shape[0] == -1 and expected_type == np.dtype("O"):
        return values
    if len(shape) > 1 and -1 in shape[1:] and len(actual_shape) == 1 and actual_type == "O":
        return values  # ragged arrays
    if len(shape) != len(actual_shape) or any(
        e not in (-1, a) for e, a in zip(shape, actual_shape, strict=True)
    ):
        raise SchemaEnforcementError(
            f"Shape of input {actual_shape} does not match expected shape {shape}."
        )
    if _clean_dtype(actual_type) != expected_type:
        raise SchemaEnforcementError(
            f"dtype of input {actual_type} does not match expected dtype {expected_type}"
        )
    return values


def enforce_param_value(value: Any, type_name: str) -> Any:
    """A scalar param value, as MLflow's ``_enforce_param_datatype`` converts it."""
    import numpy as np

    if value is None:
        return None
    if type_name == "datetime":
        try:
            converted = np.datetime64(value).item()
        except ValueError as exc:
            raise SchemaEnforcementError(
                f"Failed to convert value `{value!r}` from type `{type(value)}` to `datetime`"
            ) from exc
        if isinstance(converted, int):
            raise SchemaEnforcementError(
                "Failed to convert value to `datetime`. "
                f"It must be convertible to datetime.date/datetime, got `{value!r}`"
            )
        return converted
    if not np.isscalar(value):
        raise SchemaEnforcementError(
            f"Value must be a scalar for type `{type_name}`, got `{value!r}`"
        )
    if _param_type_is(type_name, value):
        return _PYTHON_TYPES[type_name][0](value)
    wider = {
        "long": ("integer",),
        "float": ("integer", "long"),
        "double": ("integer", "long", "float"),
    }
    if any(_param_type_is(t, value) for t in wider.get(type_name, ())):
        try:
            return _PYTHON_TYPES[type_name][0](value)
        except ValueError as exc:
            raise SchemaEnforcementError(
                f"Failed to convert value `{value!r}` from type `{type(value)}` to `{type_name}`"
            ) from exc
    raise SchemaEnforcementError(
        f"Can not safely convert `{type(value)}` to `{type_name}` for value `{value!r}`"
    )


def _param_type_is(type_name: str, value: Any) -> bool:
    """MLflow's ``DataType.check_type``: the exact type, never a subclass (bool is no int)."""
    import numpy as np

    allowed: list[Any] = [numpy_dtype(type_name).type, *_PYTHON_TYPES[type_name][:1]]
    if type_name in ("string", "binary"):
        allowed.append(object)
    if type_name == "datetime":
        allowed.extend([np.datetime64, dt.datetime])
    if type_name == "binary":
        allowed.append(bytearray)
    return type(value) in allowed
