"""The MLmodel document as MLflow 3.18 writes it and as older versions wrote it."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Timestamp, Version
from mlmodel.schema.input_example import InputExampleInfo
from mlmodel.schema.signature import SignatureBlock


class Resources(MLmodelSchema):
    """Databricks resources a model depends on (2.13+)."""

    api_version: str | None = None
    databricks: dict[str, list[dict[str, Any]]] | None = None


class MLmodel(MLmodelSchema):
    """Top level of an MLmodel file. Unknown keys are accepted and kept."""

    flavors: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="flavor name -> that flavor's settings"
    )
    utc_time_created: Timestamp | None = Field(
        default=None, description="'YYYY-MM-DD HH:MM:SS.ffffff', naive UTC"
    )
    time_created: Timestamp | None = Field(
        default=None, description="legacy key from the 2018 documentation sample"
    )
    run_id: str | None = None
    artifact_path: str | None = Field(
        default=None, description="run-relative path (<=2.x) or artifact URI (3.x)"
    )
    model_uuid: str | None = None
    mlflow_version: Version | None = None
    model_id: str | None = Field(default=None, description="m-<32 hex> (3.x)")
    prompts: list[str] | None = None
    signature: SignatureBlock | None = None
    is_signature_from_type_hint: bool | None = None
    type_hint_from_example: bool | None = None
    saved_input_example_info: InputExampleInfo | None = None
    databricks_runtime: Version | None = None
    metadata: dict[str, Any] | None = None
    model_size_bytes: int | None = None
    resources: Resources | None = None
    env_vars: list[str] | None = None
    auth_policy: dict[str, Any] | None = None


__all__ = ["MLmodel", "RelativePath", "Resources"]
