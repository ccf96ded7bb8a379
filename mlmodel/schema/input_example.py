"""``saved_input_example_info``: where the input example is and how to decode it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath


class InputExampleInfo(MLmodelSchema):
    artifact_path: RelativePath = Field(description="the example file, input_example.json")
    type: Literal[
        "dataframe", "ndarray", "json_object", "sparse_matrix_csc", "sparse_matrix_csr"
    ] = Field(description="how to decode the example file")
    pandas_orient: Literal["split", "values", "records", "index", "columns", "table"] | None = None
    serving_input_path: RelativePath | None = Field(
        default=None, description="ready-to-POST payload (2.15+)"
    )
    params: str | bool | None = Field(
        default=None, description="the string 'true' when the file bundles params (2.8+)"
    )
    format: Literal["tf-serving"] | None = Field(
        default=None, description="legacy ndarray wrapper (1.15-2.15)"
    )
