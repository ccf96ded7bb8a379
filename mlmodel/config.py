"""Project configuration: ``.mlmodel.toml`` or ``[tool.mlmodel]`` in ``pyproject.toml``.

Found by walking up from the validated path; the first folder holding either
file wins, ``.mlmodel.toml`` before ``pyproject.toml`` (a ``pyproject.toml``
without a ``[tool.mlmodel]`` table does not count). In ``.mlmodel.toml`` the
same keys sit at the top level::

    [tool.mlmodel]                  # in .mlmodel.toml: the same keys at the top level
    select = ["MLM"]                # lint rules by code or prefix (default: all)
    ignore = ["MLM301"]

    [tool.mlmodel.flavors]          # in .mlmodel.toml: [flavors]
    my_flavor = "schemas/my_flavor.schema.json"   # JSON Schema, JSON or YAML

A declared flavor schema is checked against its JSON Schema meta-schema when
the configuration is loaded: a broken one is a usage error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mlmodel.errors import UsageError

CONFIG_NAMES = (".mlmodel.toml", "pyproject.toml")
KNOWN_KEYS = frozenset({"flavors", "select", "ignore"})


@dataclass(frozen=True)
class DeclaredFlavor:
    """A flavor schema a project declares as JSON Schema."""

    name: str
    source: Path
    schema: dict[str, Any]

    def validator(self) -> Any:
        return _validator_for(self.source, json.dumps(self.schema, sort_keys=True))


@dataclass(frozen=True)
class ProjectConfig:
    path: Path | None = None
    flavors: dict[str, DeclaredFlavor] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


EMPTY = ProjectConfig()


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the configuration: {exc}") from None


_MLMODEL_TABLE_PATTERN = (
    rb"""^[ \t]*(?:\[[ \t]*["']?tool["']?[ \t]*(?:\.[ \t]*["']?mlmodel|\])"""
    rb"""|["']?tool["']?[ \t]*(?:\.[ \t]*["']?mlmodel|=))"""
)


@cache
def _mlmodel_table() -> re.Pattern[bytes]:
    return re.compile(_MLMODEL_TABLE_PATTERN, re.MULTILINE)


def _mentions_mlmodel(path: Path) -> bool:
    """Cheap pre-check before parsing TOML: only a ``[tool.mlmodel...]`` or ``[tool]`` header,
    a ``tool.mlmodel`` dotted key or a ``tool = {...}`` inline table can define the table."""
    try:
        data = path.read_bytes()
    except OSError:
        return True  # let the real read report the problem
    return b"mlmodel" in data and _mlmodel_table().search(data) is not None


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The configuration file that applies to ``start`` and its mlmodel table."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        dotfile = candidate / CONFIG_NAMES[0]
        if dotfile.is_file():
            return dotfile, _read_toml(dotfile)
        pyproject = candidate / CONFIG_NAMES[1]
        if pyproject.is_file() and _mentions_mlmodel(pyproject):
            tool = _read_toml(pyproject).get("tool", {})
            if isinstance(tool, dict) and "mlmodel" in tool:
                table = tool["mlmodel"]
                if not isinstance(table, dict):
                    raise UsageError(f"{pyproject}: [tool.mlmodel] must be a table")
                return pyproject, table
    return None


def load_configs(paths: list[Path]) -> list[ProjectConfig]:
    """The configuration of each path, looked up once per folder."""
    by_folder: dict[Path, ProjectConfig] = {}
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if folder not in by_folder:
            by_folder[folder] = load_config(folder)
    return [by_folder[path if path.is_dir() else path.parent] for path in paths]


def load_config(start: Path) -> ProjectConfig:
    """The configuration for a path (cached per configuration file)."""
    found = find_config_file(start)
    if found is None:
        return EMPTY
    path, table = found
    return _parse(path, json.dumps(table, sort_keys=True, default=str))


@cache
def _parse(path: Path, table_json: str) -> ProjectConfig:
    table: dict[str, Any] = json.loads(table_json)
    where = f"{path}: " + ("[tool.mlmodel]" if path.name == "pyproject.toml" else "")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise UsageError(
            f"{where} unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN_KEYS))}"
        )
    flavors = table.get("flavors", {})
    if not isinstance(flavors, dict):
        raise UsageError(f"{where} 'flavors' must be a table of flavor name = schema file")
    declared = {}
    for name, file in flavors.items():
        if not isinstance(file, str):
            raise UsageError(f"{where} flavors.{name} must be the path of a JSON Schema file")
        source = (path.parent / file).resolve()
        declared[name] = DeclaredFlavor(name=name, source=source, schema=_load_schema(source, name))
    return ProjectConfig(
        path=path,
        flavors=declared,
        select=_codes(table, "select", where),
        ignore=_codes(table, "ignore", where),
    )


def _codes(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Lint rule codes or prefixes (``select = ["MLM1", "MLM501"]``)."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where} '{key}' must be a list of rule codes or prefixes")
    return tuple(v.strip().upper() for v in value)


def _load_schema(source: Path, name: str) -> dict[str, Any]:
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{source}: schema of flavor {name!r} cannot be read: {exc}") from None
    schema: Any
    if source.suffix.lower() == ".json":
        try:
            schema = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"{source}: not valid JSON: {exc}") from None
    else:
        import yaml

        try:
            schema = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UsageError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(schema, dict):
        raise UsageError(f"{source}: a JSON Schema must be an object (mapping)")
    from jsonschema import SchemaError, validators

    checker = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        checker.check_schema(schema)
    except SchemaError as exc:
        at = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        raise UsageError(f"{source}: not a valid JSON Schema at {at}: {exc.message}") from None
    return schema


@cache
def _validator_for(source: Path, schema_json: str) -> Any:
    from jsonschema import validators

    schema = json.loads(schema_json)
    checker = validators.validator_for(schema, default=validators.Draft202012Validator)
    return checker(schema)
