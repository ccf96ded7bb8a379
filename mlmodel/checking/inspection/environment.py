"""The environment: python_version and what requirements.txt, python_env.yaml and conda.yaml
ask for, read through :mod:`mlmodel.modeldir` (the parser lint uses too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlmodel.checking.inspection.types import Environment
from mlmodel.modeldir import read_environment


def describe_environment(data: dict[str, Any], model_dir: Path | None) -> Environment:
    result = Environment()
    flavors = data.get("flavors")
    pyfunc = flavors.get("python_function") if isinstance(flavors, dict) else None
    if isinstance(pyfunc, dict) and pyfunc.get("python_version") is not None:
        result.python_version = str(pyfunc["python_version"])
    if model_dir is None:
        return result
    found = read_environment(model_dir, data)
    result.requirements = found.requirement_lines
    if found.python_env_python is not None:
        result.python_env_python = str(found.python_env_python)
    if found.conda_python is not None:
        result.conda_python = str(found.conda_python)
    result.errors = found.errors
    return result
