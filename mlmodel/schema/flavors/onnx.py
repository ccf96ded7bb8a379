"""The ``onnx`` flavor."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class OnnxFlavor(MLmodelSchema):
    data: RelativePath = Field(description="model.onnx")
    onnx_version: Version | None = None
    providers: str | list[str | list[Any]] | None = Field(
        default=None,
        description="onnxruntime execution providers: names or [name, options] pairs",
    )
    onnx_session_options: dict[str, Any] | None = Field(
        default=None, description="onnxruntime SessionOptions settings (2.x+)"
    )
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
