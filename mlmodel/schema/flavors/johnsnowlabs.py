"""The ``johnsnowlabs`` flavor (Spark NLP pipelines)."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class JohnSnowLabsFlavor(MLmodelSchema):
    model_data: RelativePath = Field(description="jsl-model: the persisted pipeline")
    pyspark_version: Version | None = None
    code: RelativePath | None = None
