"""The ``statsmodels`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class StatsmodelsFlavor(MLmodelSchema):
    statsmodels_version: Version | None = None
    data: RelativePath | None = Field(
        default=None, description="model.statsmodels: the pickled results"
    )
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
