"""What is in a model directory: header, flavors, signature, example, files, environment.

Named ``inspection`` rather than ``inspect`` so it never shadows the standard
library's ``inspect`` module.

Nothing from the model directory is unpickled, imported or executed: the MLmodel
file and the environment files are parsed with safe YAML loaders,
``input_example.json`` is read as JSON text, the directory walk never follows
symlinks, and pickles are only described by :mod:`mlmodel.pickle_scan` (which
reads their opcodes) when that module is available.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlmodel.convert import json_ready, load_document
from mlmodel.readio import is_regular_file
from mlmodel.sidefiles import SideFileError, load_json, load_yaml, loads_json
from mlmodel.yamlio.document import MLmodelDocument

HEADER_FIELDS = (
    "mlflow_version",
    "utc_time_created",
    "run_id",
    "model_uuid",
    "model_id",
    "artifact_path",
    "databricks_runtime",
    "model_size_bytes",
    "time_created",  # legacy (2018 documentation sample); null when absent
)
PICKLE_SUFFIXES = (".pkl", ".pickle", ".cloudpickle", ".joblib", ".pt", ".pth")
MAX_SIDE_FILE_BYTES = 1024 * 1024
MAX_FILES = 10_000
PREVIEW_CHARS = 200
PICKLE_SCAN_UNAVAILABLE = "pickle scan unavailable"


@dataclass(slots=True)
class Flavor:
    name: str
    settings: Any


@dataclass(slots=True)
class SignatureField:
    """One row of the signature table."""

    section: str  # inputs, outputs or params
    name: str | None
    type: str
    required: bool | None = None
    shape: list[Any] | None = None
    default: Any = None


@dataclass(slots=True)
class SignatureInfo:
    fields: list[SignatureField] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class InputExampleInfo:
    type: str | None
    files: list[str]
    info: dict[str, Any]
    preview: str | None = None
    error: str | None = None


@dataclass(slots=True)
class FileEntry:
    path: str  # relative to the model directory, POSIX separators
    size: int | None
    symlink: bool = False
    target: str | None = None
    outside: bool = False  # a symlink pointing outside the model directory


@dataclass(slots=True)
class Environment:
    python_version: str | None = None  # python_function.python_version in MLmodel
    python_env_python: str | None = None  # python_env.yaml
    conda_python: str | None = None  # conda.yaml dependencies
    requirements: list[str] | None = None  # requirements.txt lines
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PickleInfo:
    path: str
    imports: list[str] = field(default_factory=list)  #: "module.name", in order of first use
    dangerous: bool | None = None  #: None when not scanned
    dangerous_imports: list[str] = field(default_factory=list)  #: "module.name: reason"
    error: str | None = None


@dataclass(slots=True)
class PickleReport:
    available: bool
    message: str | None = None
    pickles: list[PickleInfo] = field(default_factory=list)


@dataclass(slots=True)
class Inspection:
    """Everything ``mlmodel inspect`` shows; :meth:`to_json` gives stable keys."""

    path: str
    model_dir: str | None
    header: dict[str, Any]
    flavors: list[Flavor]
    signature: SignatureInfo | None
    input_example: InputExampleInfo | None
    files: list[FileEntry] | None
    files_truncated: bool
    environment: Environment
    pickles: PickleReport

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# -- helpers ------------------------------------------------------------------------------


def _inside(model_dir: Path, relative: str) -> Path | None:
    """``model_dir / relative`` when it stays inside the model directory (symlinks resolved)."""
    from mlmodel.readio import inside

    return inside(model_dir, relative)


def _read_small(path: Path, limit: int = MAX_SIDE_FILE_BYTES) -> str:
    from mlmodel.sidefiles import read_text

    return read_text(path, limit=limit)


def _type_name(spec: Any) -> str:
    if not isinstance(spec, dict):
        return str(spec)
    kind = spec.get("type")
    if kind == "array":
        return f"array<{_type_name(spec.get('items'))}>"
    if kind == "map":
        return f"map<string, {_type_name(spec.get('values'))}>"
    if kind == "object":
        props = spec.get("properties")
        if isinstance(props, dict):
            inner = ", ".join(f"{k}: {_type_name(v)}" for k, v in props.items())
            return f"object{{{inner}}}"
        return "object"
    if kind == "tensor":
        tensor = spec.get("tensor-spec")
        dtype = tensor.get("dtype") if isinstance(tensor, dict) else None
        return f"tensor({dtype})"
    return str(kind)


def _signature(data: dict[str, Any]) -> SignatureInfo | None:
    signature = data.get("signature")
    if signature is None:
        return None
    info = SignatureInfo()
    if not isinstance(signature, dict):
        info.errors.append(f"signature is a {type(signature).__name__}, not a mapping")
        return info
    for section in ("inputs", "outputs", "params"):
        raw = signature.get(section)
        if not raw:
            continue
        try:
            specs = loads_json(raw) if isinstance(raw, str) else raw
        except SideFileError as exc:
            info.errors.append(f"{section}: V309 {exc}")
            continue
        except ValueError as exc:
            info.errors.append(f"{section}: not valid JSON: {exc}")
            continue
        if not isinstance(specs, list):
            info.errors.append(f"{section}: not a JSON array")
            continue
        for spec in specs:
            if not isinstance(spec, dict):
                info.errors.append(f"{section}: an entry is not an object: {spec!r}")
                continue
            name = spec.get("name")
            shown_name = None if name is None else str(name)
            if section == "params":
                info.fields.append(
                    SignatureField(
                        section,
                        shown_name,
                        str(spec.get("type", spec.get("dtype"))),
                        shape=spec.get("shape"),
                        default=spec.get("default"),
                    )
                )
            elif spec.get("type") == "tensor":
                tensor = spec.get("tensor-spec")
                shape = tensor.get("shape") if isinstance(tensor, dict) else None
                info.fields.append(
                    SignatureField(
                        section,
                        shown_name,
                        _type_name(spec),
                        required=True,
                        shape=list(shape) if isinstance(shape, list) else None,
                    )
                )
            else:
                required = spec.get("required")
                if "optional" in spec and required is None:
                    required = not spec["optional"]
                info.fields.append(
                    SignatureField(
                        section,
                        shown_name,
                        _type_name(spec),
                        required=required if isinstance(required, bool) else None,
                    )
                )
    return info


def _input_example(data: dict[str, Any], model_dir: Path | None) -> InputExampleInfo | None:
    info = data.get("saved_input_example_info")
    if info is None:
        return None
    if not isinstance(info, dict):
        return InputExampleInfo(None, [], {}, error="saved_input_example_info is not a mapping")
    files = [
        value
        for key in ("artifact_path", "serving_input_path")
        if isinstance(value := info.get(key), str)
    ]
    result = InputExampleInfo(
        type=str(info["type"]) if info.get("type") is not None else None,
        files=files,
        info={str(k): v for k, v in info.items()},
    )
    artifact = info.get("artifact_path")
    if model_dir is None or not isinstance(artifact, str):
        return result
    target = _inside(model_dir, artifact)
    if target is None:
        result.error = f"{artifact} is outside the model directory; not read"
    elif not os.path.lexists(target):
        result.error = f"{artifact} does not exist"
    else:
        try:
            parsed = load_json(target)  # JSON text only: never executed
        except ValueError as exc:
            result.error = f"V506 {exc}"
        else:
            preview = json.dumps(parsed, ensure_ascii=False)
            if len(preview) > PREVIEW_CHARS:
                preview = preview[: PREVIEW_CHARS - 1] + "…"
            result.preview = preview
    return result


def _walk(model_dir: Path) -> tuple[list[FileEntry], bool]:
    entries: list[FileEntry] = []
    root = model_dir.resolve()
    for current, dirs, names in os.walk(model_dir, followlinks=False):
        dirs.sort()
        here = Path(current)
        # symlinked directories are listed, never descended into
        for name in sorted([*names, *(d for d in dirs if (here / d).is_symlink())]):
            path = here / name
            relative = path.relative_to(model_dir).as_posix()
            if len(entries) >= MAX_FILES:
                return entries, True
            try:
                if path.is_symlink():
                    target = str(path.readlink())
                    resolved = path.resolve()
                    outside = not resolved.is_relative_to(root)
                    size = resolved.stat().st_size if not outside and resolved.is_file() else None
                    entries.append(FileEntry(relative, size, True, target, outside))
                else:
                    entries.append(FileEntry(relative, path.lstat().st_size))
            except (OSError, RuntimeError):
                entries.append(FileEntry(relative, None))
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
    return entries, False


def _env_file(
    model_dir: Path, pyfunc: dict[str, Any], key: str, default: str
) -> tuple[str, Path | None]:
    env = pyfunc.get("env")
    name = default
    if isinstance(env, dict) and isinstance(env.get(key), str):
        name = env[key]
    elif key == "conda" and isinstance(env, str):
        name = env
    return name, _inside(model_dir, name)


def _environment(data: dict[str, Any], model_dir: Path | None) -> Environment:
    result = Environment()
    flavors = data.get("flavors")
    pyfunc = flavors.get("python_function") if isinstance(flavors, dict) else None
    pyfunc = pyfunc if isinstance(pyfunc, dict) else {}
    if pyfunc.get("python_version") is not None:
        result.python_version = str(pyfunc["python_version"])
    if model_dir is None:
        return result
    requirements = _inside(model_dir, "requirements.txt")
    if requirements is not None and os.path.lexists(requirements):
        try:
            lines = _read_small(requirements).splitlines()
            result.requirements = [line.strip() for line in lines if line.strip()]
        except ValueError as exc:
            result.errors.append(f"V506 {exc}")
    _name, python_env = _env_file(model_dir, pyfunc, "virtualenv", "python_env.yaml")
    if python_env is not None and os.path.lexists(python_env):
        try:
            content = load_yaml(python_env)
            if isinstance(content, dict) and content.get("python") is not None:
                result.python_env_python = str(content["python"])
        except ValueError as exc:
            result.errors.append(f"V506 {exc}")
    _name, conda = _env_file(model_dir, pyfunc, "conda", "conda.yaml")
    if conda is not None and os.path.lexists(conda):
        try:
            content = load_yaml(conda)
            deps = content.get("dependencies") if isinstance(content, dict) else None
            for dep in deps if isinstance(deps, list) else []:
                if isinstance(dep, str) and dep.replace(" ", "").startswith("python="):
                    result.conda_python = dep.split("=", 1)[1].lstrip("=").strip()
                    break
        except ValueError as exc:
            result.errors.append(f"V506 {exc}")
    return result


def _pickle_paths(data: dict[str, Any], files: list[FileEntry]) -> list[str]:
    found = {f.path for f in files if not f.symlink and f.path.lower().endswith(PICKLE_SUFFIXES)}
    flavors = data.get("flavors")
    if isinstance(flavors, dict):
        sklearn = flavors.get("sklearn")
        pyfunc = flavors.get("python_function")
        if (
            isinstance(sklearn, dict)
            and sklearn.get("serialization_format") != "skops"
            and isinstance(sklearn.get("pickled_model"), str)
        ):
            found.add(sklearn["pickled_model"])
        if (
            isinstance(pyfunc, dict)
            and isinstance(pyfunc.get("python_model"), str)
            and pyfunc["python_model"].endswith(".pkl")
        ):
            found.add(pyfunc["python_model"])
    known = {f.path for f in files if not f.symlink}
    return sorted(p for p in found if p in known)


def _pickles(data: dict[str, Any], model_dir: Path | None, files: list[FileEntry]) -> PickleReport:
    import importlib

    paths = _pickle_paths(data, files) if model_dir is not None else []
    try:
        module = importlib.import_module("mlmodel.pickle_scan")
        scan = module.scan_pickle
    except (ImportError, AttributeError):
        return PickleReport(
            False,
            PICKLE_SCAN_UNAVAILABLE,
            [PickleInfo(p, error=PICKLE_SCAN_UNAVAILABLE) for p in paths],
        )
    report = PickleReport(True)
    assert model_dir is not None or not paths
    for relative in paths:
        assert model_dir is not None
        target = _inside(model_dir, relative)
        if target is None:
            report.pickles.append(PickleInfo(relative, error="outside the model directory"))
            continue
        if not is_regular_file(target):  # a FIFO or a device is never opened
            report.pickles.append(PickleInfo(relative, error="not a regular file; not read"))
            continue
        try:
            result = scan(target)
        except Exception as exc:  # noqa: BLE001 - one bad pickle must not stop the inspection
            report.pickles.append(PickleInfo(relative, error=f"{type(exc).__name__}: {exc}"))
            continue
        dangerous = [f"{d.qualname}: {d.reason}" for d in result.dangerous]
        report.pickles.append(
            PickleInfo(
                relative,
                imports=list(result.import_names),
                dangerous=bool(dangerous),
                dangerous_imports=dangerous,
                error=result.error,
            )
        )
    return report


# -- entry point --------------------------------------------------------------------------


def _model_dir(document: MLmodelDocument, given: Path) -> Path | None:
    """The model directory: a directory given, or the folder of a file named MLmodel."""
    assert document.path is not None
    if given.is_dir() or document.path.name == "MLmodel":
        return document.path.parent
    return None


def inspect_model(path: str | Path) -> Inspection:
    """Describe one model directory or MLmodel file.

    Raises :class:`~mlmodel.errors.UsageError` for a path that is not a model and
    :class:`~mlmodel.errors.ParseError` for an MLmodel file that cannot be read.
    """
    document = load_document(path)
    assert document.path is not None
    model_dir = _model_dir(document, Path(path))
    data: dict[str, Any] = json_ready(document)
    header = {name: data.get(name) for name in HEADER_FIELDS}
    flavors_data = data.get("flavors")
    flavors = (
        [Flavor(str(name), settings) for name, settings in flavors_data.items()]
        if isinstance(flavors_data, dict)
        else []
    )
    files: list[FileEntry] | None = None
    truncated = False
    if model_dir is not None:
        files, truncated = _walk(model_dir)
    return Inspection(
        path=str(document.path),
        model_dir=str(model_dir) if model_dir is not None else None,
        header=header,
        flavors=flavors,
        signature=_signature(data),
        input_example=_input_example(data, model_dir),
        files=files,
        files_truncated=truncated,
        environment=_environment(data, model_dir),
        pickles=_pickles(data, model_dir, files or []),
    )
