"""The ``openai`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class OpenAIFlavor(MLmodelSchema):
    openai_version: Version | None = None
    data: RelativePath | None = Field(
        default=None, description="model.yaml: task and parameters (no secrets)"
    )
    code: RelativePath | None = None
