"""The ``h2o`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class H2OFlavor(MLmodelSchema):
    h2o_version: Version | None = None
    data: RelativePath | None = Field(
        default=None, description="model.h2o: folder with the model and h2o.yaml"
    )
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
