"""Casting decoded payload values to the signature, as MLflow's scoring server does before
``predict`` (``cast_df_types_according_to_schema`` and ``convert_data_type`` in MLflow's
proto_json_utils): columns of a parsed data frame, values of ``instances``/``inputs``.

A value that cannot be cast is a 400 ``BAD_REQUEST`` naming the column and the type.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from mlmodel.scoring.errors import ScoringError, invalid_input

if TYPE_CHECKING:
    from mlmodel.runtime.predict.signature_spec import ColSpec, InputSchema, TensorSpec


def _frame_dtype(type_name: str) -> Any:
    """MLflow's ``DataType.to_pandas()``."""
    import numpy as np

    from mlmodel.runtime.predict.casting import numpy_dtype

    if type_name in ("string", "binary"):
        return np.dtype(object)
    return numpy_dtype(type_name)


def cast_frame(frame: Any, schema: InputSchema | None) -> Any:
    """``frame`` with its columns cast to the signature's types (in place, and returned)."""
    if schema is None:
        return frame
    import pandas as pd

    from mlmodel.runtime.predict.casting import enforce_value
    from mlmodel.runtime.predict.signature_spec import AnyType, ArrayType, MapType, ObjectType

    specs: list[ColSpec | TensorSpec] = list(schema.tensors or schema.columns)
    actual = list(frame.columns)
    if schema.has_names:
        pairs = [(spec.name, spec) for spec in specs]
    elif schema.is_tensor and len(specs) == 1:
        pairs = [(col, specs[0]) for col in actual]
    else:
        pairs = list(zip(actual, specs, strict=False))
    present = set(actual)
    for name, spec in pairs:
        if name not in present:
            continue
        column = frame[name]
        if isinstance(column, pd.DataFrame):
            raise invalid_input(f"Column {name!r} appears more than once in the input.")
        target: Any = getattr(spec, "dtype", None) or spec.type  # type: ignore[union-attr]
        try:
            if hasattr(spec, "dtype"):  # TensorSpec
                if len(column) and isinstance(column.iloc[0], list):
                    continue  # multidimensional cells: enforcement reshapes them
                frame[name] = column.astype(target)
                continue
            kind = spec.type
            required = spec.required
            if kind == "binary":
                frame[name] = column.map(lambda x: base64.decodebytes(bytes(x, "utf8")))
            elif isinstance(kind, ArrayType | ObjectType | MapType):
                frame[name] = column.map(lambda x, k=kind, r=required: enforce_value(x, k, r))
            elif isinstance(kind, AnyType):
                continue
            elif kind == "datetime":
                parsed = pd.to_datetime(column)
                if pd.api.types.is_datetime64_any_dtype(parsed) and (
                    getattr(parsed.dt, "unit", "ns") != "ns"
                ):
                    parsed = parsed.dt.as_unit("ns")
                frame[name] = parsed
            else:
                target = _frame_dtype(kind)
                if target.kind in ("O", "U") and isinstance(column.dtype, pd.StringDtype):
                    continue
                if column.dtype != target:
                    frame[name] = column.astype(target)
        except ScoringError:
            raise
        except Exception as exc:
            raise invalid_input(
                "Data is not compatible with model signature. "
                f"Failed to convert column {name} to type '{target}'. Error: '{exc!r}'"
            ) from exc
    return frame


def convert_value(data: Any, spec: ColSpec | TensorSpec | None) -> Any:
    """MLflow's ``convert_data_type``: one ``inputs``/``instances`` value as the spec says."""
    import numpy as np

    from mlmodel.runtime.errors import MlmodelException
    from mlmodel.runtime.predict.casting import enforce_value, numpy_dtype
    from mlmodel.runtime.predict.signature_spec import AnyType, ArrayType, MapType, ObjectType

    try:
        if spec is None:
            return np.array(data)
        if hasattr(spec, "dtype"):
            return np.array(data, dtype=spec.dtype)
        kind = spec.type
        if isinstance(kind, str):
            dtype = numpy_dtype(kind)
            if isinstance(data, list | np.ndarray):
                return np.array(data, dtype)
            return np.array([data], dtype)[0]
        if isinstance(kind, ArrayType):
            return np.array(enforce_value(data, kind, spec.required))
        if isinstance(kind, ObjectType | MapType):
            return enforce_value(data, kind, spec.required)
        if isinstance(kind, AnyType):
            return data
    except MlmodelException as exc:
        raise invalid_input(exc.message) from exc
    except RecursionError as exc:
        raise invalid_input("The input is nested too deeply.") from exc
    except Exception as exc:
        raise invalid_input(f"{exc}") from exc
    raise invalid_input(f"Failed to convert data type for data `{data}` with spec `{spec}`.")


def _spec_by_name(schema: InputSchema | None) -> dict[str, ColSpec | TensorSpec]:
    if schema is None or not schema.has_names:
        return {}
    return {str(s.name): s for s in (schema.tensors or schema.columns)}


def _first_spec(schema: InputSchema | None) -> ColSpec | TensorSpec | None:
    if schema is None:
        return None
    specs = schema.tensors or schema.columns
    return specs[0] if specs else None


def cast_inputs(data: Any, schema: InputSchema | None) -> Any:
    """MLflow's ``_cast_schema_type``: the value of ``inputs`` cast by the signature."""
    import copy

    import numpy as np

    data = copy.deepcopy(data)
    by_name = _spec_by_name(schema)
    if schema is not None:
        if (
            len(by_name) == 1
            and isinstance(data, list)
            and not any(isinstance(x, dict) for x in data)
        ):
            data = {next(iter(by_name)): data}
        elif not schema.has_names and not (isinstance(data, list) or np.isscalar(data)):
            raise invalid_input(
                "Failed to parse input data. This model contains an un-named  model signature "
                "which expects a single n-dimensional array or a single value as input, "
                f"however, an input of type {type(data)} was found."
            )
    if isinstance(data, dict):
        return {col: convert_value(value, by_name.get(col)) for col, value in data.items()}
    if isinstance(data, list):
        if data and all(isinstance(x, dict) for x in data):
            return [
                {col: convert_value(v, by_name.get(col)) for col, v in row.items()} for row in data
            ]
        return convert_value(data, _first_spec(schema))
    spec = _first_spec(schema)
    try:
        return convert_value(data, spec)
    except ScoringError as exc:
        raise invalid_input(
            f"Failed to convert data `{data}` to type `{spec}` defined in the model signature."
        ) from exc


def cast_instances(data: Any, schema: InputSchema | None) -> Any:
    """MLflow's ``parse_instances_data``: rows (a list of objects becomes a dict of columns)."""
    import numpy as np

    from mlmodel.runtime.predict.signature_spec import ArrayType

    if isinstance(data, list) and data and isinstance(data[0], dict):
        by_name = _spec_by_name(schema)
        columns: dict[str, list[Any]] = {}
        for row in data:
            if not isinstance(row, dict):
                raise invalid_input(
                    "Every item of `instances` must be an object when the first is."
                )
            for col, value in row.items():
                columns.setdefault(col, []).append(convert_value(value, by_name.get(col)))
        try:
            data = {col: np.array(values) for col, values in columns.items()}
        except Exception as exc:
            raise invalid_input(f"{exc}") from exc
    else:
        data = cast_inputs(data, schema)
    if isinstance(data, dict):
        sized = {k: v for k, v in data.items() if isinstance(v, list | np.ndarray)}
        if schema is not None and schema.has_names:
            array_cols = {str(c.name) for c in schema.columns if isinstance(c.type, ArrayType)}
            check = [c for c in schema.required_names() if c in sized and c not in array_cols]
        else:
            check = list(sized)
        if check and any(len(sized[c]) != len(sized[check[0]]) for c in check[1:]):
            raise invalid_input("The length of values for each input/column name are not the same")
    return data
