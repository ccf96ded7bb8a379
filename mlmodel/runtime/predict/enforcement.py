"""Input schema enforcement: MLflow's ``_enforce_schema`` contract (§2.4 of the format notes).

Column signatures: the input becomes a DataFrame (:mod:`mlmodel.runtime.predict.inputs`), required
columns must be present (else an error naming them), extra columns are dropped with a warning,
the rest are picked by name in signature order and cast only in the allowed ways
(:mod:`mlmodel.runtime.predict.casting`). Tensor signatures: dtype and shape must match exactly.

A DataFrame whose columns are already the signature's, in order and with the declared dtypes,
is passed through untouched: the common serving case costs a few comparisons, not a copy.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Final

from mlmodel.runtime.errors import MlmodelException, SchemaEnforcementError
from mlmodel.runtime.predict.casting import enforce_column, enforce_tensor, enforce_value
from mlmodel.runtime.predict.inputs import to_frame
from mlmodel.runtime.predict.signature_spec import ColSpec, InputSchema, TensorSpec

_logger = logging.getLogger("mlmodel.pyfunc")


def enforce_input(data: Any, schema: InputSchema) -> Any:
    """``data`` checked and converted against ``schema``; raises SchemaEnforcementError."""
    try:
        return _enforce(data, schema)
    except SchemaEnforcementError:
        raise
    except MlmodelException as exc:
        raise SchemaEnforcementError(exc.message) from exc
    except Exception as exc:
        raise SchemaEnforcementError(
            f"Failed to enforce the model input schema: {type(exc).__name__}: {exc}"
        ) from exc


def _enforce(data: Any, schema: InputSchema) -> Any:
    import pandas as pd

    if isinstance(data, pd.Series):
        data = pd.DataFrame(data)
    if not schema.is_tensor:
        data = to_frame(data, schema)
        if schema.has_names and _already_conforms(data, schema.columns):
            return data
    if schema.has_names:
        data = _check_names(data, schema)
    elif not schema.is_tensor and len(data.columns) < len(schema.columns):
        raise SchemaEnforcementError(
            "Model inference is missing inputs. The model signature declares "
            f"{len(schema.columns)} inputs  but the provided value only has "
            f"{len(data.columns)} inputs. Note: the inputs were not named in the signature "
            "so we can only verify their count."
        )
    if schema.is_tensor:
        return _enforce_tensors(data, schema)
    return _enforce_columns(data, schema)


def _already_conforms(frame: Any, columns: tuple[ColSpec, ...]) -> bool:
    """Exactly the signature's columns, in order, each with a dtype enforcement keeps."""
    names, dtypes = _expected(columns)
    if dtypes is None or len(frame.columns) != len(names) or list(frame.columns) != names:
        return False
    try:  # 1 µs instead of the 40 µs ``frame.dtypes`` spends building a Series
        actual = frame._mgr.get_dtypes()
    except AttributeError:
        actual = frame.dtypes
    for want, have in zip(dtypes, actual, strict=True):
        if want is _STRING:
            if not (have == object or type(have).__name__ == "StringDtype"):
                return False
        elif have != want:
            return False
    return True


_STRING: Final = object()


@functools.lru_cache(maxsize=64)
def _expected(columns: tuple[ColSpec, ...]) -> tuple[list[Any], tuple[Any, ...] | None]:
    """(names, dtypes that pass unchanged); dtypes None when a column is not scalar."""
    from mlmodel.runtime.predict.casting import numpy_dtype

    names = [c.name for c in columns]
    dtypes: list[Any] = []
    for col in columns:
        if not isinstance(col.type, str) or col.type == "binary":
            return names, None
        dtypes.append(_STRING if col.type == "string" else numpy_dtype(col.type))
    return names, tuple(dtypes)


def _check_names(data: Any, schema: InputSchema) -> Any:
    import numpy as np
    import pandas as pd

    required = schema.required_names()
    actual: set[Any] = set()
    if len(set(required)) == 1 and isinstance(data, np.ndarray):
        data = {required[0]: data}
        actual = set(required)
    elif isinstance(data, pd.DataFrame):
        actual = set(data.columns)
    elif isinstance(data, dict):
        actual = set(data)
    missing = [c for c in required if c not in actual]
    extra = [c for c in actual if c not in set(required) | set(schema.optional_names())]
    if missing:
        message = f"Model is missing inputs {missing}."
        if extra:
            message += f" Note that there were extra inputs: {extra}."
        raise SchemaEnforcementError(message)
    if extra:
        _logger.warning(
            "Found extra inputs in the model input that are not defined in the model "
            "signature: `%s`. These inputs will be ignored.",
            extra,
        )
    return data


def _enforce_columns(frame: Any, schema: InputSchema) -> Any:
    import pandas as pd

    out: dict[Any, Any] = {}
    if schema.has_names:
        for spec in schema.columns:
            if spec.name not in frame:
                continue  # optional and absent (required ones were checked)
            out[spec.name] = _column(spec.name, frame[spec.name], spec)
    else:
        for spec, name in zip(schema.columns, frame.columns[: len(schema.columns)], strict=False):
            out[name] = _column(name, frame[name], spec)
    return pd.DataFrame(out)


def _column(name: Any, series: Any, spec: ColSpec) -> Any:
    import pandas as pd

    if isinstance(spec.type, str):
        return enforce_column(name, series, spec.type)
    return pd.Series(
        [enforce_value(v, spec.type, spec.required) for v in series],
        index=series.index,
        name=name,
    )


def _enforce_tensors(data: Any, schema: InputSchema) -> Any:
    import numpy as np
    import pandas as pd

    if schema.has_names:
        if isinstance(data, dict):
            out = {}
            for spec in schema.tensors:
                value = data[spec.name]
                if not isinstance(value, np.ndarray):
                    raise SchemaEnforcementError(
                        "This model contains a tensor-based model signature with input names,"
                        " which suggests a dictionary input mapping input name to a numpy"
                        f" array, but a dict with value type {type(value)} was found."
                    )
                out[spec.name] = enforce_tensor(value, spec)
            return out
        if isinstance(data, pd.DataFrame):
            return {s.name: _tensor_from_column(s.name, data[s.name], s) for s in schema.tensors}
        raise SchemaEnforcementError(
            "This model contains a tensor-based model signature with input names, which"
            " suggests a dictionary input mapping input name to tensor, or a pandas"
            " DataFrame input containing columns mapping input name to flattened list value"
            f" from tensor, but an input of type {type(data)} was found."
        )
    spec = schema.tensors[0]
    if isinstance(data, pd.DataFrame):
        if data.empty:
            raise SchemaEnforcementError("Input DataFrame is empty.")
        if len(data.columns) == 1:
            return _tensor_from_column(None, data[data.columns[0]], spec)
        if spec.shape != (-1, len(data.columns)):
            raise SchemaEnforcementError(
                "This model contains a model signature with an unnamed input. Since the "
                "input data is a pandas DataFrame containing multiple columns, the input "
                "shape must be of the structure (-1, number_of_dataframe_columns). Instead, "
                f"the input DataFrame passed had {len(data.columns)} columns and an input "
                f"shape of {spec.shape}."
            )
        return enforce_tensor(data.to_numpy(), spec)
    if isinstance(data, np.ndarray) or _is_sparse(data):
        return enforce_tensor(data, spec)
    raise SchemaEnforcementError(
        "This model contains a tensor-based model signature with no input names,"
        " which suggests a numpy array input or a pandas dataframe input with"
        f" proper column values, but an input of type {type(data)} was found."
    )


def _is_sparse(data: Any) -> bool:
    module = type(data).__module__
    return module.startswith("scipy.sparse") and hasattr(data, "data") and hasattr(data, "shape")


def _tensor_from_column(name: str | None, series: Any, spec: TensorSpec) -> Any:
    """A DataFrame column reshaped to a tensor (MLflow's
    ``_reshape_and_cast_pandas_column_values``)."""
    import numpy as np

    label = f"input {name}" if name else "the unnamed input"
    if spec.shape[0] != -1 or -1 in spec.shape[1:]:
        raise SchemaEnforcementError(
            "For pandas dataframe input, the first dimension of shape must be a variable "
            "dimension and other dimensions must be fixed, but in model signature the shape "
            f"of {label} is {spec.shape}."
        )
    first = series.iloc[0]
    if np.isscalar(first):
        if spec.shape in ((-1,), (-1, 1)):
            return enforce_tensor(np.array(series, dtype=spec.dtype).reshape(spec.shape), spec)
        raise SchemaEnforcementError(
            f"The input pandas dataframe column '{name}' contains scalar values, which "
            "requires the shape to be (-1,) or (-1, 1), but got tensor spec shape of "
            f"{spec.shape}."
        )
    message = (
        f"The value in the Input DataFrame column '{name}' could not be converted to the "
        f"expected shape of: '{spec.shape}'."
    )
    if isinstance(first, list) and np.isscalar(first[0]):
        try:
            array = np.vstack(series.tolist()).reshape(spec.shape).astype(spec.dtype)
        except ValueError as exc:
            raise SchemaEnforcementError(message) from exc
    elif isinstance(first, np.ndarray):
        try:
            array = np.vstack(series.tolist()).reshape(spec.shape)
        except ValueError as exc:
            raise SchemaEnforcementError(message) from exc
    else:
        raise SchemaEnforcementError(
            "Because the model signature requires tensor spec input, the input pandas "
            "dataframe values should be either scalar value, python list containing scalar "
            "values or numpy array containing scalar values, other types are not supported."
        )
    if len(array) != len(series):
        raise SchemaEnforcementError(message)
    return array
