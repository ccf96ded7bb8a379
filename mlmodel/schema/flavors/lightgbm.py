"""The ``lightgbm`` flavor."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class LightGBMFlavor(MLmodelSchema):
    data: RelativePath = Field(
        description="model.lgb (Booster, native text) or model.pkl / model.skops (sklearn API)"
    )
    lgb_version: Version | None = None
    model_class: str | None = Field(
        default=None,
        description="fully-qualified class (1.23+); missing means lightgbm.basic.Booster",
    )
    serialization_format: Literal["pickle", "cloudpickle", "skops"] | None = Field(
        default=None, description="sklearn-API models only (3.9+); missing means cloudpickle"
    )
    skops_trusted_types: list[str] | None = Field(default=None, description="3.9+")
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
