"""mlmodel: fast, strict tooling for MLflow's MLmodel format.

The public API, one typed function per command, each returning a dataclass:

* validate: :func:`validate_paths` / :func:`validate_file` / :func:`validate_bytes` /
  :func:`validate_document` -> :class:`ValidationResult`, :class:`FileReport`;
* lint: :func:`lint_paths` (:class:`LintOptions`) -> :class:`LintResult`;
* inspect: :func:`inspect_model` -> :class:`Inspection`;
* convert: :func:`convert_model` -> :class:`ConversionResult`;
* schema: :func:`document_schema`, :func:`flavor_schema`, :func:`list_flavors`
  (:class:`FlavorInfo`);
* round-trip editing: :func:`read_mlmodel` -> :class:`MLmodelDocument`;
* errors: every exception is an :class:`MLModelError` (see :mod:`mlmodel.errors`).

The top-level import is light: pydantic, ruamel.yaml and the checks load only when a function
that needs them is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> (module, attribute)
_LAZY: dict[str, tuple[str, str]] = {
    "ConversionResult": ("mlmodel.convert", "ConversionResult"),
    "Diagnostic": ("mlmodel.diagnostics", "Diagnostic"),
    "EditError": ("mlmodel.errors", "EditError"),
    "FileReport": ("mlmodel.results", "FileReport"),
    "FlavorInfo": ("mlmodel.json_schema", "FlavorInfo"),
    "InvalidModelError": ("mlmodel.errors", "InvalidModelError"),
    "Inspection": ("mlmodel.inspection", "Inspection"),
    "LintOptions": ("mlmodel.lint.engine", "LintOptions"),
    "LintResult": ("mlmodel.lint.engine", "LintResult"),
    "MLModelError": ("mlmodel.errors", "MLModelError"),
    "MLmodelDocument": ("mlmodel.yamlio.document", "MLmodelDocument"),
    "MissingDependencyError": ("mlmodel.errors", "MissingDependencyError"),
    "Model": ("mlmodel.runtime.model", "Model"),
    "ModelNotFoundError": ("mlmodel.errors", "ModelNotFoundError"),
    "ParseError": ("mlmodel.errors", "ParseError"),
    "SchemaEnforcementError": ("mlmodel.errors", "SchemaEnforcementError"),
    "Severity": ("mlmodel.diagnostics", "Severity"),
    "UnsafeModelError": ("mlmodel.errors", "UnsafeModelError"),
    "UsageError": ("mlmodel.errors", "UsageError"),
    "ValidationResult": ("mlmodel.results", "ValidationResult"),
    "convert_model": ("mlmodel.convert", "convert"),
    "document_schema": ("mlmodel.json_schema", "document_schema"),
    "flavor_schema": ("mlmodel.json_schema", "flavor_schema"),
    "inspect_model": ("mlmodel.inspection", "inspect_model"),
    "lint_paths": ("mlmodel.lint.engine", "lint_paths"),
    "list_flavors": ("mlmodel.json_schema", "list_flavors"),
    "read_mlmodel": ("mlmodel.reading", "read_mlmodel"),
    "validate_bytes": ("mlmodel.api", "validate_bytes"),
    "validate_document": ("mlmodel.api", "validate_document"),
    "validate_file": ("mlmodel.api", "validate_file"),
    "validate_paths": ("mlmodel.api", "validate_paths"),
}

__all__ = [
    "ConversionResult",
    "Diagnostic",
    "EditError",
    "FileReport",
    "FlavorInfo",
    "Inspection",
    "InvalidModelError",
    "LintOptions",
    "LintResult",
    "MLModelError",
    "MLmodelDocument",
    "MissingDependencyError",
    "Model",
    "ModelNotFoundError",
    "ParseError",
    "SchemaEnforcementError",
    "Severity",
    "UnsafeModelError",
    "UsageError",
    "ValidationResult",
    "__version__",
    "convert_model",
    "document_schema",
    "flavor_schema",
    "inspect_model",
    "lint_paths",
    "list_flavors",
    "read_mlmodel",
    "validate_bytes",
    "validate_document",
    "validate_file",
    "validate_paths",
]

if TYPE_CHECKING:
    from mlmodel.api import validate_bytes, validate_document, validate_file, validate_paths
    from mlmodel.convert import ConversionResult
    from mlmodel.convert import convert as convert_model
    from mlmodel.diagnostics import Diagnostic, Severity
    from mlmodel.errors import (
        EditError,
        InvalidModelError,
        MissingDependencyError,
        MLModelError,
        ModelNotFoundError,
        ParseError,
        SchemaEnforcementError,
        UnsafeModelError,
        UsageError,
    )
    from mlmodel.inspection import Inspection, inspect_model
    from mlmodel.json_schema import FlavorInfo, document_schema, flavor_schema, list_flavors
    from mlmodel.lint.engine import LintOptions, LintResult, lint_paths
    from mlmodel.reading import read_mlmodel
    from mlmodel.results import FileReport, ValidationResult
    from mlmodel.runtime.model import Model
    from mlmodel.yamlio.document import MLmodelDocument


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'mlmodel' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
