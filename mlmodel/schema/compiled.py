"""Validators built from the precompiled core schemas (made by
:mod:`mlmodel.generators.core_schemas`).

The schemas name the pydantic-core version they were generated with. Another
version gets them too as long as it accepts them (core schemas are stable within
pydantic 2); one that refuses them gets validators built from the pydantic models
instead: slower to start, same verdicts. A test compares both ways.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mlmodel.schema.core import SchemaError, SchemaValidator, pydantic_core_version

SCHEMA_FILE = Path(__file__).with_name("core_schemas.json")

_BUILTINS: dict[str, type] = {"dict": dict, "list": list}


@cache
def model_class(name: str) -> type:
    """A stand-in class for a model in a compiled schema (validation needs only a class)."""
    return type(name, (), {"__module__": __name__})


@cache
def _compiled() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return document


def _revive(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            if "$model" in value:
                return model_class(value["$model"])
            if "$builtin" in value:
                return _BUILTINS[value["$builtin"]]
        return {key: _revive(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_revive(item) for item in value]
    return value


def sources() -> dict[str, str]:
    """name -> what each schema was compiled from (``"module:attr"``)."""
    found: dict[str, str] = _compiled()["sources"]
    return found


def is_current() -> bool:
    """True when the compiled schemas match the installed pydantic-core."""
    return bool(_compiled()["pydantic_core_version"] == pydantic_core_version)


@cache
def validator(name: str) -> SchemaValidator:
    """The validator for one compiled schema name (``"MLmodel"``, ``"flavor:sklearn"``...)."""
    try:
        return SchemaValidator(_revive(_compiled()["schemas"][name]))
    except SchemaError:
        return from_models(name)


def from_models(name: str) -> SchemaValidator:
    """A validator built from the pydantic models themselves (imports pydantic)."""
    schema: Any = core_schema_of(sources()[name])
    return SchemaValidator(schema)


def core_schema_of(target: str) -> Any:
    """The pydantic-core schema of ``"module:attr"`` (a BaseModel or a type; imports pydantic)."""
    import importlib

    from pydantic import BaseModel, TypeAdapter

    module, _, attr = target.partition(":")
    obj = getattr(importlib.import_module(module), attr)
    if isinstance(obj, type) and issubclass(obj, BaseModel):
        obj.model_rebuild()
        return obj.__pydantic_core_schema__
    return TypeAdapter(obj).core_schema
