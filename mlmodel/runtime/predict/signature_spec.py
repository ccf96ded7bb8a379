"""The model signature as the runtime enforces it, read from the MLmodel JSON strings.

Plain frozen dataclasses over the JSON that ``signature.inputs`` and ``signature.params``
hold (the validator has already checked their shape): no pydantic and no numpy at import,
so loading a model stays cheap. Type names are MLflow's (``long``, ``double``, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

SCALAR_TYPES: Final = frozenset(
    ["boolean", "integer", "long", "float", "double", "string", "binary", "datetime"]
)


@dataclass(frozen=True)
class ArrayType:
    items: TypeSpec


@dataclass(frozen=True)
class Property:
    name: str
    type: TypeSpec
    required: bool


@dataclass(frozen=True)
class ObjectType:
    properties: tuple[Property, ...]


@dataclass(frozen=True)
class MapType:
    values: TypeSpec


@dataclass(frozen=True)
class AnyType:
    pass


#: a scalar type name (``"long"``), or a nested type
TypeSpec = str | ArrayType | ObjectType | MapType | AnyType


@dataclass(frozen=True)
class ColSpec:
    type: TypeSpec
    name: str | None
    required: bool


@dataclass(frozen=True)
class TensorSpec:
    dtype: str
    shape: tuple[int, ...]
    name: str | None


@dataclass(frozen=True)
class InputSchema:
    """``signature.inputs``: all column specs or all tensor specs."""

    columns: tuple[ColSpec, ...] = ()
    tensors: tuple[TensorSpec, ...] = ()

    @property
    def is_tensor(self) -> bool:
        return bool(self.tensors)

    @property
    def has_names(self) -> bool:
        specs = self.tensors or self.columns
        return bool(specs) and specs[0].name is not None

    def names(self) -> list[str]:
        return [str(s.name) for s in (self.tensors or self.columns)]

    def required_names(self) -> list[str]:
        if self.tensors:
            return self.names()
        return [str(c.name) for c in self.columns if c.required]

    def optional_names(self) -> list[str]:
        return [str(c.name) for c in self.columns if not c.required]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str
    default: Any
    shape: tuple[int, ...] | None
    properties: ObjectType | None = None  #: for ``type: object`` params


def _type(spec: dict[str, Any]) -> TypeSpec:
    kind = spec["type"]
    if kind == "array":
        return ArrayType(_type(spec["items"]))
    if kind == "object":
        return ObjectType(
            tuple(
                Property(name, _type(prop), prop.get("required") is not False)
                for name, prop in spec["properties"].items()
            )
        )
    if kind == "map":
        return MapType(_type(spec["values"]))
    if kind in ("any", "sparkml_vector"):
        return AnyType()
    return str(kind)


def _col(spec: dict[str, Any]) -> ColSpec:
    kind = _type(spec)
    required = spec.get("required")
    if required is None:  # MLflow: scalars default to required, complex types to optional
        required = isinstance(kind, str)
    name = spec.get("name")
    return ColSpec(kind, None if name is None else str(name), bool(required))


def parse_inputs(text: str | None) -> InputSchema | None:
    """``signature.inputs`` (a JSON string; null or empty means no schema)."""
    if not text:
        return None
    specs = json.loads(text)
    if not specs:
        return None
    if specs[0].get("type") == "tensor":
        return InputSchema(
            tensors=tuple(
                TensorSpec(
                    str(s["tensor-spec"]["dtype"]),
                    tuple(int(d) for d in s["tensor-spec"]["shape"]),
                    None if s.get("name") is None else str(s["name"]),
                )
                for s in specs
            )
        )
    return InputSchema(columns=tuple(_col(s) for s in specs))


def parse_params(text: str | None) -> tuple[ParamSpec, ...] | None:
    """``signature.params`` (``dtype`` is the legacy spelling of ``type``)."""
    if not text:
        return None
    specs = json.loads(text)
    return tuple(
        ParamSpec(
            str(s["name"]),
            str(s.get("type") or s.get("dtype")),
            s.get("default"),
            None if s.get("shape") is None else tuple(int(d) for d in s["shape"]),
            _type(s) if s.get("type") == "object" else None,  # type: ignore[arg-type]
        )
        for s in specs
    )
