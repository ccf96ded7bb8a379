"""The ``sklearn`` flavor."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class ExtraFile(MLmodelSchema):
    path: RelativePath


class SklearnFlavor(MLmodelSchema):
    pickled_model: RelativePath = Field(description="model.pkl or model.skops")
    sklearn_version: Version | None = None
    serialization_format: Literal["pickle", "cloudpickle", "skops"] | None = Field(
        default=None, description="missing means pickle"
    )
    skops_trusted_types: list[str] | None = Field(default=None, description="3.9+")
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = None
