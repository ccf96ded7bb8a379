"""What a model directory's environment files say: requirements.txt and the python_env /
conda files the document names, read as text within the side-file bounds
(:mod:`mlmodel.modeldir.sidefiles`) and parsed by :mod:`mlmodel.modeldir.requirements`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from mlmodel.modeldir.containment import inside
from mlmodel.modeldir.requirements import (
    PythonRequirement,
    Requirement,
    parse_conda_python,
    parse_requirements,
)

__all__ = ["EnvironmentFiles", "env_file_name", "read_environment"]

_T = TypeVar("_T")


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


def _side_file(
    model_dir: Path, name: str, errors: list[str], read: Callable[[Path], _T]
) -> _T | None:
    """``read`` of the side file ``name`` (None when it is absent or outside the model
    directory; an unreadable one is recorded in ``errors`` as V510)."""
    target = inside(model_dir, name)
    if target is None or not os.path.lexists(target):
        return None
    try:
        return read(target)
    except ValueError as exc:
        errors.append(f"V510 {exc}")
        return None


def read_environment(model_dir: Path, data: Mapping[str, Any]) -> EnvironmentFiles:
    """Read requirements.txt and the python_env / conda files the document names
    (``data`` is the parsed MLmodel document)."""
    from mlmodel.modeldir.sidefiles import load_yaml, read_text

    pyfunc = _pyfunc(data)
    result = EnvironmentFiles(
        python_env_file=env_file_name(pyfunc, "virtualenv"),
        conda_file=env_file_name(pyfunc, "conda"),
    )
    text = _side_file(model_dir, "requirements.txt", result.errors, read_text)
    if text is not None:
        result.requirement_lines = [line.strip() for line in text.splitlines() if line.strip()]
        result.requirements = parse_requirements(text)
    # YAML read within bounds (size, depth, aliases): see mlmodel.modeldir.sidefiles
    python_env = _side_file(model_dir, result.python_env_file, result.errors, load_yaml)
    python = python_env.get("python") if isinstance(python_env, dict) else None
    if python is not None:
        result.python_env_python = PythonRequirement(result.python_env_file, str(python).strip())
    conda = _side_file(model_dir, result.conda_file, result.errors, load_yaml)
    dependencies = conda.get("dependencies") if isinstance(conda, dict) else None
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if isinstance(dependency, str):
            found = parse_conda_python(dependency, result.conda_file)
            if found is not None:
                result.conda_python = found
                break
    return result
