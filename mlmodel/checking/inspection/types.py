"""What ``mlmodel inspect`` returns: plain dataclasses, JSON-ready through :meth:`Inspection.to_json`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
    #: the allowlist mlmodel's loaders judge this file by (sklearn, xgboost, lightgbm, or
    #: python_function: the common list); None when not scanned
    allowlist: str | None = None
    #: whether mlmodel loads it without the loader's trust: scanned to the end and every
    #: import on the allowlist; None when not scanned
    loads_by_default: bool | None = None
    #: the imports off the allowlist: loading needs the loader's trust for them
    needs_trust: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PickleReport:
    available: bool
    message: str | None = None
    pickles: list[PickleInfo] = field(default_factory=list)


@dataclass(slots=True)
class Inspection:
    """Everything ``mlmodel inspect`` shows; :meth:`to_json` gives stable keys.

    ``header`` holds every top-level key of the document but ``flavors``, ``signature``
    and ``saved_input_example_info`` (described by their own fields): the known header
    fields first (null when absent), then any other key the document holds, unknown ones
    included, with its value as read."""

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
