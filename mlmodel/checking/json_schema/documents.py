"""The JSON Schema documents: one MLmodel document, one flavor's settings, the flavor list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mlmodel.checking.json_schema.loader_rules import PYFUNC, loader_rules, required_flavor_rules
from mlmodel.checking.json_schema.pydantic_tidy import def_ref, model_schema, rename_refs
from mlmodel.core.errors import UsageError
from mlmodel.flavors.registry import FlavorSpec, default_registry

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: ``$id`` prefix: a stable name, not a download location (the files are in ``schema/``).
ID_PREFIX = "urn:mlmodel:schema:"
DOCUMENT_ID = f"{ID_PREFIX}mlmodel"
REGENERATE = "python -m mlmodel.generators.json_schema --write"

_COMMENT = f"Generated from mlmodel's pydantic models by `{REGENERATE}`; do not edit."

_BEYOND = (
    "Beyond JSON Schema, `mlmodel validate` also checks: the signature (`inputs`, `outputs` "
    "and `params` are JSON strings holding column, tensor and param specs, which JSON Schema "
    "sees only as strings) and the input example's files; the files the document references "
    "(they exist, have the right kind, are relative and stay inside the model directory); "
    "loader modules beyond their names (whether a custom loader_module is in the model's "
    "code folder or is a standard-library module); YAML-level problems (syntax, duplicate "
    "keys, tabs, several documents, tags, non-string keys, size and nesting limits); and the "
    "formats MLflow tolerates (timestamps, run ids, model ids, versions read as numbers), "
    "reported as warnings. Notes for YAML: MLflow reads the file as YAML 1.1 "
    "(`yaml.safe_load`), where `yes`/`no`/`on`/`off` are booleans; YAML 1.2 readers "
    "(ruamel.yaml, check-jsonschema) read them as strings. An unquoted timestamp is accepted "
    "when the YAML reader gives it as a string, as check-jsonschema does. JSON Schema counts "
    "1.0 as an integer; mlmodel and MLflow's strict readers do not."
)

_FLAVOR_BEYOND = (
    "Beyond JSON Schema, `mlmodel validate` also checks that the files these settings name "
    "exist inside the model directory (relative paths, no escape through `..` or symlinks), "
    "whether a custom python_function loader_module is in the model's code folder, and "
    "YAML-level problems. The schema of the whole MLmodel document is mlmodel.schema.json."
)

_DOCUMENT_DESCRIPTION = (
    "The MLmodel file at the root of an MLflow model directory (MLflow's MLmodel format, not "
    "Core ML's .mlmodel files). This schema checks its structure and types: the top-level keys "
    "MLflow writes; at least one flavor; the settings of every flavor mlmodel knows (any other "
    "flavor may hold any mapping); and the python_function loader rules that need only the "
    "document (a dotted loader_module, a loader module MLflow has, the flavor a loader reads, "
    "the keys the mlflow.sklearn and mlflow.pyfunc.model loaders need). Unknown keys are "
    "allowed wherever MLflow allows them. " + _BEYOND
)


@dataclass(frozen=True, slots=True)
class FlavorInfo:
    """One flavor mlmodel knows, as ``mlmodel schema --list-flavors`` shows it."""

    name: str
    summary: str
    origin: str
    removed_in: str | None = None


def list_flavors() -> list[FlavorInfo]:
    """Every flavor the registry knows (built-ins and installed plugins), sorted by name."""
    specs = default_registry().all()
    return [
        FlavorInfo(spec.name, spec.summary, spec.origin, spec.removed_in)
        for spec in sorted(specs.values(), key=lambda s: s.name)
    ]


def builtin_flavors() -> list[FlavorSpec]:
    """The flavors the published document schema covers: the registry's built-ins."""
    return sorted(default_registry().builtins().values(), key=lambda s: s.name)


def _flavor_parts(spec: FlavorSpec) -> tuple[dict[str, Any], dict[str, Any]]:
    """One flavor's schema (root with title and description) and its ``$defs``."""
    root, defs = model_schema(spec.load_schema())
    root.pop("title", None)
    about = f"The settings of the {spec.name} flavor (flavors.{spec.name})"
    about += f": {spec.summary}." if spec.summary else "."
    if root.get("description"):  # the model's docstring
        about += f" {root['description']}"
    if spec.origin != "built-in":
        about += f" Defined by {spec.origin}."
    if spec.removed_in is not None:
        about += (
            f" Removed in MLflow {spec.removed_in}: current MLflow cannot load a model as "
            f"{spec.name}."
        )
        root["deprecated"] = True
    if spec.name == PYFUNC:
        root["allOf"] = loader_rules()
    return {"title": f"MLmodel flavor {spec.name}", "description": about, **root}, defs


def _headed(schema_id: str, title: str, description: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": schema_id,
        "$comment": _COMMENT,
        **body,
        "title": title,
        "description": description,
    }


def _find_spec(name: str) -> FlavorSpec:
    spec = default_registry().get(name)
    if spec is not None:
        return spec
    import difflib

    close = difflib.get_close_matches(name, sorted(default_registry().all()), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UsageError(f"unknown flavor {name!r}{hint}")


def flavor_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one flavor's settings (the mapping under ``flavors.<name>``).

    Raises :class:`~mlmodel.core.errors.UsageError` for a flavor the registry does not know.
    """
    return flavor_document(_find_spec(name))


def flavor_document(spec: FlavorSpec) -> dict[str, Any]:
    root, defs = _flavor_parts(spec)
    title = root.pop("title")
    description = root.pop("description") + " " + _FLAVOR_BEYOND
    body = {**root, "$defs": defs} if defs else root
    return _headed(f"{ID_PREFIX}flavor:{spec.name}", title, description, body)


def document_schema(flavors: Iterable[FlavorSpec] | None = None) -> dict[str, Any]:
    """The JSON Schema of a whole MLmodel document.

    ``flavors`` are the flavors given a schema, by default the registry's built-ins (what
    the published ``schema/mlmodel.schema.json`` holds); any other flavor may hold any mapping.
    """
    from mlmodel.schema.model import MLmodel

    specs = sorted(builtin_flavors() if flavors is None else flavors, key=lambda s: s.name)
    root, defs = model_schema(MLmodel)
    for key in ("title", "description"):
        root.pop(key, None)
    known: dict[str, Any] = {}
    for spec in specs:
        flavor_root, flavor_defs = _flavor_parts(spec)
        prefix = f"flavor.{spec.name}"
        renames = {def_ref(old): def_ref(f"{prefix}.{old}") for old in flavor_defs}
        defs[prefix] = rename_refs(flavor_root, renames)
        for old, schema in flavor_defs.items():
            defs[f"{prefix}.{old}"] = rename_refs(schema, renames)
        known[spec.name] = {"$ref": def_ref(prefix)}
    flavors_schema: dict[str, Any] = {
        "type": "object",
        "title": "Flavors",
        "description": "flavor name -> that flavor's settings; at least one flavor. Flavors "
        "mlmodel knows are checked against their schema, any other may hold any mapping.",
        "minProperties": 1,
        "properties": known,
        "additionalProperties": {"type": "object"},
    }
    rules = required_flavor_rules(specs)
    if rules:
        flavors_schema["allOf"] = rules
    root["properties"]["flavors"] = flavors_schema
    root["required"] = ["flavors", *(k for k in root.get("required", []) if k != "flavors")]
    root["$defs"] = defs
    return _headed(DOCUMENT_ID, "MLflow MLmodel file", _DOCUMENT_DESCRIPTION, root)


def dumps(schema: dict[str, Any]) -> str:
    """The stable text of a schema: indent 2, sorted keys, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
