"""mlmodel: fast, strict tooling for MLflow's MLmodel format.

The top-level import is light: pydantic, ruamel.yaml and the checks load
only when a function that needs them is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "FileReport",
    "MLmodelDocument",
    "Model",
    "Severity",
    "ValidationResult",
    "__version__",
    "read_mlmodel",
    "validate_bytes",
    "validate_document",
    "validate_file",
    "validate_paths",
]

_LAZY = {
    "Diagnostic": "mlmodel.diagnostics",
    "Severity": "mlmodel.diagnostics",
    "FileReport": "mlmodel.api",
    "ValidationResult": "mlmodel.api",
    "validate_bytes": "mlmodel.api",
    "validate_file": "mlmodel.api",
    "validate_paths": "mlmodel.api",
    "MLmodelDocument": "mlmodel.yamlio.document",
    "Model": "mlmodel.runtime.model",
    "read_mlmodel": "mlmodel.yamlio.document",
    "validate_document": "mlmodel.yamlio.document",
}

if TYPE_CHECKING:
    from mlmodel.api import (
        FileReport,
        ValidationResult,
        validate_bytes,
        validate_file,
        validate_paths,
    )
    from mlmodel.diagnostics import Diagnostic, Severity
    from mlmodel.runtime.model import Model
    from mlmodel.yamlio.document import MLmodelDocument, read_mlmodel, validate_document


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mlmodel' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
