"""The ``keras`` flavor: Keras 3 models (2.11+) and 1.x ``mlflow.keras`` models."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class KerasFlavor(MLmodelSchema):
    data: RelativePath | None = Field(
        default=None, description="data: folder with model.keras (or the exported model)"
    )
    keras_version: Version | None = None
    keras_backend: str | None = Field(default=None, description="tensorflow, jax, torch... (3.x)")
    save_exported_model: bool | None = Field(
        default=None, description="true: a TF SavedModel export instead of model.keras"
    )
    keras_module: str | None = Field(default=None, description="1.x: keras or tensorflow.keras")
    save_format: Literal["tf", "h5", "keras"] | None = Field(
        default=None, description="1.x; missing means h5"
    )
