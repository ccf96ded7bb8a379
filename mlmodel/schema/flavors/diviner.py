"""The ``diviner`` flavor (removed in MLflow 3.7)."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class DivinerFlavor(MLmodelSchema):
    model_type: str = Field(description="diviner class, e.g. GroupedProphet")
    diviner_version: Version | None = None
    data: RelativePath | None = Field(default=None, description="model.div")
    fit_with_spark: bool | None = Field(
        default=None, description="true: saved through Spark (no pyfunc loading)"
    )
    code: RelativePath | None = None
