"""What mlmodel knows about one flavor (:class:`FlavorSpec`) and the model-relative paths its
settings hold (:class:`PathRef`). Plain data: the registry collects them, the built-in flavors
and plugins define them."""

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


@dataclass(frozen=True)
class PathRef:
    """A key (``*`` matches every entry of a mapping or list) holding a model-relative path."""

    key: tuple[str, ...]
    kind: PathKind = "any"
    basename_only: bool = False
    when: Callable[[Mapping[str, Any]], bool] | None = None


@dataclass(frozen=True)
class FlavorSpec:
    """Everything mlmodel knows about one flavor.

    ``loader_modules`` are the ``python_function`` loader modules MLflow writes
    alongside this flavor; ``loader_needs_flavor`` says whether those loaders
    fail when this flavor is missing from the document. ``removed_in`` is the
    MLflow version that dropped the flavor, if any.
    """

    name: str
    schema: str
    paths: tuple[PathRef, ...] = field(default=())
    summary: str = ""
    loader_modules: tuple[str, ...] = ()
    loader_needs_flavor: bool = True
    removed_in: str | None = None
    origin: str = "built-in"

    def load_schema(self) -> type[BaseModel]:
        """The pydantic model of this flavor's settings."""
        return _import(self.schema)

    def validator(self) -> SchemaValidator:
        """A validator for the settings: precompiled for built-ins, else built from the model."""
        return _validator(self.name, self.schema)


@cache
def _import(target: str) -> type[BaseModel]:
    module_name, _, attr = target.partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module_name), attr)
    return model


@cache
def _validator(name: str, schema: str) -> SchemaValidator:
    from mlmodel.schema.compiled import sources, validator

    compiled = f"flavor:{name}"
    if sources().get(compiled) == schema:
        return validator(compiled)
    from mlmodel.schema.core import SchemaValidator

    model = _import(schema)
    model.model_rebuild()
    return SchemaValidator(model.__pydantic_core_schema__)


def loader_is(*modules: str) -> Callable[[Mapping[str, Any]], bool]:
    """A ``PathRef.when`` that holds when the flavor's ``loader_module`` is one of these."""
    return lambda config: config.get("loader_module") in modules


#: paths at the top level of the document that point into the model directory.
DOCUMENT_PATHS: tuple[tuple[str, ...], ...] = (
    ("saved_input_example_info", "artifact_path"),
    ("saved_input_example_info", "serving_input_path"),
)
