"""mlmodel: fast, strict tooling for MLflow's MLmodel format.

The public API, one typed function per command, each returning a dataclass:

* validate: :func:`validate_paths` / :func:`validate_file` / :func:`validate_bytes` /
  :func:`validate_document` -> :class:`ValidationResult`, :class:`FileReport`;
* lint: :func:`lint_paths` (:class:`LintOptions`) -> :class:`LintResult`;
* inspect: :func:`inspect_model` -> :class:`Inspection`;
* convert: :func:`convert_model` -> :class:`ConversionResult`;
* schema: :func:`document_schema`, :func:`flavor_schema`, :func:`list_flavors`
  (:class:`FlavorInfo`);
* round-trip editing: :func:`read_mlmodel` -> :class:`MLmodelDocument`.

The top-level import is light: pydantic, ruamel.yaml and the checks load only when a function
that needs them is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> (module, attribute)
_LAZY: dict[str, tuple[str, str]] = {
    "ConversionResult": ("mlmodel.checking.convert", "ConversionResult"),
    "Diagnostic": ("mlmodel.core.diagnostics", "Diagnostic"),
    "EditError": ("mlmodel.core.errors", "EditError"),
    "FileReport": ("mlmodel.core.results", "FileReport"),
    "FlavorInfo": ("mlmodel.checking.json_schema", "FlavorInfo"),
    "Inspection": ("mlmodel.checking.inspection", "Inspection"),
    "LintOptions": ("mlmodel.checking.lint.engine", "LintOptions"),
    "LintResult": ("mlmodel.checking.lint.engine", "LintResult"),
    "MLModelError": ("mlmodel.core.errors", "MLModelError"),
    "MLmodelDocument": ("mlmodel.yamlio.document", "MLmodelDocument"),
    "Model": ("mlmodel.runtime.document.model", "Model"),
    "ParseError": ("mlmodel.core.errors", "ParseError"),
    "Severity": ("mlmodel.core.diagnostics", "Severity"),
    "UsageError": ("mlmodel.core.errors", "UsageError"),
    "ValidationResult": ("mlmodel.core.results", "ValidationResult"),
    "convert_model": ("mlmodel.checking.convert", "convert"),
    "document_schema": ("mlmodel.checking.json_schema", "document_schema"),
    "flavor_schema": ("mlmodel.checking.json_schema", "flavor_schema"),
    "inspect_model": ("mlmodel.checking.inspection", "inspect_model"),
    "lint_paths": ("mlmodel.checking.lint.engine", "lint_paths"),
    "list_flavors": ("mlmodel.checking.json_schema", "list_flavors"),
    "read_mlmodel": ("mlmodel.checking.reading", "read_mlmodel"),
    "validate_bytes": ("mlmodel.checking.validate", "validate_bytes"),
    "validate_document": ("mlmodel.checking.validate", "validate_document"),
    "validate_file": ("mlmodel.checking.validate", "validate_file"),
    "validate_paths": ("mlmodel.checking.validate", "validate_paths"),
}

__all__ = [
    "ConversionResult",
    "Diagnostic",
    "EditError",
    "FileReport",
    "FlavorInfo",
    "Inspection",
    "LintOptions",
    "LintResult",
    "MLModelError",
    "MLmodelDocument",
    "Model",
    "ParseError",
    "Severity",
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
    from mlmodel.checking.convert import ConversionResult
    from mlmodel.checking.convert import convert as convert_model
    from mlmodel.checking.inspection import Inspection, inspect_model
    from mlmodel.checking.json_schema import (
        FlavorInfo,
        document_schema,
        flavor_schema,
        list_flavors,
    )
    from mlmodel.checking.lint.engine import LintOptions, LintResult, lint_paths
    from mlmodel.checking.reading import read_mlmodel
    from mlmodel.checking.validate import (
        validate_bytes,
        validate_document,
        validate_file,
        validate_paths,
    )
    from mlmodel.core.diagnostics import Diagnostic, Severity
    from mlmodel.core.errors import EditError, MLModelError, ParseError, UsageError
    from mlmodel.core.results import FileReport, ValidationResult
    from mlmodel.runtime.document.model import Model
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
