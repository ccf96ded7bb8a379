"""The ``fastai`` flavor (removed in MLflow 3.0)."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class FastaiFlavor(MLmodelSchema):
    fastai_version: Version | None = None
    data: RelativePath | None = Field(default=None, description="model.fastai: exported learner")
    code: RelativePath | None = None
