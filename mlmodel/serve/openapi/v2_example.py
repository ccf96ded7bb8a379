"""A V2 ``infer`` request example made from the model's ``serving_input_example.json``.

The serving example is MLflow's ``/invocations`` body: ``{"dataframe_split": {"columns",
"data"}}`` becomes one ``[N]`` tensor per column, ``{"inputs": [...]}`` one tensor of the
array's shape, ``{"inputs": {"name": [...]}}`` one tensor per name; each takes the datatype
the model's V2 metadata gives its input (the values' own otherwise). Anything else (no
example, other forms, ragged arrays) gives no example.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _shape(values: Any) -> list[int] | None:
    """The shape of rectangular nested lists (None when ragged or holding objects)."""
    if not isinstance(values, list):
        return None if isinstance(values, dict) else []
    shapes = [_shape(v) for v in values]
    if any(s is None for s in shapes) or any(s != shapes[0] for s in shapes[1:]):
        return None
    return [len(values), *(shapes[0] or [])] if shapes else [0]


def _flat(values: Any) -> list[Any]:
    if isinstance(values, list):
        return [x for v in values for x in _flat(v)]
    return [values]


def _datatype(values: list[Any]) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return "BOOL"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "INT64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "FP64"
    return "BYTES"


def _tensor(name: str, values: Any, datatypes: Mapping[str, str]) -> dict[str, Any] | None:
    shape = _shape(values)
    if shape is None or not shape:
        return None
    flat = _flat(values)
    return {
        "name": name,
        "shape": shape,
        "datatype": datatypes.get(name) or _datatype(flat),
        "data": flat,
    }


def _tensors(example: Mapping[str, Any], unnamed: str) -> list[tuple[str, Any]] | None:
    split = example.get("dataframe_split")
    if isinstance(split, Mapping):
        columns, rows = split.get("columns"), split.get("data")
        if not isinstance(columns, list) or not isinstance(rows, list):
            return None
        if not all(isinstance(r, list) and len(r) == len(columns) for r in rows):
            return None
        return [(str(c), [r[i] for r in rows]) for i, c in enumerate(columns)]
    inputs = example.get("inputs")
    if isinstance(inputs, Mapping):
        return [(str(k), v) for k, v in inputs.items()]
    if isinstance(inputs, list):
        return [(unnamed, inputs)]
    return None


def infer_example(example: Any, metadata: Mapping[str, Any]) -> dict[str, Any] | None:
    """The V2 request for the serving ``example``, its inputs named and typed by the V2
    ``metadata`` of the model (None when the example has no V2 equivalent)."""
    if not isinstance(example, Mapping):
        return None
    specs = [s for s in metadata.get("inputs", []) if isinstance(s, Mapping)]
    datatypes = {str(s["name"]): str(s["datatype"]) for s in specs}
    unnamed = str(specs[0]["name"]) if len(specs) == 1 else "input-0"
    found = _tensors(example, unnamed)
    if not found:
        return None
    tensors = [_tensor(name, values, datatypes) for name, values in found]
    if any(t is None for t in tensors):
        return None
    request: dict[str, Any] = {"inputs": tensors}
    params = example.get("params")
    if isinstance(params, Mapping) and params:
        request["parameters"] = dict(params)
    return request
