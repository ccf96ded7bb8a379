"""The ``mleap`` flavor (removed in MLflow 3.0; read by MLflow's Java scoring)."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class MLeapFlavor(MLmodelSchema):
    mleap_version: Version | None = None
    model_data: RelativePath | None = Field(default=None, description="mleap/model: the bundle")
