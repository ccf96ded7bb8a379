"""The ``paddle`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class PaddleFlavor(MLmodelSchema):
    pickled_model: str = Field(
        description="path prefix of the saved files (model -> model.pdmodel, model.pdiparams)"
    )
    paddle_version: Version | None = None
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
