"""The signature: ``inputs``/``outputs``/``params`` JSON strings and the specs inside them.

Which keys MLflow refuses follows ``mlflow/types/schema.py``: a scalar column spec is built
with ``ColSpec(**spec)``, so any key besides ``type``/``name``/``required`` fails (the legacy
``optional`` among them); every other spec reads the keys it knows and ignores the rest.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag

from mlmodel.schema.base import ClosedSchema, MLmodelSchema

SCALAR_TYPES = (
    "boolean", "integer", "long", "float", "double", "string", "binary", "datetime",
)
COLUMN_TYPES = (*SCALAR_TYPES, "array", "object", "map", "any", "sparkml_vector")
PARAM_TYPES = (*(t for t in SCALAR_TYPES if t != "binary"), "object")

ScalarTypeName = Literal[
    "boolean", "integer", "long", "float", "double", "string", "binary", "datetime"
]


class SignatureBlock(MLmodelSchema):
    """``signature:`` in MLmodel: each part is a JSON string (or null)."""

    inputs: str | None = Field(default=None, description="JSON array of input specs")
    outputs: str | None = Field(default=None, description="JSON array of output specs")
    params: str | None = Field(default=None, description="JSON array of param specs (2.6+)")


class _Spec(MLmodelSchema):
    """Spec parts MLflow reads by key: unknown keys are ignored, as MLflow ignores them."""

    model_config = ConfigDict(extra="ignore")


def _type_tag(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if kind in SCALAR_TYPES:
        return "scalar"
    return kind if isinstance(kind, str) else None


# -- nested type dicts (inside items / values) ---------------------------------------------


class ScalarType(_Spec):
    type: ScalarTypeName


class ArrayType(_Spec):
    type: Literal["array"]
    items: DataType


class ObjectType(_Spec):
    type: Literal["object"]
    properties: Properties


class MapType(_Spec):
    type: Literal["map"]
    values: DataType


class AnyType(_Spec):
    type: Literal["any"]


class SparkVectorType(_Spec):
    type: Literal["sparkml_vector"]


DataType = Annotated[
    Annotated[ScalarType, Tag("scalar")]
    | Annotated[ArrayType, Tag("array")]
    | Annotated[ObjectType, Tag("object")]
    | Annotated[MapType, Tag("map")]
    | Annotated[AnyType, Tag("any")]
    | Annotated[SparkVectorType, Tag("sparkml_vector")],
    Discriminator(_type_tag),
]


# -- object properties: a type dict plus ``required`` --------------------------------------


class _Required(_Spec):
    required: bool | None = None


class ScalarProperty(ScalarType, _Required):
    pass


class ArrayProperty(ArrayType, _Required):
    pass


class ObjectProperty(ObjectType, _Required):
    pass


class MapProperty(MapType, _Required):
    pass


class AnyProperty(AnyType, _Required):
    pass


class SparkVectorProperty(SparkVectorType, _Required):
    pass


Property = Annotated[
    Annotated[ScalarProperty, Tag("scalar")]
    | Annotated[ArrayProperty, Tag("array")]
    | Annotated[ObjectProperty, Tag("object")]
    | Annotated[MapProperty, Tag("map")]
    | Annotated[AnyProperty, Tag("any")]
    | Annotated[SparkVectorProperty, Tag("sparkml_vector")],
    Discriminator(_type_tag),
]
Properties = Annotated[dict[str, Property], Field(min_length=1)]


# -- column specs -------------------------------------------------------------------------


class ScalarColSpec(ClosedSchema):
    """Built with ``ColSpec(**spec)`` by MLflow: no other keys allowed."""

    type: ScalarTypeName
    name: Any = None
    required: bool | None = None


class _Column(_Required):
    name: Any = None


class ArrayColSpec(ArrayType, _Column):
    pass


class ObjectColSpec(ObjectType, _Column):
    pass


class MapColSpec(MapType, _Column):
    pass


class AnyColSpec(AnyType, _Column):
    pass


class SparkVectorColSpec(SparkVectorType, _Column):
    pass


class TensorInfo(_Spec):
    dtype: str
    shape: list[int]


class TensorSpec(_Spec):
    name: Any = None
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


class ParamSpec(_Spec):
    """One entry of ``signature.params``; ``dtype`` is the legacy spelling of ``type``."""

    name: Any
    default: Any
    shape: list[int] | None = None
    type: str | None = None
    dtype: str | None = None
    properties: Properties | None = None


ParamList = list[ParamSpec]
