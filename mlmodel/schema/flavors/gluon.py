"""The ``gluon`` flavor (MXNet Gluon; removed in MLflow 2.20)."""

from __future__ import annotations

from mlmodel.schema.base import MLmodelSchema, RelativePath, Version


class GluonFlavor(MLmodelSchema):
    mxnet_version: Version | None = None
    code: RelativePath | None = None
