"""The ``pmdarima`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class PmdarimaFlavor(MLmodelSchema):
    pmdarima_version: Version | None = None
    model_type: str | None = Field(default=None, description="class name, e.g. ARIMA")
    data: RelativePath | None = Field(default=None, description="model.pmd: the pickled model")
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
