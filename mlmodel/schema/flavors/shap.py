"""The ``shap`` flavor (explainers)."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class ShapFlavor(MLmodelSchema):
    serialized_explainer: RelativePath = Field(description="explainer.shap")
    underlying_model_flavor: str = Field(
        description="sklearn, pytorch or unknown: how the model in underlying_model/ is loaded"
    )
    shap_version: Version | None = None
    code: RelativePath | None = None
