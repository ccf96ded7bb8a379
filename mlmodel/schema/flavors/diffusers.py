"""The ``diffusers`` flavor (LoRA adapters for a base diffusion model, 3.x)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class DiffusersFlavor(MLmodelSchema):
    base_model: str = Field(description="Hugging Face repo id or path of the base pipeline")
    adapter_type: Literal["lora"] = Field(description="only lora is supported")
    adapter_weights: RelativePath = Field(description="adapter_weights: the adapter folder")
    base_model_revision: str | None = Field(default=None, description="commit of the base model")
    weight_name: str | None = Field(
        default=None, description="weights file in adapter_weights/ when not the standard name"
    )
    diffusers_version: Version | None = None
    code: RelativePath | None = None
