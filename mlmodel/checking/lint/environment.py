"""The model's environment files as lint rules see them: read once per run through
:mod:`mlmodel.modeldir` (the one parser of requirements.txt, python_env.yaml and conda.yaml)."""

from __future__ import annotations

from typing import Literal

from mlmodel.checking.lint.model import LintContext
from mlmodel.modeldir import (
    EnvironmentFiles,
    PythonRequirement,
    Requirement,
    env_file_name,
    read_environment,
)
from mlmodel.modeldir import normalise_name as normalise

__all__ = ["env_file", "environment", "normalise", "python_requirements", "requirements"]


def environment(ctx: LintContext) -> EnvironmentFiles | None:
    """The environment files, or None when file checks are off or there is no directory."""
    if not ctx.check_files or ctx.model_dir is None:
        return None
    if "environment" not in ctx.cache:
        ctx.cache["environment"] = read_environment(ctx.model_dir, ctx.data)
    found: EnvironmentFiles = ctx.cache["environment"]
    return found


def requirements(ctx: LintContext) -> list[Requirement] | None:
    """Parsed requirements.txt, or None when there is none."""
    env = environment(ctx)
    return env.requirements if env is not None else None


def python_requirements(ctx: LintContext) -> list[PythonRequirement]:
    """The Python versions python_env.yaml and conda.yaml ask for."""
    env = environment(ctx)
    return env.pythons() if env is not None else []


def env_file(ctx: LintContext, kind: Literal["conda", "virtualenv"]) -> str:
    """The conda or virtualenv file python_function names, or MLflow's default name."""
    pyfunc = ctx.flavors().get("python_function")
    return env_file_name(pyfunc if isinstance(pyfunc, dict) else None, kind)
