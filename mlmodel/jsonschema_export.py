"""JSON Schema (draft 2020-12) of the MLmodel document, generated from the pydantic models.

The schema is for editors and generic validators (``check-jsonschema``): it carries
what JSON Schema can express of mlmodel's checks. The flavors come from the flavor
registry, never from a list kept here. The published files live in the top-level
``schema/`` folder of the repository (a test fails when they drift); regenerate them
after changing a schema model or the registry::

    python -m mlmodel.jsonschema_export --write

Nothing here runs on the validation path: pydantic is imported by these functions only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmodel.errors import UsageError
from mlmodel.registry import FlavorSpec, default_registry

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: ``$id`` prefix: a stable name, not a download location (the files are in ``schema/``).
ID_PREFIX = "urn:mlmodel:schema:"
DOCUMENT_ID = f"{ID_PREFIX}mlmodel"
REGENERATE = "python -m mlmodel.jsonschema_export --write"

#: the repository's ``schema/`` folder (meaningful in a source checkout only).
ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schema"
DOCUMENT_FILE = "mlmodel.schema.json"
FLAVOR_FOLDER = "flavors"

#: the flavor whose ``loader_module`` names the Python module that loads the model.
PYFUNC = "python_function"

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


# -- generation -----------------------------------------------------------------------------


def _pointer(name: str) -> str:
    """A ``$defs`` entry's name as a JSON Pointer token."""
    return name.replace("~", "~0").replace("/", "~1")


def _def_ref(name: str) -> str:
    return f"#/$defs/{_pointer(name)}"


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    """Point ``$ref``s at renamed ``$defs`` entries (``renames``: old ref -> new ref)."""
    if isinstance(node, dict):
        return {
            key: renames.get(value, value)
            if key == "$ref" and isinstance(value, str)
            else _rename_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


_FORMATTED = {"type", "format"}
_SIMPLE = {"type", "enum", "const", "description"}
#: keywords that constrain only instances of one type (so they ignore a null)
_ONLY_FOR = {
    "object": {"properties", "additionalProperties", "required", "minProperties"},
    "array": {"items", "minItems"},
}


def _is_plain_string(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "string" and set(node) == {"type"}


def _nullable(branches: list[Any]) -> dict[str, Any] | None:
    """``[object-or-array schema, null]`` -> the schema with ``null`` added to its type."""
    if len(branches) != 2 or {"type": "null"} not in branches:
        return None
    other = branches[0] if branches[1] == {"type": "null"} else branches[1]
    kind = other.get("type") if isinstance(other, dict) else None
    if kind not in _ONLY_FOR or not set(other) - {"type"} <= _ONLY_FOR[kind]:
        return None
    return {**other, "type": [kind, "null"]}


def _merged(branches: list[Any]) -> dict[str, Any] | None:
    """Branches of plain types -> one ``type`` list; of values (and null) -> one ``enum``."""
    if not all(
        isinstance(b, dict) and set(b) <= _SIMPLE and set(b) - {"description"} for b in branches
    ):
        return None
    if any("enum" in b or "const" in b for b in branches):
        values: list[Any] = []
        for branch in branches:
            if "enum" in branch:
                values.extend(branch["enum"])
            elif "const" in branch:
                values.append(branch["const"])
            elif branch.get("type") == "null":
                values.append(None)
            else:
                return None
        return {"enum": values}
    types: list[str] = []
    for branch in branches:
        named = branch["type"] if isinstance(branch["type"], list) else [branch["type"]]
        types.extend(t for t in named if t not in types)
    return {"type": types if len(types) > 1 else types[0]}


def _collapse(node: dict[str, Any]) -> dict[str, Any]:
    """An ``anyOf`` that one schema can say (same constraint, clearer errors).

    Validators then say "not of type 'integer', 'null'" or "not one of [...]" rather than
    "not valid under any of the given schemas".
    """
    branches = node.get("anyOf")
    if not isinstance(branches, list) or not branches or set(node) & {"type", "enum", "const"}:
        return node
    merged = _nullable(branches) or _merged(branches)
    if merged is None:
        return node
    notes = [node["description"]] if "description" in node else []
    notes += [b["description"] for b in branches if b.get("description") not in (None, *notes)]
    out = {key: value for key, value in node.items() if key != "anyOf"}
    if notes:
        out["description"] = "; ".join(notes)
    merged.pop("description", None)
    return {**out, **merged}


def _tidy(node: Any) -> Any:
    """Simplify what pydantic writes, keeping the same constraints.

    A timestamp field is ``str | datetime | date`` in the models: pydantic writes three
    string branches, two with a ``format``. JSON has no dates, so a plain string is it.
    Then unions of plain types become one ``type`` list (see :func:`_collapse`).
    """
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _tidy(value) for key, value in node.items()}
    branches = out.get("anyOf")
    if isinstance(branches, list) and any(_is_plain_string(b) for b in branches):
        out["anyOf"] = [
            b
            for b in branches
            if not (isinstance(b, dict) and b.get("type") == "string" and set(b) == _FORMATTED)
        ]
    return _collapse(out)


def _model_schema(model: type[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pydantic model's JSON Schema, split into its root and its ``$defs``."""
    raw: dict[str, Any] = _tidy(model.model_json_schema(mode="validation"))
    defs: dict[str, Any] = raw.pop("$defs", {})
    return raw, defs


def _loader_rules() -> list[dict[str, Any]]:
    """The python_function loader rules that need only the flavor's own settings.

    They mirror :mod:`mlmodel.validators.loaders` (its lists are used here), so a document
    JSON Schema accepts is one those checks accept too.
    """
    from mlmodel.validators.loaders import DOTTED_MODULE, MLFLOW_LOADERS, SKLEARN_PREDICT_FNS

    def when_loader(modules: dict[str, Any]) -> dict[str, Any]:
        return {"properties": {"loader_module": modules}, "required": ["loader_module"]}

    def unless_set(key: str, unset: dict[str, Any], fallback: str) -> dict[str, Any]:
        """When ``key`` is missing or ``unset``, ``fallback`` is required and not ``unset``."""
        return {
            "if": {"properties": {key: unset}},
            "then": {"properties": {fallback: {"not": unset}}, "required": [fallback]},
        }

    null = {"type": "null"}
    empty = {"not": {"type": "string", "minLength": 1}}  # falsy, as MLflow tests it

    return [
        {
            "$comment": "loader_module is a dotted Python module name",
            "properties": {"loader_module": {"pattern": DOTTED_MODULE.pattern}},
        },
        {
            "$comment": "a loader module under mlflow must be one MLflow has",
            "if": when_loader({"type": "string", "pattern": r"^mlflow(\.|$)"}),
            "then": {"properties": {"loader_module": {"enum": sorted(MLFLOW_LOADERS)}}},
        },
        {
            "$comment": "the mlflow.sklearn loader reads model_path (or the legacy data) "
            "and calls one of the estimator's methods",
            "if": when_loader({"const": "mlflow.sklearn"}),
            "then": {
                **unless_set("data", null, "model_path"),
                "properties": {"predict_fn": {"enum": [*SKLEARN_PREDICT_FNS, None]}},
            },
        },
        {
            "$comment": "the mlflow.pyfunc.model loader needs python_model or model_code_path",
            "if": when_loader({"const": "mlflow.pyfunc.model"}),
            "then": unless_set("model_code_path", empty, "python_model"),
        },
    ]


def _flavor_parts(spec: FlavorSpec) -> tuple[dict[str, Any], dict[str, Any]]:
    """One flavor's schema (root with title and description) and its ``$defs``."""
    root, defs = _model_schema(spec.load_schema())
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
        root["allOf"] = _loader_rules()
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

    Raises :class:`~mlmodel.errors.UsageError` for a flavor the registry does not know.
    """
    return _flavor_document(_find_spec(name))


def _flavor_document(spec: FlavorSpec) -> dict[str, Any]:
    root, defs = _flavor_parts(spec)
    title = root.pop("title")
    description = root.pop("description") + " " + _FLAVOR_BEYOND
    body = {**root, "$defs": defs} if defs else root
    return _headed(f"{ID_PREFIX}flavor:{spec.name}", title, description, body)


def _required_flavor_rules(specs: Sequence[FlavorSpec]) -> list[dict[str, Any]]:
    """A python_function loader module that reads a flavor's settings needs that flavor.

    A loader module tied to several flavors is satisfied by any of them, and needs one
    only when one of them says its loader needs it (as the loader checks do).
    """
    owners: dict[str, list[FlavorSpec]] = {}
    for spec in specs:
        for module in spec.loader_modules:
            owners.setdefault(module, []).append(spec)
    groups: dict[tuple[str, ...], list[str]] = {}  # flavors (any one will do) -> loaders
    for module, tied in sorted(owners.items()):
        if any(spec.loader_needs_flavor for spec in tied):
            groups.setdefault(tuple(sorted(spec.name for spec in tied)), []).append(module)
    rules: list[dict[str, Any]] = []
    for names, modules in groups.items():
        loader = {"properties": {"loader_module": {"enum": modules}}}
        need: dict[str, Any] = (
            {"required": [names[0]]}
            if len(names) == 1
            else {"anyOf": [{"required": [name]} for name in names]}
        )
        rules.append(
            {
                "$comment": f"these loader modules read the {' or '.join(names)} flavor's "
                "settings",
                "if": {
                    "properties": {PYFUNC: {**loader, "required": ["loader_module"]}},
                    "required": [PYFUNC],
                },
                "then": need,
            }
        )
    return rules


def document_schema(flavors: Iterable[FlavorSpec] | None = None) -> dict[str, Any]:
    """The JSON Schema of a whole MLmodel document.

    ``flavors`` are the flavors given a schema, by default the registry's built-ins (what
    the published ``schema/mlmodel.schema.json`` holds); any other flavor may hold any mapping.
    """
    from mlmodel.schema.model import MLmodel

    specs = sorted(builtin_flavors() if flavors is None else flavors, key=lambda s: s.name)
    root, defs = _model_schema(MLmodel)
    for key in ("title", "description"):
        root.pop(key, None)
    known: dict[str, Any] = {}
    for spec in specs:
        flavor_root, flavor_defs = _flavor_parts(spec)
        prefix = f"flavor.{spec.name}"
        renames = {_def_ref(old): _def_ref(f"{prefix}.{old}") for old in flavor_defs}
        defs[prefix] = _rename_refs(flavor_root, renames)
        for old, schema in flavor_defs.items():
            defs[f"{prefix}.{old}"] = _rename_refs(schema, renames)
        known[spec.name] = {"$ref": _def_ref(prefix)}
    flavors_schema: dict[str, Any] = {
        "type": "object",
        "title": "Flavors",
        "description": "flavor name -> that flavor's settings; at least one flavor. Flavors "
        "mlmodel knows are checked against their schema, any other may hold any mapping.",
        "minProperties": 1,
        "properties": known,
        "additionalProperties": {"type": "object"},
    }
    rules = _required_flavor_rules(specs)
    if rules:
        flavors_schema["allOf"] = rules
    root["properties"]["flavors"] = flavors_schema
    root["required"] = ["flavors", *(k for k in root.get("required", []) if k != "flavors")]
    root["$defs"] = defs
    return _headed(DOCUMENT_ID, "MLflow MLmodel file", _DOCUMENT_DESCRIPTION, root)


# -- the published files ---------------------------------------------------------------------


def dumps(schema: dict[str, Any]) -> str:
    """The stable text of a schema: indent 2, sorted keys, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate_files(flavors: Iterable[FlavorSpec] | None = None) -> dict[str, str]:
    """Path under ``schema/`` (POSIX form) -> the text it must hold."""
    specs = sorted(builtin_flavors() if flavors is None else flavors, key=lambda s: s.name)
    files = {DOCUMENT_FILE: dumps(document_schema(specs))}
    for spec in specs:
        files[f"{FLAVOR_FOLDER}/{spec.name}.schema.json"] = dumps(_flavor_document(spec))
    return files


def existing_files(folder: Path) -> dict[str, str]:
    """The schema files now in ``folder`` (the same paths :func:`generate_files` gives)."""
    found: dict[str, str] = {}
    candidates = [folder / DOCUMENT_FILE, *sorted((folder / FLAVOR_FOLDER).glob("*.schema.json"))]
    for path in candidates:
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
    return found


def stale_files(folder: Path, files: dict[str, str] | None = None) -> list[str]:
    """Paths under ``folder`` that are missing, different from the generated text, or extra."""
    wanted = generate_files() if files is None else files
    present = existing_files(folder)
    return sorted(p for p in {*wanted, *present} if wanted.get(p) != present.get(p))


def write_files(folder: Path, files: dict[str, str] | None = None) -> list[str]:
    """(Re)write the schema files in ``folder``; delete flavor files no longer generated."""
    wanted = generate_files() if files is None else files
    changed = stale_files(folder, wanted)
    for relative in changed:
        target = folder / relative
        if relative in wanted:
            target.parent.mkdir(parents=True, exist_ok=True)
            from mlmodel.fsio import write_file

            write_file(target, wanted[relative].encode("utf-8"))
        else:
            target.unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlmodel.jsonschema_export",
        description="Print the MLmodel JSON Schema, or (re)write the published schema files.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="(re)write the files in --dir")
    action.add_argument(
        "--check", action="store_true", help="exit 1 when the files in --dir are out of date"
    )
    parser.add_argument(
        "--dir", type=Path, default=SCHEMA_DIR, help=f"schema folder (default {SCHEMA_DIR})"
    )
    args = parser.parse_args(argv)
    folder: Path = args.dir
    if not (args.write or args.check):
        sys.stdout.write(dumps(document_schema()))
        return 0
    if args.dir == SCHEMA_DIR and not (ROOT / "pyproject.toml").is_file():
        parser.error(f"{ROOT} is not a source checkout of mlmodel; name the folder with --dir")
    if args.check:
        stale = stale_files(folder)
        for relative in stale:
            print(f"out of date: {folder / relative}", file=sys.stderr)
        if stale:
            print(f"regenerate with: {REGENERATE}", file=sys.stderr)
        return 1 if stale else 0
    changed = write_files(folder)
    print(f"{folder}: {len(changed)} file(s) changed" + "".join(f"\n  {c}" for c in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
