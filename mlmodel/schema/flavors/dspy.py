"""The ``dspy`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath


class DSPyFlavor(MLmodelSchema):
    model_path: RelativePath | None = Field(
        default=None,
        description="data/model.pkl (the default), or data/model saved with dspy's own save",
    )
    inference_task: str | None = Field(default=None, description="e.g. llm/v1/chat")
    code: RelativePath | None = None
