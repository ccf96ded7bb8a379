"""The ``catboost`` flavor."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class CatBoostFlavor(MLmodelSchema):
    model_type: Literal["CatBoost", "CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker"] = (
        Field(description="the class the loader instantiates; any other name fails to load")
    )
    catboost_version: Version | None = None
    save_format: Literal["cbm", "coreml", "json", "cpp", "python", "onnx", "pmml"] | None = Field(
        default=None, description="format passed to CatBoost.load_model; MLflow writes cbm"
    )
    data: RelativePath | None = Field(default=None, description="model.cb (the default)")
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
