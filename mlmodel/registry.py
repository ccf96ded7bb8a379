"""Known flavors: their schema and the paths their settings point to.

Schemas are named as ``"module:Class"`` and imported only when a document
uses that flavor, so a cold ``mlmodel validate`` builds only what it needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import SchemaValidator

PathKind = Literal["file", "dir", "any"]


@dataclass(frozen=True, slots=True)
class PathRef:
    """A key (``*`` matches every entry of a mapping or list) holding a model-relative path."""

    key: tuple[str, ...]
    kind: PathKind = "any"
    basename_only: bool = False
    when: Callable[[Mapping[str, Any]], bool] | None = None


@dataclass(frozen=True, slots=True)
class FlavorSpec:
    name: str
    schema: str
    paths: tuple[PathRef, ...] = field(default=())
    summary: str = ""

    def load_schema(self) -> type[BaseModel]:
        """The pydantic model of this flavor's settings."""
        return _import(self.schema)

    def validator(self) -> SchemaValidator:
        """A validator for the settings: precompiled for built-ins, else built from the model."""
        return _validator(self.name, self.schema)


@cache
def _validator(name: str, schema: str) -> SchemaValidator:
    from mlmodel.schema.compiled import SOURCES

    compiled = f"flavor:{name}"
    if SOURCES.get(compiled) == schema:
        from mlmodel.schema.compiled import validator

        return validator(compiled)
    from pydantic_core import SchemaValidator

    model = _import(schema)
    model.model_rebuild()
    return SchemaValidator(model.__pydantic_core_schema__)


@cache
def _import(target: str) -> type[BaseModel]:
    module_name, _, attr = target.partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module_name), attr)
    return model


def _loader_is(*modules: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda config: config.get("loader_module") in modules


#: paths at the top level of the document that point into the model directory.
DOCUMENT_PATHS: tuple[tuple[str, ...], ...] = (
    ("saved_input_example_info", "artifact_path"),
    ("saved_input_example_info", "serving_input_path"),
)

BUILTIN_FLAVORS: dict[str, FlavorSpec] = {
    "python_function": FlavorSpec(
        name="python_function",
        schema="mlmodel.schema.flavors.python_function:PythonFunctionFlavor",
        summary="generic Python loading and predict (pyfunc)",
        paths=(
            PathRef(("data",)),
            PathRef(("code",), "dir"),
            PathRef(("env",), "file"),
            PathRef(("env", "conda"), "file"),
            PathRef(("env", "virtualenv"), "file"),
            PathRef(("python_model",), "file"),
            PathRef(("artifacts", "*", "path")),
            PathRef(("model_path",), "file", when=_loader_is("mlflow.sklearn")),
            PathRef(("model_code_path",), "file", basename_only=True),
        ),
    ),
    "sklearn": FlavorSpec(
        name="sklearn",
        schema="mlmodel.schema.flavors.sklearn:SklearnFlavor",
        summary="scikit-learn estimators",
        paths=(
            PathRef(("pickled_model",), "file"),
            PathRef(("code",), "dir"),
            PathRef(("extra_files", "*", "path"), "file"),
        ),
    ),
}


def get_flavor(name: str) -> FlavorSpec | None:
    return BUILTIN_FLAVORS.get(name)


def known_flavors() -> dict[str, FlavorSpec]:
    return dict(BUILTIN_FLAVORS)
