"""The Open Inference Protocol (KServe/MLServer "V2") REST codec: request tensors -> pyfunc
input, predictions -> response tensors, and model metadata from the signature.

Request: ``{"id"?, "parameters"?, "inputs": [{"name", "shape", "datatype", "data",
"parameters"?}], "outputs"?}``. For a column signature (or no signature) each input tensor
is a column, named by ``name`` (a ``[N]`` or ``[N, 1]`` tensor); for a tensor signature one
input is the array itself and several are a dict of arrays. ``parameters`` of the request
(other than ``content_type``) are the pyfunc ``params``. Response: one output per
DataFrame column, else one output named after the signature's single output (``predict``
when unnamed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from mlmodel.scoring.errors import ScoringError
from mlmodel.scoring.payload import Decoded, column_index

if TYPE_CHECKING:
    from mlmodel.runtime.predict.signature_spec import InputSchema
    from mlmodel.scoring.limits import DecodeLimits

#: V2 datatype -> numpy dtype name
DATATYPES: Final = {
    "BOOL": "bool",
    "UINT8": "uint8",
    "UINT16": "uint16",
    "UINT32": "uint32",
    "UINT64": "uint64",
    "INT8": "int8",
    "INT16": "int16",
    "INT32": "int32",
    "INT64": "int64",
    "FP16": "float16",
    "FP32": "float32",
    "FP64": "float64",
    "BYTES": "object",
}
#: MLflow signature type -> V2 datatype
_SIGNATURE_DATATYPES: Final = {
    "boolean": "BOOL",
    "integer": "INT32",
    "long": "INT64",
    "float": "FP32",
    "double": "FP64",
    "string": "BYTES",
    "binary": "BYTES",
    "datetime": "BYTES",
}
_MAX_ELEMENTS: Final = 50_000_000


class V2Error(ScoringError):
    """A malformed V2 request: 400 with the V2 error body ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, error_code="BAD_REQUEST", status=status)

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.message}


def _numpy_datatype(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    if kind == "b":
        return "BOOL"
    if kind in "iuf":
        return {v: k for k, v in DATATYPES.items()}.get(str(dtype), "FP64")
    return "BYTES"


def _field(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise V2Error(f"{where}: missing field '{key}'")
    value = obj[key]
    if not isinstance(value, kind):
        raise V2Error(f"{where}: field '{key}' has the wrong type ({type(value).__name__})")
    return value


def _flatten(data: Any, where: str) -> list[Any]:
    out: list[Any] = []
    stack = [iter([data])]
    depth = 0
    while stack:
        try:
            item = next(stack[-1])
        except StopIteration:
            stack.pop()
            depth -= 1
            continue
        if isinstance(item, list):
            depth += 1
            if depth > 32:
                raise V2Error(f"{where}: 'data' is nested too deeply")
            stack.append(iter(item))
        elif isinstance(item, dict):
            raise V2Error(f"{where}: 'data' holds an object; expected numbers, booleans or strings")
        else:
            out.append(item)
    return out


def check_datatype(datatype: str, where: str) -> str:
    """``datatype`` when it is one of the protocol's, else V2Error."""
    if datatype not in DATATYPES:
        raise V2Error(
            f"{where}: unknown datatype '{datatype}'; expected one of {sorted(DATATYPES)}"
        )
    return datatype


def element_count(shape: Sequence[Any], where: str) -> int:
    """The number of elements of a tensor of ``shape`` (V2Error unless it is a list of
    non-negative integers of at most 50 million elements)."""
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise V2Error(f"{where}: 'shape' must be a list of non-negative integers")
    size = 1
    for d in shape:
        size *= d
        if size > _MAX_ELEMENTS:
            raise V2Error(f"{where}: shape {list(shape)} is too large")
    return size


def _numeric_tensor(data: Any, datatype: str, shape: list[int]) -> Any:
    """``data`` as an array of ``datatype`` and ``shape`` in one numpy call when it is a list
    (flat or nested) of numbers and booleans only, of exactly the shape's size: what the
    element-by-element path below gives, without its per-element checks. None for anything
    else (strings, nulls, objects, ragged or too deep nesting, a size or value that does not
    fit), which that path then answers."""
    import numpy as np

    if datatype == "BYTES" or not isinstance(data, list):
        return None
    try:
        probe = np.asarray(data)
        if probe.dtype.kind not in "biuf" or probe.ndim > 32 or probe.size != np.prod(shape):
            return None
        target = np.dtype(DATATYPES[datatype])
        array = probe if probe.dtype == target else np.array(data, dtype=target)
        return array.reshape(shape)
    except (ValueError, TypeError, OverflowError, RecursionError):
        return None


def _tensor(spec: Any, index: int) -> tuple[str, Any]:
    import numpy as np

    where = f"inputs[{index}]"
    if not isinstance(spec, dict):
        raise V2Error(f"{where} must be an object")
    name = _field(spec, "name", str, where)
    where = f"input '{name}'"
    shape = _field(spec, "shape", list, where)
    datatype = check_datatype(_field(spec, "datatype", str, where), where)
    if "data" not in spec:
        raise V2Error(f"{where}: missing field 'data'")
    size = element_count(shape, where)  # a valid shape of a bounded size, on either path
    fast = _numeric_tensor(spec["data"], datatype, shape)
    if fast is not None:
        return name, fast
    flat = _flatten(spec["data"], where)
    if size != len(flat):
        raise V2Error(f"{where}: shape {shape} needs {size} elements, 'data' has {len(flat)}")
    try:
        if datatype == "BYTES":
            if not all(isinstance(x, str) for x in flat):
                raise V2Error(f"{where}: BYTES data must be strings")
            array = np.array(flat, dtype=object)
        else:
            if not all(isinstance(x, int | float | bool) for x in flat):
                raise V2Error(f"{where}: {datatype} data must be numbers or booleans")
            array = np.array(flat, dtype=DATATYPES[datatype])
        return name, array.reshape(shape)
    except V2Error:
        raise
    except (ValueError, OverflowError, TypeError) as exc:
        raise V2Error(f"{where}: data does not fit {datatype}: {exc}") from exc


def decode_request(
    body: bytes, schema: InputSchema | None, limits: DecodeLimits | None = None
) -> tuple[Decoded, str | None]:
    """(pyfunc input, request id) for a V2 inference request body; with ``limits``, the
    inputs are counted before any is decoded and each one's rows (first dimension) checked
    (413 past a limit)."""
    from mlmodel.scoring import jsonio

    try:
        request = jsonio.loads(body)
    except jsonio.JSONDecodeError as exc:
        raise V2Error(f"the request body is not valid JSON: {exc}") from exc
    if not isinstance(request, dict):
        raise V2Error("the request body must be a JSON object")
    inputs = _field(request, "inputs", list, "request")
    if not inputs:
        raise V2Error("request: 'inputs' is empty")
    request_id = request.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise V2Error("request: 'id' must be a string")
    parameters = request.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise V2Error("request: 'parameters' must be an object")
    if limits is not None:  # before any input is decoded
        limits.check_columns(len(inputs), "inputs")
    tensors = [_tensor(spec, i) for i, spec in enumerate(inputs)]
    return decode_tensors(tensors, parameters, schema, limits), request_id


def decode_tensors(
    tensors: list[tuple[str, Any]],
    parameters: Mapping[str, Any],
    schema: InputSchema | None,
    limits: DecodeLimits | None = None,
) -> Decoded:
    """Pyfunc input and params from a request's decoded tensors (name, numpy array) and
    parameters: what every V2 transport (JSON over HTTP, protobuf over gRPC) builds. With
    ``limits``, the inputs are counted and each one's rows (first dimension) checked."""
    if limits is not None:
        limits.check_columns(len(tensors), "inputs")
        for _, array in tensors:
            limits.check_rows(len(array) if array.ndim else 1)
    names = [name for name, _ in tensors]
    if len(set(names)) != len(names):
        raise V2Error("request: input names must be unique")
    params = {k: v for k, v in parameters.items() if k not in ("content_type", "headers")}
    return Decoded(_to_pyfunc(tensors, schema), params or None)


def _to_pyfunc(tensors: list[tuple[str, Any]], schema: InputSchema | None) -> Any:
    import pandas as pd

    if schema is not None and schema.is_tensor:
        if len(tensors) == 1 and not schema.has_names:
            return tensors[0][1]
        return dict(tensors)
    columns: dict[str, Any] = {}
    length = None
    for name, array in tensors:
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim == 2 and len(tensors) == 1 and (schema is None or not schema.has_names):
            return pd.DataFrame(array)
        if array.ndim != 1:
            raise V2Error(
                f"input '{name}': a column must have shape [N] or [N, 1], got {list(array.shape)}"
            )
        if length is not None and len(array) != length:
            raise V2Error(f"input '{name}': {len(array)} rows, the other inputs have {length}")
        length = len(array)
        columns[name] = array
    return _frame(columns)


def _frame(columns: dict[str, Any]) -> Any:
    """The DataFrame of named 1-D columns: one 2-D block when they share a numeric or boolean
    dtype (the same frame, built several times faster), else column by column."""
    import numpy as np
    import pandas as pd

    arrays = list(columns.values())
    dtypes = {array.dtype for array in arrays}
    if len(dtypes) == 1 and next(iter(dtypes)).kind in "biuf":
        return pd.DataFrame(np.column_stack(arrays), columns=column_index(list(columns)))
    return pd.DataFrame(columns)


def _output(name: str, values: Any) -> dict[str, Any]:
    import numpy as np

    array = np.asarray(values)
    data: Any
    if array.dtype.kind in "OUSMm":
        data = [
            x if isinstance(x, str | int | float | bool) or x is None else str(x)
            for x in array.reshape(-1).tolist()
        ]
        datatype = "BYTES"
    else:
        data = array.reshape(-1)
        datatype = _numpy_datatype(array.dtype)
    return {"name": name, "shape": list(array.shape), "datatype": datatype, "data": data}


def encode_response(
    predictions: Any,
    *,
    model_name: str,
    request_id: str | None,
    output_names: list[str],
) -> dict[str, Any]:
    """The V2 inference response for ``predictions``."""
    import pandas as pd

    if isinstance(predictions, pd.DataFrame):
        outputs = [_output(str(col), predictions[col].to_numpy()) for col in predictions.columns]
    elif isinstance(predictions, dict):
        outputs = [_output(str(k), v) for k, v in predictions.items()]
    else:
        if isinstance(predictions, pd.Series):
            predictions = predictions.to_numpy()
        name = output_names[0] if len(output_names) == 1 else "predict"
        outputs = [_output(name, predictions)]
    response: dict[str, Any] = {"model_name": model_name, "outputs": outputs}
    if request_id is not None:
        response["id"] = request_id
    return response


def _spec_metadata(specs: Any, unnamed: str) -> list[dict[str, Any]]:
    out = []
    for i, spec in enumerate(specs):
        if hasattr(spec, "dtype"):
            name = spec.name if spec.name is not None else unnamed.format(i)
            import numpy as np

            out.append(
                {
                    "name": name,
                    "datatype": _numpy_datatype(np.dtype(spec.dtype)),
                    "shape": list(spec.shape),
                }
            )
        else:
            kind = spec.type if isinstance(spec.type, str) else "object"
            out.append(
                {
                    "name": spec.name if spec.name is not None else unnamed.format(i),
                    "datatype": _SIGNATURE_DATATYPES.get(kind, "BYTES"),
                    "shape": [-1],
                    "parameters": {"required": spec.required},
                }
            )
    return out


def output_names(outputs: InputSchema | None) -> list[str]:
    if outputs is None:
        return ["predict"]
    return [s.name if s.name is not None else "predict" for s in outputs.tensors or outputs.columns]


def model_metadata(
    name: str,
    inputs: InputSchema | None,
    outputs: InputSchema | None,
    *,
    version: str | None = None,
) -> dict[str, Any]:
    """``GET /v2/models/{name}``: name, versions, platform, inputs and outputs."""
    meta: dict[str, Any] = {
        "name": name,
        "versions": [version] if version else [],
        "platform": "mlflow",
        "inputs": _spec_metadata(inputs.tensors or inputs.columns, "input-{}") if inputs else [],
        "outputs": (
            _spec_metadata(outputs.tensors or outputs.columns, "predict") if outputs else []
        ),
    }
    return meta
