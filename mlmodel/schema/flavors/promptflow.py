"""The ``promptflow`` flavor (removed in MLflow 3.7)."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class PromptflowFlavor(MLmodelSchema):
    version: Version | None = Field(default=None, description="promptflow version")
    entry: RelativePath | None = Field(default=None, description="flow/flow.dag.yaml")
    python_requirements_txt: RelativePath | None = Field(
        default=None, description="from the flow's environment section"
    )
