"""The ``langchain`` flavor."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class LangChainFlavor(MLmodelSchema):
    langchain_version: Version | None = None
    streamable: bool | None = None
    code: RelativePath | None = None
    model_code_path: str | None = Field(
        default=None, description="models-from-code script (absolute path at save time)"
    )
    config: str | dict[str, Any] | None = Field(
        default=None, description="model_config, or the path of its file (basename used)"
    )
    model_type: str | None = Field(default=None, description="class of a serialised chain")
    model_data: RelativePath | None = Field(
        default=None, description="model.yaml, model.pkl or model/ (serialised chains)"
    )
    model_load: Literal["runnable_load", "base_load"] | None = Field(
        default=None, description="how a serialised chain is loaded"
    )
    agent_data: RelativePath | None = Field(default=None, description="agent.yaml")
    tools_data: RelativePath | None = Field(default=None, description="tools.pkl")
    agent_primitive_data: RelativePath | None = Field(
        default=None, description="agent_primitive_args.json"
    )
    loader_fn: RelativePath | None = Field(default=None, description="loader_fn.pkl")
    loader_arg: str | None = Field(default=None, description="argument name of loader_fn")
    persist_dir: RelativePath | None = Field(default=None, description="persist_dir_data")
