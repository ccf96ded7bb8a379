"""The ``pytorch`` flavor."""

from __future__ import annotations

from pydantic import Field

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version
from mlmodel.schema.flavors.sklearn import ExtraFile


class RequirementsFile(MLmodelSchema):
    path: RelativePath


class PyTorchFlavor(MLmodelSchema):
    model_data: RelativePath = Field(
        description="folder with model.pth + pickle_module_info.txt, or model.pt2 (3.11+)"
    )
    pytorch_version: Version = Field(description="compared with the installed torch on load")
    code: RelativePath | None = None
    extra_files: list[ExtraFile] | None = Field(
        default=None, description="extra_files/<name> (TorchServe files in 1.x-2.x, any in 3.x)"
    )
    requirements_file: RequirementsFile | None = Field(
        default=None, description="TorchServe requirements (1.x-2.x, removed in 3.0)"
    )
