"""The ``python_function`` (pyfunc) flavor: how generic tools load and call the model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class EnvFiles(MLmodelSchema):
    """``env`` as MLflow 2.0+ writes it."""

    conda: RelativePath | None = Field(default=None, description="conda.yaml")
    virtualenv: RelativePath | None = Field(default=None, description="python_env.yaml")


class ArtifactRef(MLmodelSchema):
    path: RelativePath = Field(description="the artifact inside the model, artifacts/<file>")
    uri: str | None = Field(default=None, description="where it was logged from")


class PythonFunctionFlavor(MLmodelSchema):
    loader_module: str = Field(description="module exposing _load_pyfunc(path[, config])")
    python_version: Version | None = Field(default=None, description="X.Y.Z at save time")
    data: RelativePath | None = Field(
        default=None, description="file or folder passed to _load_pyfunc"
    )
    code: RelativePath | None = Field(default=None, description="folder put on sys.path")
    env: RelativePath | EnvFiles | None = Field(
        default=None, description="conda file path (1.x) or {conda, virtualenv} (2.0+)"
    )
    predict_fn: str | None = Field(default=None, description="method called by predict")
    config: dict[str, Any] | None = Field(default=None, description="model_config (2.8+)")
    streamable: bool | None = None
    predict_stream_fn: str | None = None
    model_code_path: str | None = Field(
        default=None, description="models-from-code script (absolute path at save time)"
    )
    python_model: RelativePath | None = Field(default=None, description="cloudpickled model")
    cloudpickle_version: Version | None = None
    python_model_compression: Literal["lzma", "bzip2", "gzip"] | None = None
    artifacts: dict[str, ArtifactRef] | None = None
    model_path: RelativePath | None = Field(
        default=None, description="model file used by the sklearn, paddle and shap loaders"
    )
