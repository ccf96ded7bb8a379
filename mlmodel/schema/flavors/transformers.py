"""The ``transformers`` flavor (Hugging Face pipelines)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class TransformersFlavor(MLmodelSchema):
    task: str = Field(description="the pipeline task, e.g. text-classification")
    pipeline_model_type: str = Field(
        description="class of the model, e.g. BertForSequenceClassification; every load reads it"
    )
    instance_type: str | None = Field(
        default=None, description="class of the pipeline, e.g. TextClassificationPipeline"
    )
    transformers_version: Version | None = None
    framework: Literal["pt", "tf"] | None = None
    torch_dtype: str | None = Field(default=None, description="e.g. torch.float32")
    source_model_name: str | None = Field(default=None, description="Hugging Face repo id")
    model_binary: RelativePath | None = Field(
        default=None, description="model: the saved weights (missing means the 2.3 layout)"
    )
    source_model_revision: str | None = Field(
        default=None, description="commit of the Hub model when saved without weights"
    )
    local_base_model_path: str | None = Field(
        default=None, description="PEFT: a base model path on the saving machine"
    )
    peft_adaptor: RelativePath | None = Field(default=None, description="peft: adapter folder")
    components: list[str] | None = Field(
        default=None, description="tokenizer, feature_extractor, image_processor"
    )
    processor_type: str | None = None
    prompt_template: str | None = None
    inference_task: Literal["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"] | None = None
    code: RelativePath | None = None
