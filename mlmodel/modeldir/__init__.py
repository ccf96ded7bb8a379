"""Facts about a model directory, in one place: which paths stay inside it, which files the
MLmodel document points to, what its environment files ask for, and which files are pickles.

Validators, lint rules, ``inspect``, ``convert`` and the runtime read the model directory
through these functions only, so they agree on every answer.

Nothing here unpickles, imports or executes anything from the model directory: paths are
resolved with ``stat`` calls, environment files are read as text (YAML with
``yaml.safe_load``), at most :data:`MAX_SIDE_FILE_BYTES` each, and pickle detection is
delegated to :mod:`mlmodel.pickle_scan`, which only reads bytes.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from mlmodel.core.errors import UsageError
from mlmodel.flavors.registry import DOCUMENT_PATHS, PathRef, get_flavor
from mlmodel.yamlio.tree import KeyPath

if TYPE_CHECKING:
    from mlmodel.pickle_scan import ScanBudget

__all__ = [
    "MAX_SIDE_FILE_BYTES",
    "MLMODEL_NAME",
    "EnvironmentFiles",
    "Located",
    "ModelLocation",
    "PathProblem",
    "PythonRequirement",
    "Requirement",
    "env_file_name",
    "inside",
    "is_inside",
    "is_pickle",
    "is_regular_file",
    "locate",
    "normalise_name",
    "parse_conda_python",
    "parse_requirements",
    "path_problem",
    "pickle_files",
    "read_environment",
    "read_small_text",
    "referenced_paths",
    "refuse_remote_write",
    "relative_posix",
    "resolve_mlmodel_path",
    "resolve_model_location",
]

#: environment files and input examples larger than this are not read.
MAX_SIDE_FILE_BYTES = 1024 * 1024

_WINDOWS_ABSOLUTE = re.compile(r"^([A-Za-z]:[\\/]|\\\\)")

MLMODEL_NAME = "MLmodel"


@dataclass(frozen=True, slots=True)
class ModelLocation:
    """Where a model named by a path or a URI is read, and how every message names it.

    ``file`` is the local MLmodel file (for a ``runs:/``, ``models:/`` or artifact-store
    URI, the fetched copy in the cache); ``shown`` names it in diagnostics, errors and
    reports: the path as given for a local model (and a ``file://`` URI, which names a
    local path), the URI the user gave followed by ``/MLmodel`` for a fetched one
    (``runs:/<id>/model/MLmodel``). ``uri`` is that URI (None for a local model).
    """

    file: Path
    shown: str
    uri: str | None = None

    @property
    def remote(self) -> bool:
        """True for a model fetched into the cache (writing there changes no user file)."""
        return self.uri is not None

    @property
    def model_dir(self) -> Path:
        """The local folder holding the MLmodel file."""
        return self.file.parent

    @property
    def shown_dir(self) -> str:
        """How messages name the model directory: ``shown`` without its file name."""
        if self.uri is not None:
            return self.shown.rpartition("/")[0]
        return str(self.file.parent)

    @classmethod
    def local(cls, file: Path) -> ModelLocation:
        """A local MLmodel file, named by its path."""
        return cls(file, str(file))

    @classmethod
    def fetched(cls, file: Path, uri: str) -> ModelLocation:
        """The MLmodel file of a model fetched from ``uri``, named ``<uri>/MLmodel`` (the
        URI alone when it names the MLmodel file itself)."""
        trimmed = uri.rstrip("/")
        named = trimmed.rpartition("/")[2] == MLMODEL_NAME
        return cls(file, trimmed if named else f"{trimmed}/{MLMODEL_NAME}", uri)


def refuse_remote_write(given: str | os.PathLike[str] | ModelLocation, action: str) -> None:
    """The one refusal of ``action`` (``lint --fix``, ``convert --in-place``) on a remote
    model: raise :class:`UsageError` when ``given`` is a remote model URI (checked before
    anything is fetched; a malformed one is left to be reported as a bad path) or the
    location of a model fetched from one. Writing there would change only the cached copy;
    the message says how to get a copy of one's own, errors and all, and work on it."""
    if isinstance(given, ModelLocation):
        uri = given.uri
    else:
        from mlmodel.core.uris import is_remote_model_uri, parse_model_uri

        if not is_remote_model_uri(given):
            return
        try:
            uri = parse_model_uri(given).uri
        except UsageError:
            return
    if uri is None:
        return
    raise UsageError(
        f"{uri}: {action} does not apply to a remote model (it would change only the cached "
        f"copy); download it first with `mlmodel download --allow-invalid {uri} DIR` (a model "
        f"with errors too), then run `mlmodel {action} DIR`"
    )


def resolve_model_location(path: str | os.PathLike[str] | ModelLocation) -> ModelLocation:
    """A model directory, an MLmodel file (any name) or a model URI -> its
    :class:`ModelLocation`: the local MLmodel file and the name messages give it.

    A model URI (``runs:/``, ``models:/``, ``file://``, an artifact store) is fetched into
    the cache first (:func:`mlmodel.tracking.resolve_model_dir`); the caller validates it.
    Raises :class:`~mlmodel.core.errors.UsageError` for a path that does not exist or a
    directory without an MLmodel file. Anything else is returned unopened: reading it
    (:func:`mlmodel.core.fsio.read_regular`) refuses a FIFO or a device with a finding. A
    location is returned as it is.
    """
    if isinstance(path, ModelLocation):
        return path
    from mlmodel.core.uris import FILE, is_model_uri, parse_model_uri

    uri: str | None = None
    if is_model_uri(path):
        from mlmodel.tracking.resolve import resolve_model_dir

        parsed = parse_model_uri(path)
        uri = parsed.uri if parsed.kind != FILE else None
        path = resolve_model_dir(path)
    file = _mlmodel_file(Path(path))
    return ModelLocation.local(file) if uri is None else ModelLocation.fetched(file, uri)


def resolve_mlmodel_path(path: str | os.PathLike[str] | ModelLocation) -> Path:
    """A model directory, an MLmodel file (any name) or a model URI -> the local MLmodel
    file (:func:`resolve_model_location`, whose ``file`` it is)."""
    return resolve_model_location(path).file


def _mlmodel_file(candidate: Path) -> Path:
    if candidate.is_dir():
        inner = candidate / MLMODEL_NAME
        if inner.is_dir() or not os.path.lexists(inner):
            raise UsageError(f"{candidate}: directory has no {MLMODEL_NAME} file")
        return inner  # a FIFO or a device named MLmodel is reported (V115), never opened
    if candidate.exists():
        return candidate  # a FIFO or a device is reported (V115) when read, never opened
    raise UsageError(f"{candidate}: no such file or directory")


# -- paths inside the model directory ------------------------------------------------------

PathProblem = Literal["absolute", "escapes", "symlink-outside", "unusable"]

#: what POSIX file systems accept: a name (one component) and a whole path, in bytes
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


def path_problem(value: str) -> str | None:
    """Why no file system can hold the relative path ``value`` (None when one can).

    Such a path makes ``stat`` and ``open`` raise (``ValueError`` for a NUL,
    ``ENAMETOOLONG`` for a long name) instead of saying the file is missing.
    """
    if "\x00" in value:
        return "holds a NUL character"
    encoded = value.encode("utf-8", "surrogateescape")
    if len(encoded) > MAX_PATH_BYTES:
        return f"is {len(encoded)} bytes long; paths have at most {MAX_PATH_BYTES}"
    for part in encoded.replace(b"\\", b"/").split(b"/"):
        if len(part) > MAX_NAME_BYTES:
            return f"has a name of {len(part)} bytes; file names have at most {MAX_NAME_BYTES}"
    return None


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (symlinks followed); False, never an exception, for
    a FIFO, a device, a missing file or a path no file system accepts."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


@dataclass(frozen=True, slots=True)
class Located:
    """Where a model-relative path leads.

    ``target`` is ``model_dir / path`` (normalised, symlinks not resolved) when the path
    stays inside the model directory; ``problem`` says why it does not otherwise
    (``resolved`` then holds where a symlink leads).
    """

    target: Path | None
    problem: PathProblem | None = None
    resolved: Path | None = None


def locate(model_dir: Path, relative: str) -> Located:
    """Classify ``relative`` (as written in an MLmodel file) against ``model_dir``.

    Absolute paths (POSIX or Windows), ``..`` escapes and symlinks resolving outside the
    model directory are problems, and so is a path no file system accepts
    (:func:`path_problem`); the target need not exist.
    """
    if path_problem(relative) is not None:
        return Located(None, "unusable")
    if relative.startswith("/") or _WINDOWS_ABSOLUTE.match(relative):
        return Located(None, "absolute")
    normal = posixpath.normpath(relative)
    if normal == ".." or normal.startswith("../"):
        return Located(None, "escapes")
    root = _resolved(model_dir)
    target = root / normal
    resolved = _resolved(target)
    if resolved != root and root not in resolved.parents:
        return Located(None, "symlink-outside", resolved)
    return Located(target)


def inside(model_dir: Path, relative: str) -> Path | None:
    """``model_dir / relative`` when that stays inside the model directory, else None.

    Symlinks are resolved; the path need not exist.
    """
    if not relative:
        return None
    return locate(model_dir, relative).target


def is_inside(model_dir: Path, path: Path) -> bool:
    """Whether ``path`` (absolute or relative to the working directory) resolves to a place
    inside ``model_dir``."""
    root = _resolved(model_dir)
    resolved = _resolved(path)
    return resolved == root or root in resolved.parents


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


# -- paths the document references ---------------------------------------------------------


def _expand(config: Any, key: tuple[str, ...], prefix: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    if not key:
        yield prefix, config
        return
    head, rest = key[0], key[1:]
    if head == "*":
        if isinstance(config, dict):
            for name, value in config.items():
                yield from _expand(value, rest, (*prefix, name))
        elif isinstance(config, list):
            for index, value in enumerate(config):
                yield from _expand(value, rest, (*prefix, index))
    elif isinstance(config, dict) and head in config:
        yield from _expand(config[head], rest, (*prefix, head))


def referenced_paths(data: Mapping[str, Any]) -> Iterator[tuple[KeyPath, str, PathRef]]:
    """Every (key path, value as written, reference) of a path the document points to,
    from the document's own keys and every known flavor's settings."""
    for key in DOCUMENT_PATHS:
        for path, value in _expand(data, key, ()):
            if isinstance(value, str):
                yield path, value, PathRef(key, "file")
    flavors = data.get("flavors")
    if not isinstance(flavors, dict):
        return
    for name, config in flavors.items():
        spec = get_flavor(name)
        if spec is None or not isinstance(config, dict):
            continue
        for ref in spec.paths:
            if ref.when is not None and not ref.when(config):
                continue
            for path, value in _expand(config, ref.key, ("flavors", name)):
                if isinstance(value, str):
                    yield path, value, ref


# -- reading small text files --------------------------------------------------------------


def read_small_text(path: Path, limit: int = MAX_SIDE_FILE_BYTES) -> str:
    """The UTF-8 text of a small regular file (a BOM is dropped).

    Raises :class:`ValueError` (a :class:`~mlmodel.modeldir.sidefiles.SideFileError`) when the file
    is larger than ``limit`` bytes, not UTF-8, not a regular file or cannot be read.
    """
    from mlmodel.modeldir.sidefiles import read_text

    return read_text(path, limit=limit)


# -- environment files ---------------------------------------------------------------------

_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_PYTHON_DEP = re.compile(r"^python(?![A-Za-z0-9_.-])\s*(.*)$")
_PYTHON_SPEC = re.compile(r"^(==|=|>=|<=|!=|~=|>|<)?\s*([0-9][0-9A-Za-z.*+]*)$")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement line of ``requirements.txt``."""

    line: int  #: 1-based line number
    text: str  #: the line without its comment
    name: str  #: normalised: lower case, runs of ``-_.`` as ``-``
    spec: str  #: what follows the name (and extras): ``==1.5.2``, ``>=2``...

    @property
    def pinned_version(self) -> str | None:
        """The version of an ``==``/``===`` pin, else None."""
        match = re.match(r"^===?\s*([^\s;,]+)$", self.spec.split(";")[0].strip())
        return match.group(1) if match else None


def normalise_name(name: str) -> str:
    """A distribution name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirements(text: str) -> list[Requirement]:
    """The requirements of a requirements.txt; options, paths and URLs are skipped."""
    found: list[Requirement] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-", ".")) or "://" in line:
            continue
        match = _REQUIREMENT.match(line)
        if match:
            found.append(Requirement(number, line, normalise_name(match.group(1)), match.group(3)))
    return found


@dataclass(frozen=True, slots=True)
class PythonRequirement:
    """The Python an environment file asks for.

    ``operator`` is None for an exact version (python_env.yaml's ``python: 3.10.12``,
    conda's ``python=3.10`` prefix match or ``python==3.10.12``), else the comparison of a
    constraint such as conda's ``python>=3.9``.
    """

    source: str  #: the file it comes from
    version: str
    operator: str | None = None

    def __str__(self) -> str:
        return self.version if self.operator is None else f"{self.operator}{self.version}"

    def allows(self, version: str) -> bool:
        """Whether Python ``version`` meets this requirement.

        Exact versions match on their common leading components (``3.10`` allows
        ``3.10.12``), as conda and MLflow's environment restore do.
        """
        ours, theirs = _numbers(version), _numbers(self.version)
        if not ours or not theirs:
            return True  # not numeric: nothing can be said
        common = min(len(ours), len(theirs))
        if self.operator is None:
            return ours[:common] == theirs[:common]
        if self.operator == "~=":
            return ours >= theirs and ours[: len(theirs) - 1] == theirs[: len(theirs) - 1]
        width = max(len(ours), len(theirs))
        a = ours + (0,) * (width - len(ours))
        b = theirs + (0,) * (width - len(theirs))
        return {
            ">=": a >= b,
            "<=": a <= b,
            ">": a > b,
            "<": a < b,
            "!=": ours[:common] != theirs[:common],
        }[self.operator]


def _numbers(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for part in version.strip().split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def parse_conda_python(dependency: str, source: str = "conda.yaml") -> PythonRequirement | None:
    """The Python a conda dependency string asks for (``python=3.10``, ``python>=3.9``,
    ``python 3.10.*``), or None when it is not a versioned ``python`` dependency."""
    match = _PYTHON_DEP.match(dependency.strip())
    if match is None:
        return None
    spec = _PYTHON_SPEC.match(match.group(1).strip())
    if spec is None:
        return None
    operator, version = spec.group(1), spec.group(2).rstrip(".*")
    if not version:
        return None
    return PythonRequirement(source, version, None if operator in (None, "=", "==") else operator)


def env_file_name(pyfunc: Mapping[str, Any] | None, kind: Literal["conda", "virtualenv"]) -> str:
    """The environment file python_function names for ``kind`` (a 1.x ``env`` string is a
    conda file), or MLflow's default name."""
    env = pyfunc.get("env") if pyfunc is not None else None
    if isinstance(env, str) and kind == "conda":
        return env
    if isinstance(env, dict) and isinstance(env.get(kind), str):
        return str(env[kind])
    return "conda.yaml" if kind == "conda" else "python_env.yaml"


@dataclass(slots=True)
class EnvironmentFiles:
    """What a model directory's environment files say (None: the file is absent)."""

    requirement_lines: list[str] | None = None  #: non-blank lines of requirements.txt
    requirements: list[Requirement] | None = None  #: its parsed requirements
    python_env_python: PythonRequirement | None = None  #: ``python`` of python_env.yaml
    conda_python: PythonRequirement | None = None  #: the ``python`` dependency of conda.yaml
    python_env_file: str = "python_env.yaml"
    conda_file: str = "conda.yaml"
    errors: list[str] = field(default_factory=list)  #: files that exist but cannot be read

    def pythons(self) -> list[PythonRequirement]:
        """The Python requirements found, python_env.yaml first."""
        return [p for p in (self.python_env_python, self.conda_python) if p is not None]


def _pyfunc(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    flavors = data.get("flavors")
    pyfunc = flavors.get("python_function") if isinstance(flavors, dict) else None
    return pyfunc if isinstance(pyfunc, dict) else None


def _side_text(model_dir: Path, name: str, errors: list[str]) -> str | None:
    target = inside(model_dir, name)
    if target is None or not os.path.lexists(target):
        return None
    try:
        return read_small_text(target)
    except ValueError as exc:
        errors.append(f"V510 {exc}")
        return None


def _side_yaml(model_dir: Path, name: str, errors: list[str]) -> Any:
    """YAML read within bounds (size, depth, aliases): see :mod:`mlmodel.modeldir.sidefiles`."""
    from mlmodel.modeldir.sidefiles import load_yaml

    target = inside(model_dir, name)
    if target is None or not os.path.lexists(target):
        return None
    try:
        return load_yaml(target)
    except ValueError as exc:
        errors.append(f"V510 {exc}")
        return None


def read_environment(model_dir: Path, data: Mapping[str, Any]) -> EnvironmentFiles:
    """Read requirements.txt and the python_env / conda files the document names
    (``data`` is the parsed MLmodel document)."""
    pyfunc = _pyfunc(data)
    result = EnvironmentFiles(
        python_env_file=env_file_name(pyfunc, "virtualenv"),
        conda_file=env_file_name(pyfunc, "conda"),
    )
    text = _side_text(model_dir, "requirements.txt", result.errors)
    if text is not None:
        result.requirement_lines = [line.strip() for line in text.splitlines() if line.strip()]
        result.requirements = parse_requirements(text)
    python_env = _side_yaml(model_dir, result.python_env_file, result.errors)
    python = python_env.get("python") if isinstance(python_env, dict) else None
    if python is not None:
        result.python_env_python = PythonRequirement(result.python_env_file, str(python).strip())
    conda = _side_yaml(model_dir, result.conda_file, result.errors)
    dependencies = conda.get("dependencies") if isinstance(conda, dict) else None
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if isinstance(dependency, str):
            found = parse_conda_python(dependency, result.conda_file)
            if found is not None:
                result.conda_python = found
                break
    return result


# -- pickles -------------------------------------------------------------------------------


def is_pickle(path: Path) -> bool:
    """Whether the file at ``path`` holds a pickle, or a gzip/zlib/bz2/xz-compressed one, by
    content and never by name (the pickle scanner decides; nothing is unpickled)."""
    from mlmodel.pickle_scan import is_pickle as scanner_is_pickle

    return scanner_is_pickle(path)


def pickle_files(
    model_dir: Path,
    data: Mapping[str, Any],
    *,
    every_file: bool = False,
    budget: ScanBudget | None = None,
    lfs_pointers: bool = False,
) -> list[tuple[KeyPath | None, Path]]:
    """The pickles of a model directory, each with the key that references it.

    The files the document references, and every file inside the folders it references,
    that resolve inside the model directory and hold pickles by content (a pickle, a
    compressed one, a zip of pickles such as a torch file: see
    :func:`mlmodel.pickle_scan.select_pickles`). With ``every_file``, every other regular
    file of the directory too (key None). In-directory symlinks are followed, others never.
    There is no cap on the number of files: the work is bounded by ``budget`` (bytes read
    and time), and ``budget.stopped`` says when the bound cut the list short. With
    ``lfs_pointers``, Git LFS pointers (committed in place of a file) are listed too.
    """
    from mlmodel.pickle_scan import ScanBudget, select_pickles

    root = _resolved(model_dir)
    budget = budget if budget is not None else ScanBudget()
    seen: set[Path] = set()
    found: list[tuple[KeyPath | None, Path]] = []
    for key, value, _ref in referenced_paths(data):
        target = inside(root, value)
        if target is None:
            continue
        files, _ = select_pickles(root, [target], budget, seen=seen, lfs_pointers=lfs_pointers)
        found.extend((key, path) for path in files)
        if budget.stopped is not None:
            return found
    if every_file:
        files, _ = select_pickles(root, [root], budget, seen=seen, lfs_pointers=lfs_pointers)
        found.extend((None, path) for path in files)
    return found


def relative_posix(model_dir: Path, path: Path) -> str:
    """``path`` relative to the model directory, with ``/`` separators."""
    return PurePosixPath(_resolved(path).relative_to(_resolved(model_dir))).as_posix()
