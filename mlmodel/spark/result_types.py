"""Spark result types: inferred from a model's output schema, and predictions converted to them.

Inference follows MLflow 2.10+ (``_infer_spark_udf_return_type``): one output spec gives that
Spark type, several give a struct, no output schema gives ``double``; object properties are
ordered by name; binary and timestamp outputs are refused (spark_udf cannot fill them). Tensor
outputs differ, as the leading ``-1`` is the row: a ``(-1,)`` tensor (one value per row, what
MLflow infers for a numpy prediction vector) is a scalar column here, where MLflow returns
one-element arrays; a ``(-1, k)`` tensor (``predict_proba``) is ``array<T>``, where MLflow's
``array<array<T>>`` cannot hold the 2-D result; ``(-1, j, k)`` is ``array<array<T>>``, which
MLflow refuses. ``tests/spark/test_spark_udf.py`` holds the table, checked against MLflow's own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from mlmodel.core.errors import InvalidParameterError
from mlmodel.spark.ddl import ACCEPTED, API, ResultTypeOption

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql.types import DataType

#: MLflow column types -> Spark DDL
_COLUMN_TYPES: Final = {
    "boolean": "boolean",
    "integer": "int",
    "long": "bigint",
    "float": "float",
    "double": "double",
    "string": "string",
    "binary": "binary",
    "datetime": "timestamp",
}
#: numpy dtypes of tensor specs -> Spark DDL (MLflow's ``DataType.from_numpy_type``)
_TENSOR_TYPES: Final = {
    "bool": "boolean",
    "int8": "int",
    "int16": "int",
    "int32": "int",
    "int64": "bigint",
    "uint8": "int",
    "uint16": "int",
    "uint32": "bigint",
    "float16": "float",
    "float32": "float",
    "float64": "double",
    "str": "string",
    "object": "string",
    "bytes": "binary",
}


def _ddl_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _column_ddl(spec: Mapping[str, Any], option: ResultTypeOption) -> str:
    kind = spec.get("type")
    if kind == "array":
        return f"array<{_column_ddl(spec['items'], option)}>"
    if kind == "object":
        properties = sorted(spec["properties"].items())  # by name, as MLflow's Object
        fields = ", ".join(
            f"{_ddl_name(name)}: {_column_ddl(prop, option)}" for name, prop in properties
        )
        return f"struct<{fields}>"
    if kind == "map":
        return f"map<string, {_column_ddl(spec['values'], option)}>"
    if kind in _COLUMN_TYPES:
        return _COLUMN_TYPES[kind]
    raise InvalidParameterError(
        f"the output type {kind!r} has no Spark result type; pass {option.name}"
    )


def _spec_ddl(spec: Mapping[str, Any], option: ResultTypeOption) -> str:
    if spec.get("type") != "tensor":
        return _column_ddl(spec, option)
    tensor = spec["tensor-spec"]
    dtype = str(tensor["dtype"])
    element = _TENSOR_TYPES.get(dtype)
    if element is None:
        raise InvalidParameterError(
            f"the output tensor type {dtype!r} has no Spark result type; pass {option.name}"
        )
    rank = len(tensor["shape"])
    if rank > 3:
        raise InvalidParameterError(
            f"an output tensor of rank {rank} has no Spark result type (at most 3); "
            f"pass {option.name}"
        )
    # rank 1: one value per row (the narrowest type); rank 2: an array per row; rank 3: 2-D
    for _ in range(rank - 1):
        element = f"array<{element}>"
    return element


def infer_result_ddl(outputs_json: str | None, option: ResultTypeOption = API) -> str:
    """The Spark DDL type for a model's ``signature.outputs`` (a JSON string or None);
    a type it cannot infer is an error asking for ``option``."""
    specs = json.loads(outputs_json) if outputs_json else None
    if not specs:
        return "double"
    if len(specs) == 1:
        return _spec_ddl(specs[0], option)
    fields = ", ".join(
        f"{_ddl_name(str(spec.get('name') or index))}: {_spec_ddl(spec, option)}"
        for index, spec in enumerate(specs)
    )
    return f"struct<{fields}>"


# --------------------------------------------------------------------------- conversion

_PRIMITIVE_DTYPES: Final = {
    "IntegerType": "int32",
    "LongType": "int64",
    "FloatType": "float32",
    "DoubleType": "float64",
    "BooleanType": "bool",
    "ShortType": "int16",
    "ByteType": "int8",
}
#: numpy dtype kinds each primitive accepts from a prediction (MLflow's ``select_dtypes``)
_ACCEPTED_KINDS: Final = {
    "IntegerType": "iub",
    "LongType": "iub",
    "ShortType": "iub",
    "ByteType": "iub",
    "FloatType": "iuf",
    "DoubleType": "iuf",
    "BooleanType": "b",
}


def check_result_type(result_type: DataType, option: ResultTypeOption = API) -> None:
    """Refuse types the conversion cannot produce, before any job starts."""
    from pyspark.sql.types import ArrayType, MapType, StringType, StructType

    name = type(result_type).__name__
    if name in _PRIMITIVE_DTYPES or isinstance(result_type, StringType):
        return
    if isinstance(result_type, ArrayType):
        check_result_type(result_type.elementType, option)
        return
    if isinstance(result_type, StructType):
        for field in result_type.fields:
            check_result_type(field.dataType, option)
        return
    if isinstance(result_type, MapType) and isinstance(result_type.keyType, StringType):
        check_result_type(result_type.valueType, option)
        return
    raise InvalidParameterError(
        f"{option.name} {result_type.simpleString()!r}: unsupported spark_udf result type; "
        f"use {ACCEPTED}"
    )


def to_spark_values(
    predictions: Any, result_type: DataType, option: ResultTypeOption = API
) -> pd.Series | pd.DataFrame:
    """Predictions for one batch as the pandas column(s) Arrow turns into ``result_type``;
    predictions that cannot be converted are an error suggesting another ``option``."""
    import pandas as pd
    from pyspark.sql.types import StructType

    if isinstance(result_type, StructType):
        frame = _as_frame(predictions)
        if list(frame.columns) != result_type.fieldNames():
            if frame.shape[1] == len(result_type.fields) and not set(frame.columns) & set(
                result_type.fieldNames()
            ):
                frame.columns = result_type.fieldNames()  # unnamed columns, by position
            else:
                frame = frame[result_type.fieldNames()]
        return pd.DataFrame(
            {
                field.name: _column(frame[field.name], field.dataType, option)
                for field in result_type.fields
            },
            index=frame.index,
        )
    return _column(predictions, result_type, option)


def _as_frame(predictions: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(predictions, pd.DataFrame):
        return predictions
    if isinstance(predictions, Mapping):
        return pd.DataFrame({k: list(v) for k, v in predictions.items()})
    return pd.DataFrame(predictions)


def _column(values: Any, spark_type: DataType, option: ResultTypeOption) -> pd.Series:
    import numpy as np
    import pandas as pd
    from pyspark.sql.types import ArrayType, MapType, StringType, StructType

    name = type(spark_type).__name__
    if isinstance(spark_type, ArrayType):
        return _array_column(values, spark_type)
    if isinstance(spark_type, (StructType, MapType)):
        series = values if isinstance(values, pd.Series) else pd.Series(list(values))
        return series
    array = _one_column(values, spark_type)
    if isinstance(spark_type, StringType):
        return pd.Series([str(v) for v in array.tolist()], dtype=object)
    if array.dtype.kind not in _ACCEPTED_KINDS[name]:
        raise InvalidParameterError(
            f"The model did not produce any values compatible with the requested type "
            f"'{spark_type.simpleString()}' (it returned {array.dtype}). Consider requesting "
            f"{option.given('string')} (or {option.given('array<string>')})."
        )
    return pd.Series(array.astype(np.dtype(_PRIMITIVE_DTYPES[name]), copy=False))


def _one_column(values: Any, spark_type: DataType) -> Any:
    """A 1-D numpy array: the prediction vector, or the left-most compatible column."""
    import numpy as np
    import pandas as pd
    from pyspark.sql.types import StringType

    if isinstance(values, pd.Series):
        return values.to_numpy()
    if isinstance(values, pd.DataFrame):
        if values.shape[1] == 1 or isinstance(spark_type, StringType):
            return values.iloc[:, 0].to_numpy()
        kinds = _ACCEPTED_KINDS[type(spark_type).__name__]
        for column in values.columns:
            if values[column].dtype.kind in kinds:
                return values[column].to_numpy()
        return values.iloc[:, 0].to_numpy()
    array = np.asarray(values)
    if array.ndim == 0:
        return array.reshape(1)
    if array.ndim == 2:
        return array[:, 0]
    return array


def _array_column(values: Any, spark_type: Any) -> pd.Series:
    import numpy as np
    import pandas as pd
    from pyspark.sql.types import ArrayType, StringType

    element = spark_type.elementType
    if isinstance(values, pd.DataFrame):
        values = values.to_numpy()
    elif isinstance(values, pd.Series):
        values = list(values)
    dtype = _PRIMITIVE_DTYPES.get(type(element).__name__)
    if isinstance(element, StringType):
        dtype = "str"
    if dtype is not None:
        try:
            array = np.asarray(values, dtype=dtype)
        except (ValueError, TypeError):  # ragged rows: one array each
            return pd.Series([None if v is None else np.asarray(v, dtype=dtype) for v in values])
        if array.ndim == 1:  # one value per row: one-element arrays, as MLflow
            array = array.reshape(-1, 1)
        if array.ndim == 2:
            return pd.Series(list(array))
        return pd.Series(array.tolist())
    if isinstance(element, ArrayType):
        return pd.Series([_array_column(v, element).tolist() for v in values])
    return pd.Series(list(values))
