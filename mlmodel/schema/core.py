"""pydantic-core's compiled validators, loaded without the typing-heavy half of the package.

``import pydantic_core`` runs the package's ``__init__``, which imports ``core_schema`` (the
TypedDicts of every schema type) and ``typing_extensions``: about a fifth of a cold
``mlmodel validate``, and nothing the validation path needs, since it builds validators
from precompiled plain-data schemas. So the extension module ``pydantic_core._pydantic_core``
is loaded here from the installed package's folder, under its own name: a later
``import pydantic_core`` (lint, the pydantic models) finds it in ``sys.modules`` and reuses
it. When the package is already imported, or its layout is not the one expected, the
ordinary import is used: same classes, only slower to start.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING

__all__ = ["SchemaError", "SchemaValidator", "ValidationError", "pydantic_core_version"]

_EXTENSION = "pydantic_core._pydantic_core"


def _load_extension() -> ModuleType:
    loaded = sys.modules.get(_EXTENSION)
    if loaded is not None:
        return loaded
    if "pydantic_core" not in sys.modules:
        try:
            return _load_alone()
        except Exception:  # noqa: BLE001 - any surprise: the ordinary import below
            sys.modules.pop(_EXTENSION, None)
    import pydantic_core._pydantic_core as extension

    return extension


def _load_alone() -> ModuleType:
    import importlib.machinery
    import importlib.util
    from pathlib import Path

    package = importlib.util.find_spec("pydantic_core")
    if package is None or not package.submodule_search_locations:
        raise ImportError("pydantic_core is not installed")
    for folder in package.submodule_search_locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            candidate = Path(folder) / f"_pydantic_core{suffix}"
            if not candidate.is_file():
                continue
            loader = importlib.machinery.ExtensionFileLoader(_EXTENSION, str(candidate))
            spec = importlib.util.spec_from_file_location(_EXTENSION, candidate, loader=loader)
            if spec is None:
                continue
            module = importlib.util.module_from_spec(spec)
            sys.modules[_EXTENSION] = module
            loader.exec_module(module)
            return module
    raise ImportError("no pydantic_core extension module found")


if TYPE_CHECKING:
    from pydantic_core import SchemaError, SchemaValidator, ValidationError
    from pydantic_core import __version__ as pydantic_core_version
else:
    _extension = _load_extension()
    SchemaError = _extension.SchemaError
    SchemaValidator = _extension.SchemaValidator
    ValidationError = _extension.ValidationError
    pydantic_core_version: str = _extension.__version__
