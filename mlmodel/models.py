"""The model document, signatures and their inference: ``mlmodel.models`` mirrors
``mlflow.models`` (``Model``, ``ModelSignature``, ``infer_signature``)."""

from __future__ import annotations

from mlmodel.runtime.document.model import Model
from mlmodel.runtime.document.signature import ModelSignature, ParamSchema, Schema
from mlmodel.runtime.document.signature_infer import SignatureInferenceError, infer_signature

__all__ = [
    "Model",
    "ModelSignature",
    "ParamSchema",
    "Schema",
    "SignatureInferenceError",
    "infer_signature",
]
