"""The ``llama_index`` flavor."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class LlamaIndexFlavor(MLmodelSchema):
    llama_index_version: Version | None = None
    engine_type: Literal["query", "chat", "retriever"] | None = Field(
        default=None, description="engine built from an index; null for other objects"
    )
    code: RelativePath | None = None
