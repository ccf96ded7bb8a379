"""MLflow's ``/invocations`` JSON bodies decoded into pyfunc input and params (§7.3).

Standard bodies hold exactly one of ``dataframe_split``, ``dataframe_records``,
``instances``, ``inputs`` (other keys are ignored, ``params`` is forwarded); unified-LLM
bodies (``messages``, ``prompt`` or ``input``) pass as they are, with the keys the params
schema names split out as params, and are answered without the ``predictions`` wrapper.
A model whose signature came from type hints takes only ``inputs``, passed raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mlmodel.scoring import jsonio
from mlmodel.scoring.content_type import SCORING_PROTOCOL_CHANGE_INFO
from mlmodel.scoring.errors import ScoringError, invalid_input
from mlmodel.scoring.schema_cast import cast_frame, cast_inputs, cast_instances

if TYPE_CHECKING:
    from mlmodel.runtime.predict.signature_spec import InputSchema
    from mlmodel.scoring.limits import DecodeLimits

DF_SPLIT: Final = "dataframe_split"
DF_RECORDS: Final = "dataframe_records"
INSTANCES: Final = "instances"
INPUTS: Final = "inputs"
FORMATS: Final = (DF_SPLIT, DF_RECORDS, INSTANCES, INPUTS)
PARAMS: Final = "params"
LLM_KEYS: Final = ("messages", "prompt", "input")

#: the column Index of recent tuples of column names (at most ``_MAX_INDEXES``): building a
#: pandas Index of strings (pyarrow-backed under pandas 3) costs more than the rest of a
#: small frame, and a server sees the same few column lists again and again
_INDEXES: dict[tuple[str, ...], Any] = {}
#: id of an Index in ``_INDEXES`` -> its names
_NAMES: dict[int, tuple[str, ...]] = {}
_MAX_INDEXES: Final = 64

REQUIRED_INPUT_FORMAT: Final = (
    "The input must be a JSON dictionary with exactly one of the input fields "
    "{'dataframe_split', 'dataframe_records', 'instances', 'inputs'}"
)


@dataclass(frozen=True)
class Decoded:
    """What a request asks the model: ``data`` and ``params`` for ``predict``; ``wrap`` is
    False for unified-LLM bodies, answered without ``{"predictions": ...}``."""

    data: Any
    params: dict[str, Any] | None = None
    wrap: bool = True


@dataclass(frozen=True)
class ModelInputs:
    """What decoding needs to know about the model (taken once from the loaded model)."""

    schema: InputSchema | None
    param_names: frozenset[str] = frozenset()
    from_type_hint: bool = False
    #: (column names, numpy dtype) when every column of the signature is the same numeric
    #: scalar type: a numeric ``dataframe_split`` body then becomes one typed block directly
    uniform: tuple[frozenset[str], Any] | None = None

    @classmethod
    def of(
        cls,
        schema: InputSchema | None,
        param_names: frozenset[str] = frozenset(),
        from_type_hint: bool = False,
    ) -> ModelInputs:
        return cls(schema, param_names, from_type_hint, _uniform(schema))


def _uniform(schema: InputSchema | None) -> tuple[frozenset[str], Any] | None:
    if schema is None or schema.is_tensor or not schema.has_names:
        return None
    kinds = {c.type for c in schema.columns}
    if len(kinds) != 1 or next(iter(kinds)) not in ("double", "float", "long", "integer"):
        return None
    from mlmodel.runtime.predict.casting import numpy_dtype

    return frozenset(schema.names()), numpy_dtype(str(next(iter(kinds))))


def column_index(names: list[str] | tuple[str, ...]) -> Any:
    """The pandas Index of ``names`` (string column names), shared by the frames that have
    these columns (an Index is immutable)."""
    key = tuple(names)
    index = _INDEXES.get(key)
    if index is None:
        import pandas as pd

        index = pd.Index(list(key))
        if len(_INDEXES) >= _MAX_INDEXES:
            _INDEXES.clear()
            _NAMES.clear()
        _INDEXES[key] = index
        _NAMES[id(index)] = key
    return index


def column_names(index: Any) -> tuple[Any, ...]:
    """The names of a column Index: remembered when :func:`column_index` made it (reading a
    pandas 3 string Index back costs as much as building it), else read."""
    key = _NAMES.get(id(index))
    if key is not None and _INDEXES.get(key) is index:
        return key
    return tuple(index.tolist())


def decode_json_body(body: bytes | str) -> dict[str, Any]:
    """The body as a JSON object; 400 ``Invalid input.`` otherwise."""
    try:
        value = jsonio.loads(body)
    except jsonio.JSONDecodeError as exc:
        raise invalid_input(
            f"Ensure that input is a valid JSON formatted string. Error: '{exc}'"
        ) from exc
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        raise invalid_input(f"{REQUIRED_INPUT_FORMAT}. Received a list.")
    raise invalid_input(
        f"{REQUIRED_INPUT_FORMAT}. Received unexpected input type '{type(value).__name__}'."
    )


def decode_json(
    body: bytes | str | dict[str, Any], model: ModelInputs, limits: DecodeLimits | None = None
) -> Decoded:
    """A JSON ``/invocations`` body as pyfunc input; with ``limits``, what the input will
    decode to is counted first (413 past a limit)."""
    payload = body if isinstance(body, dict) else decode_json_body(body)
    if any(key in payload for key in LLM_KEYS):
        data = {k: v for k, v in payload.items() if k not in model.param_names}
        llm_params = {k: v for k, v in payload.items() if k in model.param_names}
        return Decoded(data, llm_params, wrap=False)
    params = payload.get(PARAMS)
    keys = [key for key in payload if key in FORMATS]
    if model.from_type_hint:
        if INPUTS not in keys:
            raise ScoringError(
                "Request payload must be a dictionary with 'inputs' key when the model "
                f"contains a valid type hint. Found keys in payload: {sorted(payload)}.",
                error_code="INVALID_PARAMETER_VALUE",
            )
        if limits is not None:
            check_limits(INPUTS, payload[INPUTS], limits)
        return Decoded(payload[INPUTS], params)
    if len(keys) != 1:
        raise ScoringError(
            f"{REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: "
            f"{list(payload)}. {SCORING_PROTOCOL_CHANGE_INFO}",
            error_code="BAD_REQUEST",
        )
    key = keys[0]
    value = payload[key]
    if limits is not None:
        check_limits(key, value, limits)
    if key == DF_SPLIT:
        fast = _numeric_split_frame(value, model.uniform)  # rectangular: no padding
        if fast is not None:
            return Decoded(fast, params)
        if limits is not None:
            check_split_width(value, limits)
        return Decoded(cast_frame(_split_frame(value), model.schema), params)
    if key == DF_RECORDS:
        return Decoded(cast_frame(_records_frame(value), model.schema), params)
    try:
        data = (
            cast_instances(value, model.schema)
            if key == INSTANCES
            else cast_inputs(value, model.schema)
        )
    except ScoringError:
        raise
    except Exception as exc:
        raise invalid_input(
            f"Ensure that the input is a valid JSON-formatted string.\nError: {exc!r}"
        ) from exc
    return Decoded(data, params)


def check_limits(key: str, value: Any, limits: DecodeLimits) -> None:
    """The columns, rows and cells the ``key`` input will decode to, counted before pandas
    builds anything: pandas fills the keys a record lacks, so a small body can make a large
    frame. Tensors (lists of lists in ``instances`` or ``inputs``) are not frames: only
    their rows are counted. ``dataframe_split`` rows are measured by
    :func:`check_split_width`, where they may be ragged."""
    from mlmodel.scoring.limits import frame_width

    if key == DF_SPLIT:
        if isinstance(value, dict):
            rows = max(_length(value.get("data")), _length(value.get("index")))
            limits.check_frame(rows, _length(value.get("columns")))
    elif isinstance(value, list):
        what = "columns (distinct keys of the records)"
        limits.check_frame(len(value), frame_width(value, lists=key == DF_RECORDS), what)
    elif isinstance(value, dict) and key in (INSTANCES, INPUTS):
        limits.check_columns(len(value))
        limits.check_rows(max(map(_length, value.values()), default=0))


def check_split_width(value: Any, limits: DecodeLimits) -> None:
    """The cells of a ``dataframe_split`` whose rows pandas pads to the longest one (or
    fills, for rows that are objects)."""
    from mlmodel.scoring.limits import frame_width

    if isinstance(value, dict) and isinstance(value.get("data"), list):
        rows = max(_length(value["data"]), _length(value.get("index")))
        width = max(_length(value.get("columns")), frame_width(value["data"]))
        limits.check_frame(rows, width)


def _length(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def _split_frame(value: Any) -> Any:
    import pandas as pd

    if not isinstance(value, dict):
        kind = "list" if isinstance(value, list) else f"type {type(value).__name__}"
        raise invalid_input(f"Dataframe split format must be a dictionary. Got {kind}.")
    keys = set(value)
    if "data" not in keys or keys - {"columns", "data", "index"}:
        raise invalid_input(
            "Dataframe split format must have 'data' field and optionally 'columns' "
            f"and 'index' fields. Got {sorted(keys)}."
        )
    for field in ("columns", "index"):
        if value.get(field) is not None and not isinstance(value[field], list):
            raise invalid_input(f"dataframe_split field '{field}' must be a list.")
    data = value["data"]
    if not isinstance(data, list):
        raise invalid_input("dataframe_split field 'data' must be a list of rows.")
    columns = value.get("columns")
    if columns is not None and any(isinstance(c, list | dict) for c in columns):
        raise invalid_input("dataframe_split field 'columns' must be a list of names.")
    try:
        return pd.DataFrame(index=value.get("index"), columns=columns, data=data)
    except Exception as exc:
        raise invalid_input(
            "Provided dataframe_split field is not a valid dataframe representation in "
            f"'split' format. Error: '{exc}'"
        ) from exc


def _numeric_split_frame(value: Any, uniform: tuple[frozenset[str], Any] | None) -> Any:
    """The frame for an all-numeric ``dataframe_split`` whose columns are exactly the
    signature's, all of one numeric type: built as one block of that type, which is what
    MLflow's per-column inference followed by the signature's casts gives (or None)."""
    if uniform is None or not isinstance(value, dict) or set(value) - {"columns", "data"}:
        return None
    columns, data = value.get("columns"), value.get("data")
    if not isinstance(columns, list) or not isinstance(data, list) or not data:
        return None
    if len(columns) != len(uniform[0]) or set(columns) != uniform[0]:
        return None
    import numpy as np
    import pandas as pd

    try:
        array = np.array(data)
    except (ValueError, TypeError, OverflowError, RecursionError):
        return None
    if array.ndim != 2 or array.shape[1] != len(columns) or array.dtype.kind not in "iuf":
        return None
    if uniform[1].kind in "iu" and array.dtype.kind == "f":
        return None  # MLflow's cast refuses NaN here; the general path says so
    try:
        typed = array.astype(uniform[1], casting="unsafe")
    except (ValueError, TypeError, OverflowError):
        return None
    return pd.DataFrame(typed, columns=column_index(columns))


def _records_frame(value: Any) -> Any:
    import pandas as pd

    if not isinstance(value, list):
        kind = "dictionary" if isinstance(value, dict) else f"type {type(value).__name__}"
        raise invalid_input(f"Dataframe records format must be a list of records. Got {kind}.")
    try:
        return pd.DataFrame(data=value)
    except Exception as exc:
        raise invalid_input(
            "Provided dataframe_records field is not a valid dataframe representation in "
            f"'records' format. Error: '{exc}'"
        ) from exc
