"""The signature: ``inputs``/``outputs``/``params`` JSON strings and the specs inside them.

Which keys MLflow refuses follows ``mlflow/types/schema.py``: a scalar column spec is built
with ``ColSpec(**spec)``, so any key besides ``type``/``name``/``required`` fails (the legacy
``optional`` among them); every other spec reads the keys it knows and ignores the rest.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from mlmodel.schema.base import ClosedSchema, MLmodelSchema

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
    ScalarType | ArrayType | ObjectType | MapType | AnyType | SparkVectorType,
    Field(discriminator="type"),
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
    ScalarProperty
    | ArrayProperty
    | ObjectProperty
    | MapProperty
    | AnyProperty
    | SparkVectorProperty,
    Field(discriminator="type"),
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


Spec = Annotated[
    ScalarColSpec
    | ArrayColSpec
    | ObjectColSpec
    | MapColSpec
    | AnyColSpec
    | SparkVectorColSpec
    | TensorSpec,
    Field(discriminator="type"),
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
