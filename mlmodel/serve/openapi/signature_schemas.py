"""JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses them) from an MLflow model signature.

Column types map to JSON types (``long`` is an ``integer`` of format ``int64`` with its
bounds, ``binary`` a base64 ``string``, ``datetime`` a ``date-time`` string, ``array``,
``object`` and ``map`` nest, ``any`` is any value); a column that is not required may be
``null``. Tensors are nested arrays, one level per dimension (``-1``: any length), of their
dtype's JSON type. Nothing here imports numpy or pandas.
"""

from __future__ import annotations

from typing import Any, Final

from mlmodel.runtime.predict.signature_spec import (
    AnyType,
    ArrayType,
    ColSpec,
    InputSchema,
    MapType,
    ObjectType,
    ParamSpec,
    TensorSpec,
    TypeSpec,
)

Schema = dict[str, Any]

_INT32: Final = (-(2**31), 2**31 - 1)
_INT64: Final = (-(2**63), 2**63 - 1)

#: MLflow scalar type -> JSON Schema
_SCALARS: Final[dict[str, Schema]] = {
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer", "format": "int32", "minimum": _INT32[0], "maximum": _INT32[1]},
    "long": {"type": "integer", "format": "int64", "minimum": _INT64[0], "maximum": _INT64[1]},
    "float": {"type": "number", "format": "float"},
    "double": {"type": "number", "format": "double"},
    "string": {"type": "string"},
    "binary": {"type": "string", "contentEncoding": "base64"},
    "datetime": {"type": "string", "format": "date-time"},
}


def type_schema(kind: TypeSpec) -> Schema:
    """The JSON Schema of one value of an MLflow type."""
    if isinstance(kind, ArrayType):
        return {"type": "array", "items": type_schema(kind.items)}
    if isinstance(kind, ObjectType):
        out: Schema = {
            "type": "object",
            "properties": {p.name: type_schema(p.type) for p in kind.properties},
            "additionalProperties": False,
        }
        required = [p.name for p in kind.properties if p.required]
        if required:
            out["required"] = required
        return out
    if isinstance(kind, MapType):
        return {"type": "object", "additionalProperties": type_schema(kind.values)}
    if isinstance(kind, AnyType):
        return {}
    return dict(_SCALARS.get(kind, {}))


def nullable(schema: Schema) -> Schema:
    """``schema`` that also admits ``null`` (any value already does)."""
    if not schema:
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def cell_schema(column: ColSpec) -> Schema:
    """A value of ``column``: its type, or null when the column is not required."""
    schema = type_schema(column.type)
    return schema if column.required else nullable(schema)


def record_schema(schema: InputSchema, *, open_ended: bool = True) -> Schema:
    """One row as an object keyed by column name (other keys are ignored by the server)."""
    out: Schema = {
        "type": "object",
        "properties": {str(c.name): cell_schema(c) for c in schema.columns},
    }
    if not open_ended:
        out["additionalProperties"] = False
    required = schema.required_names()
    if required:
        out["required"] = required
    return out


def columns_object_schema(schema: InputSchema) -> Schema:
    """The columns as an object of lists: ``{"x": [1.0, 2.0], ...}``."""
    out: Schema = {
        "type": "object",
        "properties": {
            str(c.name): {"type": "array", "items": cell_schema(c)} for c in schema.columns
        },
    }
    required = schema.required_names()
    if required:
        out["required"] = required
    return out


def row_schema(schema: InputSchema) -> Schema:
    """One row as a list of values in the signature's column order."""
    return {
        "type": "array",
        "prefixItems": [cell_schema(c) for c in schema.columns],
        "items": False,
    }


def dtype_schema(dtype: str) -> Schema:
    """A tensor element of a numpy dtype (named as MLflow writes it: ``float64``, ...)."""
    name = dtype.lower().lstrip("<>=|")
    if name in ("bool", "bool_", "boolean"):
        return {"type": "boolean"}
    if name.startswith("float") or name in ("double", "half", "single", "f4", "f8"):
        return {"type": "number"}
    for prefix, signed in (("uint", False), ("int", True)):
        if name.startswith(prefix):
            bits = name[len(prefix) :]
            if bits.isdigit():
                width = int(bits)
                low = -(2 ** (width - 1)) if signed else 0
                high = 2 ** (width - 1) - 1 if signed else 2**width - 1
                return {"type": "integer", "minimum": low, "maximum": high}
            return {"type": "integer"}
    if name in ("str", "str_", "unicode", "string") or name.startswith(("u", "s", "bytes")):
        return {"type": "string"}
    return {}  # object and anything else: any value


def shaped(element: Schema, shape: tuple[int, ...]) -> Schema:
    """Nested arrays of ``element``, one level per dimension of ``shape`` (-1: any length)."""
    schema = element
    for size in reversed(shape):
        level: Schema = {"type": "array", "items": schema}
        if size >= 0:
            level["minItems"] = level["maxItems"] = size
        schema = level
    return schema


def tensor_schema(tensor: TensorSpec, *, drop_first: bool = False) -> Schema:
    """A tensor as nested arrays (``drop_first``: one row of it, its first dimension gone)."""
    shape = tensor.shape[1:] if drop_first else tensor.shape
    return shaped(dtype_schema(tensor.dtype), shape)


def tensors_object_schema(schema: InputSchema, *, drop_first: bool = False) -> Schema:
    """Named tensors as an object: ``{"name": tensor, ...}``."""
    return {
        "type": "object",
        "properties": {
            str(t.name): tensor_schema(t, drop_first=drop_first) for t in schema.tensors
        },
        "required": schema.names(),
    }


def param_schema(param: ParamSpec) -> Schema:
    """A param's value (a list of them for shape ``(-1,)``), with its default."""
    kind: TypeSpec = param.properties if param.properties is not None else param.type
    schema = type_schema(kind)
    if param.shape is not None:
        schema = {"type": "array", "items": schema}
    if param.default is not None:
        schema["default"] = param.default
    return schema


def params_schema(params: tuple[ParamSpec, ...] | None) -> Schema:
    """The ``params`` object: each declared param, optional, with its default. Unknown keys
    are ignored by the server (with a warning), so the object stays open."""
    if not params:
        return {
            "type": "object",
            "description": "The model declares no params: any given are ignored.",
        }
    return {
        "type": "object",
        "properties": {p.name: param_schema(p) for p in params},
        "description": "Params of the model's signature; a missing one takes its default.",
    }
