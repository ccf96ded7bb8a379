"""The ``spacy`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class SpacyFlavor(MLmodelSchema):
    spacy_version: Version | None = None
    data: RelativePath | None = Field(
        default=None, description="model.spacy: folder of the saved pipeline"
    )
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
