"""The ``xgboost`` flavor."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class XGBoostFlavor(MLmodelSchema):
    data: RelativePath = Field(
        description="model.<model_format>; the loader joins it to the model directory"
    )
    xgb_version: Version | None = None
    model_class: str | None = Field(
        default=None,
        description="fully-qualified class (1.22+); missing means xgboost.core.Booster",
    )
    model_format: Literal["ubj", "xgb", "json", "deprecated"] | None = Field(
        default=None, description="ubj by default since 3.6, xgb 2.0-3.5; 1.x wrote no key"
    )
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
