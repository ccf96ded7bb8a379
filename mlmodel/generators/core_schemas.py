"""Compile the pydantic models to plain pydantic-core schemas (a dev-time step).

The pydantic models in this package define the MLmodel document. Importing
pydantic and building those models costs more than the whole rest of a cold
``mlmodel validate``, so the validators run on the same models' *core schemas*,
generated here, written to ``core_schemas.json`` as plain data and checked in
(a test fails when they drift from the models). At run time only
``pydantic_core`` is needed: its errors are exactly those the models give.

Regenerate after changing a schema model::

    python -m mlmodel.generators.core_schemas

The file also records what each schema was compiled from (``sources``), so the run-time
side (:mod:`mlmodel.schema.compiled`) needs nothing from the flavor registry.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
from pydantic import BaseModel

from mlmodel.schema.compiled import SCHEMA_FILE, core_schema_of

TARGET = SCHEMA_FILE
REGENERATE = "python -m mlmodel.generators.core_schemas"


def sources() -> dict[str, str]:
    """name -> what to compile (``"module:attr"``): a BaseModel subclass or a type."""
    from mlmodel.flavors.builtin import BUILTIN_FLAVORS

    return {
        "MLmodel": "mlmodel.schema.model:MLmodel",
        **{f"flavor:{spec.name}": spec.schema for spec in BUILTIN_FLAVORS},
        "signature:specs": "mlmodel.schema.signature:SpecList",
        "signature:params": "mlmodel.schema.signature:ParamList",
    }


def _stable_ref(ref: str) -> str:
    """pydantic ends model refs with ``:<id(cls)>``, which changes every run."""
    head, _, tail = ref.rpartition(":")
    return head if head and tail.isdigit() else ref


def to_data(value: Any) -> Any:
    """Strip what only pydantic itself needs (JSON-schema hooks) and name classes."""
    if isinstance(value, dict):
        node = isinstance(value.get("type"), str)  # a schema node, not e.g. a fields mapping
        return {
            k: _stable_ref(v) if node and k in ("ref", "schema_ref") else to_data(v)
            for k, v in value.items()
            if not (node and k == "metadata")
        }
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    if isinstance(value, type):
        if issubclass(value, BaseModel):
            return {"$model": value.__name__}
        if value in (dict, list):
            return {"$builtin": value.__name__}
        raise TypeError(f"cannot emit the class {value!r}")
    if callable(value):
        raise TypeError(f"cannot emit the callable {value!r}")
    return value


def generate() -> str:
    found = sources()
    schemas = {name: to_data(core_schema_of(target)) for name, target in found.items()}
    document = {
        "pydantic_core_version": pydantic_core.__version__,
        "sources": found,
        "schemas": schemas,
    }
    return json.dumps(document, separators=(",", ":")) + "\n"


def main() -> None:
    from mlmodel.core.fsio import write_file

    write_file(TARGET, generate().encode("utf-8"))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
