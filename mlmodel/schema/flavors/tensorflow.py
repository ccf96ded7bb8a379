"""The ``tensorflow`` flavor (TensorFlow SavedModels and tf.keras models)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class TensorFlowFlavor(MLmodelSchema):
    model_type: Literal["keras", "tf2-module", "tf1-estimator"] | None = Field(
        default=None,
        description="missing means keras when a keras flavor is present, else tf1-estimator",
    )
    data: RelativePath | None = Field(default=None, description="data (keras models)")
    keras_version: Version | None = None
    save_format: Literal["tf", "h5", "keras"] | None = Field(
        default=None, description="keras models; missing means h5"
    )
    saved_model_dir: RelativePath | None = Field(
        default=None, description="tf2model (tf2-module) or the SavedModel of a tf1-estimator"
    )
    meta_graph_tags: list[str] | None = Field(
        default=None, description="tf1-estimator: tags of the meta graph to load"
    )
    signature_def_key: str | None = Field(
        default=None, description="tf1-estimator: the signature used for predict"
    )
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(default=None, description="3.x")
