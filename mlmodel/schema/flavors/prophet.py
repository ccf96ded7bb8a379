"""The ``prophet`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class ProphetFlavor(MLmodelSchema):
    prophet_version: Version | None = None
    model_type: str | None = Field(default=None, description="class name, e.g. Prophet")
    data: RelativePath | None = Field(
        default=None, description="model.pr: JSON from prophet's serializer"
    )
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
