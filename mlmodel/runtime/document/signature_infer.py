"""Infer a signature from data, as ``mlflow.models.infer_signature`` does (same JSON out).

Inputs: pandas DataFrame or Series, numpy arrays, dicts of numpy arrays (tensors), dicts and
lists of JSON-like values (columns), scipy sparse matrices, scalars; params: a dict of
scalars, 1-D lists and dicts. Types are kept as the dicts MLflow writes
(``{"type": "double"}``, ``{"type": "array", "items": ...}``, ...). numpy is imported by
the functions that need it; pandas and scipy only when the data is of their types.
"""

from __future__ import annotations

import datetime
import math
import sys
from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from mlmodel.core.errors import MLModelError
from mlmodel.runtime.document.signature import ModelSignature, ParamSchema, Schema, SpecDict
from mlmodel.schema.datatypes import scalar_type_for_dtype

TypeDict = dict[str, Any]

ANY: TypeDict = {"type": "any"}

MULTIPLE_TYPES = (
    "Expected all values in the list to be of the same type. To specify a model signature "
    "with a list containing elements of multiple types, define the signature manually "
    "using an array of 'any'."
)


class SignatureInferenceError(MLModelError):
    """The data cannot be described by a signature."""


# -- environment probes (no import of pandas/scipy unless the caller already did) -----------


def _pandas() -> Any:
    return sys.modules.get("pandas")


def _is_dataframe(data: Any) -> bool:
    pd = _pandas()
    return pd is not None and isinstance(data, pd.DataFrame)


def _is_series(data: Any) -> bool:
    pd = _pandas()
    return pd is not None and isinstance(data, pd.Series)


def _is_sparse(data: Any) -> bool:
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and isinstance(data, sparse.csr_matrix | sparse.csc_matrix)


def _is_ndarray(data: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(data, np.ndarray)


def _is_none_or_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if value is None:
        return True
    pd = _pandas()
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _required(value: Any) -> bool:
    if isinstance(value, list) or _is_series(value):
        return not any(_is_none_or_nan(x) for x in value)
    return not _is_none_or_nan(value)


# -- scalar types ---------------------------------------------------------------------------


def _scalar_types() -> dict[type, str]:
    import numpy as np

    return {
        bool: "boolean",
        np.bool_: "boolean",
        int: "long",
        np.int64: "long",
        np.int32: "integer",
        float: "double",
        np.float64: "double",
        np.float32: "float",
        str: "string",
        np.str_: "string",
        object: "string",
        bytes: "binary",
        np.bytes_: "binary",
        bytearray: "binary",
    }


def _is_datetime_value(value: Any) -> bool:
    """MLflow's ``DataType.check_type(datetime, v)``: exact types only (not pd.Timestamp)."""
    exact = {datetime.date, datetime.datetime}
    np = sys.modules.get("numpy")
    if np is not None:
        exact.add(np.datetime64)
    return type(value) in exact


def _scalar_type(value: Any) -> TypeDict:
    name = _scalar_types().get(type(value))
    if name is not None:
        return {"type": name}
    if _is_datetime_value(value):
        return {"type": "datetime"}
    raise SignatureInferenceError(f"Data {value} is not one of the supported DataType")


def numpy_dtype_type(dtype: Any) -> str:
    """The scalar type name of a numpy (or pandas extension) dtype."""
    kind = getattr(dtype, "kind", None)
    if kind == "O":
        raise SignatureInferenceError(
            "Can not infer object without looking at the values, call _map_numpy_array instead."
        )
    name = scalar_type_for_dtype(str(kind), int(getattr(dtype, "itemsize", 0) or 0))
    if name is None:
        raise SignatureInferenceError(f"Unsupported numpy data type '{dtype}', kind '{kind}'")
    return name


# -- merging (MLflow's ``_merge`` of Array / Object / Property / AnyType) --------------------


def _is_any(t: TypeDict) -> bool:
    return t.get("type") == "any"


def _is_compound(t: TypeDict) -> bool:
    return t.get("type") in ("array", "object", "map", "any")


def _object(properties: dict[str, TypeDict]) -> TypeDict:
    return {"type": "object", "properties": dict(sorted(properties.items()))}


def _with_required(t: TypeDict, required: bool) -> TypeDict:
    return {**{k: v for k, v in t.items() if k != "required"}, "required": required}


def _strip_required(t: TypeDict) -> TypeDict:
    return {k: v for k, v in t.items() if k != "required"}


def _merge_property(a: TypeDict, b: TypeDict) -> TypeDict:
    required = bool(a["required"]) and bool(b["required"])
    a_type, b_type = _strip_required(a), _strip_required(b)
    if not _is_compound(a_type):
        if a_type == b_type or _is_any(b_type):
            return _with_required(a_type, required)
        raise SignatureInferenceError(f"Properties are incompatible for {a_type} and {b_type}")
    return _with_required(merge(a_type, b_type), required)


def merge(a: TypeDict, b: TypeDict) -> TypeDict:
    """Merge two compound types inferred from items of one list (``a`` is compound)."""
    kind = a["type"]
    if kind == "any":
        if _is_any(b) or not _is_compound(b):
            return deepcopy(b)
        return merge(b, a)
    if kind == "array":
        if _is_any(b) or a == b:
            return deepcopy(a)
        if b.get("type") != "array":
            raise SignatureInferenceError(f"Can't merge array with non-array type: {b['type']}")
        if not _is_compound(a["items"]):
            if a["items"] == b["items"] or _is_any(b["items"]):
                return {"type": "array", "items": a["items"]}
            raise SignatureInferenceError("Array types are incompatible")
        return {"type": "array", "items": merge(a["items"], b["items"])}
    if kind == "object":
        if _is_any(b):
            return _object({k: _with_required(v, False) for k, v in a["properties"].items()})
        if b.get("type") != "object":
            raise SignatureInferenceError(f"Can't merge object with non-object type: {b['type']}")
        if a == b:
            return deepcopy(a)
        left, right = a["properties"], b["properties"]
        merged: dict[str, TypeDict] = {}
        for name in left.keys() - right.keys():
            merged[name] = _with_required(left[name], False)
        for name in left.keys() & right.keys():
            merged[name] = _merge_property(left[name], right[name])
        for name in right.keys() - left.keys():
            merged[name] = _with_required(right[name], False)
        return _object(merged)
    if kind == "map":
        if _is_any(b) or a == b:
            return deepcopy(a)
        if b.get("type") != "map":
            raise SignatureInferenceError(f"Can't merge map with non-map type: {b['type']}")
        if not _is_compound(a["values"]):
            if a["values"] == b["values"] or _is_any(b["values"]):
                return {"type": "map", "values": a["values"]}
            raise SignatureInferenceError("Map types are incompatible")
        return {"type": "map", "values": merge(a["values"], b["values"])}
    raise SignatureInferenceError(f"cannot merge type {kind!r}")


# -- value types ----------------------------------------------------------------------------


def infer_type(data: Any) -> TypeDict | None:
    """MLflow's ``_infer_datatype``: None means undetermined (an empty numpy array)."""
    if hasattr(data, "model_dump") and hasattr(data, "model_fields"):
        raise SignatureInferenceError(
            "signatures cannot be inferred from pydantic objects; pass plain data"
        )
    if _is_none_or_nan(data) or (isinstance(data, list | dict) and not data):
        return dict(ANY)
    if isinstance(data, dict):
        properties: dict[str, TypeDict] = {}
        for key, value in data.items():
            inferred = infer_type(value)
            if inferred is None:
                raise SignatureInferenceError("Dictionary value must not be an empty numpy array.")
            properties[key] = _with_required(inferred, not _is_any(inferred))
        return _object(properties)
    if isinstance(data, list) or _is_ndarray(data):
        return infer_array_type(data)
    return _scalar_type(data)


def infer_array_type(data: Any) -> TypeDict | None:
    """MLflow's ``_infer_array_datatype``: ``{"type": "array", "items": ...}`` or None."""
    items: TypeDict | None = None
    for item in data:
        inferred = infer_type(item)
        if inferred is None:
            continue
        if items is None:
            items = inferred
        elif _is_compound(items):
            try:
                items = merge(items, inferred)
            except SignatureInferenceError as exc:
                raise SignatureInferenceError(MULTIPLE_TYPES) from exc
        elif not _is_any(inferred) and inferred != items:
            raise SignatureInferenceError(MULTIPLE_TYPES)
    return None if items is None else {"type": "array", "items": items}


def _colspec_type(data: Any) -> TypeDict:
    inferred = infer_type(data)
    if inferred is None:
        raise SignatureInferenceError(
            f"Numpy array must include at least one non-empty item. Invalid input `{data}`."
        )
    return inferred


def _colspec(t: TypeDict, name: Any = None, required: bool = True) -> SpecDict:
    spec = dict(t)
    if name is not None:
        spec["name"] = name
    spec["required"] = required
    return spec


def _pandas_column_type(column: Any) -> TypeDict:
    if len(column.values.shape) > 1:
        raise SignatureInferenceError(f"Expected 1d array, got array with shape {column.shape}")
    if column.dtype.kind == "O":
        column = column.infer_objects()
    if column.dtype.kind == "O":
        try:
            inferred = _colspec_type(column.to_list())
            return dict(inferred["items"]) if inferred.get("type") == "array" else inferred
        except Exception as exc:
            if _pandas().api.types.is_string_dtype(column):
                return {"type": "string"}
            raise SignatureInferenceError(
                f"Failed to infer schema for pandas.Series {column}. Error: {exc}"
            ) from exc
    return {"type": numpy_dtype_type(column.dtype)}


def _tensor_dtype(dtype: Any) -> str:
    if dtype.char == "U":
        return "str"
    if dtype.char == "S":
        return "bytes"
    return str(dtype.name)


def _tensor_shape(data: Any) -> list[int]:
    shape = list(data.shape)
    if not shape:
        raise SignatureInferenceError(
            "The specified variable_dimension 0 is out of bounds with respect to the number "
            "of dimensions 0 in the input dataset"
        )
    shape[0] = -1
    return shape


def _tensor(dtype: Any, shape: list[int], name: Any = None) -> SpecDict:
    spec: SpecDict = {} if name is None else {"name": name}
    spec["type"] = "tensor"
    spec["tensor-spec"] = {"dtype": _tensor_dtype(dtype), "shape": shape}
    return spec


def _items_of(t: TypeDict) -> TypeDict:
    """``ColSpec(_infer_colspec_type(values).dtype)``: the item type of an inferred array."""
    return dict(t["items"]) if t.get("type") == "array" else t


def _schema_specs(data: Any) -> list[SpecDict]:
    if isinstance(data, list) and not data:
        return [_colspec({"type": "string"})]
    if isinstance(data, list) and all(isinstance(item, dict) for item in data):
        columns: dict[Any, list[Any]] = {}
        for item in data:
            for key, value in item.items():
                columns.setdefault(key, []).append(value)
        return [
            _colspec(
                _items_of(_colspec_type(values)),
                name,
                all(item.get(name) is not None for item in data),
            )
            for name, values in columns.items()
        ]
    if isinstance(data, dict):
        if all(_is_ndarray(v) for v in data.values()):
            return [_tensor(v.dtype, _tensor_shape(v), name) for name, v in data.items()]
        if any(not isinstance(key, str) for key in data):
            raise SignatureInferenceError("The dictionary keys are not all strings.")
        return [_colspec(_colspec_type(v), name, _required(v)) for name, v in data.items()]
    if _is_series(data):
        return [_colspec(_pandas_column_type(data), data.name, _required(data))]
    if _is_dataframe(data):
        return [
            _colspec(_pandas_column_type(data[column]), column, _required(data[column]))
            for column in data.columns
        ]
    if _is_ndarray(data):
        return [_tensor(data.dtype, _tensor_shape(data))]
    if _is_sparse(data):
        return [_tensor(data.data.dtype, _tensor_shape(data))]
    if isinstance(data, list):
        return [_colspec(_items_of(_colspec_type(data)))]
    try:
        return [_colspec(_colspec_type(data))]
    except SignatureInferenceError as exc:
        raise SignatureInferenceError(
            "Failed to infer schema. Expected a pandas DataFrame or Series, a numpy array, a "
            "dict of numpy arrays, a scipy sparse matrix, a scalar, a list of scalars, a dict "
            f"or a list of dicts, but got {data!r}. Error: {exc}"
        ) from exc


def infer_schema(data: Any) -> Schema:
    """MLflow's ``_infer_schema``."""
    return Schema.from_specs(_schema_specs(data))


# -- params ---------------------------------------------------------------------------------


def _array_depth(value: Any) -> int:
    if _is_ndarray(value):
        return int(value.ndim)
    if isinstance(value, list):
        return max(_array_depth(item) for item in value) + 1 if value else 1
    return 0


def _python_value(value: Any, type_name: str) -> Any:
    """MLflow's ``_enforce_param_datatype`` for an inferred type: a plain Python value."""
    if value is None:
        return None
    if type_name == "datetime":
        import numpy as np

        converted = np.datetime64(value).item()
        if isinstance(converted, int):
            raise SignatureInferenceError(f"cannot read {value!r} as a datetime")
        return converted
    converters: dict[str, Any] = {
        "boolean": bool,
        "integer": int,
        "long": int,
        "float": float,
        "double": float,
        "string": str,
    }
    if type_name not in converters:
        raise SignatureInferenceError(f"type {type_name!r} is not allowed for parameters")
    import numpy as np

    if not np.isscalar(value):
        raise SignatureInferenceError(f"Value must be a scalar for type `{type_name}`")
    return converters[type_name](value)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _param_spec(name: Any, value: Any) -> SpecDict:
    import numpy as np

    shape: list[int] | None
    if isinstance(value, list) or _is_ndarray(value):
        if _array_depth(value) != 1:
            raise SignatureInferenceError(
                f"Expected parameters to be 1D array or scalar, got {_array_depth(value)}D array"
            )
        if all(_is_datetime_value(v) for v in value):
            type_name = "datetime"
        else:
            type_name = numpy_dtype_type(np.array(value).dtype)
        shape = [-1]
        default: Any = [_iso(_python_value(v, type_name)) for v in value]
    elif _is_datetime_value(value):
        type_name, shape, default = "datetime", None, _iso(_python_value(value, "datetime"))
    elif np.isscalar(value):
        type_name, shape = numpy_dtype_type(np.array(value).dtype), None
        default = _python_value(value, type_name)
    elif isinstance(value, dict):
        object_type = _schema_specs({"value": value})[0]
        spec: SpecDict = {"name": str(name), "default": deepcopy(value), "shape": None}
        spec.update(_strip_required({k: v for k, v in object_type.items() if k != "name"}))
        return spec
    else:
        raise SignatureInferenceError(
            f"Expected parameters to be 1D array or scalar, got {type(value).__name__}"
        )
    if type_name == "binary":
        raise SignatureInferenceError(f"Binary type is not supported for parameters ({name})")
    return {"name": str(name), "default": default, "shape": shape, "type": type_name}


def infer_param_schema(params: Mapping[str, Any]) -> ParamSchema:
    """MLflow's ``_infer_param_schema``."""
    if not isinstance(params, Mapping):
        raise SignatureInferenceError(
            f"Expected parameters to be dict, got {type(params).__name__}"
        )
    specs, invalid = [], []
    for name, value in params.items():
        try:
            specs.append(_param_spec(name, value))
        except Exception as exc:  # noqa: BLE001 - every bad param is reported together
            invalid.append((name, value, exc))
    if invalid:
        raise SignatureInferenceError(f"Failed to infer schema for parameters: {invalid}")
    return ParamSchema.from_specs(specs)


# -- the signature --------------------------------------------------------------------------


def infer_signature(
    model_input: Any = None, model_output: Any = None, params: Mapping[str, Any] | None = None
) -> ModelSignature:
    """A signature from example input, output and params, as MLflow infers it.

    As MLflow, a part that cannot be inferred becomes a single ``any`` column (with a
    warning), except pydantic objects, which are refused.
    """
    import warnings

    schemas: dict[str, Schema | None] = {"inputs": None, "outputs": None}
    for key, data in (("inputs", model_input), ("outputs", model_output)):
        if data is None:
            continue
        try:
            schemas[key] = infer_schema(data)
        except Exception as exc:
            if "pydantic" in str(exc):
                raise
            warnings.warn(
                f"Failed to infer schema for {key}: {exc}. Setting schema to a single 'any' "
                "column.",
                UserWarning,
                stacklevel=2,
            )
            schemas[key] = Schema.from_specs([_colspec(dict(ANY))])
    return ModelSignature(
        schemas["inputs"], schemas["outputs"], infer_param_schema(params) if params else None
    )
