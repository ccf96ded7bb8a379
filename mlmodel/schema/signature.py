"""The signature: ``inputs``/``outputs``/``params`` JSON strings and the specs inside them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from mlmodel.schema.base import ClosedSchema, MLmodelSchema

SCALAR_TYPES = (
    "boolean", "integer", "long", "float", "double", "string", "binary", "datetime",
)
COLUMN_TYPES = (*SCALAR_TYPES, "array", "object", "map", "any", "sparkml_vector")
PARAM_TYPES = (*(t for t in SCALAR_TYPES if t != "binary"), "object")

ScalarTypeName = Literal[
    "boolean", "integer", "long", "float", "double", "string", "binary", "datetime"
]
ColumnName = str | int


class SignatureBlock(MLmodelSchema):
    """``signature:`` in MLmodel: each part is a JSON string (or null)."""

    inputs: str | None = Field(default=None, description="JSON array of input specs")
    outputs: str | None = Field(default=None, description="JSON array of output specs")
    params: str | None = Field(default=None, description="JSON array of param specs (2.6+)")


# -- nested type dicts (inside items / values / properties) -------------------------------


class ScalarType(ClosedSchema):
    type: ScalarTypeName


class ArrayType(ClosedSchema):
    type: Literal["array"]
    items: DataType


class Property(ClosedSchema):
    """One property of an object type; like a type dict plus ``required``."""

    type: str
    items: DataType | None = None
    properties: dict[str, Property] | None = None
    values: DataType | None = None
    required: bool | None = None


class ObjectType(ClosedSchema):
    type: Literal["object"]
    properties: Annotated[dict[str, Property], Field(min_length=1)]


class MapType(ClosedSchema):
    type: Literal["map"]
    values: DataType


class AnyType(ClosedSchema):
    type: Literal["any"]


class SparkVectorType(ClosedSchema):
    type: Literal["sparkml_vector"]


def _type_tag(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if kind in SCALAR_TYPES:
        return "scalar"
    return kind if isinstance(kind, str) else None


DataType = Annotated[
    Annotated[ScalarType, Tag("scalar")]
    | Annotated[ArrayType, Tag("array")]
    | Annotated[ObjectType, Tag("object")]
    | Annotated[MapType, Tag("map")]
    | Annotated[AnyType, Tag("any")]
    | Annotated[SparkVectorType, Tag("sparkml_vector")],
    Discriminator(_type_tag),
]


# -- column specs -------------------------------------------------------------------------


class _Column(ClosedSchema):
    name: ColumnName | None = None
    required: bool | None = None


class ScalarColSpec(_Column):
    type: ScalarTypeName


class ArrayColSpec(_Column):
    type: Literal["array"]
    items: DataType


class ObjectColSpec(_Column):
    type: Literal["object"]
    properties: Annotated[dict[str, Property], Field(min_length=1)]


class MapColSpec(_Column):
    type: Literal["map"]
    values: DataType


class AnyColSpec(_Column):
    type: Literal["any"]


class SparkVectorColSpec(_Column):
    type: Literal["sparkml_vector"]


class TensorInfo(ClosedSchema):
    dtype: str
    shape: list[int]


class TensorSpec(ClosedSchema):
    name: str | None = None
    type: Literal["tensor"]
    tensor_spec: TensorInfo = Field(alias="tensor-spec")


def _spec_tag(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if kind == "tensor":
        return "tensor"
    return _type_tag(value)


Spec = Annotated[
    Annotated[ScalarColSpec, Tag("scalar")]
    | Annotated[ArrayColSpec, Tag("array")]
    | Annotated[ObjectColSpec, Tag("object")]
    | Annotated[MapColSpec, Tag("map")]
    | Annotated[AnyColSpec, Tag("any")]
    | Annotated[SparkVectorColSpec, Tag("sparkml_vector")]
    | Annotated[TensorSpec, Tag("tensor")],
    Discriminator(_spec_tag),
]

SpecList = Annotated[list[Spec], Field(min_length=1)]


class ParamSpec(ClosedSchema):
    """One entry of ``signature.params``; ``dtype`` is the legacy spelling of ``type``."""

    name: str
    default: Any
    shape: list[int] | None = None
    type: str | None = None
    dtype: str | None = None
    properties: dict[str, Property] | None = None


ParamList = list[ParamSpec]
