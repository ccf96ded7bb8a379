"""The ``sentence_transformers`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class SentenceTransformersFlavor(MLmodelSchema):
    sentence_transformers_version: Version | None = None
    source_model_name: str | None = Field(default=None, description="Hugging Face repo id")
    pipeline_model_type: str | None = Field(default=None, description="underlying model class")
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
