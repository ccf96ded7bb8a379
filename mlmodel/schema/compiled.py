"""Validators built from the precompiled core schemas (see :mod:`mlmodel.schema.compile`).

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

from pydantic_core import SchemaError, SchemaValidator, __version__

SCHEMA_FILE = Path(__file__).with_name("core_schemas.json")

def _sources() -> dict[str, str]:
    from mlmodel.builtin_flavors import BUILTIN_FLAVORS

    return {
        "MLmodel": "mlmodel.schema.model:MLmodel",
        **{f"flavor:{spec.name}": spec.schema for spec in BUILTIN_FLAVORS},
        "signature:specs": "mlmodel.schema.signature:SpecList",
        "signature:params": "mlmodel.schema.signature:ParamList",
    }


#: name -> what to compile ("module:attr"): a BaseModel subclass or a type for a TypeAdapter.
SOURCES: dict[str, str] = _sources()
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


def is_current() -> bool:
    """True when the compiled schemas match the installed pydantic-core."""
    return bool(_compiled()["pydantic_core_version"] == __version__)


@cache
def validator(name: str) -> SchemaValidator:
    """The validator for one compiled schema name (``"MLmodel"``, ``"flavor:sklearn"``...)."""
    try:
        return SchemaValidator(_revive(_compiled()["schemas"][name]))
    except SchemaError:
        return from_models(name)


def from_models(name: str) -> SchemaValidator:
    """A validator built from the pydantic models themselves (imports pydantic)."""
    from mlmodel.schema.compile import core_schema_of

    schema: Any = core_schema_of(SOURCES[name])
    return SchemaValidator(schema)
