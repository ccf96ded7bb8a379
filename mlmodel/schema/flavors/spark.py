"""The ``spark`` flavor (Spark MLlib models)."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class SparkFlavor(MLmodelSchema):
    model_data: RelativePath = Field(description="sparkml: the persisted Spark ML model")
    pyspark_version: Version | None = None
    model_class: str | None = Field(
        default=None, description="e.g. pyspark.ml.pipeline.PipelineModel (2.x+)"
    )
    code: RelativePath | None = None
