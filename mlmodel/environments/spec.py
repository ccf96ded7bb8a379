"""What defines a model's environment, read from its files as text, and the cache key of it.

The requirement lines come from the first of (as MLflow's environment restore reads them):
``python_env.yaml``'s ``dependencies`` (its ``-r requirements.txt`` followed), else
``requirements.txt`` (its ``-r``/``-c`` files followed), else ``conda.yaml``'s ``pip``
section. The Python version from ``python_env.yaml``, else ``conda.yaml``, else the
``python_function`` flavor's ``python_version``. Nothing from the model is imported or run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmodel.core.errors import UsageError
from mlmodel.modeldir.requirements import expand_includes, read_requirements_file

__all__ = [
    "EnvironmentSpec",
    "environment_key",
    "mlmodel_source_dir",
    "platform_tag",
    "read_spec",
]

REQUIREMENTS_FILE = "requirements.txt"


@dataclass(frozen=True, slots=True)
class EnvironmentSpec:
    """What a model asks of its environment."""

    model_dir: Path
    requirements: tuple[str, ...]  #: requirement lines, ``-r`` files expanded, in order
    constraints: tuple[str, ...]  #: the lines of its ``-c`` files
    source: str | None  #: the file the requirements come from (None: there is none)
    python: str | None  #: the Python version asked for (``3.11.7``, ``3.11``), or None
    python_source: str | None  #: the file (or ``MLmodel``) that asks for it
    #: MLflow's own requirements, left out: mlmodel loads the model without MLflow
    left_out: tuple[str, ...] = ()


def read_spec(model_dir: Path) -> EnvironmentSpec:
    """The environment ``model_dir`` (a model directory with an MLmodel file) asks for.

    A file that cannot be read is a :class:`~mlmodel.core.errors.UsageError` naming it."""
    from mlmodel.modeldir.environment_files import env_file_name
    from mlmodel.modeldir.sidefiles import SideFileError, load_yaml

    def yaml_file(name: str) -> Any:
        path = model_dir / name
        if not path.is_file():
            return None
        try:
            return load_yaml(path)
        except (SideFileError, ValueError) as exc:
            raise UsageError(f"{path}: cannot read it: {exc}") from None

    document = yaml_file("MLmodel")
    pyfunc = _pyfunc(document)
    python_env_name = env_file_name(pyfunc, "virtualenv")
    conda_name = env_file_name(pyfunc, "conda")
    python_env = yaml_file(python_env_name)
    conda = yaml_file(conda_name)

    requirements: list[str] = []
    constraints: list[str] = []
    source: str | None = None
    if isinstance(python_env, dict) and isinstance(python_env.get("dependencies"), list):
        source = python_env_name
        requirements, constraints = _expand(python_env["dependencies"], model_dir)
    elif (model_dir / REQUIREMENTS_FILE).is_file():
        source = REQUIREMENTS_FILE
        requirements, constraints = read_requirements_file(model_dir / REQUIREMENTS_FILE)
    elif (pip := _conda_pip(conda)) is not None:
        source = conda_name
        requirements, constraints = _expand(pip, model_dir)

    python, python_source = _python(python_env, python_env_name, conda, conda_name, pyfunc)
    left_out: list[str] = []
    if _loads_without_mlflow(document, pyfunc):
        left_out = [line for line in requirements if _is_mlflow(line)]
        requirements = [line for line in requirements if not _is_mlflow(line)]
    return EnvironmentSpec(
        model_dir=model_dir,
        left_out=tuple(left_out),
        requirements=tuple(requirements),
        constraints=tuple(constraints),
        source=source,
        python=python,
        python_source=python_source,
    )


def _pyfunc(document: Any) -> Mapping[str, Any] | None:
    flavors = document.get("flavors") if isinstance(document, dict) else None
    pyfunc = flavors.get("python_function") if isinstance(flavors, dict) else None
    return pyfunc if isinstance(pyfunc, dict) else None


def _loads_without_mlflow(document: Any, pyfunc: Mapping[str, Any] | None) -> bool:
    """Whether mlmodel loads the model with one of its own loaders, where nothing of MLflow
    is imported: the python_function loader module is native (or, without python_function,
    a native flavor is there) and the model brings no code of its own (``code``: its modules
    may import MLflow)."""
    from mlmodel.flavors.libraries import NATIVE_LOADER_MODULES

    if pyfunc is None:
        flavors = document.get("flavors") if isinstance(document, dict) else None
        return isinstance(flavors, dict) and any(
            isinstance(flavors.get(flavor), dict) for flavor in NATIVE_LOADER_MODULES.values()
        )
    return pyfunc.get("loader_module") in NATIVE_LOADER_MODULES and not pyfunc.get("code")


def _is_mlflow(line: str) -> bool:
    from mlmodel.modeldir.requirements import (
        MLFLOW_DISTRIBUTIONS,
        normalise_name,
        requirement_name,
    )

    name = requirement_name(line)
    return name is not None and normalise_name(name) in MLFLOW_DISTRIBUTIONS


def _expand(lines: Iterable[object], base: Path) -> tuple[list[str], list[str]]:
    """Requirement lines (comments and blanks dropped) with their ``-r``/``-c`` files."""
    from mlmodel.modeldir.requirements import strip_comment

    kept = (strip_comment(str(line)) for line in lines if isinstance(line, str | int | float))
    return expand_includes((line for line in kept if line and not line.startswith("#")), base)


def _conda_pip(conda: Any) -> list[object] | None:
    dependencies = conda.get("dependencies") if isinstance(conda, dict) else None
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if isinstance(dependency, dict) and isinstance(dependency.get("pip"), list):
            return list(dependency["pip"])
    return None


def _python(
    python_env: Any,
    python_env_name: str,
    conda: Any,
    conda_name: str,
    pyfunc: Mapping[str, Any] | None,
) -> tuple[str | None, str | None]:
    """The exact Python version asked for and the file that asks (a conda constraint such
    as ``python>=3.9`` names no version: it is skipped)."""
    from mlmodel.modeldir.requirements import parse_conda_python

    if isinstance(python_env, dict) and python_env.get("python") is not None:
        return str(python_env["python"]).strip(), python_env_name
    dependencies = conda.get("dependencies") if isinstance(conda, dict) else None
    for dependency in dependencies if isinstance(dependencies, list) else []:
        found = parse_conda_python(dependency, conda_name) if isinstance(dependency, str) else None
        if found is not None and found.operator is None:
            return found.version, conda_name
    version = pyfunc.get("python_version") if pyfunc is not None else None
    if version is not None:
        return str(version).strip(), "MLmodel (python_function python_version)"
    return None, None


def platform_tag() -> str:
    """The interpreter implementation and platform an environment is built for."""
    return f"{sys.implementation.name}-{sysconfig.get_platform()}"


def mlmodel_source_dir() -> Path | None:
    """The source checkout the running mlmodel is imported from (a folder holding
    ``pyproject.toml`` beside the ``mlmodel`` package), else None (an installed wheel)."""
    root = Path(str(sys.modules["mlmodel"].__file__)).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "mlmodel"' in pyproject.read_text(encoding="utf-8"):
        return root
    return None


@functools.cache
def _source_hash(root: Path) -> str:
    """A hash of the package files of a source checkout (so a change rebuilds)."""
    digest = hashlib.sha256()
    files = [root / "pyproject.toml", *sorted((root / "mlmodel").rglob("*"))]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def environment_key(
    spec: EnvironmentSpec, python_version: str, manager: str, extras: Iterable[str]
) -> str:
    """The cache key of an environment: sha256 over the normalised requirement lines (the
    included files' lines in them), the Python X.Y.Z used, mlmodel's version (and, from a
    source checkout, a hash of its files), the platform, the manager and mlmodel's extras."""
    __version__: str = sys.modules["mlmodel"].__version__
    source = mlmodel_source_dir()
    defining = {
        "requirements": [" ".join(line.split()) for line in spec.requirements],
        "constraints": [" ".join(line.split()) for line in spec.constraints],
        "python": python_version,
        "mlmodel": __version__,
        "mlmodel_source": _source_hash(source) if source is not None else None,
        "platform": platform_tag(),
        "manager": manager,
        "extras": sorted(set(extras)),
    }
    return hashlib.sha256(json.dumps(defining, sort_keys=True).encode()).hexdigest()
