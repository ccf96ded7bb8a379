"""Project configuration: ``.mlmodel.toml`` or ``[tool.mlmodel]`` in ``pyproject.toml``.

Found by walking up from the validated path; the first folder holding either
file wins, ``.mlmodel.toml`` before ``pyproject.toml`` (a ``pyproject.toml``
without a ``[tool.mlmodel]`` table does not count). In ``.mlmodel.toml`` the
same keys sit at the top level::

    [tool.mlmodel]                  # in .mlmodel.toml: the same keys at the top level
    select = ["MLM"]                # lint rules by code or prefix (default: all)
    ignore = ["MLM301"]
    mlflow-version = "2.9"          # judge models against this MLflow release (default: newest)

    [tool.mlmodel.trust]            # in .mlmodel.toml: [trust]
    require-signature = true        # lint: a model without model.sig is an error (MLM505)

    [tool.mlmodel.flavors]          # in .mlmodel.toml: [flavors]
    my_flavor = "schemas/my_flavor.schema.json"   # JSON Schema, JSON or YAML

    [tool.mlmodel.trust]            # what loaders started here trust (see below)
    trusted-types = ["mypackage.models.MyModel"]  # globals a pickle may import, exactly
    keys = ["keys/release.pub"]     # public keys whose signatures grant trust
    require-signature = true        # refuse models without a signature that verifies

A declared flavor schema is checked against its JSON Schema meta-schema when
the configuration is loaded: a broken one is a usage error.

A model under check cannot configure its own check:

* ``isolated=True`` (``--isolated`` on the command line) reads no configuration file
  at all, for gatekeeping models you do not own.
* A configuration file in the model directory itself (the folder holding the
  MLmodel file) may tune the other rules but never drop a security rule: its
  ``ignore`` entries that cover an ``MLM5xx`` code (``MLM5``, ``MLM501``, ``MLM``,
  ``M``, ``ALL``) are dropped, ``MLM5`` is added to its ``select`` when that would
  leave one out, and its declared schemas must lie inside the model directory; it may
  require a signature, but not waive one the configuration above it requires.
* Trust (``[tool.mlmodel.trust]``) is the loader's to grant: loaders read it from the
  configuration that applies to the *current directory* (:func:`loader_trust`), and a
  ``trust`` table in a file inside the model directory grants nothing.
* Configuration files are read only when they are regular files of at most
  :data:`MAX_CONFIG_BYTES` (never a FIFO or ``/dev/zero``). Declared schemas are
  bounded the same way (:data:`MAX_SCHEMA_BYTES`, :data:`MAX_SCHEMA_DEPTH`,
  :data:`MAX_SCHEMA_NODES`, counting YAML aliases as often as they are used) and
  sandboxed: a ``$ref`` must point inside the schema file (``#...``), and the
  validator's reference registry refuses every retrieval, so nothing is fetched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from mlmodel.core.codes import SECURITY_PREFIX  # rules a model's own configuration never deselects
from mlmodel.core.errors import UsageError
from mlmodel.core.releases import Release, release

CONFIG_NAMES = (".mlmodel.toml", "pyproject.toml")
KNOWN_KEYS = frozenset({"flavors", "select", "ignore", "mlflow-version", "trust"})
#: the keys of the ``trust`` table
TRUST_KEYS = frozenset({"trusted-types", "keys", "require-signature"})
MAX_CONFIG_BYTES = 1024 * 1024
MAX_SCHEMA_BYTES = 1024 * 1024
MAX_SCHEMA_DEPTH = 64
MAX_SCHEMA_NODES = 100_000
_REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")


@dataclass(frozen=True)
class DeclaredFlavor:
    """A flavor schema a project declares as JSON Schema."""

    name: str
    source: Path
    schema: dict[str, Any]

    def validator(self) -> Any:
        return _validator_for(self.source, json.dumps(self.schema, sort_keys=True))


@dataclass(frozen=True)
class TrustConfig:
    """``[tool.mlmodel.trust]``: what a loader started under this configuration trusts."""

    trusted_types: tuple[str, ...] = ()
    #: public keys (paths resolved against the configuration file's folder)
    keys: tuple[Path, ...] = ()
    require_signature: bool = False
    path: Path | None = None


@dataclass(frozen=True)
class ProjectConfig:
    path: Path | None = None
    flavors: dict[str, DeclaredFlavor] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: the file lies in the model directory: the model configures its own check
    inside_model: bool = False
    #: ``ignore`` entries dropped because they would silence security rules
    overridden: tuple[str, ...] = ()
    #: ``[tool.mlmodel.trust]`` (empty for a file inside the model directory)
    trust: TrustConfig = field(default_factory=TrustConfig)
    #: ``mlflow-version``: the MLflow release models are judged against (None: the newest)
    mlflow_version: Release | None = None
    #: ``trust.require-signature``: every model must carry a signature (lint MLM505)
    require_signature: bool = False


EMPTY = ProjectConfig()


def _read_bounded(path: Path, limit: int, problem: str) -> bytes:
    """A regular file of at most ``limit`` bytes, or a usage error saying why not."""
    from mlmodel.core.fsio import read_regular_bytes

    try:
        data = read_regular_bytes(path, max_bytes=limit)
    except OSError as exc:
        raise UsageError(f"{path}: {problem}: {exc.strerror or exc}") from None
    return data


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    data = _read_bounded(path, MAX_CONFIG_BYTES, "cannot read the configuration")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: cannot read the configuration: not UTF-8 ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: cannot read the configuration: {exc}") from None
    except RecursionError:
        raise UsageError(f"{path}: cannot read the configuration: nested too deeply") from None


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
    from mlmodel.core.fsio import read_regular_bytes

    try:
        data = read_regular_bytes(path, max_bytes=MAX_CONFIG_BYTES)
    except OSError:
        return True  # let the real read report the problem
    return b"mlmodel" in data and _mlmodel_table().search(data) is not None


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The configuration file that applies to ``start`` and its mlmodel table."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        dotfile = candidate / CONFIG_NAMES[0]
        if _present(dotfile):
            return dotfile, _read_toml(dotfile)
        pyproject = candidate / CONFIG_NAMES[1]
        if _present(pyproject) and _mentions_mlmodel(pyproject):
            tool = _read_toml(pyproject).get("tool", {})
            if isinstance(tool, dict) and "mlmodel" in tool:
                table = tool["mlmodel"]
                if not isinstance(table, dict):
                    raise UsageError(f"{pyproject}: [tool.mlmodel] must be a table")
                return pyproject, table
    return None


def _present(path: Path) -> bool:
    """Whether a configuration file is there: anything but a directory counts, so a FIFO
    or a device under a configuration name is reported, never read or skipped silently."""
    return path.exists() and not path.is_dir()


def load_configs(paths: list[Path], *, isolated: bool = False) -> list[ProjectConfig]:
    """The configuration of each path (a model directory or MLmodel file), looked up once
    per folder; with ``isolated`` none is read."""
    by_folder: dict[Path, ProjectConfig] = {}
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if folder not in by_folder:
            by_folder[folder] = load_config(folder, isolated=isolated)
    return [by_folder[path if path.is_dir() else path.parent] for path in paths]


def load_config(start: Path, *, isolated: bool = False) -> ProjectConfig:
    """The configuration for a model directory or MLmodel file (cached per configuration
    file); with ``isolated`` none is read."""
    if isolated:
        return EMPTY
    found = find_config_file(start)
    if found is None:
        return EMPTY
    path, table = found
    model_dir = (start if start.is_dir() else start.parent).resolve()
    inside = path.parent == model_dir
    config = _parse(path, json.dumps(table, sort_keys=True, default=str), inside)
    if inside and not config.require_signature and _above_requires_signature(model_dir):
        config = replace(config, require_signature=True)
    return config


def _above_requires_signature(model_dir: Path) -> bool:
    """Whether the configuration above the model directory requires signatures: one in the
    model directory cannot waive that."""
    found = find_config_file(model_dir.parent)
    if found is None:
        return False
    path, table = found
    return _parse(path, json.dumps(table, sort_keys=True, default=str)).require_signature


@cache
def _parse(path: Path, table_json: str, inside_model: bool = False) -> ProjectConfig:
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
        if inside_model and not source.is_relative_to(path.parent):
            raise UsageError(
                f"{where} flavors.{name}: a configuration file in the model directory may only "
                f"declare schemas inside it, not {file!r}"
            )
        declared[name] = DeclaredFlavor(name=name, source=source, schema=_load_schema(source, name))
    select = _codes(table, "select", where)
    ignore = _codes(table, "ignore", where)
    overridden: tuple[str, ...] = ()
    if inside_model:
        select, ignore, overridden = _keep_security_rules(select, ignore)
    trust = _trust(path, table.get("trust", {}), where)
    return ProjectConfig(
        path=path,
        trust=TrustConfig() if inside_model else trust,
        flavors=declared,
        select=select,
        ignore=ignore,
        inside_model=inside_model,
        overridden=overridden,
        mlflow_version=release(table.get("mlflow-version"), f"{where} mlflow-version"),
        require_signature=trust.require_signature,
    )


def _trust(path: Path, table: object, where: str) -> TrustConfig:
    if not isinstance(table, dict):
        raise UsageError(f"{where} 'trust' must be a table")
    unknown = sorted(set(table) - TRUST_KEYS)
    if unknown:
        raise UsageError(
            f"{where} unknown key(s) {', '.join('trust.' + k for k in unknown)}; "
            f"known: {', '.join(sorted(TRUST_KEYS))}"
        )
    types = table.get("trusted-types", [])
    keys = table.get("keys", [])
    required = table.get("require-signature", False)
    if not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
        raise UsageError(f"{where} trust.trusted-types must be a list of module.Name strings")
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise UsageError(f"{where} trust.keys must be a list of public key files")
    if not isinstance(required, bool):
        raise UsageError(f"{where} trust.require-signature must be true or false")
    return TrustConfig(
        trusted_types=tuple(types),
        keys=tuple((path.parent / k).resolve() for k in keys),
        require_signature=required,
        path=path,
    )


def loader_trust(model_dir: Path, *, start: Path | None = None) -> TrustConfig:
    """The trust the loader's side grants: ``[tool.mlmodel.trust]`` of the configuration that
    applies to ``start`` (the current directory), never one that lies in ``model_dir`` or
    below it (a model cannot grant itself trust)."""
    found = find_config_file(Path.cwd() if start is None else start)
    if found is None:
        return TrustConfig()
    path, table = found
    if path.parent.resolve().is_relative_to(model_dir.resolve()):
        return TrustConfig()
    where = f"{path}: " + ("[tool.mlmodel]" if path.name == "pyproject.toml" else "")
    return _trust(path, table.get("trust", {}), where)


def _covers_security(selector: str) -> bool:
    """Whether a code or prefix selects every security rule (``MLM5``, ``MLM``, ``ALL``)."""
    return selector == "ALL" or SECURITY_PREFIX.startswith(selector)


def _keep_security_rules(
    select: tuple[str, ...], ignore: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """``select``/``ignore`` of a configuration inside the model directory, made unable to
    deselect an ``MLM5xx`` rule; also returns the ``ignore`` entries dropped."""
    dropped = tuple(
        code for code in ignore if _covers_security(code) or code.startswith(SECURITY_PREFIX)
    )
    kept = tuple(code for code in ignore if code not in dropped)
    if select and not any(_covers_security(code) for code in select):
        select = (*select, SECURITY_PREFIX)
    return select, kept, dropped


def _codes(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Lint rule codes or prefixes (``select = ["MLM1", "MLM501"]``)."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where} '{key}' must be a list of rule codes or prefixes")
    return tuple(v.strip().upper() for v in value)


def _load_schema(source: Path, name: str) -> dict[str, Any]:
    data = _read_bounded(source, MAX_SCHEMA_BYTES, f"schema of flavor {name!r} cannot be read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source}: not UTF-8 ({exc})") from None
    schema: Any
    try:
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
    except RecursionError:
        raise UsageError(
            f"{source}: nested deeper than {MAX_SCHEMA_DEPTH} levels; not read"
        ) from None
    if not isinstance(schema, dict):
        raise UsageError(f"{source}: a JSON Schema must be an object (mapping)")
    _check_bounds_and_refs(source, schema)
    from jsonschema import SchemaError, validators

    checker = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        checker.check_schema(schema)
    except SchemaError as exc:
        at = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        raise UsageError(f"{source}: not a valid JSON Schema at {at}: {exc.message}") from None
    _check_local_refs_resolve(source, schema)
    return schema


def _check_bounds_and_refs(source: Path, schema: dict[str, Any]) -> None:
    """Depth and size bounds (YAML aliases counted at every use, so a billion-laughs
    schema stops here), and only references inside the schema file."""
    stack: list[tuple[Any, int, str]] = [(schema, 1, "")]
    nodes = 0
    while stack:
        value, depth, where = stack.pop()
        nodes += 1
        if nodes > MAX_SCHEMA_NODES:
            raise UsageError(
                f"{source}: more than {MAX_SCHEMA_NODES} values (YAML aliases count at every "
                "use); not read"
            )
        if depth > MAX_SCHEMA_DEPTH:
            raise UsageError(
                f"{source}: nested deeper than {MAX_SCHEMA_DEPTH} levels at {where or '(top)'}"
                "; not read"
            )
        if isinstance(value, dict):
            for key in _REF_KEYS:
                ref = value.get(key)
                if isinstance(ref, str) and not ref.startswith("#"):
                    raise UsageError(
                        f"{source}: {key} {ref!r} at {where or '(top)'} points outside the "
                        "schema file; only references inside it (#...) are followed, nothing "
                        "is fetched"
                    )
            stack.extend((v, depth + 1, f"{where}/{k}") for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{where}/{i}") for i, v in enumerate(value))


def _refuse_retrieval(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def no_network_registry() -> Any:
    """A ``referencing`` registry that retrieves nothing: jsonschema's default one
    fetches remote ``$ref`` URLs over the network."""
    from referencing import Registry

    return Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]


def _check_local_refs_resolve(source: Path, schema: dict[str, Any]) -> None:
    """Every ``#...`` reference points at something in the file (when no nested ``$id``
    changes what ``#`` means; otherwise a broken one is reported when it is used)."""
    refs: list[str] = []
    nested_id = False
    stack: list[tuple[Any, bool]] = [(schema, True)]
    while stack:
        value, root = stack.pop()
        if isinstance(value, dict):
            nested_id = nested_id or (not root and isinstance(value.get("$id"), str))
            refs.extend(r for k in _REF_KEYS if isinstance(r := value.get(k), str))
            stack.extend((v, False) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, False) for v in value)
    if not refs or nested_id:
        return
    from referencing import Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    resolver = no_network_registry().with_resource("", resource).resolver(base_uri="")
    for ref in refs:
        try:
            resolver.lookup(ref)
        except Unresolvable:
            raise UsageError(f"{source}: $ref {ref!r} points at nothing in the schema") from None


@cache
def _validator_for(source: Path, schema_json: str) -> Any:
    from jsonschema import validators

    schema = json.loads(schema_json)
    checker = validators.validator_for(schema, default=validators.Draft202012Validator)
    return checker(schema, registry=no_network_registry())
